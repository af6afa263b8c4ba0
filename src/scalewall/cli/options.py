"""CLI commands generated from the commands' options models: the models are the one declaration.

:func:`build_command` turns ``scalewall.commands.COMMANDS[name].options`` into a typer command:
one ``--kebab-case`` flag per field (``--x/--no-x`` for a bool, the choices of a ``Literal`` as its
metavar, checked by the model so a wrong one is one sentence, a
repeatable flag for a list, text that keeps the suffixes ``300e9``, ``1.8T``, ``15B`` for a
:data:`~scalewall.commands.options.Count`, a path for an option that names a file, the alias as a
second flag, e.g. ``--from`` for ``from_year``), with the field's description as help and the
model's default shown, or, for a ``None`` default that stands for a catalogue assumption, that
assumption's value (read when the help is built). The command validates the options with the
model, calls :func:`scalewall.commands.execute` and renders the result with
:mod:`scalewall.report.tables`, or prints its JSON with ``--json``.

:class:`ScalewallGroup` lists these commands without importing them, so ``scalewall --help``
stays fast; a command's module is imported when it runs or shows its own help.
"""

from __future__ import annotations

import functools
import inspect
import operator
import types
import typing
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

__all__ = ["ScalewallGroup", "build_command", "flag_name", "option_params", "RENDERERS"]

#: the table that renders each command's result (a function of :mod:`scalewall.report.tables`)
RENDERERS = {
    "train": "print_training",
    "plan": "print_plan",
    "infer": "print_inference",
    "site": "print_site",
    "outlook": "print_outlook",
}


def help_line(name: str) -> str:
    """The help line of a command: its registry summary as a sentence (``scalewall --help`` shows
    it; reading the registry imports no command module)."""
    from scalewall.commands import COMMANDS

    s = COMMANDS[name].summary
    return s[:1].upper() + s[1:] + "."


def flag_name(field_name: str) -> str:
    """The CLI flag of an option field: ``grid_gco2_kwh`` → ``--grid-gco2-kwh``."""
    return "--" + field_name.replace("_", "-")


def _strip_none(ann: Any) -> tuple[Any, bool]:
    """(annotation without ``None``, whether ``None`` was allowed)."""
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(ann))
        if len(args) == 1:
            return args[0], nullable
        return functools.reduce(operator.or_, args), nullable
    return ann, False


def _base(ann: Any) -> Any:
    """``Annotated[X, ...]`` → ``X``."""
    while typing.get_origin(ann) is Annotated:
        ann = typing.get_args(ann)[0]
    return ann


def _default_help(field: Any) -> str | bool:
    """What ``[default: …]`` shows for a field (True: the default itself, False: nothing)."""
    from scalewall.commands.options import default_from

    aid = default_from(field)
    if aid is not None:
        from scalewall import catalog

        entry = catalog.get("assumptions", aid)
        unit = "" if entry.unit in ("1", "-", "") else f" {entry.unit}"
        v = entry.value
        text = f"{int(v):,}" if float(v).is_integer() else f"{v:g}"
        return f"{text}{unit}, catalogue {aid}"
    if field.is_required() or field.default is None:
        return False
    if field.default_factory is not None:
        value = field.default_factory()
        return ", ".join(map(str, value)) if value else False
    return True


def _param(name: str, field: Any) -> tuple[Any, Any, Any]:
    """(annotation for typer, typer.Option, default) of one options field."""
    from scalewall.commands.options import is_count, is_file_option

    ann, nullable = _strip_none(_base(field.annotation))
    ann = _base(ann)
    decls = [flag_name(name)]
    if field.alias and field.alias != name:
        decls.append(flag_name(field.alias))
    from rich.markup import escape

    help_text = escape(field.description or "")  # "[MW]" is a unit, not rich markup
    show_default = _default_help(field)
    if isinstance(show_default, str):  # typer would wrap it in parentheses
        help_text += escape(f"  [default: {show_default}]")
        show_default = False
    required = field.is_required()
    default: Any = ... if required else (None if field.default_factory is not None else field.default)
    metavar = None
    origin = typing.get_origin(ann)
    if ann is bool:
        decls = [f"{flag_name(name)}/--no-{name.replace('_', '-')}"]
        cli_type: Any = bool
    elif origin is typing.Literal:
        # text with the choices as metavar: the model checks it, so a wrong choice is one
        # sentence naming the field and the choices, like every other bad input
        cli_type, metavar = str, "|".join(str(c) for c in typing.get_args(ann))
    elif is_count(field):
        cli_type, metavar = str, "NUMBER"
    elif is_file_option(name):
        cli_type = Path
    elif origin is list:
        item = _base(typing.get_args(ann)[0]) if typing.get_args(ann) else str
        cli_type = list.__class_getitem__(item if item in (int, float, str) else str)
        metavar = "TEXT"
        help_text += "" if "repeatable" in help_text else " (repeatable)"
    elif ann in (int, float, str):
        cli_type = ann
    else:  # a union such as int | "max", or str | list[str]: text, the model validates it
        cli_type = str
    if default is None or default is ... or nullable or origin is list:
        cli_type = cli_type | None
    opt = typer.Option(*decls, help=help_text, show_default=show_default, metavar=metavar)
    return cli_type, opt, default


def option_params(model: Any) -> list[inspect.Parameter]:
    """The typer parameters of an options model, one per field, in the model's order."""
    return [
        inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[ann, opt]
        )
        for name, (ann, opt, default) in ((n, _param(n, f)) for n, f in model.model_fields.items())
    ]


def _to_option(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    return value


def _execute(name: str, opts: dict, json_out: bool) -> Any:
    """Run the command; on a terminal, ``site`` shows a status line and ``outlook`` a progress bar
    on stderr (after the options are checked, so bad input fails before anything is drawn)."""
    from scalewall.cli.common import _run
    from scalewall.commands import check_options, execute

    o = _run(check_options, name, opts)
    if json_out or name not in ("site", "outlook"):
        return _run(execute, name, o)
    from rich.console import Console

    if name == "site":
        with Console(stderr=True).status("planning the site supply…") as status:
            return _run(execute, name, o, progress=lambda msg: status.update(msg))
    from rich.progress import Progress

    from scalewall.commands.outlook import check_years
    from scalewall.outlook.scenario import load_scenario

    _run(check_years, o)
    _run(load_scenario, o.scenario)
    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("sampling", total=1.0)
        return _run(
            execute, name, o, progress=lambda stage, f: bar.update(task, completed=f, description=stage)
        )


def _callback(name: str, fields: list[str]):
    def command(**kwargs: Any) -> None:
        from scalewall.cli.common import _emit_json

        json_out = kwargs.pop("json_out")
        opts = {k: _to_option(v) for k, v in kwargs.items() if v is not None}
        res = _execute(name, opts, json_out)
        if json_out:
            _emit_json(res)
            return
        from scalewall.report import tables

        getattr(tables, RENDERERS[name])(res.model_dump())

    return command


def build_command(name: str, help: str | None = None):
    """The click command of ``scalewall NAME``, generated from the command's options model."""
    from typer.main import get_command

    from scalewall.commands import COMMANDS

    model = COMMANDS[name].options
    params = option_params(model)
    params.append(
        inspect.Parameter(
            "json_out",
            inspect.Parameter.KEYWORD_ONLY,
            default=False,
            annotation=Annotated[bool, typer.Option("--json", help="print the result as JSON only")],
        )
    )
    fn = _callback(name, list(model.model_fields))
    fn.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined,unused-ignore]
    fn.__annotations__ = {p.name: p.annotation for p in params}
    fn.__name__ = name
    fn.__doc__ = help or help_line(name)
    sub = typer.Typer(add_completion=False)
    sub.command(name=name)(fn)
    cmd = get_command(sub)
    cmd.name = name
    return cmd


class _Placeholder(typer.core.TyperCommand):
    """A command listed by name and help line; the real one is built when it is resolved."""


class ScalewallGroup(TyperGroup):
    """The ``scalewall`` group: the commands generated from options models are built lazily."""

    lazy = tuple(RENDERERS)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        given = dict(self.commands)
        order = {n: None for n in self.lazy}
        order.update(dict.fromkeys(given))
        self.commands = {n: given.get(n) or _Placeholder(name=n, help=help_line(n)) for n in order}

    def get_command(self, ctx, cmd_name: str):
        cmd = self.commands.get(cmd_name)
        if isinstance(cmd, _Placeholder) and not self._listing(ctx):
            cmd = self.commands[cmd_name] = build_command(cmd_name)
        return cmd

    @staticmethod
    def _listing(ctx) -> bool:
        """True while the group's help is being written (the help line is enough then)."""
        return bool(getattr(ctx, "_scalewall_listing", False))

    def format_help(self, ctx, formatter) -> None:
        ctx._scalewall_listing = True
        try:
            return super().format_help(ctx, formatter)
        finally:
            ctx._scalewall_listing = False
