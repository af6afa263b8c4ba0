"""Run a sweep on Dask: batches of scenarios to workers, rows streamed to Parquet parts.

The driver (this process) expands and validates the SPEC, skips the scenarios already in the
output directory, submits the rest in batches, and writes every second or so the rows that came
back as one new part. Workers need scalewall installed; they never touch the output directory,
so it only has to exist on the machine that runs the command.
"""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scalewall.errors import InputError
from scalewall.sweep.spec import Scenario, SweepSpec, expand_spec, load_spec
from scalewall.sweep.store import ResultStore

__all__ = ["SweepSummary", "run_sweep", "auto_batch_size", "MAX_BATCH"]

#: largest automatic batch: at ~2-50 ms per scenario, a task of 64 lasts 0.1-3 s, long enough
#: that the ~1 ms the scheduler spends per task is lost in it, short enough for load balance
MAX_BATCH = 64
#: tasks per worker the automatic batch size aims for, so that workers finish together
TASKS_PER_WORKER = 8


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep did.

    Attributes
    ----------
    command : str
    out_dir : str
    scenarios : int
        Distinct scenarios in the SPEC.
    skipped : int
        Already in the output directory before this run.
    done : int
        Run by this run and written without error.
    failed : int
        Run by this run and written with ``error`` set.
    not_run : int
        Lost with a worker or cancelled; a rerun of the same command runs them.
    wall_s : float
        Whole run, cluster start included [s].
    startup_s : float
        Connecting to or starting the Dask cluster [s].
    model_s : float
        Sum over scenarios of the time spent in the command itself [s].
    rows_per_s : float
        Rows written per second of wall time [1/s].
    workers : int
        Dask workers when the run started.
    batch_size : int
        Scenarios per Dask task.
    tasks : int
    parts : int
        Parquet parts written by this run.
    first_error : str or None
        Why the first batch was lost, when ``not_run`` > 0.
    """

    command: str
    out_dir: str
    scenarios: int
    skipped: int
    done: int
    failed: int
    not_run: int
    wall_s: float
    startup_s: float
    model_s: float
    rows_per_s: float
    workers: int
    batch_size: int
    tasks: int
    parts: int
    first_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def sentence(self) -> str:
        """One line for people."""
        s = (
            f"{self.command} sweep: {self.scenarios} scenarios — {self.done} done, "
            f"{self.failed} failed, {self.skipped} skipped"
        )
        if self.not_run:
            s += f", {self.not_run} not run"
        if self.tasks == 0:
            return s + f"; nothing left to run in {self.out_dir}"
        rows = self.done + self.failed
        s += (
            f"; {rows} rows in {self.wall_s:.1f} s ({self.rows_per_s:,.1f} rows/s) on "
            f"{self.workers} worker{'s' * (self.workers != 1)} → {self.out_dir}"
        )
        return s


def auto_batch_size(n_scenarios: int, n_workers: int) -> int:
    """Scenarios per task: about ``TASKS_PER_WORKER`` tasks per worker, at most ``MAX_BATCH``."""
    return max(1, min(MAX_BATCH, math.ceil(n_scenarios / (max(n_workers, 1) * TASKS_PER_WORKER))))


def _connect(workers: int | None, scheduler: str | None):
    """A Dask client and the cluster it owns (None for an existing scheduler)."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            if scheduler.endswith(".json") and os.path.exists(scheduler):
                return Client(scheduler_file=scheduler, timeout="20s"), None
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"cannot reach the Dask scheduler at {scheduler!r} "
                f"({type(exc).__name__}); is `dask scheduler` running there?"
            ) from None
    n = workers if workers else (os.cpu_count() or 1)
    # the scheduler's HTTP server on a free local port: no clash with another cluster's 8787
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address="127.0.0.1:0",
        scheduler_kwargs={"dashboard": False},
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster


def run_sweep(
    spec: SweepSpec | str | Path,
    out_dir: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    batch_size: int | None = None,
    flush_s: float = 1.0,
    progress: bool = True,
) -> SweepSummary:
    """Run every scenario of a SPEC not yet in ``out_dir``; write one row per scenario.

    Parameters
    ----------
    spec : SweepSpec or path
        The SPEC, or its YAML file.
    out_dir : path
        Output directory; created if missing, resumed if it holds results of the same command.
    workers : int, optional
        Worker processes of the local Dask cluster (default: CPU count).
    scheduler : str, optional
        Address (``tcp://host:8786``) or scheduler JSON file of an existing Dask cluster.
    client : distributed.Client, optional
        A client to use as is (for scripts that build their own cluster, e.g. dask-jobqueue).
    batch_size : int, optional
        Scenarios per Dask task (default :func:`auto_batch_size`).
    flush_s : float
        Write the rows received at most this often as one part [s].
    progress : bool
        Show a progress bar with rate and ETA on stderr.

    Raises
    ------
    ScenarioError
        The SPEC is invalid (raised before any work starts), or ``out_dir`` holds another
        command's results or is being written by another sweep.
    InputError
        The scheduler cannot be reached or ``out_dir`` cannot be created.
    """
    t_start = time.perf_counter()
    if sum(x is not None for x in (workers, scheduler, client)) > 1:
        raise InputError("give at most one of workers, scheduler and client")
    if workers is not None and workers < 1:
        raise InputError(f"workers must be at least 1, not {workers}")
    if batch_size is not None and batch_size < 1:
        raise InputError(f"batch size must be at least 1, not {batch_size}")
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    scenarios = expand_spec(spec)  # every scenario validated: bad options fail here
    with ResultStore(out_dir, spec.command) as store:
        finished = store.finished_keys()
        todo = [s for s in scenarios if s.key not in finished]
        skipped = len(scenarios) - len(todo)
        counts: dict[str, Any] = {
            "done": 0,
            "failed": 0,
            "not_run": 0,
            "parts": 0,
            "tasks": 0,
            "workers": 0,
            "batch": 0,
            "model_s": 0.0,
            "startup_s": 0.0,
            "first_error": None,
        }
        if todo:
            _execute(
                spec.command, todo, store, counts, workers, scheduler, client, batch_size, flush_s, progress
            )
        store.unify_parts()  # one schema for all parts: DIR reads as one Parquet dataset
    wall = time.perf_counter() - t_start
    rows = counts["done"] + counts["failed"]
    return SweepSummary(
        command=spec.command,
        out_dir=str(out_dir),
        scenarios=len(scenarios),
        skipped=skipped,
        done=counts["done"],
        failed=counts["failed"],
        not_run=counts["not_run"],
        wall_s=wall,
        startup_s=counts["startup_s"],
        model_s=counts["model_s"],
        rows_per_s=rows / wall if wall > 0 else 0.0,
        workers=counts["workers"],
        batch_size=counts["batch"],
        tasks=counts["tasks"],
        parts=counts["parts"],
        first_error=counts["first_error"],
    )


def _execute(
    command: str,
    todo: list[Scenario],
    store: ResultStore,
    counts: dict,
    workers: int | None,
    scheduler: str | None,
    client: Any,
    batch_size: int | None,
    flush_s: float,
    progress: bool,
) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc
    from distributed import as_completed

    from scalewall.sweep.worker import run_batch

    t0 = time.perf_counter()
    cluster = None
    if client is None:
        client, cluster = _connect(workers, scheduler)
        own_client = True
    else:
        own_client = False
    try:
        counts["startup_s"] = time.perf_counter() - t0
        n_workers = len(client.scheduler_info().get("workers", {})) or (workers or 1)
        counts["workers"] = n_workers
        size = batch_size or auto_batch_size(len(todo), n_workers)
        counts["batch"] = size
        batches = [
            [(s.key, s.options, s.inputs) for s in todo[i : i + size]] for i in range(0, len(todo), size)
        ]
        counts["tasks"] = len(batches)
        futures = {
            client.submit(
                run_batch, command, b, pure=False, key=f"scalewall-sweep-{b[0][0]}-{store.run_id}"
            ): len(b)
            for b in batches
        }
        buffer: list = []
        last_flush = time.perf_counter()

        def flush() -> None:
            nonlocal buffer, last_flush
            if buffer:
                try:
                    tables = [pa.concat_tables(buffer, promote_options="permissive")]
                except (pa.ArrowInvalid, pa.ArrowTypeError):
                    tables = buffer  # types differ between batches: one part each
                for t in tables:
                    store.write_part(t)
                    counts["parts"] += 1
                buffer = []
            last_flush = time.perf_counter()

        from scalewall.report.progress import sweep_progress

        with sweep_progress(progress) as bar:
            task = bar.add_task(command, total=len(todo), failed=0)
            try:
                for fut in as_completed(list(futures)):
                    n = futures.pop(fut)
                    try:
                        table = fut.result()
                    except Exception as exc:  # noqa: BLE001 - a lost worker, not a bad scenario
                        counts["not_run"] += n
                        counts["first_error"] = counts["first_error"] or (f"{type(exc).__name__}: {exc}")
                        bar.advance(task, n)
                        continue
                    finally:
                        fut.release()
                    failed = table.num_rows - table.column("error").null_count
                    counts["failed"] += failed
                    counts["done"] += table.num_rows - failed
                    counts["model_s"] += pc.sum(table.column("model_s")).as_py() or 0.0
                    buffer.append(table)
                    bar.update(task, advance=table.num_rows, failed=counts["failed"])
                    if time.perf_counter() - last_flush >= flush_s:
                        flush()
            finally:
                flush()  # rows already received are complete: keep them even on Ctrl-C
                counts["not_run"] += sum(futures.values())
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()
