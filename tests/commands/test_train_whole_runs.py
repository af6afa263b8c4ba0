"""Whole training runs with no plan and no batch given (issue 13).

Truth: the Llama 3.1 405B model card, 30.84 M H100-80GB GPU-hours for pre-training on
15.6 T tokens (huggingface.co/meta-llama/Llama-3.1-405B, "Training Energy Use"). The card's hours
include long-context stages, restarts and evaluation; ``train`` counts restarts through the
goodput (calibration ``training-goodput``); the bar is the issue's ±15 %.
"""

from __future__ import annotations

from scalewall import catalog
from scalewall.commands.train import TrainingRequest, estimate_training
from scalewall.performance.training import default_batch_tokens

LLAMA_405B_CARD_GPU_HOURS = 30.84e6


def test_llama_405b_on_16k_h100_with_no_plan_or_batch_is_within_15pc_of_the_model_card():
    r = estimate_training(
        TrainingRequest(
            model=catalog.model("llama-3.1-405b"),
            accelerator=catalog.accelerator("h100-sxm"),
            devices=16384,
            tokens=15.6e12,
        )
    )
    assert abs(r.device_hours / LLAMA_405B_CARD_GPU_HOURS - 1) <= 0.15
    # the default batch grew with the cluster to Llama 3's own 16 M tokens (2,048 x 8K)
    assert r.plan["global_batch"] * r.seq_len == 2048 * 8192


def test_default_batch_grows_with_the_cluster_up_to_the_compute_optimal_batch():
    c = 6 * 405e9 * 15.6e12
    small, big, huge = (default_batch_tokens(n, 8192, c) for n in (512, 16384, 10**6))
    assert small == 4194304  # the catalogue's 4 M floor
    assert big == 16384 * 8192 / 8
    assert huge == 0.2920 * c**0.3271  # DeepSeek LLM's B_opt caps it
    assert default_batch_tokens(None, 8192, None) == 4194304
