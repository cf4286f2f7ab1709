"""The production unit: gunicorn and CKAN's job worker under one
supervisor, started as `make serve-prod` starts them, on loopback.

Real processes against the test database: the health endpoint answers
through gunicorn, a job enqueued by the portal is run by the worker, and
the unit stops as a whole (on SIGTERM, and when one of its processes dies).
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from ckan.common import config

PORT = int(os.environ.get("VNOPENDATA_TEST_PROD_PORT", "5114"))
ROOT = Path(__file__).resolve().parents[2]


def children_of(pid: int, direct: bool = False) -> dict[int, str]:
    """Every descendant process (or only the direct children): pid -> command line."""
    out = subprocess.run(
        ["ps", "-ww", "-e", "-o", "pid=,ppid=,args="], capture_output=True, text=True, check=True
    ).stdout
    table = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3:
            table[int(parts[0])] = (int(parts[1]), parts[2])
    found: dict[int, str] = {}
    frontier = {pid}
    while frontier:
        frontier = {p for p, (pp, _) in table.items() if pp in frontier and p not in found}
        found.update({p: table[p][1] for p in frontier})
        if direct:
            break
    return found


def start_unit(ini: str, port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ckanext.vnopendata.ops.serve",
            "prod",
            "--config",
            ini,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "2",
            "--job-workers",
            "1",
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_healthy(port: int, unit: subprocess.Popen[bytes], timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert unit.poll() is None, unit.stderr.read().decode()[-3000:] if unit.stderr else ""
        try:
            response = requests.get(f"http://127.0.0.1:{port}/health", timeout=30)
            if response.status_code == 200:
                return response.json()
        except requests.RequestException:  # not listening yet, or loading CKAN
            pass
        time.sleep(0.5)
    raise AssertionError("the production server did not answer /health")


def gone(pids: list[int], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{pid}").exists() for pid in pids):
            return True
        time.sleep(0.2)
    return False


def assert_idle_connection_kept(port: int, idle: float = 3.5) -> None:
    """A client that pauses between two requests, as a visitor or an API
    client does, sends the second on the same connection: the server keeps
    it open (gunicorn's own default closes it after 2 s, and a request sent
    as it closes is reset)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/health")
        first = connection.getresponse()
        first.read()
        assert first.status == 200 and not first.will_close
        socket_before = connection.sock
        time.sleep(idle)
        connection.request("GET", "/health")
        second = connection.getresponse()
        second.read()
        assert second.status == 200
        assert connection.sock is socket_before  # no new connection was opened
    finally:
        connection.close()


@pytest.fixture
def ini() -> str:
    return str(Path(config["__file__"]).resolve())


def test_the_unit_serves_runs_jobs_and_stops_together(ini, job_queue):
    import ckan.lib.jobs as jobs

    # Only this test's job (`job_queue`): earlier tests leave mail jobs
    # queued or scheduled for a retry, which the unit's worker would run first.
    unit = start_unit(ini, PORT)
    try:
        health = wait_healthy(PORT, unit)
        assert health["status"] == "ok"
        procs = children_of(unit.pid)
        assert any("gunicorn" in args for args in procs.values()), procs
        assert any("jobs worker" in args for args in procs.values()), procs
        # The page and the request id come through gunicorn.
        page = requests.get(f"http://127.0.0.1:{PORT}/dataset/", timeout=30)
        assert page.status_code == 200 and page.headers["X-Request-ID"]
        assert_idle_connection_kept(PORT)
        # The assets the page names were compiled before the server started.
        assets = re.findall(r'(?:src|href)="(/webassets/[^"]+)"', page.text)
        assert any(asset.endswith(".js") for asset in assets), assets
        assert any(asset.endswith(".css") for asset in assets), assets
        for asset in assets:
            assert requests.get(f"http://127.0.0.1:{PORT}{asset}", timeout=30).status_code == 200

        # The worker runs each job in a forked work horse: its parent is
        # the unit's worker.
        job = jobs.enqueue(os.getppid, title="supervisor check")
        deadline = time.monotonic() + 60
        while job.get_status(refresh=True) != "finished" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert job.get_status() == "finished"
        assert job.return_value() in procs  # run by the unit's worker

        unit.send_signal(signal.SIGTERM)
        assert unit.wait(40) == 0
        assert gone(list(procs)), children_of(unit.pid)
    finally:
        if unit.poll() is None:
            unit.kill()


def test_when_the_worker_dies_the_unit_stops(ini):
    unit = start_unit(ini, PORT)
    try:
        wait_healthy(PORT, unit)
        procs = children_of(unit.pid)
        direct = children_of(unit.pid, direct=True)
        (worker,) = [pid for pid, args in direct.items() if args.endswith("jobs worker")]
        os.kill(worker, signal.SIGKILL)
        assert unit.wait(40) != 0
        assert gone(list(procs))
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{PORT}/health", timeout=5)
    finally:
        if unit.poll() is None:
            unit.kill()


def test_a_recycled_worker_answers_a_request_on_its_idle_connection(ini):
    """A worker recycled after `--max-requests` drains before it leaves: a
    client that sends its next request on a connection it kept open gets
    an answer (closing the connection), not a reset. gunicorn's own
    threaded worker leaves within a second of its last request; this
    client waits longer than that, within the drain."""
    unit = start_unit(ini, PORT, env={"GUNICORN_MAX_REQUESTS": "4"})
    idle = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    busy = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    try:
        wait_healthy(PORT, unit)
        before = children_of(unit.pid)
        idle.request("GET", "/health")
        first = idle.getresponse()
        first.read()
        assert first.status == 200 and not first.will_close
        # Another client, on its own connection, until the worker's last
        # request (the response closes the connection).
        for _ in range(10):
            busy.request("GET", "/health")
            response = busy.getresponse()
            response.read()
            assert response.status == 200
            if response.will_close:
                break
        else:
            raise AssertionError("the worker was not recycled after 10 more requests")
        time.sleep(1.5)
        idle.request("GET", "/health")
        answer = idle.getresponse()
        answer.read()
        assert answer.status == 200 and answer.will_close
        # The unit started a new worker, which serves the next clients.
        assert requests.get(f"http://127.0.0.1:{PORT}/health", timeout=30).status_code == 200
        assert children_of(unit.pid) != before
    finally:
        idle.close()
        busy.close()
        unit.send_signal(signal.SIGTERM)
        try:
            unit.wait(40)
        finally:
            if unit.poll() is None:
                unit.kill()
