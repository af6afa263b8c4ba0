"""The guarded reader: hostile or broken files get one sentence, fast, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import yaml

from scalewall import catalog
from scalewall.catalog.schema import Accelerator, Model
from scalewall.errors import CatalogError, InputError
from scalewall.files import (
    MAX_FILE_BYTES,
    MAX_NESTING,
    check_output_path,
    load_json,
    load_yaml,
    read_text,
)


def test_non_utf8_file_is_refused_with_the_byte_offset(tmp_path):
    p = tmp_path / "latin1.yaml"
    p.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8 text"):
        read_text(p, "--model-file")


def test_binary_file_is_called_binary(tmp_path):
    p = tmp_path / "blob.yaml"
    p.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 10)
    with pytest.raises(InputError, match="binary"):
        read_text(p, "--model-file")


def test_file_over_the_size_cap_is_refused_without_parsing(tmp_path):
    p = tmp_path / "huge.yaml"
    line = b"k%07d: 1\n"
    with p.open("wb") as f:  # 10^6 keys, ~12 MB: the parser would take over a minute
        for i in range(1_000_000):
            f.write(line % i)
    assert p.stat().st_size > MAX_FILE_BYTES
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="over the 5.0 MB limit"):
        load_yaml(p, "scenario")
    assert time.perf_counter() - t0 < 2.0


def test_deeply_nested_yaml_and_json_are_refused(tmp_path):
    deep_yaml = tmp_path / "deep.yaml"
    deep_yaml.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError, match="nested more than"):
        load_yaml(deep_yaml, "scenario")
    ok = tmp_path / "ok.yaml"
    ok.write_text(yaml.safe_dump({"a": [[[1]]]}))
    assert load_yaml(ok, "scenario") == {"a": [[[1]]]}
    deep_json = tmp_path / "deep.json"
    deep_json.write_text("[" * (MAX_NESTING + 5) + "]" * (MAX_NESTING + 5))
    with pytest.raises(InputError, match="nested more than"):
        load_json(deep_json, "--load-from")


def test_invalid_yaml_names_the_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("a: 1\nb: [1, 2\n")
    with pytest.raises(InputError, match=r"not valid YAML \(line"):
        load_yaml(p, "scenario")


def test_nan_peak_in_an_accelerator_file_is_refused_by_the_schema(tmp_path):
    acc = catalog.accelerator("h100-sxm").model_dump()
    acc["id"] = "nan-gpu"
    acc["peak_tflops"]["bf16"] = float("nan")
    p = tmp_path / "acc.yaml"
    p.write_text(yaml.safe_dump(acc))
    with pytest.raises(CatalogError, match="peak_tflops"):
        catalog.load_file(p, Accelerator)


def test_catalogue_file_errors_keep_the_catalogue_error_class(tmp_path):
    with pytest.raises(CatalogError, match="does not exist"):
        catalog.load_file(tmp_path / "missing.yaml", Model)
    p = tmp_path / "bin.yaml"
    p.write_bytes(b"\x00\x01\x02")
    with pytest.raises(CatalogError, match="binary"):
        catalog.load_file(p, Model)


def test_output_path_checks_run_before_work(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        check_output_path(tmp_path / "no" / "such" / "x.csv", "--dispatch-out")
    with pytest.raises(InputError, match="is a folder"):
        check_output_path(tmp_path, "--dispatch-out")
    with pytest.raises(InputError, match=r"\.csv or \.parquet"):
        check_output_path(tmp_path / "x.txt", "--dispatch-out", (".csv", ".parquet"))
    assert check_output_path(tmp_path / "x.csv", "--dispatch-out", (".csv",)).name == "x.csv"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_refused(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(InputError, match="not writable"):
            check_output_path(d / "x.csv", "--dispatch-out")
    finally:
        d.chmod(0o700)


@pytest.mark.parametrize("content", [b"\xff\xfe\x00b\x00a\x00d", "a: " + "[" * 3000 + "]" * 3000])
def test_cli_gives_one_sentence_and_exit_2_for_a_hostile_model_file(tmp_path, content):
    p = tmp_path / "m.yaml"
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content)
    r = subprocess.run([sys.executable, "-m", "scalewall", "train", "--model-file", str(p),
                        "--accelerator", "h100-sxm", "--devices", "8", "--json"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and r.stderr.startswith("error: ")
    assert len(r.stderr.strip().splitlines()) == 1
    assert r.stdout == ""

