"""gunicorn's threaded worker, leaving without resetting a client.

The production unit recycles each worker after ``--max-requests`` requests
(CKAN's advice against slow memory growth). gunicorn's own threaded worker
then leaves at once: it stops reading its idle keep-alive connections, and
a client that sends its next request on one in that instant gets a reset
connection instead of an answer (1-6 in every 5-minute run of
`benchmarks/load.py`, which recycles each worker once or twice).

`ThreadWorker` first drains: it accepts no new connection (the other
workers take them, and the arbiter starts a new worker once this one has
left), answers every request that arrives on its open connections with
``Connection: close`` (so the client opens a new connection for the next),
and leaves when none is left open, or after `DRAIN_SECONDS`. A connection
still idle then is closed, as before; a client sending on it at that
instant can still be reset, as with any server that closes an idle
keep-alive connection.

The loop is gunicorn 23.0.0's ``ThreadWorker.run`` (pinned in
requirements.txt) with the drain added: check it when gunicorn is upgraded.
"""

from __future__ import annotations

import selectors
import time
from concurrent import futures
from functools import partial

from gunicorn.workers import gthread

# How long a leaving worker answers requests on its open connections.
DRAIN_SECONDS = 3.0


class ThreadWorker(gthread.ThreadWorker):
    def run(self) -> None:
        # init listeners, add them to the event loop
        for sock in self.sockets:
            sock.setblocking(False)
            # a race condition during graceful shutdown may make the listener
            # name unavailable in the request handler so capture it once here
            server = sock.getsockname()
            acceptor = partial(self.accept, server)
            self.poller.register(sock, selectors.EVENT_READ, acceptor)

        leave_at: float | None = None
        while True:
            if not self.alive:
                if leave_at is None:
                    # Recycled or asked to stop: no new connection here.
                    leave_at = time.monotonic() + min(DRAIN_SECONDS, self.cfg.graceful_timeout)
                    for sock in self.sockets:
                        self.poller.unregister(sock)
                if self.nr_conns <= 0 or time.monotonic() >= leave_at:
                    break

            # notify the arbiter we are alive
            self.notify()

            # can we accept more connections?
            if self.nr_conns < self.worker_connections:
                # wait for an event
                events = self.poller.select(0.1 if leave_at is not None else 1.0)
                for key, _ in events:
                    callback = key.data
                    callback(key.fileobj)

                # check (but do not wait) for finished requests
                result = futures.wait(self.futures, timeout=0, return_when=futures.FIRST_COMPLETED)
            else:
                # wait for a request to finish
                result = futures.wait(
                    self.futures, timeout=1.0, return_when=futures.FIRST_COMPLETED
                )

            # clean up finished requests
            for fut in result.done:
                self.futures.remove(fut)

            if not self.is_parent_alive():
                break

            # handle keepalive timeouts
            self.murder_keepalived()

        self.tpool.shutdown(False)
        self.poller.close()

        for s in self.sockets:
            s.close()

        futures.wait(self.futures, timeout=self.cfg.graceful_timeout)
