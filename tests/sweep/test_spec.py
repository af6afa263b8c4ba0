"""Sweep SPECs, scenario keys, flattening and `show` selection: no Dask needed."""

from __future__ import annotations

import hashlib
import json

import pyarrow as pa
import pytest

from scalewall.errors import InputError, ScenarioError
from scalewall.sweep.flatten import flatten, rows_to_table
from scalewall.sweep.query import quote_dotted_names, resolve_columns, select
from scalewall.sweep.spec import expand_spec, load_spec, parse_spec, scenario_key

BASE = {"model": "llama-2-7b", "accelerator": "h100-sxm"}


def spec(**kw):
    return parse_spec({"command": "train", "base": BASE, **kw})


def test_grid_is_crossed_with_every_case_in_spec_order():
    s = spec(grid={"devices": [64, 128, 256], "precision": ["bf16", "fp8"]},
             cases=[{}, {"pue": 1.1}])
    sc = expand_spec(s)
    assert len(sc) == 3 * 2 * 2
    assert [x.inputs["devices"] for x in sc[:4]] == [64, 64, 64, 64]
    assert [(x.inputs["precision"], x.inputs["pue"]) for x in sc[:4]] == [
        ("bf16", None), ("bf16", 1.1), ("fp8", None), ("fp8", 1.1)]
    assert len({x.key for x in sc}) == 12


def test_cases_alone_and_grid_alone_each_give_a_sweep():
    assert len(expand_spec(spec(cases=[{"devices": 8}, {"devices": 16}]))) == 2
    assert len(expand_spec(spec(grid={"devices": [8, 16, 32]}))) == 3


def test_key_is_sha256_of_canonical_json_without_defaults():
    sc = expand_spec(spec(grid={"devices": [64]}))[0]
    text = json.dumps({"command": "train", "options": {**BASE, "devices": 64}},
                      sort_keys=True, separators=(",", ":"))
    assert sc.key == hashlib.sha256(text.encode()).hexdigest()[:16]
    assert sc.key == scenario_key("train", {"devices": 64, **BASE})


def test_default_values_and_numeric_strings_give_the_same_key_and_run_once():
    sc = expand_spec(spec(cases=[{"devices": 64}, {"devices": "64", "precision": "bf16"},
                                 {"devices": 128}]))
    assert [x.inputs["devices"] for x in sc] == [64, 128]


def test_invalid_option_names_the_option_and_the_scenario():
    s = spec(grid={"devices": [64, 128]}, cases=[{"precision": "fp8"}, {"precison": "fp8"}])
    with pytest.raises(ScenarioError, match=r"scenario 2 of 4 \(devices=64, precison=fp8\): "
                                            r"train options: precison"):
        expand_spec(s)


def test_misspelt_option_in_base_fails_with_its_name():
    with pytest.raises(ScenarioError, match="precison: Extra inputs are not permitted"):
        expand_spec(parse_spec({"command": "train", "base": {**BASE, "precison": "fp8"},
                                "grid": {"devices": [64]}}))


@pytest.mark.parametrize("data, needle", [
    ({"command": "train", "grid": {"devices": []}}, "grid option 'devices' has no values"),
    ({"command": "train", "grid": {"devices": 64}}, "grid.devices"),
    ({"command": "train", "grids": {}}, "grids"),
    ({"command": "train", "grid": {"devices": [8]}, "cases": [{"devices": 16}]},
     "which the grid also varies"),
    (["train"], "must be a mapping"),
])
def test_malformed_spec_is_one_scenario_error(data, needle):
    with pytest.raises(ScenarioError, match=needle):
        parse_spec(data)


def test_unknown_command_lists_the_commands():
    with pytest.raises(ScenarioError, match="commands: train, plan"):
        expand_spec(parse_spec({"command": "trian", "grid": {"devices": [8]}}))


def test_load_spec_reads_yaml_and_reports_bad_yaml(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("command: train\nbase: {model: llama-2-7b, accelerator: h100-sxm}\n"
                 "grid:\n  devices: [8, 16]\n  tokens: [1e12]\n")
    sc = expand_spec(load_spec(p))
    assert [x.inputs["tokens"] for x in sc] == [1e12, 1e12]  # YAML's "1e12" string, as a float
    p.write_text("command: [train\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_spec(p)
    with pytest.raises(ScenarioError, match="sweep spec .* does not exist"):
        load_spec(tmp_path / "missing.yaml")


def test_flatten_dots_nested_dicts_and_json_encodes_lists():
    np = pytest.importorskip("numpy")
    row = flatten({"a": {"b": 1, "c": {"d": "x"}}, "l": [1, {"k": 2}], "e": {}, "n": None,
                   "f": np.float64(2.5), "arr": np.arange(2)}, "out.")
    assert row == {"out.a.b": 1, "out.a.c.d": "x", "out.l": '[1, {"k": 2}]', "out.e": "{}",
                   "out.n": None, "out.f": 2.5, "out.arr": "[0, 1]"}
    assert type(row["out.f"]) is float


def test_rows_with_different_keys_and_mixed_types_make_one_table():
    t = rows_to_table([{"key": "a", "error": "bad"},
                       {"key": "b", "out.x": 1.5, "out.m": 3, "error": None},
                       {"key": "c", "out.x": 2, "out.m": "three", "error": None}])
    assert t.column_names == ["key", "error", "out.x", "out.m"]
    assert t.column("out.x").type == pa.float64()
    assert t.column("out.x").to_pylist() == [None, 1.5, 2.0]
    assert t.column("out.m").to_pylist() == [None, "3", "three"]


def test_where_quotes_dotted_columns_but_not_strings_or_methods():
    cols = ["in.model", "out.energy_mwh.facility", "error"]
    assert quote_dotted_names("out.energy_mwh.facility > 1 and in.model == 'a.b'", cols) == (
        "`out.energy_mwh.facility` > 1 and `in.model` == 'a.b'")
    assert quote_dotted_names("error.isnull()", cols) == "error.isnull()"
    assert quote_dotted_names("in.model.str.startswith('l')", cols) == (
        "`in.model`.str.startswith('l')")
    with pytest.raises(InputError, match=r"no column 'out.energy_mwh.facilty'; closest: "
                                         r"out.energy_mwh.facility"):
        quote_dotted_names("out.energy_mwh.facilty > 1", cols)


def test_select_filters_rows_and_picks_columns_by_name_and_glob():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"key": ["a", "b", "c"], "in.devices": [8, 16, 32],
                       "out.e.x": [1.0, 2.0, 3.0], "out.e.y": [4.0, 5.0, 6.0],
                       "error": [None, None, "bad"]})
    got = select(df, "in.devices >= 16 and error.isnull()", ["key,out.e.*"])
    assert got.to_dict("list") == {"key": ["b"], "out.e.x": [2.0], "out.e.y": [5.0]}
    assert resolve_columns(["in.devices", "key", "in.devices"], list(df.columns)) == [
        "in.devices", "key"]
    with pytest.raises(InputError, match=r"closest: out.e.y, out.e.x"):
        select(df, None, ["out.e.z"])
    with pytest.raises(InputError, match="--where 'devices > 1'.*closest: in.devices"):
        select(df, "devices > 1")
    with pytest.raises(InputError, match="--where"):
        select(df, "in.devices >>> 3")


def test_columns_are_typed_from_the_options_and_result_models():
    from scalewall.sweep.flatten import column_types

    t = column_types("train", ["devices", "tokens", "recompute"])
    assert t["in.devices"] == "int64" and t["in.tokens"] == "float64" and t["in.recompute"] == "string"
    assert t["out.mfu"] == "float64" and t["out.cost_usd"] == "float64"
    assert t["out.assumptions"] == "string" and t["error"] == "string"
    assert column_types("plan")["out.best.mfu"] == "float64"  # nested result models are dotted
    assert column_types("outlook", ["from"])["in.from"] == "int64"
    assert column_types("infer", ["batch"])["in.batch"] == "string"  # a number or 'max'


def test_a_batch_where_every_scenario_failed_still_has_typed_columns():
    from scalewall.sweep.flatten import column_types

    types = column_types("train", ["devices"])
    t = rows_to_table([{"key": "a", "command": "train", "in.devices": 8, "error": "bad",
                        "model_s": 0.1}], types)
    assert t.schema.field("out.mfu").type == pa.float64()
    assert t.schema.field("error").type == pa.string()
    ok = rows_to_table([{"key": "b", "command": "train", "in.devices": 8, "error": None,
                         "out.mfu": 0.5, "model_s": 0.1}], types)
    assert ok.schema.field("error").type == pa.string()  # never a column of nulls
    assert ok.schema.field("out.mfu").type == t.schema.field("out.mfu").type
