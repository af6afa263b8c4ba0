"""``scalewall web``: serve the web app with uvicorn (loopback by default)."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``web`` command to the scalewall CLI."""

    @app.command()
    def web(
        host: Annotated[
            str, typer.Option(help="address to listen on (127.0.0.1: this machine only)")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8000,
    ) -> None:
        """The local web app: forms for train, plan, infer, site and outlook, and the JSON API."""
        import uvicorn

        from scalewall.web.app import create_app

        if host not in ("127.0.0.1", "localhost", "::1"):
            typer.echo(
                f"warning: listening on {host}: anyone who can reach it can run jobs on this "
                "machine; the app has no authentication",
                err=True,
            )
        typer.echo(f"scalewall web on http://{host}:{port} (API reference: /docs; Ctrl-C to stop)", err=True)
        uvicorn.run(create_app(), host=host, port=port, log_level="warning")
