"""What a report says in words: summary rows, equivalences and the sources used. No physics.

Every value is read from a command's ``--json`` object; the only arithmetic is a unit conversion
against a sourced catalogue reference (a household's annual electricity) for the equivalences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from scalewall.catalog.outlook import Country

__all__ = ["fmt", "summary_rows", "wall_rows", "equivalence_rows", "collect_sources"]


def fmt(x: float | None, unit: str = "", digits: int = 3) -> str:
    """A number for people: thousands separators, 3 significant figures, unit after a space."""
    if x is None:
        return "n/a"
    ax = abs(x)
    if ax != 0 and (ax >= 1e7 or ax < 1e-2):
        s = f"{x:.{digits}g}"
    elif ax >= 100:
        s = f"{x:,.0f}"
    else:
        s = f"{x:.{digits}g}"
    return f"{s} {unit}".strip()


def _b(d: dict, unit: str) -> str:
    return ", ".join(f"{k} {fmt(v, unit)}" for k, v in d.items())


def _pct(x: float | None) -> str:
    """A share as a percentage, or n/a (a run with no plan has no utilisation)."""
    return "n/a" if x is None else f"{x:.1%}"


def summary_rows(res: dict) -> list[tuple[str, str, str]]:
    """(section, quantity, value) rows: the headline numbers of every section that ran."""
    rows: list[tuple[str, str, str]] = []
    r = res["results"]
    if "train" in r:
        t = r["train"]
        rows += [
            (
                "train",
                "run",
                f"{t['model']} on {t['devices']:,} × {t['accelerator']}, {fmt(t['tokens'])} tokens",
            ),
            ("train", "wall clock", fmt(t["wall_clock_days"], "days")),
            ("train", "MFU", _pct(t["mfu"])),
            ("train", "bottleneck", t["bottleneck"]),
            ("train", "energy", _b(t["energy_mwh"], "MWh")),
            ("train", "CO2e", fmt(t["co2e_t"]["total"], "t")),
            ("train", "cost", "n/a" if t.get("cost_usd") is None else f"${t['cost_usd']:,.0f}"),
        ]
    if "infer" in r:
        i = r["infer"]
        rows += [
            (
                "infer",
                "serving",
                f"{i['model']} on {i['devices']:,} × {i['accelerator']} ({i['instances']} × tp={i['tp']})",
            ),
            ("infer", "energy per query", _b(i["energy_wh_per_query"], "Wh")),
            ("infer", "latency", f"TTFT {fmt(i['ttft_s'] * 1e3, 'ms')}, ITL {fmt(i['itl_s'] * 1e3, 'ms')}"),
        ]
        if i.get("fleet"):
            f = i["fleet"]
            rows.append(
                (
                    "infer",
                    "fleet",
                    f"{f['queries_per_day']:.3g} queries/day: {f['devices']:,} devices, "
                    f"facility {fmt(f['avg_power_mw']['facility'], 'MW')}",
                )
            )
    if "site" in r:
        s = r["site"]
        rows += [
            ("site", "cost", fmt(s.get("cost_usd_per_mwh"), "USD/MWh")),
            ("site", "CFE share", "n/a" if s.get("cfe_share") is None else f"{s['cfe_share']:.1%}"),
            ("site", "capacities", _b({k: v for k, v in (s.get("capacity_mw") or {}).items() if v}, "MW")),
        ]
    if "outlook" in r:
        o = r["outlook"]
        fw = o["wall_year"].get("first_wall", {})
        first = [w for w, q in o["wall_year"].items() if w != "first_wall" and q.get("p50") is not None]
        first.sort(key=lambda w: o["wall_year"][w]["p50"])
        rows.append(
            (
                "outlook",
                "first wall binds",
                f"{fw.get('p50')} (p10 {fw.get('p10')}, p90 {fw.get('p90')})"
                + (f"; earliest p50: {first[0]}" if first else ""),
            )
        )
        last = o["years"][-1]
        rows.append(
            (
                "outlook",
                f"frontier run power {last['year']}",
                f"{fmt(last['frontier_run_power_gw']['p50'], 'GW')} "
                f"(p10–p90 {fmt(last['frontier_run_power_gw']['p10'])}–"
                f"{fmt(last['frontier_run_power_gw']['p90'])})",
            )
        )
    return rows


def wall_rows(o: dict) -> list[tuple[str, str, str, str, str]]:
    """(wall, p10, p50, p90, probability by the last year), earliest p50 first."""

    def key(item):
        p50 = item[1].get("p50")
        return (p50 is None, p50 or 0)

    return [
        (
            w,
            str(q.get("p10") or "—"),
            str(q.get("p50") or "—"),
            str(q.get("p90") or "—"),
            f"{q.get('probability_by_end', 0):.0%}",
        )
        for w, q in sorted(o["wall_year"].items(), key=key)
    ]


def equivalence_rows(res: dict) -> list[tuple[str, str, str]]:
    """(what, energy, equivalent) rows; the household reference is a sourced catalogue entry."""
    from scalewall import catalog

    rows: list[tuple[str, str, str]] = []
    r = res["results"]
    kwh = catalog.get("equivalences", "us-household").annual_electricity_kwh
    if "train" in r:
        e = r["train"]["energy_mwh"]["facility"]
        rows.append(
            (
                "training run (facility)",
                fmt(e, "MWh"),
                f"{fmt(e * 1e3 / kwh)} US household-years of electricity ({kwh:,.0f} kWh/yr)",
            )
        )
    if "infer" in r and r["infer"].get("fleet"):
        e = r["infer"]["fleet"]["energy_twh_per_year"]["facility"]
        rows.append(
            (
                "serving fleet per year (facility)",
                fmt(e, "TWh"),
                f"{fmt(e * 1e9 / kwh)} US households' annual electricity",
            )
        )
    if "outlook" in r:
        for y in r["outlook"]["years"]:
            if y["year"] % 5 and y is not r["outlook"]["years"][0] and y is not r["outlook"]["years"][-1]:
                continue
            eq = y.get("datacentre_electricity_equivalent")
            if not eq:
                continue
            rows.append(
                (
                    f"data centres worldwide, {y['year']} (p50)",
                    fmt(y["datacentre_electricity_twh"]["p50"], "TWh/yr"),
                    f"{fmt(eq['us_households_million'])} million US households; closest country: "
                    f"{eq['closest_country']} ({fmt(eq['closest_country_twh'], 'TWh/yr')})",
                )
            )
    return rows


def _src_text(s: Any) -> str:
    if isinstance(s, str):
        return s
    if isinstance(s, dict):
        parts = [s.get("title") or ""]
        tail = ", ".join(str(x) for x in (s.get("publisher"), s.get("year")) if x)
        if tail:
            parts.append(f"({tail})")
        if s.get("where"):
            parts.append(f"— {s['where']}")
        if s.get("url"):
            parts.append(f"[{s['url']}]")
        return " ".join(p for p in parts if p)
    return str(s)


def collect_sources(res: dict) -> dict[str, list[str]]:
    """Every source the results used, by section, de-duplicated, in the order first met."""
    from scalewall import catalog

    out: dict[str, list[str]] = {}

    def add(section: str, items) -> None:
        lst = out.setdefault(section, [])
        for s in items or []:
            t = _src_text(s)
            if t and t not in lst:
                lst.append(t)

    r = res["results"]
    for name in ("train", "infer", "site"):
        if name in r:
            add(name, r[name].get("sources"))
    if "outlook" in r:
        o = r["outlook"]
        add("outlook", o.get("sources"))
        for d in o.get("drivers", []):  # every driver is a trends entry (the outlook reads its name)
            add("outlook", [s.model_dump() for s in catalog.get("trends", d["id"]).source])
        for lv in o.get("levers", []):
            add("outlook", lv.get("sources"))
    if equivalence_rows(res):
        add("equivalences", [s.model_dump() for s in catalog.get("equivalences", "us-household").source])
        # one table for every country: every entry carries the same source
        first = next(iter(cast("dict[str, Country]", catalog.entries("countries")).values()))
        add("equivalences", [s.model_dump() for s in first.source])
    return {k: v for k, v in out.items() if v}
