"""Training validation: published step times, MFU, whole runs and their energy."""

from __future__ import annotations

from pydantic import BaseModel

from scalewall import catalog
from scalewall.catalog.schema import Model
from scalewall.commands.train import TrainingRequest, estimate_training
from scalewall.facility.footprint import energy_mwh
from scalewall.performance.plan import STACKS, Plan, PlanArrays
from scalewall.performance.step import evaluate
from scalewall.units import FLOPS_PER_TFLOPS
from scalewall.validate.rows import Row, case_plan, cases, gpt_model, row, source_of
from scalewall.workload.transformer import model_dims

__all__ = ["training_rows", "planner_checks", "PlannerCheck"]


def korthikanti_rows() -> list[Row]:
    blk = cases("training_performance")["korthikanti_2022_table5"]
    acc = catalog.accelerator(blk["accelerator"])
    rows = []
    for c in blk["cases"]:
        d = model_dims(gpt_model(c["model"], c["name"]))
        plans = [  # Table 5's two columns; ZeRO is not used in the paper's runs
            case_plan(c, recompute="full", sequence_parallel=False, zero=0),
            case_plan(c, recompute="selective", sequence_parallel=True, zero=0),
        ]
        r = evaluate(
            d, acc, PlanArrays.from_plans(plans), c["model"]["s"], blk["precision"], STACKS[blk["stack"]]
        )
        for i, (col, role) in enumerate((("full_s", "fit"), ("seqsel_s", "check"))):
            rows.append(
                row(
                    "korthikanti_2022_table5",
                    f"{c['name']} {col[:-2]}",
                    "iteration time [s]",
                    c[col],
                    float(r["step_time_s"][i]),
                    blk["bar"]["max_abs"],
                    role,
                    source_of(blk),
                )
            )
    return rows


def narayanan_rows() -> list[Row]:
    blk = cases("training_performance")["narayanan_2021_table1"]
    acc = catalog.accelerator(blk["accelerator"])
    rows = []
    for c in blk["cases"]:
        dims = c["model"]
        d = model_dims(gpt_model(dims, c["name"]))
        # Table 1 gives no micro-batch or interleaving: 1 and none assumed (see the case note)
        plan = case_plan(c, micro_batch=1, recompute="full", zero=0)
        r = evaluate(d, acc, PlanArrays.from_plans([plan]), dims["s"], blk["precision"], STACKS[blk["stack"]])
        B, s, L, h, V = c["global_batch"], dims["s"], dims["L"], dims["h"], dims["V"]
        eq3 = 96 * B * s * L * h * h * (1 + s / (6 * h) + V / (16 * L * h))
        tflops = eq3 / float(r["step_time_s"][0]) / (c["tp"] * c["pp"] * c["dp"]) / FLOPS_PER_TFLOPS
        rows.append(
            row(
                "narayanan_2021_table1",
                c["name"],
                "TFLOP/s per GPU (Eq. 3)",
                c["tflops_per_gpu"],
                tflops,
                blk["bar"]["max_abs"],
                "check",
                source_of(blk),
            )
        )
    return rows


def llama3_rows(block: str = "llama3_2024_table4") -> list[Row]:
    blk = cases("training_performance")[block]
    acc = catalog.accelerator(blk["accelerator"])
    rows = []
    for c in blk["cases"]:
        d = model_dims(catalog.model(c["model_id"]))
        plan = case_plan(c, sequence_parallel=True, zero=c["zero"])  # SP: Megatron default
        r = evaluate(
            d, acc, PlanArrays.from_plans([plan]), c["seq_len"], blk["precision"], STACKS[blk["stack"]]
        )
        n = plan.devices
        mfu = float(
            r["model_flops"][0] / (r["step_time_s"][0] * n * acc.peak_tflops["bf16"] * FLOPS_PER_TFLOPS)
        )
        rows.append(
            row(
                block,
                c["name"],
                "MFU",
                c["mfu"],
                mfu,
                blk["bar"]["max_abs"],
                "check",
                source_of(blk),
            )
        )
    return rows


def mlperf_rows() -> list[Row]:
    blk = cases("training_performance")["mlperf_training_v31_eos"]
    acc = catalog.accelerator(blk["accelerator"])
    rows = []
    for c in blk["cases"]:
        d = model_dims(gpt_model(c["model"], c["name"]))
        plan = case_plan(c, sequence_parallel=True, zero=1)  # Megatron defaults of the submission
        r = evaluate(
            d, acc, PlanArrays.from_plans([plan]), c["model"]["s"], blk["precision"], STACKS[blk["stack"]]
        )
        tok_s = c["global_batch"] * c["model"]["s"] / float(r["step_time_s"][0])
        rows.append(
            row(
                "mlperf_training_v31_eos",
                c["name"],
                "throughput [tokens/s]",
                c["tokens_per_s"],
                tok_s,
                blk["bar"]["max_abs"],
                "check",
                source_of(blk),
            )
        )
    return rows


def llmfoundry_rows() -> list[Row]:
    blk = cases("training_performance")["llmfoundry_2023_benchmarks"]
    rows = []
    for c in blk["cases"]:
        acc = catalog.accelerator(c["accelerator"])
        dims = c["model"]
        m = gpt_model(dims, c["name"]).model_copy(update={"tied_embeddings": True})
        d = model_dims(m)
        plan = Plan(
            dp=c["gpus"],
            micro_batch=c["micro_batch"],
            global_batch=c["global_batch"],
            recompute="none",
            zero=3,
        )
        r = evaluate(d, acc, PlanArrays.from_plans([plan]), dims["s"], blk["precision"], STACKS[blk["stack"]])
        s, L, h = dims["s"], dims["L"], dims["h"]
        flops_token = 6 * d.params_total + 12 * L * h * s  # llm-foundry's MFU convention
        tok_s = c["global_batch"] * s / float(r["step_time_s"][0])
        mfu = flops_token * tok_s / (c["gpus"] * acc.peak_tflops["bf16"] * FLOPS_PER_TFLOPS)
        err = mfu / c["mfu"] - 1
        rows.append(
            Row(
                group="llmfoundry_2023_benchmarks",
                case=c["name"],
                quantity="MFU",
                published=c["mfu"],
                predicted=mfu,
                error=err,
                bar="none",
                ok=True,
                role="held-out",
                source=source_of(blk),
            )
        )
    return rows


def patterson_rows() -> list[Row]:
    blk = cases("training_energy")["patterson_2021_table4"]
    rows = []
    bar = blk["bar"]["max_abs"]
    for c in blk["cases"]:
        hours = c["chips"] * c["days"] * 24.0
        e = float(energy_mwh(c["avg_system_power_w"] * c["pue"], hours))
        co2 = e * c["grid_kgco2e_per_kwh"]
        if c["model_id"]:
            # the power model, not given the measurement, predicts node power per device; 10,000
            # V100s admit no plan of GPT-3's 96 heads/layers, so a 1,024-GPU slice stands in
            r = estimate_training(
                TrainingRequest(
                    model=catalog.model(c["model_id"]),
                    accelerator=catalog.accelerator(c["accelerator"]),
                    devices=1024,
                    days=c["days"],
                    pue=c["pue"],
                    precision="fp16",
                    global_batch=1536,
                )
            )
            rows.append(
                row(
                    "patterson_2021_table4",
                    c["name"],
                    "node power per device [W]",
                    c["avg_system_power_w"],
                    r.power_per_device_w["node"],
                    0.25,
                    "check",
                    source_of(blk),
                )
            )
        rows.append(
            row(
                "patterson_2021_table4",
                c["name"],
                "energy [MWh]",
                c["energy_mwh"],
                e,
                bar,
                "convention",
                source_of(blk),
            )
        )
        rows.append(
            row(
                "patterson_2021_table4",
                c["name"],
                "CO2e [t]",
                c["co2e_t"],
                co2,
                bar,
                "convention",
                source_of(blk),
            )
        )
    return rows


def llama2_rows() -> list[Row]:
    blk = cases("training_energy")["llama2_model_card"]
    by_name = {c["name"]: c for c in blk["cases"]}
    ref = by_name[blk["implied_grid_from"]]
    grid = ref["co2e_t"] / float(energy_mwh(ref["power_w"], ref["gpu_hours"])) * 1000.0  # g/kWh
    rows = []
    for c in blk["cases"]:
        m = catalog.model(c["model_id"])
        r = estimate_training(
            TrainingRequest(
                model=m,
                accelerator=catalog.accelerator("a100-80gb"),
                devices=2048,
                device_hours=c["gpu_hours"],
                power_per_device_w=c["power_w"],
                pue=1.0,
                grid_gco2_kwh=grid,
                seq_len=4096,
                global_batch=1024,
            )
        )
        role = "fit" if c["name"] == blk["implied_grid_from"] else "convention"
        rows.append(
            row(
                "llama2_model_card",
                c["name"],
                "CO2e [t]",
                c["co2e_t"],
                r.co2e_t["operational"],
                blk["bar"]["max_abs"],
                role,
                source_of(blk),
            )
        )
    return rows


def bloom_rows() -> list[Row]:
    blk = cases("training_energy")["luccioni_2022_bloom"]
    c = blk["case"]
    r = estimate_training(
        TrainingRequest(
            model=catalog.model(c["model_id"]),
            accelerator=catalog.accelerator(c["accelerator"]),
            devices=c["gpus"],
            device_hours=c["gpu_hours"],
            power_model="tdp",
            pue=1.0,
            grid_gco2_kwh=c["grid_gco2e_per_kwh"],
            seq_len=2048,
            global_batch=2048,
            **c["plan"],
        )
    )
    g = c["grid_gco2e_per_kwh"] / 1000.0  # t per MWh
    acc_mwh, node_mwh = r.energy_mwh["accelerator"], r.energy_mwh["node"]
    bar = blk["bar"]["max_abs"]
    src = source_of(blk)
    return [
        row(
            "luccioni_2022_bloom",
            "BLOOM",
            "dynamic energy [kWh]",
            c["dynamic_energy_kwh"],
            acc_mwh * 1000,
            bar,
            "convention",
            src,
        ),
        row(
            "luccioni_2022_bloom",
            "BLOOM",
            "idle energy [kWh]",
            c["idle_energy_kwh"],
            (node_mwh - acc_mwh) * 1000,
            bar,
            "fit",
            src,
        ),
        row(
            "luccioni_2022_bloom",
            "BLOOM",
            "dynamic CO2e [t]",
            c["dynamic_co2e_t"],
            acc_mwh * g,
            bar,
            "convention",
            src,
        ),
        row(
            "luccioni_2022_bloom",
            "BLOOM",
            "idle CO2e [t]",
            c["idle_co2e_t"],
            (node_mwh - acc_mwh) * g,
            bar,
            "convention",
            src,
        ),
        row(
            "luccioni_2022_bloom",
            "BLOOM",
            "embodied CO2e [t]",
            c["embodied_co2e_t"],
            r.co2e_t["embodied"],
            bar,
            "convention",
            src,
        ),
        row(
            "luccioni_2022_bloom",
            "BLOOM",
            "total CO2e [t]",
            c["total_co2e_t"],
            r.co2e_t["total"],
            bar,
            "convention",
            src,
        ),
    ]


#: the modern set's split: rows on this accelerator FIT the step-time factors, the others CHECK
#: them on hardware generations the fit has not seen (B200, GB200 NVL72)
MODERN_FIT_ACCELERATOR = "h100-sxm"
#: bytes of a GiB over bytes of a GB (memory tables in GiB) [-]
GIB_PER_GB = 2**30 / 1e9
#: bar of every modern row: the issue's "none over 25 %" [-]
MODERN_BAR = 0.25
#: the case-file groups of the modern set: NeMo 24.07, Megatron-Bridge 25.11 (dropless MoE) and
#: the Megatron-Bridge 25.09 token-drop MoE runs at the same plans as 25.11 rows
MODERN_GROUPS = ("nemo_2407_h100_fp8", "megatron_bridge_2511", "megatron_bridge_2509_tokendrop")


def modern_model(c: dict, blk: dict) -> Model:
    """A modern case's model: a catalogue entry, or the case file's local dims."""
    if "model_id" in c:
        return catalog.model(c["model_id"])
    dims = blk["models"][c["model_local"]]
    return Model(id=c["model_local"], **dims)


def modern_plan(c: dict) -> Plan:
    """The published parallel configuration of a modern case (see the case file's ``assumed``)."""
    return case_plan(
        c,
        sequence_parallel=c["sequence_parallel"],
        zero=c["zero"],
        offload_layers=c.get("offload_layers", 0),
    )


def modern_stack(c: dict, blk: dict):
    """The group's stack, with the all-to-all overlap and the MoE token dispatcher where the
    row's recipe or table sets them (``moe_a2a_overlap``, ``moe_token_dispatcher``,
    ``moe_dropless``)."""
    st = STACKS[blk["stack"]]
    update: dict = {}
    if c.get("moe_a2a_overlap"):
        update["ep_comm_overlap"] = 1.0
    if "moe_token_dispatcher" in c:
        update["moe_token_dispatcher"] = c["moe_token_dispatcher"]
    if "moe_dropless" in c:
        update["moe_dropless"] = c["moe_dropless"]
    return st.model_validate({**st.model_dump(), **update}) if update else st


def modern_tokens_per_s_per_gpu(c: dict, blk: dict, models: dict) -> float:
    """Predicted training tokens/s per GPU of a modern case at its published plan [tokens/s]."""
    plan = modern_plan(c)
    r = evaluate(
        model_dims(modern_model(c, models)),
        catalog.accelerator(c["accelerator"]),
        PlanArrays.from_plans([plan]),
        c["seq_len"],
        c["precision"],
        modern_stack(c, blk),
    )
    return plan.global_batch * c["seq_len"] / float(r["step_time_s"][0]) / plan.devices


def _tokens_rows(group: str, blk: dict) -> list[Row]:
    """Tokens/s per GPU of a block's cases at their published plans, against the modern bar."""
    return [
        row(
            group,
            c["name"],
            "tokens/s per GPU",
            c["tokens_per_s_per_gpu"],
            modern_tokens_per_s_per_gpu(c, blk, {}),
            MODERN_BAR,
            blk["role"],
            source_of(blk),
        )
        for c in blk["cases"]
    ]


def releases_rows() -> list[Row]:
    """Megatron-Bridge 26.02 and 25.09 tokens/s per GPU: releases nothing was fitted on."""
    return _tokens_rows("megatron_bridge_releases", cases("training_releases")["megatron_bridge_releases"])


def published_run_rows() -> list[Row]:
    """Whole runs published with their plan and measured rate, on stacks nothing was fitted on
    (``training_runs.yaml``): tokens/s per GPU at the published plan."""
    return [r for group, blk in cases("training_runs").items() for r in _tokens_rows(group, blk)]


#: the ratio rows' bar: the published same-plan MXFP8 / FP8-CS ratios span 0.94-1.04 [-]
MXFP8_RATIO_BAR = 0.10


def mxfp8_pair_ratio(c: dict, blk: dict, cal=None) -> float:
    """Predicted MXFP8 / per-tensor FP8 throughput of a published same-plan pair [-]."""
    allc = cases("training_modern")
    plan = modern_plan(c)
    runs = [
        evaluate(
            model_dims(modern_model(c, allc)),
            catalog.accelerator(c["accelerator"]),
            PlanArrays.from_plans([plan]),
            c["seq_len"],
            precision,
            modern_stack(c, blk),
            cal,
        )
        for precision in ("mxfp8", "fp8")
    ]
    return float(runs[1]["step_time_s"][0]) / float(runs[0]["step_time_s"][0])


def mxfp8_pair_rows() -> list[Row]:
    """Megatron-Bridge's same-plan FP8-CS / FP8-MX pairs: the MXFP8 throughput and its ratio to
    the per-tensor twin (dense pairs fit ``mxfp8-gemm-ratio``, MoE pairs check it)."""
    allc = cases("training_modern")
    blk = allc["megatron_bridge_mxfp8_pairs"]
    rows = []
    for c in blk["cases"]:
        rows.append(
            row(
                "megatron_bridge_mxfp8_pairs",
                c["name"],
                "tokens/s per GPU",
                c["tokens_per_s_per_gpu"],
                modern_tokens_per_s_per_gpu(c, blk, allc),
                MODERN_BAR,
                c["role"],
                source_of(blk),
            )
        )
        rows.append(
            row(
                "megatron_bridge_mxfp8_pairs",
                c["name"],
                "MXFP8 / FP8-CS throughput",
                c["tokens_per_s_per_gpu"] / c["cs_tokens_per_s_per_gpu"],
                mxfp8_pair_ratio(c, blk),
                MXFP8_RATIO_BAR,
                c["role"],
                source_of(blk),
            )
        )
    return rows


def modern_rows() -> list[Row]:
    """NeMo 24.07 and Megatron-Bridge 25.11/25.09 tokens/s per GPU, each at its published plan."""
    allc = cases("training_modern")
    rows = []
    for group in MODERN_GROUPS:
        blk = allc[group]
        for c in blk["cases"]:
            tok_s_gpu = modern_tokens_per_s_per_gpu(c, blk, allc)
            role = "fit" if c["accelerator"] == MODERN_FIT_ACCELERATOR else "check"
            rows.append(
                row(
                    group,
                    c["name"],
                    "tokens/s per GPU",
                    c["tokens_per_s_per_gpu"],
                    tok_s_gpu,
                    MODERN_BAR,
                    role,
                    source_of(blk),
                )
            )
    return rows


def torchtitan_rows() -> list[Row]:
    """TorchTitan's FSDP2 rows, held out: another stack, another H100 part, a 500 W cap."""
    blk = cases("training_modern")["torchtitan_2024_table1"]
    acc = catalog.accelerator(blk["accelerator"]).model_copy(update=blk["accelerator_changes"])
    rows = []
    for c in blk["cases"]:
        plan = modern_plan(c)
        r = estimate_training(
            TrainingRequest(
                model=catalog.model(c["model_id"]),
                accelerator=acc,
                devices=plan.devices,
                tokens=1e9,
                seq_len=c["seq_len"],
                precision=c["precision"],
                stack=blk["stack"],
                power_cap_w=blk["power_cap_w"],
                **{k: v for k, v in plan.to_dict().items() if k != "offload_layers"},
            )
        )
        published = {
            "tokens/s per GPU": c["tokens_per_s_per_gpu"],
            "memory per device [GB]": c["memory_gib"] * GIB_PER_GB,
        }
        if r.tokens_per_s is None or r.memory_per_device_gb is None:  # no plan fits: say so
            raise ValueError(f"{c['name']}: the published plan does not run in the model")
        predicted = {
            "tokens/s per GPU": r.tokens_per_s / plan.devices,
            "memory per device [GB]": r.memory_per_device_gb,
        }
        for qty, pub in published.items():
            rows.append(
                Row(
                    group="torchtitan_2024_table1",
                    case=c["name"],
                    quantity=qty,
                    published=pub,
                    predicted=predicted[qty],
                    error=predicted[qty] / pub - 1,
                    bar="none",
                    ok=True,
                    role=blk["role"],
                    source=source_of(blk),
                )
            )
    return rows


class PlannerCheck(BaseModel):
    """How the planner's best plan compares with a published hand-tuned plan (own model)."""

    case: str
    published_plan: dict
    published_step_s: float
    published_fits: bool
    best_plan: dict
    best_step_s: float
    published_rank: int
    feasible: int
    note: str


def _published_plans():
    perf = cases("training_performance")
    k = perf["korthikanti_2022_table5"]
    for c in k["cases"]:
        for rc, sp, col in (("full", False, "full"), ("selective", True, "seqsel")):
            yield (
                f"Korthikanti {c['name']} {col}",
                gpt_model(c["model"], c["name"]),
                k,
                case_plan(c, recompute=rc, sequence_parallel=sp, zero=0),
                c["model"]["s"],
                False,
            )
    n = perf["narayanan_2021_table1"]
    for c in n["cases"]:
        yield (
            f"Narayanan {c['name']}",
            gpt_model(c["model"], c["name"]),
            n,
            case_plan(c, micro_batch=1, recompute="full", zero=0),
            c["model"]["s"],
            False,
        )
    ll = perf["llama3_2024_table4"]
    for c in ll["cases"]:
        yield (
            f"Llama 3 {c['name']}",
            catalog.model(c["model_id"]),
            ll,
            case_plan(c, sequence_parallel=True, zero=c["zero"]),
            c["seq_len"],
            True,
        )


def planner_checks(top: int = 5) -> list[PlannerCheck]:
    """For every published plan: the planner's best (same devices, batch, sequence, software)."""
    from scalewall.performance.planner import search
    from scalewall.performance.step import memory
    from scalewall.performance.training import step_metrics

    out = []
    for name, m, blk, plan, seq, uneven in _published_plans():
        acc = catalog.accelerator(blk["accelerator"])
        res = search(
            m,
            acc,
            plan.devices,
            global_batch=plan.global_batch,
            seq_len=seq,
            precision=blk["precision"],
            stack=blk["stack"],
            top=top,
            allow_uneven_layers=uneven,
        )
        P = PlanArrays.from_plans([plan])
        pub = step_metrics(model_dims(m), acc, P, seq, blk["precision"], blk["stack"])
        pub_step = float(pub["step_time_s"][0])
        mem = float(memory(model_dims(m), acc, P, seq, STACKS[blk["stack"]])["memory_per_device_gb"][0])
        fits = mem <= acc.memory_total_gb
        rank = res.rank_of(pub_step)
        best_step = res.top_metrics[0]["step_time_s"]
        if not fits:
            note = (
                f"published plan needs {mem:.0f} GB per device by this model's memory "
                f"accounting > {acc.memory_total_gb:.0f} GB, so the planner excludes it"
            )
        elif rank <= top:
            note = f"published plan is #{rank} of {res.feasible} feasible"
        else:
            best = step_metrics(
                model_dims(m),
                acc,
                PlanArrays.from_plans([res.best_plan]),
                seq,
                blk["precision"],
                blk["stack"],
            )
            gaps = sorted(
                (
                    (float(pub[k][0] - best[k][0]), k.removesuffix("_s"))
                    for k in ("compute_s", "recompute_s", "tp_comm_s", "pp_bubble_s", "pp_p2p_s", "dp_comm_s")
                ),
                reverse=True,
            )[:2]
            why = " and ".join(f"{g:.2f} s less {k}" for g, k in gaps if g > 0)
            note = (
                f"published plan is #{rank} of {res.feasible}: the best is "
                f"{1 - best_step / pub_step:.1%} faster by this model ({why} per step)"
            )
        out.append(
            PlannerCheck(
                case=name,
                published_plan=plan.to_dict(),
                published_step_s=pub_step,
                published_fits=fits,
                best_plan=res.best_plan.to_dict(),
                best_step_s=best_step,
                published_rank=rank,
                feasible=res.feasible,
                note=note,
            )
        )
    return out


def training_rows() -> list[Row]:
    """Every training row, in a stable order."""
    return [
        *korthikanti_rows(),
        *narayanan_rows(),
        *llama3_rows(),
        *llama3_rows("llama3_2024_table4_16k"),
        *mlperf_rows(),
        *modern_rows(),
        *mxfp8_pair_rows(),
        *releases_rows(),
        *published_run_rows(),
        *torchtitan_rows(),
        *llmfoundry_rows(),
        *patterson_rows(),
        *llama2_rows(),
        *bloom_rows(),
    ]
