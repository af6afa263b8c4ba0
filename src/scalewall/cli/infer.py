"""``scalewall infer``: parse, call the serving estimator, render."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    """Add the ``infer`` command to the CLI."""

    @app.command()
    def infer(
        model: Annotated[Optional[str], typer.Option(help="catalogue model id")] = None,
        model_file: Annotated[Optional[Path], typer.Option(help="model YAML file")] = None,
        accelerator: Annotated[Optional[str], typer.Option(help="catalogue accelerator id")] = None,
        accelerator_file: Annotated[Optional[Path], typer.Option(help="accelerator YAML file")] = None,
        devices: Annotated[int, typer.Option(help="accelerators serving")] = ...,  # type: ignore[assignment]
        tp: Annotated[Optional[int], typer.Option(help="tensor-parallel size of one instance (default: smallest that leaves half the memory for KV)")] = None,
        ep: Annotated[int, typer.Option(help="expert-parallel size of one instance (MoE)")] = 1,
        batch: Annotated[str, typer.Option(help="concurrent requests per instance, or 'max'")] = "max",
        prompt_tokens: Annotated[Optional[float], typer.Option(help="prompt length [tokens] (default 70, LMSYS-Chat-1M)")] = None,
        output_tokens: Annotated[Optional[float], typer.Option(help="answer length [tokens] (default 215, LMSYS-Chat-1M)")] = None,
        precision: Annotated[str, typer.Option(help="bf16 | fp8 (weights and KV cache) | int4 (weights)")] = "bf16",
        itl_slo_ms: Annotated[Optional[float], typer.Option(help="with --batch max: largest batch meeting this inter-token latency [ms]")] = None,
        queries_per_day: Annotated[Optional[float], typer.Option(help="size a fleet for this demand")] = None,
        utilisation: Annotated[Optional[float], typer.Option(help="fleet average utilisation (default 0.5, assumption)")] = None,
        pue: Annotated[Optional[float], typer.Option(help="power usage effectiveness")] = None,
        region: Annotated[Optional[str], typer.Option(help="catalogue region id")] = None,
        grid_gco2_kwh: Annotated[Optional[float], typer.Option(help="grid carbon intensity [gCO2e/kWh]")] = None,
        json_out: Annotated[bool, typer.Option("--json", help="print the result as JSON only")] = False,
    ) -> None:
        """Latency, throughput, energy per token and per query of serving; the fleet for a demand."""
        from scalewall.commands import run
        from scalewall.cli.app import _emit_json, _fail, _run

        b: int | str = batch
        if batch != "max":
            try:
                b = int(batch)
            except ValueError:
                _fail(f"--batch must be a whole number or 'max', not {batch!r}")
        opts = dict(model=model, model_file=str(model_file) if model_file else None,
                    accelerator=accelerator,
                    accelerator_file=str(accelerator_file) if accelerator_file else None,
                    devices=devices, tp=tp, ep=ep, batch=b, prompt_tokens=prompt_tokens,
                    output_tokens=output_tokens, precision=precision, itl_slo_ms=itl_slo_ms,
                    queries_per_day=queries_per_day, utilisation=utilisation, pue=pue,
                    region=region, grid_gco2_kwh=grid_gco2_kwh)
        res = _run(run, "infer", {k: v for k, v in opts.items() if v is not None})
        if json_out:
            _emit_json(res)
            return
        from scalewall.report.tables import print_inference

        print_inference(res)
