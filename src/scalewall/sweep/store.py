"""A sweep's output directory: Parquet parts written atomically, read back as one table.

Layout of ``DIR``::

    _sweep.json             what the directory holds (command, format, scalewall version)
    parts/part-*.parquet    result rows; a part exists whole or not at all
    parts/.part-*.tmp       a part being written (left behind only by a killed run)
    .lock                   held by the one sweep writing to DIR

Readers of Parquet datasets skip names starting with ``_`` or ``.``, so ``pandas.read_parquet(DIR)``
reads every part. At the end of each run the parts are given one schema (:meth:`ResultStore.
unify_parts`: a column missing from a part is added as nulls, a column typed differently in two
parts becomes text), so the dataset reads as one table whatever failed. Directories written before
the manifest was renamed hold ``sweep.json``; they are still read and resumed.

Exactly once: a part is written under a temporary name, flushed to disk and renamed, and a
rename is atomic, so after any crash each part is either complete or absent. A scenario is
finished when its key is in a part; a rerun skips those and recomputes the rest, and the lock
keeps two sweeps from writing the same DIR at once.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from scalewall.errors import InputError, ScenarioError

__all__ = ["ResultStore", "read_results", "FORMAT"]

FORMAT = 1
MANIFEST = "_sweep.json"
#: the manifest's name before it began with "_" (a Parquet dataset reader tried to open it)
LEGACY_MANIFEST = "sweep.json"


def _manifest(d: Path) -> Path | None:
    """The manifest of a sweep directory, or None when it has none."""
    for name in (MANIFEST, LEGACY_MANIFEST):
        if (d / name).exists():
            return d / name
    return None


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # platforms without directory file descriptors
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_atomic(path: Path, write) -> None:
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    _fsync_dir(path.parent)


class ResultStore:
    """The output directory of one sweep, opened for writing (holds its lock).

    Use as a context manager; :meth:`close` releases the lock (the kernel also releases it
    when the process dies, even on SIGKILL).
    """

    def __init__(self, out_dir: str | Path, command: str) -> None:
        from scalewall import __version__

        self.dir = Path(out_dir)
        self.parts = self.dir / "parts"
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create output directory {str(self.dir)!r}: {exc.strerror}") from None
        self._lock_fd = self._lock()
        try:
            self._check_manifest(command, __version__)
            for tmp in [*self.parts.glob(".*.tmp"), *self.dir.glob(".*.tmp")]:
                tmp.unlink()  # left by a run killed mid-write
        except BaseException:
            self.close()
            raise
        self.run_id = uuid.uuid4().hex[:8]
        self._seq = 0

    def _lock(self) -> int | None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory lock
            return None
        fd = os.open(self.dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ScenarioError(
                f"another sweep is writing to {str(self.dir)!r}; wait for it to finish or give another --out"
            ) from None
        return fd

    def _check_manifest(self, command: str, version: str) -> None:
        path = _manifest(self.dir)
        if path is not None:
            try:
                m = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError):
                raise ScenarioError(
                    f"{path} is not readable JSON; is {str(self.dir)!r} a sweep output directory?"
                ) from None
            if m.get("command") != command:
                raise ScenarioError(
                    f"{str(self.dir)!r} holds results of "
                    f"{m.get('command')!r} scenarios, not {command!r}; "
                    "give another --out"
                )
            return
        m = {"format": FORMAT, "command": command, "scalewall_version": version}
        _write_atomic(self.dir / MANIFEST, lambda p: p.write_text(json.dumps(m, indent=2) + "\n", "utf-8"))

    def part_files(self) -> list[Path]:
        return sorted(self.parts.glob("part-*.parquet"))

    def finished_keys(self) -> set[str]:
        """Keys of the scenarios that have a row in a part."""
        import pyarrow.parquet as pq

        keys: set[str] = set()
        for p in self.part_files():
            try:
                col = pq.read_table(p, columns=["key"]).column("key")
            except Exception as exc:  # noqa: BLE001 - any reader error means the same thing
                raise ScenarioError(
                    f"result part {p} cannot be read ({type(exc).__name__}); "
                    "move it away and rerun to recompute its scenarios"
                ) from None
            keys.update(col.to_pylist())
        return keys

    def write_part(self, table: Any) -> Path:
        """Write rows as a new part, atomically (temporary name, fsync, rename)."""
        import pyarrow.parquet as pq

        self._seq += 1
        path = self.parts / f"part-{self.run_id}-{self._seq:06d}.parquet"
        _write_atomic(path, lambda p: pq.write_table(table, p))
        return path

    def unify_parts(self) -> int:
        """Give every part the directory's one schema; the number of parts rewritten.

        A column missing from a part is added as nulls of its type, a column typed differently in
        two parts (a number in one, text in another) becomes text in both, a column of nulls takes
        the type the other parts give it. Rows are unchanged and each rewrite is atomic, so a
        crash leaves every part whole; the next run finishes the job.
        """
        import pyarrow.parquet as pq

        files = self.part_files()
        schemas = {p: pq.read_schema(p) for p in files}
        if len({s.remove_metadata() for s in schemas.values()}) <= 1:
            return 0
        target = _unified_schema(list(schemas.values()))
        n = 0
        for p, schema in schemas.items():
            if schema.remove_metadata().equals(target):
                continue
            table = _conform(pq.read_table(p), target)
            _write_atomic(p, lambda q, t=table: pq.write_table(t, q))
            n += 1
        return n

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _concat(tables: list[Any]):
    import pyarrow as pa

    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # a column typed differently in two parts (text in one, number in another): as text
        names = {n for t in tables for n in t.column_names}
        types: dict[str, set] = {
            n: {t.schema.field(n).type for t in tables if n in t.column_names} for n in names
        }
        clash = set()
        for n, ts in types.items():
            try:
                pa.unify_schemas([pa.schema([pa.field(n, t)]) for t in ts], promote_options="permissive")
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                clash.add(n)
        fixed = []
        for t in tables:
            for n in clash & set(t.column_names):
                i = t.column_names.index(n)
                t = t.set_column(i, n, t.column(n).cast(pa.string()))
            fixed.append(t)
        return pa.concat_tables(fixed, promote_options="permissive")


def _unified_schema(schemas: list[Any]):
    """One schema for parts whose columns and types differ: columns in first-seen order (then
    :func:`_order`), types unified, text where they clash."""
    import pyarrow as pa

    types: dict[str, list] = {}
    for s in schemas:
        for f in s:
            types.setdefault(f.name, []).append(f.type)
    fields = []
    for name in _order(list(types)):
        ts = list(dict.fromkeys(types[name]))
        try:
            t = (
                pa.unify_schemas([pa.schema([pa.field(name, x)]) for x in ts], promote_options="permissive")
                .field(name)
                .type
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            t = pa.string()
        fields.append(pa.field(name, t))
    return pa.schema(fields)


def _conform(table: Any, schema: Any):
    """``table`` with exactly ``schema``'s columns, in its order, cast to its types."""
    import pyarrow as pa

    cols = []
    for f in schema:
        if f.name in table.column_names:
            col = table.column(f.name)
            cols.append(col if col.type == f.type else col.cast(f.type))
        else:
            cols.append(pa.nulls(table.num_rows, type=f.type))
    return pa.table(cols, schema=schema)


def _order(columns: list[str]) -> list[str]:
    def rank(c: str) -> int:
        if c in ("key", "command"):
            return 0
        if c.startswith("in."):
            return 1
        if c.startswith("out."):
            return 2
        return 3

    return sorted(columns, key=rank)  # stable: keeps first-seen order inside each group


def _check_parts(d: Path, files: list[Path], tables: list[Any]) -> None:
    """Refuse parts that do not belong: rows of another command, or scenarios already in another
    part (a copied or foreign file). Each scenario has exactly one row, so a repeat is an error."""
    manifest = _manifest(d)
    command = json.loads(manifest.read_text("utf-8")).get("command") if manifest else None
    seen: dict[str, Path] = {}
    for p, tab in zip(files, tables, strict=True):
        if command is not None and "command" in tab.column_names:
            other = set(tab.column("command").to_pylist()) - {command}
            if other:
                raise InputError(
                    f"result part {p.name} holds {', '.join(sorted(map(str, other)))} rows in a "
                    f"{command!r} sweep (a foreign file?); move it out of {str(d / 'parts')!r}"
                )
        keys = tab.column("key").to_pylist() if "key" in tab.column_names else []
        repeats = [k for k in keys if k in seen]
        if repeats or len(set(keys)) != len(keys):
            first = seen[repeats[0]].name if repeats else p.name
            raise InputError(
                f"result part {p.name} repeats {max(len(repeats), len(keys) - len(set(keys)))} "
                f"scenario(s) already in {first} (a copied file?); move one of them out of "
                f"{str(d / 'parts')!r}"
            )
        seen.update(dict.fromkeys(keys, p))


def read_results(out_dir: str | Path):
    """All result rows of a sweep directory as a pandas DataFrame.

    Columns: ``key``, ``command``, ``in.<option>``..., ``out.<field>``..., ``error``,
    ``model_s``. Rows are sorted by their inputs, then key.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    d = Path(out_dir)
    if _manifest(d) is None:
        raise InputError(
            f"{str(d)!r} is not a sweep output directory (no {MANIFEST}); run "
            "`scalewall sweep SPEC --out DIR` first"
        )
    files = sorted((d / "parts").glob("part-*.parquet"))
    if not files:
        return pd.DataFrame({"key": pd.Series([], dtype=object)})
    tables = []
    for p in files:
        try:
            tables.append(pq.read_table(p))
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"result part {p} cannot be read ({type(exc).__name__})") from None
    _check_parts(d, files, tables)
    table = _concat(tables)
    table = table.select(_order(table.column_names))
    # integers and booleans with nulls stay integers and booleans (not float / object)
    nullable = {pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int32Dtype(), pa.bool_(): pd.BooleanDtype()}
    df = table.to_pandas(types_mapper=nullable.get)
    by = [c for c in df.columns if c.startswith("in.")] + ["key"]
    try:
        df = df.sort_values(by, na_position="first", kind="stable")
    except TypeError:  # inputs of mixed types cannot be ordered: keep key order
        df = df.sort_values("key", kind="stable")
    return df.reset_index(drop=True)
