"""The sweep output directory: atomic parts, resume keys, lock, reading parts back."""

from __future__ import annotations

import pyarrow as pa
import pytest

from scalewall.errors import InputError, ScenarioError
from scalewall.sweep.store import ResultStore, read_results


def table(keys, **cols):
    return pa.table({"key": keys, "command": ["train"] * len(keys), **cols,
                     "error": pa.array([None] * len(keys), type=pa.string())})


def test_parts_hold_the_finished_keys_and_no_temporary_file_is_left(tmp_path):
    with ResultStore(tmp_path / "d", "train") as st:
        st.write_part(table(["a", "b"], **{"in.devices": [8, 16]}))
        st.write_part(table(["c"], **{"in.devices": [32]}))
        assert st.finished_keys() == {"a", "b", "c"}
    names = sorted(p.name for p in (tmp_path / "d" / "parts").iterdir())
    assert len(names) == 2 and all(n.startswith("part-") and n.endswith(".parquet") for n in names)


def test_a_part_left_half_written_by_a_killed_run_is_ignored_and_removed(tmp_path):
    d = tmp_path / "d"
    with ResultStore(d, "train") as st:
        st.write_part(table(["a"]))
    half = d / "parts" / ".part-dead-000001.parquet.1234abcd.tmp"
    half.write_bytes(b"PAR1\x00\x00truncated")  # what SIGKILL during a write leaves behind
    with ResultStore(d, "train") as st:
        assert st.finished_keys() == {"a"}
    assert not half.exists()
    assert list(read_results(d)["key"]) == ["a"]


def test_second_writer_on_the_same_directory_is_refused(tmp_path):
    with ResultStore(tmp_path, "train"):
        with pytest.raises(ScenarioError, match="another sweep is writing"):
            ResultStore(tmp_path, "train")
    ResultStore(tmp_path, "train").close()  # released when the first one closes


def test_directory_of_another_command_is_refused(tmp_path):
    ResultStore(tmp_path, "train").close()
    with pytest.raises(ScenarioError, match="holds results of 'train' scenarios, not 'plan'"):
        ResultStore(tmp_path, "plan")


def test_unreadable_part_is_named_not_silently_skipped(tmp_path):
    ResultStore(tmp_path, "train").close()
    (tmp_path / "parts" / "part-x-000001.parquet").write_bytes(b"not parquet")
    with pytest.raises(ScenarioError, match="part-x-000001.parquet cannot be read"):
        ResultStore(tmp_path, "train").finished_keys()


def test_read_results_unifies_parts_with_different_columns_and_types(tmp_path):
    with ResultStore(tmp_path, "train") as st:
        st.write_part(table(["b"], **{"in.tp": pa.array([None], type=pa.null()),
                                      "out.x": [1], "out.s": [2.5]}))
        st.write_part(table(["a"], **{"in.tp": [2], "out.x": [1.5], "out.s": ["text"]}))
    df = read_results(tmp_path)
    assert list(df.columns) == ["key", "command", "in.tp", "out.x", "out.s", "error"]
    assert list(df["key"]) == ["b", "a"]  # sorted by inputs (missing first), then key
    assert list(df["out.x"]) == [1.0, 1.5]
    assert list(df["out.s"]) == ["2.5", "text"]
    assert str(df["in.tp"].dtype) == "Int64"


def test_reading_a_directory_that_is_no_sweep_says_so(tmp_path):
    with pytest.raises(InputError, match="not a sweep output directory"):
        read_results(tmp_path)


def test_parts_get_one_schema_so_the_directory_reads_with_pandas(tmp_path):
    """A part of failed scenarios only (no out.* columns, error text) and a part of successes
    (error all null, an int where the other part has text) end as one Parquet dataset."""
    pd = pytest.importorskip("pandas")
    with ResultStore(tmp_path, "train") as st:
        st.write_part(pa.table({"key": ["a"], "command": ["train"], "in.tp": [3],
                                "error": ["tp=3 does not divide 32 heads"]}))
        st.write_part(pa.table({"key": ["b"], "command": ["train"], "in.tp": [2],
                                "out.mfu": [0.5], "out.m": [3],
                                "error": pa.array([None], type=pa.null())}))
        st.write_part(pa.table({"key": ["c"], "command": ["train"], "in.tp": [1],
                                "out.mfu": [0.4], "out.m": ["three"],
                                "error": pa.array([None], type=pa.string())}))
        assert st.unify_parts() == 2  # the third part already has the one schema
        assert st.unify_parts() == 0  # already one schema: nothing rewritten
        assert st.finished_keys() == {"a", "b", "c"}
    df = pd.read_parquet(tmp_path).sort_values("key").reset_index(drop=True)
    assert list(df["key"]) == ["a", "b", "c"]
    assert df["error"].tolist()[0].startswith("tp=3") and df["error"][1:].isna().all()
    assert df["out.mfu"].isna().tolist() == [True, False, False]
    assert df["out.m"].tolist()[1:] == ["3", "three"]
    assert len(read_results(tmp_path)) == 3


def test_a_directory_with_the_old_manifest_name_is_still_read_and_resumed(tmp_path):
    import json

    (tmp_path / "parts").mkdir()
    (tmp_path / "sweep.json").write_text(json.dumps({"format": 1, "command": "train"}))
    with ResultStore(tmp_path, "train") as st:
        st.write_part(table(["a"]))
    with pytest.raises(ScenarioError, match="not 'plan'"):
        ResultStore(tmp_path, "plan")
    assert list(read_results(tmp_path)["key"]) == ["a"]
    assert not (tmp_path / "_sweep.json").exists()


def test_a_copied_part_is_refused_not_counted_twice(tmp_path):
    import shutil

    d = tmp_path / "d"
    with ResultStore(d, "train") as st:
        part = st.write_part(table(["a", "b"], **{"in.devices": [8, 16]}))
    shutil.copy(part, part.with_name("part-copy-000001.parquet"))  # 4 rows for 2 scenarios
    with pytest.raises(InputError, match=r"repeats 2 scenario\(s\) already in"):
        read_results(d)


def test_a_part_of_another_command_is_refused(tmp_path):
    import pyarrow.parquet as pq

    d = tmp_path / "d"
    with ResultStore(d, "train") as st:
        st.write_part(table(["a"]))
    foreign = table(["z"]).set_column(1, "command", pa.array(["plan"]))
    pq.write_table(foreign, d / "parts" / "part-foreign-000001.parquet")
    with pytest.raises(InputError, match="holds plan rows in a 'train' sweep"):
        read_results(d)
