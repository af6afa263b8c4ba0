"""A hostile corpus through the real CLI: every refusal is one sentence, exit code 2, within 20 s.

Files that are not UTF-8, binary, nested thousands deep, over the size cap or holding NaN; output
paths that cannot be written; numbers outside physics. Each case runs ``python -m scalewall`` as a
user would and checks the contract of the error hierarchy (``errors.py``): ``error: <sentence>``
on one stderr line, nothing on stdout, no traceback.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import yaml

from scalewall import catalog

#: the longest a refusal may take [s] (the site LP takes ~10 s: a refusal must come before it)
REFUSAL_S = 20.0


def _files(tmp_path):
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes("id: caf\xe9\nname: x\n".encode("latin-1"))
    binary = tmp_path / "blob.yaml"
    binary.write_bytes(bytes(range(256)) * 8)
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 20000 + "]" * 20000 + "\n")
    huge = tmp_path / "huge.yaml"
    with huge.open("w") as f:
        for i in range(600_000):
            f.write(f"k{i:07d}: 1\n")
    acc = catalog.accelerator("h100-sxm").model_dump()
    acc["id"] = "nan-gpu"
    acc["peak_tflops"]["bf16"] = float("nan")
    nan = tmp_path / "nan.yaml"
    nan.write_text(yaml.safe_dump(acc))
    return {"latin": latin, "binary": binary, "deep": deep, "huge": huge, "nan": nan}


CASES = [
    ("train-non-utf8", ["train", "--model-file", "{latin}", "--accelerator", "h100-sxm", "--devices", "8"]),
    ("train-binary", ["train", "--model-file", "{binary}", "--accelerator", "h100-sxm", "--devices", "8"]),
    ("train-deep", ["train", "--model-file", "{deep}", "--accelerator", "h100-sxm", "--devices", "8"]),
    ("train-huge", ["train", "--model-file", "{huge}", "--accelerator", "h100-sxm", "--devices", "8"]),
    ("train-nan-peak", ["train", "--model", "llama-2-7b", "--accelerator-file", "{nan}", "--devices", "8"]),
    ("train-seq-beyond-context", ["train", "--model", "gpt-3-175b", "--accelerator", "h100-sxm",
                                  "--devices", "1024", "--seq-len", "10000000"]),
    ("train-mxfp8-on-hopper", ["train", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm",
                               "--devices", "8", "--precision", "mxfp8"]),
    ("outlook-deep-scenario", ["outlook", "--scenario", "{deep}"]),
    ("outlook-million-samples", ["outlook", "--samples", "1000000"]),
    ("report-binary-scenario", ["report", "{binary}", "--out", "{tmp}/r.html"]),
    ("sweep-deep-spec", ["sweep", "{deep}", "--out", "{tmp}/sweep"]),
    ("site-absurd-load", ["site", "--load-mw", "1e9", "--weather", "greensboro"]),
    ("site-tiny-load", ["site", "--load-mw", "0.000001", "--weather", "greensboro"]),
    ("site-dispatch-into-missing-folder", ["site", "--load-mw", "100", "--weather", "greensboro",
                                           "--dispatch-out", "{tmp}/no/such/d.csv"]),
    ("site-binary-weather", ["site", "--load-mw", "100", "--weather", "{binary}"]),
    ("site-binary-load-from", ["site", "--load-from", "{binary}", "--weather", "greensboro"]),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    return {**{k: str(v) for k, v in _files(tmp).items()}, "tmp": str(tmp)}


@pytest.mark.parametrize("name, args", CASES, ids=[c[0] for c in CASES])
def test_hostile_input_gets_one_sentence_and_exit_2_fast(corpus, name, args):
    argv = [a.format(**corpus) for a in args]
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "scalewall", *argv], capture_output=True, text=True,
                       timeout=120)
    took = time.perf_counter() - t0
    assert p.returncode == 2, (name, p.returncode, p.stderr[-500:])
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), (name, p.stderr[-500:])
    assert "Traceback" not in p.stderr and p.stdout == "", name
    assert took < REFUSAL_S, (name, took)
