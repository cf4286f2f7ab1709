"""scripts/system.sh decides which Debian packages `make run` and `make
test` still need, and installs them or names the one command to run.

The script runs for real with a PATH that holds only the programs a case
needs (fake `id`, `sudo` and `apt-get` where the case is about them) and
private PostgreSQL folders; the system's own packages are never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "system.sh"
TOOLS = ("psql", "pg_isready", "redis-server", "redis-cli", "chromium", "docker-compose")


def _fake(bin_dir: Path, name: str, body: str = "exit 0") -> None:
    path = bin_dir / name
    if path.is_symlink() or path.exists():
        path.unlink()  # never write through a link to the real program
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


class Machine:
    def __init__(self, root: Path) -> None:
        self.bin = root / "bin"
        self.bin.mkdir()
        self.pg_lib = root / "lib"
        self.pg_share = root / "share"
        for tool in ("awk", "tr"):
            os.symlink(shutil.which(tool), self.bin / tool)
        os.symlink(sys.executable, self.bin / "python3")
        _fake(self.bin, "apt-get")
        self.uid(1000)
        self.sudo(works=False)

    def uid(self, uid: int) -> None:
        _fake(self.bin, "id", f"echo {uid}")

    def sudo(self, works: bool) -> None:
        _fake(self.bin, "sudo", "exit 0" if works else "exit 1")

    def install(self, *tools: str) -> None:
        for tool in tools:
            _fake(self.bin, tool)

    def remove(self, name: str) -> None:
        (self.bin / name).unlink()

    def postgres_server(self, extensions: bool = True) -> None:
        bindir = self.pg_lib / "15" / "bin"
        bindir.mkdir(parents=True)
        _fake(bindir, "initdb")
        ext = self.pg_share / "15" / "extension"
        ext.mkdir(parents=True)
        if extensions:
            (ext / "unaccent.control").touch()
            (ext / "pg_trgm.control").touch()

    def run(self, mode: str, **env: str) -> subprocess.CompletedProcess[str]:
        environ = {
            "PATH": str(self.bin),
            "PYTHON": "python3",
            "VNOPENDATA_PG_LIB": str(self.pg_lib),
            "VNOPENDATA_PG_SHARE": str(self.pg_share),
            "VNOPENDATA_SYSTEM_DRY_RUN": "1",
            **env,
        }
        return subprocess.run(
            ["/bin/bash", str(SCRIPT), mode],
            env=environ,
            capture_output=True,
            text=True,
            timeout=30,
        )


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    m = Machine(tmp_path)
    m.install(*TOOLS)
    m.postgres_server()
    return m


def test_nothing_to_do_when_everything_is_there(machine):
    for mode in ("run", "test"):
        result = machine.run(mode)
        assert result.returncode == 0, result.stderr
        assert result.stdout == result.stderr == ""


def test_without_root_or_sudo_it_stops_with_the_one_command(machine):
    machine.remove("chromium")
    machine.remove("redis-server")
    result = machine.run("test")
    assert result.returncode == 1
    assert "missing system packages: redis-server chromium" in result.stderr
    commands = [line.strip() for line in result.stderr.splitlines() if "apt-get" in line]
    assert len(commands) == 1
    assert commands[0].startswith("sudo apt-get update && sudo apt-get install")
    assert commands[0].endswith(" redis-server chromium")
    assert "would run" not in result.stdout  # nothing was attempted


def test_as_root_it_installs_the_missing_packages(machine):
    machine.uid(0)
    machine.remove("docker-compose")
    result = machine.run("test")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "==> installing docker-compose"
    assert lines[1].startswith("would run: env DEBIAN_FRONTEND=noninteractive apt-get update")
    assert lines[2].startswith("would run: env DEBIAN_FRONTEND=noninteractive apt-get install")
    assert lines[2].endswith(" docker-compose")


def test_with_passwordless_sudo_it_installs_through_sudo(machine):
    machine.sudo(works=True)
    machine.remove("psql")
    result = machine.run("run")
    assert result.returncode == 0, result.stderr
    assert "would run: sudo env DEBIAN_FRONTEND=noninteractive apt-get install" in result.stdout
    assert result.stdout.rstrip().endswith(" postgresql-client")


def test_run_does_not_ask_for_the_test_tools(machine):
    machine.remove("chromium")
    machine.remove("docker-compose")
    assert machine.run("run").returncode == 0
    assert machine.run("test").returncode == 1


def test_postgresql_server_and_extensions(tmp_path):
    m = Machine(tmp_path)
    m.install(*TOOLS)
    result = m.run("run")
    assert "missing system packages: postgresql postgresql-contrib" in result.stderr
    m.postgres_server(extensions=False)
    result = m.run("run")
    assert "missing system packages: postgresql-contrib\n" in result.stderr


def test_external_services_need_no_local_servers(tmp_path):
    m = Machine(tmp_path)
    m.install("chromium", "docker-compose")
    env = {
        "CKAN_SQLALCHEMY_URL": "postgresql://u:p@db.example/ckan",
        "CKAN_REDIS_URL": "redis://cache.example:6379/0",
    }
    assert m.run("run", **env).returncode == 0
    # The fault tests start private servers: `test` still needs them.
    result = m.run("test", **env)
    assert result.returncode == 1
    assert "postgresql-client postgresql postgresql-contrib redis-server redis-tools" in (
        result.stderr
    )


def test_not_debian_names_the_packages(machine):
    machine.remove("apt-get")
    machine.remove("redis-cli")
    result = machine.run("run")
    assert result.returncode == 1
    assert "missing system packages: redis-tools" in result.stderr
    assert "not a Debian machine" in result.stderr


def test_python_without_venv(machine):
    _fake(machine.bin, "python3", 'case "$2" in *ensurepip*) exit 1;; esac')
    result = machine.run("run")
    assert "missing system packages: python3-venv" in result.stderr
