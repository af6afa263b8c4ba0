"""The ``scalewall`` typer app, the commands train, plan, catalog and validate, and the helpers
every command module of the CLI shares (one-sentence errors, JSON output, number parsing)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Where does LLM scaling hit a wall? Time, memory, energy, carbon, water and cost, sourced.",
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(no_args_is_help=True, help="List and show catalogue entries and their sources.")
app.add_typer(catalog_app, name="catalog")


class Recompute(str, Enum):
    none = "none"
    selective = "selective"
    full = "full"


class Precision(str, Enum):
    fp16 = "fp16"
    bf16 = "bf16"
    fp8 = "fp8"


class PowerModel(str, Enum):
    modelled = "modelled"
    tdp = "tdp"


class StackName(str, Enum):
    modern = "modern"
    megatron_2021 = "megatron-2021"


class Objective(str, Enum):
    time = "time"
    energy = "energy"
    cost = "cost"


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


def _run(fn, *args, **kwargs) -> Any:
    """Call the library; turn scalewall and validation errors into one sentence + exit 2."""
    from pydantic import ValidationError

    from scalewall.catalog.loader import format_validation_error
    from scalewall.errors import ScalewallError

    try:
        return fn(*args, **kwargs)
    except ScalewallError as exc:
        _fail(str(exc))
    except ValidationError as exc:
        _fail(format_validation_error(exc, "invalid input").replace("invalid input: ", "", 1))


def _emit_json(obj: Any) -> None:
    """Print a result (a pydantic model, or plain JSON data) as indented JSON on stdout."""
    from pydantic import BaseModel

    if isinstance(obj, BaseModel):
        obj = obj.model_dump()
    sys.stdout.write(json.dumps(obj, indent=2, default=float) + "\n")


def _path(p: Optional[Path]) -> Optional[str]:
    return str(p) if p is not None else None


def _given(opts: dict) -> dict:
    """Only the options the user gave (the library's defaults apply to the rest)."""
    return {k: v for k, v in opts.items() if v is not None}


def _parse_float(text: Optional[str], name: str) -> Optional[float]:
    """Numbers like 300e9, 1.8T, 15B, 2M (suffixes k, M, B/G, T, P) [-]."""
    if text is None:
        return None
    mult = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12, "p": 1e15}
    s = text.strip().replace("_", "").replace(",", "")
    try:
        if s and s[-1].lower() in mult and not s[-1].isdigit():
            return float(s[:-1]) * mult[s[-1].lower()]
        return float(s)
    except ValueError:
        _fail(f"{name} {text!r} is not a number (examples: 300e9, 1.8T, 15B)")
    return None


ModelOpt = Annotated[Optional[str], typer.Option("--model", help="catalogue model id")]
ModelFileOpt = Annotated[Optional[Path], typer.Option("--model-file", help="model YAML file")]
AccOpt = Annotated[Optional[str], typer.Option("--accelerator", help="catalogue accelerator id")]
AccFileOpt = Annotated[Optional[Path], typer.Option("--accelerator-file", help="accelerator YAML file")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the result as JSON only")]


@app.command()
def train(
    model: ModelOpt = None,
    model_file: ModelFileOpt = None,
    accelerator: AccOpt = None,
    accelerator_file: AccFileOpt = None,
    devices: Annotated[int, typer.Option(help="number of accelerators")] = ...,  # type: ignore[assignment]
    tokens: Annotated[Optional[str], typer.Option(help="training tokens (300e9, 15T); default: the model's published figure")] = None,
    days: Annotated[Optional[float], typer.Option(help="fix the wall-clock duration [days]")] = None,
    device_hours: Annotated[Optional[float], typer.Option(help="fix the device-hours [h]")] = None,
    global_batch: Annotated[Optional[int], typer.Option(help="sequences per step; default ≈ 4M tokens")] = None,
    seq_len: Annotated[Optional[int], typer.Option(help="tokens per sequence; default min(model context, 8192)")] = None,
    micro_batch: Annotated[Optional[int], typer.Option(help="sequences per micro-batch")] = None,
    tp: Annotated[Optional[int], typer.Option(help="tensor-parallel size")] = None,
    pp: Annotated[Optional[int], typer.Option(help="pipeline-parallel size")] = None,
    dp: Annotated[Optional[int], typer.Option(help="data-parallel size")] = None,
    cp: Annotated[Optional[int], typer.Option(help="context-parallel size")] = None,
    ep: Annotated[Optional[int], typer.Option(help="expert-parallel size")] = None,
    interleave: Annotated[Optional[int], typer.Option(help="virtual pipeline stages per device")] = None,
    recompute: Annotated[Optional[Recompute], typer.Option(help="activation recomputation")] = None,
    sequence_parallel: Annotated[Optional[bool], typer.Option("--sequence-parallel/--no-sequence-parallel", help="sequence parallelism (default on when tp > 1)")] = None,
    zero: Annotated[Optional[int], typer.Option(help="ZeRO stage 0-3 (default 1: sharded optimizer)")] = None,
    precision: Annotated[Precision, typer.Option(help="GEMM precision")] = Precision.bf16,
    stack: Annotated[StackName, typer.Option(help="software: modern (FlashAttention, overlapped DP) or megatron-2021")] = StackName.modern,
    plan: Annotated[Optional[str], typer.Option(help="'auto': let the planner choose every size and switch")] = None,
    pue: Annotated[Optional[float], typer.Option(help="power usage effectiveness (default: region's or 1.2)")] = None,
    region: Annotated[Optional[str], typer.Option(help="catalogue region id (grid, PUE, water, price)")] = None,
    grid_gco2_kwh: Annotated[Optional[float], typer.Option(help="grid carbon intensity [gCO2e/kWh]")] = None,
    power_per_device_w: Annotated[Optional[float], typer.Option(help="measured average power per device at the node boundary [W]")] = None,
    power_model: Annotated[PowerModel, typer.Option(help="modelled (utilisation-based) or tdp")] = PowerModel.modelled,
    json_out: JsonOpt = False,
) -> None:
    """Time, MFU, memory, plan, energy, carbon, water and cost of a training run."""
    from scalewall.commands import run

    if plan not in (None, "auto"):
        _fail(f"--plan must be 'auto', not {plan!r}")
    opts = dict(
        model=model, model_file=_path(model_file), accelerator=accelerator,
        accelerator_file=_path(accelerator_file), devices=devices,
        tokens=_parse_float(tokens, "--tokens"), days=days, device_hours=device_hours,
        global_batch=global_batch, seq_len=seq_len, micro_batch=micro_batch, tp=tp, pp=pp,
        dp=dp, cp=cp, ep=ep, interleave=interleave,
        recompute=recompute.value if recompute else None, sequence_parallel=sequence_parallel,
        zero=zero, precision=precision.value, stack=stack.value, plan=plan, pue=pue,
        region=region, grid_gco2_kwh=grid_gco2_kwh, power_per_device_w=power_per_device_w,
        power_model=power_model.value,
    )
    res = _run(run, "train", _given(opts))
    if json_out:
        _emit_json(res)
        return
    from scalewall.report.tables import print_training

    print_training(res)


@app.command(name="plan")
def plan_cmd(
    model: ModelOpt = None,
    model_file: ModelFileOpt = None,
    accelerator: AccOpt = None,
    accelerator_file: AccFileOpt = None,
    devices: Annotated[int, typer.Option(help="number of accelerators")] = ...,  # type: ignore[assignment]
    global_batch: Annotated[Optional[int], typer.Option(help="sequences per step; default ≈ 4M tokens")] = None,
    seq_len: Annotated[Optional[int], typer.Option(help="tokens per sequence")] = None,
    tokens: Annotated[Optional[str], typer.Option(help="training tokens for days/energy (default: published)")] = None,
    precision: Annotated[Precision, typer.Option(help="GEMM precision")] = Precision.bf16,
    stack: Annotated[StackName, typer.Option(help="software profile")] = StackName.modern,
    objective: Annotated[Objective, typer.Option(help="what to minimise")] = Objective.time,
    top: Annotated[int, typer.Option(min=1, max=100, help="plans to list")] = 5,
    max_days: Annotated[Optional[float], typer.Option(help="reject plans slower than this [days]")] = None,
    max_memory_fraction: Annotated[float, typer.Option(min=0.1, max=1.0, help="usable share of device memory")] = 1.0,
    allow_uneven_layers: Annotated[bool, typer.Option(help="allow pp×interleave not dividing the layers")] = False,
    allow_tp_beyond_domain: Annotated[bool, typer.Option(help="allow TP across the scale-up domain")] = False,
    pue: Annotated[Optional[float], typer.Option(help="power usage effectiveness")] = None,
    region: Annotated[Optional[str], typer.Option(help="catalogue region id")] = None,
    grid_gco2_kwh: Annotated[Optional[float], typer.Option(help="grid carbon intensity [gCO2e/kWh]")] = None,
    json_out: JsonOpt = False,
) -> None:
    """The best parallel plan for a model on a cluster, the runners-up, and why others lost."""
    from scalewall.commands import run

    opts = dict(
        model=model, model_file=_path(model_file), accelerator=accelerator,
        accelerator_file=_path(accelerator_file), devices=devices, global_batch=global_batch,
        seq_len=seq_len, tokens=_parse_float(tokens, "--tokens"), precision=precision.value,
        stack=stack.value, objective=objective.value, top=top, max_days=max_days,
        max_memory_fraction=max_memory_fraction, allow_uneven_layers=allow_uneven_layers,
        allow_tp_beyond_domain=allow_tp_beyond_domain, pue=pue, region=region,
        grid_gco2_kwh=grid_gco2_kwh,
    )
    res = _run(run, "plan", _given(opts))
    if json_out:
        _emit_json(res)
        return
    from scalewall.report.tables import print_plan

    print_plan(res)


@catalog_app.command("list")
def catalog_list(
    kind: Annotated[str, typer.Argument(help="accelerators | models | regions | assumptions | calibration")] = "accelerators",
    json_out: JsonOpt = False,
) -> None:
    """List the entries of one catalogue kind."""
    from scalewall import catalog

    items = _run(catalog.entries, kind)
    if json_out:
        _emit_json([e.model_dump() for e in items.values()])
        return
    from scalewall.report.tables import print_catalog_list

    print_catalog_list(kind, items)


@catalog_app.command("show")
def catalog_show(
    kind: Annotated[str, typer.Argument(help="accelerators | models | regions | assumptions | calibration")],
    entry_id: Annotated[str, typer.Argument(help="the entry's id or alias")],
    json_out: JsonOpt = False,
) -> None:
    """Show one entry with every field and its sources."""
    from scalewall import catalog

    e = _run(catalog.get, kind, entry_id)
    if json_out:
        _emit_json(e.model_dump())
        return
    from scalewall.report.tables import print_entry

    print_entry(e)


@app.command()
def validate(
    json_out: JsonOpt = False,
) -> None:
    """Predicted vs published for every validation case, with errors and the bars they must meet."""
    from scalewall.validate.runner import run_all

    rows = _run(run_all)
    if json_out:
        _emit_json([r.model_dump() for r in rows])
        return
    from scalewall.report.tables import print_validation
    from scalewall.validate.runner import summarise

    print_validation(rows, summarise(rows))
