"""Windowed (sliding / banded) attention layers (gpt-oss: every other layer sees 128 tokens;
Gemma 3: five of six see 1,024): their attention work and K/V cache stop growing with context."""

from __future__ import annotations

import pytest

from scalewall import catalog
from scalewall.catalog.schema import Model
from scalewall.performance.inference import serve
from scalewall.workload.transformer import attention_core_flops, kv_context_tokens, model_dims

_OSS = model_dims(catalog.model("gpt-oss-120b"))
_FULL = model_dims(catalog.model("gpt-oss-120b").model_copy(update={"windowed_layer_share": 0.0}))


def test_windowed_layers_cut_attention_flops_by_their_share_at_long_context():
    s = 131072.0
    ratio = attention_core_flops(_OSS, 1, s, s) / attention_core_flops(_FULL, 1, s, s)
    assert ratio == pytest.approx(0.5 + 0.5 * 128 / s)
    # executed (causal) work: full layers halve, windowed layers see their window
    assert attention_core_flops(_OSS, 1, s, s, causal=True) == pytest.approx(
        attention_core_flops(_FULL, 1, s, s, causal=True) * (0.5 + 0.5 * 128 / (s / 2))
    )


def test_short_context_inside_the_window_is_unchanged():
    assert attention_core_flops(_OSS, 2, 100, 100) == attention_core_flops(_FULL, 2, 100, 100)
    assert kv_context_tokens(_OSS, 100.0) == 100.0


def test_windowed_kv_cache_admits_a_larger_running_batch_at_long_context():
    kw = dict(tp=8, pp=1, ep=1, batch=4096, prompt_tokens=32768, output_tokens=1024, precision="fp8")
    acc = catalog.accelerator("h100-sxm")
    windowed, dense = serve(_OSS, acc, **kw), serve(_FULL, acc, **kw)
    assert float(windowed["preemption_batch"]) > 1.8 * float(dense["preemption_batch"])


def test_a_window_share_without_a_window_is_refused():
    with pytest.raises(ValueError, match="needs attention_window"):
        Model(
            id="x",
            name="x",
            n_layers=2,
            d_model=64,
            n_heads=4,
            vocab_size=100,
            seq_len=128,
            windowed_layer_share=0.5,
        )
