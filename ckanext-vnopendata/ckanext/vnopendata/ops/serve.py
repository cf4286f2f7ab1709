"""Run the portal's web server and CKAN's job worker as one supervised unit.

    python -m ckanext.vnopendata.ops.serve dev  --config config/ckan.ini
    python -m ckanext.vnopendata.ops.serve prod --config config/production.ini \
        --bind 127.0.0.1:5000 --workers 2 --threads 4 --job-workers 1

`dev` runs CKAN's development server (`ckan run`), `prod` gunicorn with the
WSGI application of `ckanext.vnopendata.ops.wsgi`; both run `ckan jobs
worker` beside it (review and access-request e-mails are sent by background
jobs). In `prod` the assets are compiled first (`ckan asset build`), and
the server serves them as built. One process supervises them: SIGTERM or
SIGINT (Ctrl-C) stops all of them, and when one of them exits the others
are stopped too and the supervisor exits with its status, so that a
container or systemd restarts the whole unit. Imports nothing of CKAN:
it stays small and starts at once.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

STOP_TIMEOUT = 20.0


def _bin(name: str) -> str:
    # The programs of the interpreter's own environment first (a venv that
    # is not activated), then PATH.
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed in {sys.prefix} nor on PATH")
    return found


def commands(args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    ckan = [_bin("ckan"), "-c", args.config]
    if args.mode == "dev":
        host, _, port = args.bind.rpartition(":")
        web = [*ckan, "run", "--host", host, "--port", port]
    else:
        web = [
            _bin("gunicorn"),
            "--bind",
            args.bind,
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--timeout",
            str(args.timeout),
            "--graceful-timeout",
            str(int(STOP_TIMEOUT) - 5),
            "--forwarded-allow-ips",
            args.forwarded_allow_ips,
            "--keep-alive",
            str(args.keep_alive),
            "--max-requests",
            str(args.max_requests),
            "--max-requests-jitter",
            str(max(1, args.max_requests // 10)),
            # gunicorn's threaded worker, draining its keep-alive
            # connections when recycled (ops/worker.py).
            "--worker-class",
            "ckanext.vnopendata.ops.worker.ThreadWorker",
            "ckanext.vnopendata.ops.wsgi:application",
        ]
    procs = [("web", web)]
    for number in range(args.job_workers):
        procs.append((f"jobs-{number + 1}", [*ckan, "jobs", "worker"]))
    return procs


def preparations(args: argparse.Namespace) -> list[list[str]]:
    """Commands run once, in order, before the unit starts: in production,
    compiling every asset bundle, which the server then serves as built
    (`startup.freeze_assets`)."""
    if args.mode != "prod":
        return []
    return [[_bin("ckan"), "-c", args.config, "asset", "build"]]


def _child_setup() -> None:
    """In each child before exec: a session of its own (a terminal's Ctrl-C
    reaches only the supervisor, which stops the children in order), and
    on Linux SIGTERM when the supervisor dies, even by SIGKILL, so that no
    orphan keeps the port."""
    os.setsid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the signals above still apply
        pass


def _log(message: str) -> None:
    print(f"[supervisor] {message}", file=sys.stderr, flush=True)


def _stop(children: dict[str, subprocess.Popen[bytes]]) -> None:
    # Each child leads a process group; a dead leader may leave members
    # (the job worker's forked work horse), so every group is signalled.
    for child in children.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, child in children.items():
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _log(f"{name} did not stop in {STOP_TIMEOUT:.0f} s: killed")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # whatever is left of the group
        child.wait()


def supervise(procs: Sequence[tuple[str, list[str]]], env: dict[str, str]) -> int:
    stopping: list[int] = []

    def on_signal(signum: int, frame: object) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    children: dict[str, subprocess.Popen[bytes]] = {}
    for name, command in procs:
        _log(f"starting {name}: {' '.join(command)}")
        children[name] = subprocess.Popen(command, env=env, preexec_fn=_child_setup)
    _log(f"pid {os.getpid()}: SIGTERM or Ctrl-C stops all of them")
    status = 0
    try:
        while not stopping:
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    _log(f"{name} exited with status {code}: stopping the others")
                    status = code or 1
                    stopping.append(0)
                    break
            else:
                time.sleep(0.2)
    finally:
        if stopping and stopping[0]:
            _log(f"signal {stopping[0]}: stopping")
        _stop(children)
    _log("stopped")
    return status


def parser() -> argparse.ArgumentParser:
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("mode", choices=("dev", "prod"))
    p.add_argument("--config", default=env("CKAN_INI", "config/ckan.ini"))
    p.add_argument("--bind", default=env("VNOPENDATA_BIND", "127.0.0.1:5000"))
    p.add_argument("--workers", type=int, default=int(env("GUNICORN_WORKERS", "2")))
    p.add_argument("--threads", type=int, default=int(env("GUNICORN_THREADS", "4")))
    p.add_argument("--timeout", type=int, default=int(env("GUNICORN_TIMEOUT", "60")))
    # Seconds an idle keep-alive connection stays open. Gunicorn's own
    # default (2 s) is shorter than the pause of a browser or an API client
    # between two requests: the server then closes the connection just as
    # the client sends on it, and the client gets a reset. Longer than the
    # idle timeout of a load balancer in front (nginx 75 s, AWS ALB 60 s),
    # so that the balancer, not the server, closes idle connections.
    p.add_argument("--keep-alive", type=int, default=int(env("GUNICORN_KEEPALIVE", "90")))
    p.add_argument("--max-requests", type=int, default=int(env("GUNICORN_MAX_REQUESTS", "5000")))
    p.add_argument("--forwarded-allow-ips", default=env("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"))
    p.add_argument("--job-workers", type=int, default=int(env("CKAN_JOB_WORKERS", "1")))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.workers < 1 or args.threads < 1 or args.job_workers < 0 or args.keep_alive < 0:
        raise SystemExit(
            "--workers and --threads must be at least 1, --job-workers and --keep-alive at least 0"
        )
    args.config = str(Path(args.config).resolve())
    env = dict(os.environ, CKAN_INI=args.config)
    for command in preparations(args):
        _log(f"preparing: {' '.join(command[-2:])}")
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL)
        if done.returncode != 0:
            _log(f"{' '.join(command)} failed with status {done.returncode}")
            return done.returncode
    return supervise(commands(args), env)


if __name__ == "__main__":
    sys.exit(main())
