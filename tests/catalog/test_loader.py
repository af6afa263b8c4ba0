"""Tests of the shipped catalogue: coverage, sources, parameter counts, look-ups, sanity ranges."""

from __future__ import annotations

import pytest

from scalewall.catalog import loader
from scalewall.catalog.schema import PRECISIONS
from scalewall.errors import CatalogError
from scalewall.workload.params import param_count

REQUIRED = {
    "accelerators": [
        "v100", "a100-40gb", "a100-80gb", "h100-sxm", "h100-pcie", "h800", "h200", "b200",
        "gb200", "mi300x", "mi325x", "gaudi3", "tpu-v2", "tpu-v3", "tpu-v4", "tpu-v5p", "tpu-v6e",
    ],
    "models": [
        "gpt-3-175b", "opt-175b", "bloom-176b", "gopher-280b", "chinchilla-70b", "palm-540b",
        "llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3.1-8b", "llama-3.1-70b",
        "llama-3.1-405b", "mixtral-8x7b", "deepseek-v3", "qwen3-8b", "qwen3-14b", "qwen3-32b",
        "qwen3-30b-a3b", "qwen3-235b-a22b", "gemma-3-27b", "gpt-oss-120b",
    ],
    "regions": [
        "us-average", "us-virginia", "us-texas", "us-iowa", "us-oregon", "ca-quebec", "france",
        "germany", "ireland", "norway", "singapore", "china-average", "india-average",
    ],
    "assumptions": [
        "embodied-lifetime-years", "embodied-utilisation", "default-pue",
        "default-grid-gco2-kwh", "default-wue-l-kwh", "default-water-l-kwh-electricity",
        "default-electricity-usd-mwh",
    ],
}

CATALOGUE_KINDS = ["accelerators", "models", "regions", "assumptions"]

#: Models whose published "active" count leaves out the input-embedding table (documented in
#: each entry's note); compared with derived active minus vocab_size * d_model.
ACTIVE_EXCLUDES_INPUT_EMBEDDING = {"deepseek-v3", "gpt-oss-120b"}

TOLERANCE = 0.02


def _all(kind: str) -> list[tuple[str, object]]:
    return list(loader.entries(kind).items())


@pytest.mark.parametrize("kind", CATALOGUE_KINDS)
def test_every_required_id_exists(kind: str) -> None:
    missing = sorted(set(REQUIRED[kind]) - set(loader.entries(kind)))
    assert not missing, f"{kind} missing: {missing}"


@pytest.mark.parametrize("kind", sorted(loader.KINDS))
def test_every_entry_has_a_source_with_where(kind: str) -> None:
    for eid, e in _all(kind):
        assert e.source, f"{kind}/{eid} has no source"
        for s in e.source:
            assert s.title.strip() and s.publisher.strip() and s.where.strip(), f"{kind}/{eid}: {s}"


@pytest.mark.parametrize("kind", sorted(loader.KINDS))
def test_ids_and_aliases_are_unique_across_a_kind(kind: str) -> None:
    seen: dict[str, str] = {}
    for eid, e in _all(kind):
        for key in [eid, *[a.lower() for a in e.aliases]]:
            assert key not in seen or seen[key] == eid, f"{key!r} used by {seen.get(key)} and {eid}"
            seen[key] = eid


@pytest.mark.parametrize("model_id", REQUIRED["models"])
def test_derived_total_params_within_2_percent_of_published(model_id: str) -> None:
    m = loader.model(model_id)
    assert m.params_total is not None, f"{model_id} has no published params_total"
    derived = param_count(m).total
    rel = derived / m.params_total - 1
    assert abs(rel) <= TOLERANCE, f"{model_id}: derived {derived / 1e9:.2f}B vs {m.params_total / 1e9:.2f}B ({rel:+.1%})"


@pytest.mark.parametrize("model_id", ["gopher-280b", "chinchilla-70b"])
def test_relative_position_projection_adds_l_d_squared(model_id: str) -> None:
    m = loader.model(model_id)
    without = param_count(m.model_copy(update={"relative_position_projection": False})).total
    assert param_count(m).total - without == m.n_layers * m.d_model**2


MOE_IDS = [mid for mid in REQUIRED["models"] if loader.model(mid).params_active is not None]


@pytest.mark.parametrize("model_id", MOE_IDS)
def test_derived_active_params_within_2_percent_of_published(model_id: str) -> None:
    m = loader.model(model_id)
    derived = param_count(m).active
    if model_id in ACTIVE_EXCLUDES_INPUT_EMBEDDING:
        assert m.note and "input-embedding" in m.note
        derived -= m.vocab_size * m.d_model
    rel = derived / m.params_active - 1
    assert abs(rel) <= TOLERANCE, f"{model_id}: derived active {derived / 1e9:.2f}B vs {m.params_active / 1e9:.2f}B ({rel:+.1%})"


def test_every_moe_model_publishes_active_params() -> None:
    for mid, m in _all("models"):
        if m.moe is not None:
            assert m.params_active is not None, mid


@pytest.mark.parametrize(
    ("kind", "typo", "expected"),
    [
        ("models", "lama-2-7b", "llama-2-7b"),
        ("accelerators", "h100-smx", "h100-sxm"),
        ("regions", "us-virgina", "us-virginia"),
        ("assumptions", "default-pu", "default-pue"),
    ],
)
def test_unknown_id_raises_catalog_error_listing_closest(kind: str, typo: str, expected: str) -> None:
    with pytest.raises(CatalogError, match="closest") as exc:
        loader.get(kind, typo)
    assert expected in str(exc.value)


@pytest.mark.parametrize(
    ("kind", "alias", "expected"),
    [
        ("accelerators", "h100", "h100-sxm"),
        ("accelerators", "a100", "a100-80gb"),
        ("accelerators", "V100-SXM2", "v100"),
        ("accelerators", "trillium", "tpu-v6e"),
        ("models", "gpt3", "gpt-3-175b"),
        ("models", "mixtral", "mixtral-8x7b"),
        ("regions", "usa", "us-average"),
        ("regions", "quebec", "ca-quebec"),
    ],
)
def test_aliases_resolve(kind: str, alias: str, expected: str) -> None:
    assert loader.get(kind, alias).id == expected


@pytest.mark.parametrize("acc_id", REQUIRED["accelerators"])
def test_low_precision_peaks_do_not_decrease(acc_id: str) -> None:
    p = loader.accelerator(acc_id).peak_tflops
    chain = [p[k] for k in ("bf16", "fp8", "fp4") if k in p]
    assert chain == sorted(chain), f"{acc_id}: bf16 <= fp8 <= fp4 violated: {p}"
    if "fp16" in p and "bf16" in p:
        assert p["fp16"] == p["bf16"]


@pytest.mark.parametrize("acc_id", REQUIRED["accelerators"])
def test_accelerator_figures_in_plausible_ranges(acc_id: str) -> None:
    a = loader.accelerator(acc_id)
    assert set(a.peak_tflops) <= set(PRECISIONS)
    assert 0.5 <= a.memory_bandwidth_tb_s <= 20
    assert 8 <= a.memory_gb <= 512
    half = a.peak_tflops.get("bf16", a.peak_tflops.get("fp16"))
    assert half is not None and 20 <= half <= 5000, f"{acc_id}: 16-bit peak {half}"
    assert all(0.5 <= v <= 25000 for v in a.peak_tflops.values())
    assert 100 <= a.tdp_w <= 2000
    assert a.idle_w < a.tdp_w
    assert 1 <= a.scale_up.bandwidth_gb_s <= 2000
    assert 1 <= a.scale_out.bandwidth_gb_s <= 200
    assert a.scale_out.bandwidth_gb_s <= a.scale_up.bandwidth_gb_s
    assert 0 < a.host_power_w < 1000
    assert a.embodied.basis.strip()


def test_tpu_scale_up_domains_are_pod_sized_and_gb200_is_nvl72() -> None:
    assert loader.accelerator("tpu-v4").scale_up.domain == 4096
    assert loader.accelerator("gb200").scale_up.domain == 72
    assert loader.accelerator("gb200").devices_per_node == 4
    for tid in ("tpu-v2", "tpu-v3", "tpu-v4", "tpu-v5p", "tpu-v6e"):
        assert loader.accelerator(tid).kind == "tpu"


@pytest.mark.parametrize("region_id", REQUIRED["regions"])
def test_region_figures_in_plausible_ranges(region_id: str) -> None:
    r = loader.region(region_id)
    assert 0 <= r.grid_gco2_kwh <= 1000
    assert 2015 <= r.grid_year <= 2030
    assert 20 <= r.price_usd_mwh <= 400
    assert 1.05 <= r.pue <= 2.0
    assert 0 <= r.wue_l_kwh <= 5
    assert 0 <= r.water_l_kwh_electricity <= 25


def test_default_assumptions_have_expected_magnitudes() -> None:
    assert 1.0 < loader.assumption("default-pue") < 1.6
    assert 400 <= loader.assumption("default-grid-gco2-kwh") <= 550
    assert 0 <= loader.assumption("default-wue-l-kwh") <= 3
    assert 0 < loader.assumption("default-water-l-kwh-electricity") <= 10
    assert 20 <= loader.assumption("default-electricity-usd-mwh") <= 300


@pytest.mark.parametrize("kind", sorted(loader.KINDS))
def test_every_catalogue_kind_lists_every_entry_without_error(kind: str, capsys) -> None:
    from scalewall.report.tables import print_catalog_list

    entries = loader.entries(kind)
    print_catalog_list(kind, entries)
    out = capsys.readouterr().out
    assert f"catalogue: {kind}" in out
    assert all(e_id[:8] in out for e_id in entries)


def test_parts_with_one_compute_die_share_its_matmul_ceiling():
    # MI325X is the MI300X's CDNA 3 compute with more HBM (AMD data sheet), H800 the H100 SXM's
    # GH100 at the same peak with NVLink cut: neither has its own MAMF figure, so each takes its
    # sibling's measured share (before, both fell back to the A100 figure: MI325X ran +32 %)
    from scalewall import catalog

    for part, sibling in (("mi325x", "mi300x"), ("h800", "h100-sxm")):
        a, b = catalog.accelerator(part), catalog.accelerator(sibling)
        assert a.peak_tflops["bf16"] == b.peak_tflops["bf16"]
        assert a.matmul_efficiency_bf16 == b.matmul_efficiency_bf16
