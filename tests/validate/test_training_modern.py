"""The modern training set (NeMo 24.07, Megatron-Bridge 25.11) in ``scalewall validate``.

Published tokens/s per GPU of 33 runs (28 NeMo 24.07 / Megatron-Bridge 25.11, 5 Megatron-Bridge
25.09 token-drop MoE runs at 25.11 plans) at their published parallel configuration, copied with
sources into ``validate/cases/training_modern.yaml``. H100 rows fit the step-time factors,
B200 and GB200 rows check them.
"""

from __future__ import annotations

from scalewall.validate.training import modern_rows


def test_every_published_modern_run_is_a_validation_row_with_its_role():
    rows = modern_rows()
    assert len(rows) == 33
    assert {r.role for r in rows if "h100" in r.case} == {"fit"}
    assert {r.role for r in rows if "b200" in r.case} == {"check"}
    assert all(r.predicted > 0 and r.bar == "±25%" for r in rows)


def test_long_context_runs_at_lower_mfu_than_short_as_llama3_table4_reports():
    # Llama 3 Table 4: 43 % MFU at 8K (8,192 H100), 38 % at 131K with cp=16 (16,384 H100)
    from scalewall.validate.training import llama3_rows

    (short,) = llama3_rows()
    _, long = llama3_rows("llama3_2024_table4_16k")
    assert long.predicted < short.predicted
    assert abs(long.error) <= 0.10


def test_memory_per_device_within_10pct_where_torchtitan_reports_it():
    # TorchTitan Table 1 (Llama 3.1 8B, FSDP2 on 8 H100 96 GB): 77.0 and 76.8 GiB
    from scalewall.validate.training import torchtitan_rows

    mem = [r for r in torchtitan_rows() if r.quantity.startswith("memory")]
    assert len(mem) == 2
    assert all(abs(r.error) <= 0.10 for r in mem)
