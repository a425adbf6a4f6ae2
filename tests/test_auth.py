"""The lab runs with the passwords a real deployment has: a client without one is refused."""
from __future__ import annotations

import stat
import subprocess

import pymysql
import pytest
import redis

from lab import clients
from lab.secrets import LabSecrets
from tests.conftest import ROOT


def _cli(host: str, port: int, *args: str) -> str:
    """redis-cli as any client without the password would talk: its raw reply."""
    return subprocess.run(["redis-cli", "-h", host, "-p", str(port), *args], capture_output=True, text=True,
                          timeout=10).stdout.strip()


def test_redis_refuses_a_client_without_the_password(lab):
    host, port = lab.address(lab.master())
    assert _cli(host, port, "SET", "k", "v").startswith("NOAUTH")
    with pytest.raises(redis.AuthenticationError):  # redis-py's handshake is refused the same way
        clients.redis_at(host, port, timeout=2).ping()
    assert clients.node(lab, lab.master()).ping()


def test_sentinel_has_a_password_of_its_own(lab):
    host, port = lab.sentinel_addrs()[0]
    assert _cli(host, port, "SENTINEL", "MASTERS").startswith("NOAUTH")
    with pytest.raises(redis.AuthenticationError):
        clients.sentinel_at(host, port, timeout=2).ping()
    with pytest.raises(redis.AuthenticationError):  # Redis' password is not Sentinel's
        clients.sentinel_at(host, port, timeout=2, password=lab.secrets.redis).ping()
    assert clients.sentinel_at(host, port, timeout=2, password=lab.secrets.sentinel).ping()
    assert lab.secrets.sentinel != lab.secrets.redis


def test_mysql_root_has_a_password_and_the_app_user_only_what_it_needs(lab):
    host, port = lab.address("mysql-1")
    with pytest.raises(pymysql.err.OperationalError, match="Access denied"):
        pymysql.connect(host=host, port=port, user="fairbid", password="fairbid", connect_timeout=2)
    conn = lab.mysql_connect("mysql-1")
    try:
        with conn.cursor() as cur, pytest.raises(pymysql.err.OperationalError, match="denied"):
            cur.execute("DROP TABLE bid")
    finally:
        conn.close()
    monitor = lab.mysql_connect("mysql-1", monitor=True)
    try:
        with monitor.cursor() as cur, pytest.raises(pymysql.err.OperationalError, match="denied"):
            cur.execute("DELETE FROM bid")
    finally:
        monitor.close()


def test_the_secrets_file_is_private_and_never_tracked(lab, lab_config):
    path = LabSecrets.path_for(lab_config)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", str(path)], cwd=ROOT, capture_output=True)
    assert tracked.returncode != 0  # git does not know it
    assert LabSecrets.read(path) == lab.secrets
