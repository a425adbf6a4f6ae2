"""The package (pyproject.toml) says what the checkout holds: its pins, its import roots, its command."""
from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _pins(lines) -> list[str]:
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def test_dependencies_are_pinned_as_requirements_txt_pins_them():
    required = _pins((ROOT / "requirements.txt").read_text().splitlines())
    assert PROJECT["project"]["dependencies"] == required
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", pin) for pin in required)


def test_every_import_root_of_the_checkout_is_packaged():
    """A new top-level package or module that is not listed would import from the checkout only."""
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    modules = {p.stem for p in ROOT.glob("*.py")} - {"locustfile"}  # Locust loads that by path; nothing imports it
    setup = PROJECT["tool"]["setuptools"]
    assert set(setup["packages"]) == packages
    assert set(setup["py-modules"]) == modules


def test_the_command_is_the_cli():
    assert PROJECT["project"]["scripts"] == {"fairbid-ha": "harness.cli:main"}


def test_no_module_edits_sys_path():
    """The editable install makes the project importable; a module that edits sys.path hides a missing one."""
    sources = [p for p in ROOT.rglob("*.py")  # not a hidden folder (.venv, .docker's image data) nor node_modules
               if not any(part.startswith(".") or part == "node_modules" for part in p.relative_to(ROOT).parts)]
    found = [str(p.relative_to(ROOT)) for p in sources if "sys.path.insert" in p.read_text() and p.name != "test_package.py"]
    assert found == []
