"""The serving estimator: conventions, physics invariants and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalewall import catalog
from scalewall.commands.infer import InferenceRequest, estimate_inference
from scalewall.errors import InfeasiblePlanError
from scalewall.facility.power import accelerator_power_w
from scalewall.performance.inference import experts_touched, kv_bytes_per_token, serve
from scalewall.workload.transformer import model_dims

H100 = catalog.accelerator("h100-sxm")
CONTRACT = {"ttft_s", "itl_s", "output_tokens_per_s", "tokens_per_s_per_user", "request_latency_s",
            "batch", "max_batch", "kv_cache_gb", "memory_per_device_gb", "bottleneck", "power_w",
            "energy_j_per_output_token", "energy_wh_per_query", "co2e_g_per_query",
            "water_ml_per_query", "fleet"}


def _req(**kw):
    base = dict(model=catalog.model("llama-3.1-8b"), accelerator=H100, devices=1)
    base.update(kw)
    return InferenceRequest(**base)


def test_result_has_every_contract_field_and_nested_boundaries():
    r = estimate_inference(_req(queries_per_day=1e8)).model_dump()
    assert CONTRACT <= set(r)
    e = r["energy_j_per_output_token"]
    assert 0 < e["accelerator"] < e["node"] < e["facility"]
    assert set(r["fleet"]) >= {"devices", "avg_power_mw", "energy_twh_per_year", "co2e_t_per_year"}


def test_energy_per_query_is_energy_per_token_times_output_tokens():
    r = estimate_inference(_req(batch=64, output_tokens=300))
    for k, v in r.energy_j_per_output_token.items():
        assert r.energy_wh_per_query[k] == pytest.approx(v * 300 / 3600)


def test_fleet_energy_is_average_power_times_a_year_and_scales_with_demand():
    a = estimate_inference(_req(batch=64, queries_per_day=1e8)).fleet
    b = estimate_inference(_req(batch=64, queries_per_day=1e9)).fleet
    for k in ("accelerator", "node", "facility"):
        assert a["energy_twh_per_year"][k] == pytest.approx(a["avg_power_mw"][k] * 8760 / 1e6)
    assert b["devices"] >= 9 * a["devices"]


@settings(max_examples=20, deadline=None)
@given(model=st.sampled_from(["llama-3.1-8b", "qwen3-8b", "llama-2-13b", "mixtral-8x7b"]),
       prompt=st.integers(16, 2000), output=st.integers(16, 1000))
def test_throughput_rises_and_energy_per_token_falls_with_batch(model, prompt, output):
    d = model_dims(catalog.model(model))
    tp = 2 if model == "mixtral-8x7b" else 1
    batch = np.arange(1, 257)
    r = serve(d, H100, tp=tp, pp=1, ep=1, batch=batch, prompt_tokens=prompt,
              output_tokens=output, precision="bf16")
    p = accelerator_power_w(H100, r["flop_utilisation"], r["hbm_utilisation"], None, r["busy_fraction"])
    j = p * tp / r["tokens_per_s"]
    assert np.all(np.diff(r["tokens_per_s"]) >= -1e-9 * r["tokens_per_s"][1:])
    assert np.all(np.diff(j) <= 1e-9 * j[1:])


@settings(max_examples=20, deadline=None)
@given(prompt=st.integers(1, 8000), output=st.integers(1, 4000), batch=st.integers(1, 4096),
       cv=st.floats(0.0, 2.0))
def test_paged_kv_cache_holds_the_running_batch_at_its_in_flight_context(prompt, output, batch, cv):
    d = model_dims(catalog.model("llama-3.1-70b"))
    r = serve(d, H100, tp=4, pp=1, ep=1, batch=[batch], prompt_tokens=prompt, output_tokens=output,
              precision="bf16", output_cv=cv)
    ctx = prompt + output * (1 + cv**2) / 2
    assert float(r["context_tokens"][0]) == pytest.approx(ctx)
    assert float(r["running_batch"][0]) == min(batch, float(r["preemption_batch"][0]))
    assert float(r["kv_cache_gb"][0]) == pytest.approx(
        float(r["running_batch"][0]) * ctx * kv_bytes_per_token(d, "bf16") / 1e9)
    assert float(r["kv_cache_utilisation"][0]) <= 1.0 + 1e-12
    # the pre-emption onset is the last batch whose context fits the capacity
    onset = float(r["preemption_batch"][0])
    assert onset * ctx <= float(r["kv_capacity_tokens"][0]) < (onset + 1) * ctx


def test_gqa_and_fp8_kv_cache_sizes():
    d = model_dims(catalog.model("llama-3.1-70b"))  # 80 layers, 8 KV heads of 128
    assert kv_bytes_per_token(d, "bf16") == 80 * 2 * 8 * 128 * 2
    assert kv_bytes_per_token(d, "fp8") == kv_bytes_per_token(d, "bf16") / 2


def test_lower_precision_shrinks_weight_memory():
    mem = {p: estimate_inference(_req(model=catalog.model("llama-3.1-70b"), devices=4, tp=4,
                                      batch=8, precision=p)).memory_per_device_gb
           for p in ("bf16", "fp8", "int4")}
    assert mem["bf16"] > mem["fp8"] > mem["int4"]


def test_moe_reads_only_touched_experts_at_small_batch():
    assert experts_touched(8, 2, 1) == pytest.approx(2.0)
    assert experts_touched(8, 2, 1000) == pytest.approx(8.0)
    d = model_dims(catalog.model("mixtral-8x7b"))
    r = serve(d, H100, tp=2, pp=1, ep=1, batch=[1, 512], prompt_tokens=100, output_tokens=200,
              precision="bf16")
    assert r["memory_s"][0] < r["memory_s"][1]


def test_batches_that_ran_are_never_refused_mlenergy_2048_of_8b_on_one_b200():
    # ML.ENERGY v3 ran max_num_seqs 2,048 of Llama-3.1-8B on one B200 (running batch 2,043)
    r = estimate_inference(_req(accelerator=catalog.accelerator("b200"), batch=2048,
                                prompt_tokens=260, output_tokens=396, output_cv=0.5))
    assert r.batch == 2048 and r.running_batch == 2048 and not r.preempted


def test_a_cap_beyond_the_kv_cache_runs_with_preemption_at_the_onset():
    r = estimate_inference(_req(batch=100000))
    assert r.preempted and r.running_batch == r.max_batch < 100000
    assert 0.95 < r.kv_cache_utilisation <= 1.0
    assert any("pre-empts" in a for a in r.assumptions)
    assert r.memory_per_device_gb <= 0.9 * H100.memory_gb + 1e-9  # vLLM takes 90 % of memory


def test_weights_leaving_no_room_for_a_request_name_the_fix():
    with pytest.raises(InfeasiblePlanError, match="no room for one request's KV cache.*larger tp"):
        estimate_inference(_req(model=catalog.model("llama-3.1-405b"), devices=8, tp=8, batch=8))


def test_decode_draws_less_power_than_prefill_at_small_batch():
    r = estimate_inference(_req(batch=8, prompt_tokens=2000, output_tokens=200))
    ph = r.power_per_device_w_by_phase
    assert ph["decode"] < ph["prefill"] <= H100.tdp_w


def test_engine_factors_name_their_source_and_b200_uses_its_own():
    b200 = estimate_inference(_req(accelerator=catalog.accelerator("b200"), batch=64))
    assert b200.engine == "vllm" and "fitted on ML.ENERGY" in b200.engine_factors
    h200 = estimate_inference(_req(accelerator=catalog.accelerator("h200"), batch=64))
    assert "reference" in h200.engine_factors


def test_itl_slo_limits_the_batch():
    free = estimate_inference(_req())
    slo = estimate_inference(_req(itl_slo_ms=20))
    assert slo.itl_s * 1e3 <= 20 < free.itl_s * 1e3
    assert slo.batch < free.batch


def test_tp_not_dividing_heads_and_ep_on_dense_are_refused():
    from pydantic import ValidationError

    with pytest.raises(InfeasiblePlanError, match="not divisible by tp"):
        estimate_inference(_req(model=catalog.model("llama-3.1-70b"), devices=3, tp=3))
    with pytest.raises(ValidationError, match="mixture-of-experts"):
        _req(ep=2, devices=2)


def test_prompt_and_answer_longer_than_the_context_are_refused():
    with pytest.raises(ValueError, match="exceeds llama-2-7b's context of 4,096 tokens"):
        InferenceRequest(model=catalog.model("llama-2-7b"), accelerator=H100, devices=1,
                         prompt_tokens=4000, output_tokens=500)


def test_extended_context_models_serve_up_to_their_released_context():
    # Llama 3.1 pre-trained at 8K and extended to 128K (max_context): a 32K prompt is served,
    # beyond 131,072 tokens it is refused
    m = catalog.model("llama-3.1-8b")
    InferenceRequest(model=m, accelerator=H100, devices=1, prompt_tokens=32768, output_tokens=512)
    with pytest.raises(ValueError, match="context of 131,072 tokens"):
        InferenceRequest(model=m, accelerator=H100, devices=1, prompt_tokens=131072, output_tokens=1)


@settings(max_examples=20, deadline=None)
@given(batch=st.integers(1, 1024), prompt=st.integers(16, 4000), cv=st.floats(0.0, 3.0))
def test_latency_percentiles_are_ordered_and_start_at_the_decode_step(batch, prompt, cv):
    from scalewall.performance.inference import latency_percentiles

    d = model_dims(catalog.model("llama-3.1-8b"))
    r = serve(d, H100, tp=1, pp=1, ep=1, batch=[batch], prompt_tokens=prompt, output_tokens=300,
              precision="bf16")
    p = latency_percentiles(r, prompt, cv)
    for kind in ("ttft_s", "itl_s"):
        v = [p[kind][q] for q in (0.5, 0.9, 0.99)]
        assert v[0] <= v[1] + 1e-12 <= v[2] + 2e-12
    assert p["itl_s"][0.5] >= float(r["decode_step_s"][0]) - 1e-12
    assert p["ttft_s"][0.5] > float(r["itl_s"][0])


def test_fixed_prompt_lengths_give_one_ttft_and_spread_prompts_a_long_tail():
    same = estimate_inference(_req(batch=8, prompt_cv=0.0)).latency_percentiles_ms["ttft"]
    assert same["p50"] == pytest.approx(same["p99"])
    spread = estimate_inference(_req(batch=8, prompt_tokens=2000, prompt_cv=2.0)).latency_percentiles_ms
    assert spread["ttft"]["p99"] > 1.5 * spread["ttft"]["p50"]


def test_engine_profiles_list_in_the_catalogue_and_unknown_ids_name_the_closest(capsys):
    from scalewall.errors import CatalogError
    from scalewall.report.tables import print_catalog_list

    print_catalog_list("engines", catalog.entries("engines"))
    out = capsys.readouterr().out
    assert "trtllm" in out and "sglang" in out and "vllm" in out
    with pytest.raises(CatalogError, match="closest: trtllm"):
        catalog.engine("trt-llm")


def test_expert_parallelism_beyond_the_scale_up_domain_pays_the_scale_out_network():
    d = model_dims(catalog.model("mixtral-8x7b"))
    kw = dict(pp=1, batch=[256], prompt_tokens=500, output_tokens=200, precision="bf16")
    small_domain = H100.model_copy(update={"scale_up": H100.scale_up.model_copy(update={"domain": 4})})
    inside = serve(d, H100, tp=1, ep=8, **kw)  # 8 devices in one 8-GPU NVLink domain
    across = serve(d, small_domain, tp=1, ep=8, **kw)  # the same 8 over two 4-GPU domains
    assert float(across["comm_s"][0]) > 2 * float(inside["comm_s"][0])
