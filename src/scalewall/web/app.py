"""The scalewall web app: pages with forms, and a JSON API that mirrors the CLI.

``POST /api/<command>`` takes the command's options as JSON fields (snake_case) and returns
exactly what ``scalewall <command> --json`` prints, through :func:`scalewall.commands.run`. Endpoints
are plain ``def`` functions, so FastAPI runs them in its thread pool and a long job (a site solve,
a large outlook) never blocks other requests. Errors: an invalid field → 422 naming it; a
:class:`~scalewall.errors.ScalewallError` → 400 with its one-sentence message; a body over
1 MB → 413. Nothing here reads a path from a request (see :mod:`scalewall.web.models`).
"""

# no ``from __future__ import annotations``: FastAPI reads the request models from the
# annotations of endpoints built in a loop, so they must be real classes, not strings

import importlib.resources
import os
from typing import Any

from fastapi import Body, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import ValidationError

from scalewall import catalog
from scalewall import commands as api
from scalewall.errors import CatalogError, ScalewallError
from scalewall.web.models import ID_ONLY_FIELDS, is_file_option, request_model

__all__ = ["create_app", "MAX_BODY_BYTES", "COMMANDS"]

MAX_BODY_BYTES = 1_000_000
#: the commands the app serves, in menu order
COMMANDS = ("train", "plan", "infer", "site", "outlook")


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes gets 413 before the app reads it."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        too_big = JSONResponse({"detail": f"request body over {self.limit:,} bytes"}, status_code=413)
        if length is not None:
            try:
                if int(length) > self.limit:
                    return await too_big(scope, receive, send)
            except ValueError:
                return await JSONResponse({"detail": "invalid Content-Length"}, 400)(scope, receive, send)
            return await self.app(scope, receive, send)
        # no Content-Length (chunked): read the body here, up to the limit
        chunks, size, more = [], 0, True
        while more:
            msg = await receive()
            if msg["type"] != "http.request":
                return await self.app(scope, lambda: msg, send)  # noqa: B023 (used at once, before the loop moves on)
            size += len(msg.get("body", b""))
            if size > self.limit:
                return await too_big(scope, receive, send)
            chunks.append(msg.get("body", b""))
            more = msg.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return await self.app(scope, replay, send)


def _field_sentence(errors: list[dict], where: str) -> str:
    parts = []
    for e in errors[:3]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        name = str(e.get("loc", ("",))[-1])
        if e.get("type") == "extra_forbidden" and is_file_option(name):
            msg = "files are not accepted over the web; give a catalogue id"
        elif e.get("type") == "string_pattern_mismatch" and name in ID_ONLY_FIELDS:
            msg = "must be an id (letters, digits, - and _), not a file name"
        parts.append(f"{loc}: {msg}" if loc else msg)
    more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
    return f"{where}: " + "; ".join(parts) + more


def _release_memory() -> None:
    """Hand freed heap back to the OS after a job (glibc only; elsewhere nothing to do).

    A site solve allocates a few hundred MB in whichever of the server's worker threads ran it;
    glibc keeps freed blocks in that thread's arena, so without a trim the server's RSS ratchets
    up as different threads take jobs (``benchmarks/bench_web_memory.py`` measures it).
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl, macOS): no malloc_trim
        return


def _run_command(command: str, options: dict) -> dict:
    """The library call behind ``POST /api/<command>`` (a seam for tests)."""
    try:
        return api.run(command, options)
    finally:
        _release_memory()


def _make_endpoint(command: str, model):
    def endpoint(body: model) -> dict[str, Any]:
        return _run_command(command, body.model_dump(by_alias=True, exclude_unset=True))

    endpoint.__name__ = f"run_{command}"
    endpoint.__doc__ = (
        f"Run `scalewall {command}`: the CLI's options as JSON fields, the CLI's `--json` object back."
    )
    return endpoint


def _make_options_schema(command: str, body_model):
    def options_schema() -> dict[str, Any]:
        """The request body's JSON Schema (the command's options model, web-safe). A ``None``
        default that stands for a catalogue assumption names it (``default_from``) and gives its
        value (``default_from_value``). The page's form is built from this."""
        from scalewall.commands.options import default_from

        schema = body_model.model_json_schema()
        for name, field in body_model.model_fields.items():
            aid = default_from(field)
            prop = schema["properties"].get(field.alias or name)
            if aid and prop is not None:
                prop["default_from_value"] = catalog.assumption(aid)
        return schema

    options_schema.__name__ = f"options_schema_{command}"
    return options_schema


def _make_result_schema(command: str):
    def result_schema() -> dict[str, Any]:
        """The JSON Schema of the answer (what ``scalewall schema COMMAND`` prints)."""
        return api.RESULT_MODELS[command].model_json_schema(mode="serialization")

    result_schema.__name__ = f"result_schema_{command}"
    return result_schema


def _static(name: str) -> str:
    return str(importlib.resources.files("scalewall.web").joinpath("static", name))


def _plotly_js_path() -> str:
    import plotly

    return os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js")


def create_app() -> FastAPI:
    """A new app: an endpoint and a page per command, each derived from the command's options model."""
    from fastapi_offline import FastAPIOffline

    from scalewall import __version__
    from scalewall.web import pages

    # Swagger UI and ReDoc from the installed package's own assets: /docs renders with no network
    app = FastAPIOffline(
        title="scalewall",
        version=__version__,
        description="Where does LLM scaling hit a wall? The scalewall CLI as a JSON API: "
        "`POST /api/<command>` returns what `scalewall <command> --json` prints.",
    )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = jsonable_encoder(exc.errors(), custom_encoder={Exception: str})
        where = request.url.path.removeprefix("/api/").replace("/", " ") or "request"
        return JSONResponse(
            {"detail": errors, "message": _field_sentence(errors, f"{where} options")}, status_code=422
        )

    @app.exception_handler(ScalewallError)
    async def _scalewall(request: Request, exc: ScalewallError) -> JSONResponse:
        status = 404 if isinstance(exc, CatalogError) and request.url.path.startswith("/api/catalog") else 400
        return JSONResponse({"detail": str(exc)}, status_code=status)

    @app.exception_handler(ValidationError)
    async def _library_validation(request: Request, exc: ValidationError) -> JSONResponse:
        from scalewall.catalog.loader import format_validation_error

        msg = format_validation_error(exc, "invalid input").replace("invalid input: ", "", 1)
        return JSONResponse({"detail": msg}, status_code=400)

    for command in COMMANDS:
        body_model = request_model(command, api.options_model(command))
        fn = _make_endpoint(command, body_model)
        app.post(
            f"/api/{command}",
            tags=["commands"],
            response_model=dict[str, Any],
            summary=f"scalewall {command}",
            responses={400: {"description": "scalewall error"}, 413: {"description": "body over 1 MB"}},
        )(fn)
        app.get(
            f"/api/{command}/options",
            tags=["schemas"],
            summary=f"JSON Schema of the scalewall {command} request body",
        )(_make_options_schema(command, body_model))
        app.get(
            f"/api/{command}/result",
            tags=["schemas"],
            summary=f"JSON Schema of the scalewall {command} answer",
        )(_make_result_schema(command))

    @app.get("/api/catalog", tags=["catalogue"])
    def catalog_kinds() -> list[str]:
        """The catalogue kinds."""
        return list(catalog.KINDS)

    @app.get("/api/catalog/{kind}", tags=["catalogue"], responses={404: {"description": "unknown kind"}})
    def catalog_list(kind: str) -> list[dict[str, Any]]:
        """Every entry of a catalogue kind, with its sources."""
        items = catalog.entries(kind)
        return jsonable_encoder([e.model_dump() for e in items.values()])

    @app.get(
        "/api/catalog/{kind}/{entry_id}",
        tags=["catalogue"],
        responses={404: {"description": "unknown kind or id (the message lists the closest ids)"}},
    )
    def catalog_entry(kind: str, entry_id: str) -> dict[str, Any]:
        """One catalogue entry with every field and its sources."""
        return jsonable_encoder(catalog.get(kind, entry_id).model_dump())

    @app.post("/ui/figures/{command}", include_in_schema=False, response_model=list[dict[str, Any]])
    def figures(command: str, result: dict[str, Any] = Body(...)) -> list[dict[str, Any]] | JSONResponse:  # noqa: B008 (FastAPI's Body marker)
        """The plotly figures of a command's result (the same charts as the HTML report)."""
        from scalewall.report.charts import figures_for

        try:
            return jsonable_encoder(figures_for(command, result))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, ZeroDivisionError):
            return JSONResponse({"detail": f"not a {command} result"}, status_code=422)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(_plotly_js_path(), media_type="text/javascript")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in ("app.js", "style.css"):  # a fixed list: no path from the request is opened
            return _not_found(f"no static file {name!r}")
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return FileResponse(_static(name), media_type=media)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> str:
        return pages.index_page()

    for command in COMMANDS:
        app.get(f"/{command}", response_class=HTMLResponse, include_in_schema=False, name=f"page_{command}")(
            _make_page(command)
        )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    return app


def _make_page(command: str):
    from scalewall.web import pages

    def page() -> str:
        return pages.command_page(command)

    return page


def _not_found(message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=404)
