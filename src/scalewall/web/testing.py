"""Helpers to run the web app in-process, for tests and scripts: a real server on a free port."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

__all__ = ["free_port", "serve"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` now [-]."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(
    app=None, host: str = "127.0.0.1", port: int | None = None, timeout_s: float = 20.0
) -> Iterator[str]:
    """Serve ``app`` (default: a new scalewall app) with uvicorn in a thread; yields its base URL
    and stops the server on exit."""
    import uvicorn

    from scalewall.web.app import create_app

    port = port or free_port(host)
    config = uvicorn.Config(app or create_app(), host=host, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"scalewall-web-{port}", daemon=True)
    thread.start()
    t0 = time.monotonic()
    while not server.started:
        if not thread.is_alive() or time.monotonic() - t0 > timeout_s:
            raise RuntimeError(f"the web app did not start on {host}:{port}")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout_s)
