"""Whole runs published with their plan and rate, on stacks nothing was fitted on.

Truth: DeepSeek-V3 Technical Report (arXiv:2412.19437), 180K H800 GPU hours per trillion tokens on
2,048 H800 at PP 16 x EP 64, ZeRO-1 DP: 1,543 tokens/s per GPU (validate/cases/training_runs.yaml).
"""

from __future__ import annotations

from scalewall import catalog
from scalewall.performance.plan import PlanArrays
from scalewall.performance.step import evaluate
from scalewall.validate.rows import cases
from scalewall.validate.training import modern_model, modern_plan, modern_stack, published_run_rows
from scalewall.workload.transformer import model_dims


def test_deepseek_v3_runs_as_published_within_the_modern_bar():
    blk = cases("training_runs")["deepseek_v3_2024"]
    c = blk["cases"][0]
    acc = catalog.accelerator(c["accelerator"])
    r = evaluate(
        model_dims(modern_model(c, {})),
        acc,
        PlanArrays.from_plans([modern_plan(c)]),
        c["seq_len"],
        c["precision"],
        modern_stack(c, blk),
    )
    # the plan that ran fits the H800's 80 GB (no memory false alarm): 74.5 GB modelled
    assert float(r["memory_per_device_gb"][0]) <= acc.memory_total_gb
    (row,) = published_run_rows()
    # +7.7 % at the catalogue's factors; known direction: DualPipe's smaller bubble is not
    # modelled (too slow) while MTP and the SMs given to communication are not charged (too fast)
    assert abs(row.error) <= 0.25 and row.role == "check"


def test_deepseek_v3_needs_its_overlap_and_node_limited_dispatch():
    # without DualPipe's overlap, and with the host-synchronised dropless dispatcher, the same
    # plan is far slower than the published rate: the row depends on the stack it names
    blk = cases("training_runs")["deepseek_v3_2024"]
    c = dict(blk["cases"][0])
    (row,) = published_run_rows()
    plain = {k: v for k, v in c.items() if k not in ("moe_a2a_overlap", "moe_token_dispatcher")}
    from scalewall.validate.training import modern_tokens_per_s_per_gpu

    slow = modern_tokens_per_s_per_gpu(plain, {**blk, "stack": "megatron-core"}, {})
    assert slow < 0.8 * row.predicted
