"""A lab refuses to start where its addresses are taken, or when it is up already."""
from __future__ import annotations

import dataclasses
import socket

import pytest

from errors import ConfigError, LabError
from lab.config import LabConfig
from lab.local import LocalLab
from lab.spec import StackSpec


def test_a_lab_refuses_to_start_where_an_address_is_taken(tmp_path, lab_config):
    config = dataclasses.replace(lab_config, name="probe", state_dir=tmp_path / "state",
                                 redis_hosts=("127.0.170.1",), sentinel_hosts=(), mysql_hosts=(),
                                 api_hosts=("127.0.170.9",))
    with socket.socket() as squatter:
        squatter.bind(("127.0.170.1", config.redis_port))
        squatter.listen()
        lab = LocalLab(config, StackSpec(redis=1, sentinels=0, mysql=0, consumers=0, apis=0))
        with pytest.raises(LabError, match=r"refuses to start: 127.0.170.1:6379 already in use"):
            lab.up()
    assert not lab.is_up() and lab.nodes == {}


def test_a_lab_that_is_up_refuses_a_second_up(lab):
    with pytest.raises(LabError, match="is up already"):
        LocalLab(lab.config, lab.spec).up()


def test_a_lab_config_with_a_non_loopback_address_is_refused(tmp_path):
    p = tmp_path / "lab.yaml"
    p.write_text("name: x\nstate_dir: /tmp/x\nredis: {hosts: [10.0.0.5], port: 6379}\n"
                 "sentinel: {hosts: [], port: 26379}\nmysql: {hosts: [], port: 3306}\napi: {host: 127.0.0.1, port: 1}\n")
    with pytest.raises(ConfigError, match="10.0.0.5 is not a loopback address"):
        LabConfig.load(p)


def test_the_demo_and_test_labs_share_no_address():
    demo, test = LabConfig.load("conf/lab.yaml"), LabConfig.load("conf/lab.test.yaml")
    assert not set(demo.all_hosts()) & set(test.all_hosts())
    assert demo.state_dir != test.state_dir
