"""Costs next to a recommendation's options, and the `advisor cost` breakdown as a table, JSON or Markdown."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Iterable, Mapping


from .model import WorkloadCost
from .prices import _d, _fmt




def attach_costs(recommendation: Mapping[str, Any], workload_cost: WorkloadCost) -> dict[str, Any]:
    """A copy of the recommendation dict with costs next to each option.

    Adds ``decisions[d]["cost"] = {option: usd}`` for every priced option,
    ``flow["cost"] = {"monthly_usd": <chosen total>, "currency": ...}`` and a
    top-level ``cost`` with the workload total, per service, table date and warning.
    """
    import copy

    rec = copy.deepcopy(dict(recommendation))
    by_name = {fc.flow: fc for fc in workload_cost.flows}
    for f in rec.get("flows", []):
        fc = by_name.get(f.get("name"))
        if fc is None:
            continue
        for d, dec in f.get("decisions", {}).items():
            if d in fc.decisions:
                dec["cost"] = {o: float(oc.monthly_usd) for o, oc in sorted(fc.decisions[d].items())}
        f["cost"] = {"monthly_usd": None if fc.chosen_monthly_usd is None else float(fc.chosen_monthly_usd),
                     "currency": workload_cost.table.get("currency", "USD")}
    total = workload_cost.to_dict()["total"]
    rec["cost"] = {"monthly_usd": None if total is None else total["monthly_usd"],
                   "per_service": None if total is None else total["per_service"],
                   "currency": workload_cost.table.get("currency", "USD"),
                   "price_table_date": workload_cost.table["date"],
                   "warning": workload_cost.table.get("warning"),
                   "assumptions": list(workload_cost.assumptions)}
    return rec


# --------------------------------------------------------------------------- rendering


def _usd(x: Decimal | float) -> str:
    return f"${_d(x):,.2f}"


def _rows(fc) -> Iterable[tuple[str, str, str, str, Decimal]]:
    """The option rows of one flow (per flow, not filtered out of every flow's: 2,000 flows stay linear)."""
    for d, opts in sorted(fc.decisions.items()):
        for o, oc in sorted(opts.items()):
            mark = "yes" if fc.chosen and fc.chosen.get(d) == o else ""
            yield fc.flow, d, o, mark, oc.monthly_usd


def format_cost(workload_cost: WorkloadCost, fmt: str = "table", *, detail: bool = False) -> str:
    """Render for ``advisor cost``: "table" (rich), "json" or "markdown".

    Table and Markdown show a summary (the total per service, one row per flow with its chosen options) unless
    ``detail``: then every option of every decision, its billed lines and assumptions. JSON is always complete.
    """
    if fmt == "json":
        return json.dumps(workload_cost.to_dict(), sort_keys=True, indent=2) + "\n"
    if fmt == "markdown":
        return _markdown(workload_cost) if detail else _summary_markdown(workload_cost)
    if fmt == "table":
        return _table(workload_cost) if detail else _summary_table(workload_cost)
    raise ValueError(f"unknown format {fmt!r}: use table, json or markdown")


SUMMARY_DECISIONS = ("orchestrator", "channel", "entry", "compute", "data_store")
DETAIL_HINT = "Every option of every decision, with its billed quantities and assumptions: add --detail."


def _summary_rows(wc: WorkloadCost) -> list[list[str]]:
    """One row per flow: name, executions/month, each chosen option with its cost, the flow's total."""
    rows = []
    for fc in wc.flows:
        cells = [fc.flow, _fmt(fc.executions_per_month)]
        for d in SUMMARY_DECISIONS:
            o = (fc.chosen or {}).get(d)
            cells.append(f"{o} {_usd(fc.decisions[d][o].monthly_usd)}" if o and d in fc.decisions else "-")
        cells.append("-" if fc.chosen_monthly_usd is None else _usd(fc.chosen_monthly_usd))
        rows.append(cells)
    return rows


SUMMARY_COLUMNS = ("flow", "executions/month", *SUMMARY_DECISIONS, "USD/month")


def _markdown_head(wc: WorkloadCost) -> list[str]:
    """Title, the stale-table warning and the total per service, in Markdown."""
    out = [f"# {_header(wc)[0]}", ""]
    if wc.table.get("warning"):
        out += [f"> **Warning:** {wc.table['warning']}", ""]
    if wc.lines is not None:
        out += ["## Total of the recommended options", "", "| service | USD/month |", "|---|---:|"]
        out += [f"| {s} | {_usd(v)} |" for s, v in wc.per_service().items()]
        out += [f"| **total** | **{_usd(wc.monthly_usd or 0)}** |", ""]
    return out


def _summary_markdown(wc: WorkloadCost) -> str:
    out = _markdown_head(wc)
    out += ["## Per flow (the recommended options)", "", "| " + " | ".join(SUMMARY_COLUMNS) + " |",
            "|---|---:|" + "---|" * len(SUMMARY_DECISIONS) + "---:|"]
    out += ["| " + " | ".join(row) + " |" for row in _summary_rows(wc)]
    out += ["", "## Assumptions", ""] + [f"- {a}" for a in wc.assumptions] + ["", DETAIL_HINT, ""]
    return "\n".join(out)


def _console_head(wc: WorkloadCost, width: int):
    """A plain rich console writing to a buffer, with the title, the warning and the total per service printed."""
    import io

    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, force_terminal=False, highlight=False)
    for line in _header(wc):
        console.print(line, markup=False)
    if wc.lines is not None:
        tot = Table(title="Total of the recommended options")
        tot.add_column("service")
        tot.add_column("USD/month", justify="right")
        for s, v in wc.per_service().items():
            tot.add_row(s, _usd(v))
        tot.add_row("total", _usd(wc.monthly_usd or 0))
        console.print(tot)
    return buf, console


def _summary_table(wc: WorkloadCost) -> str:
    from rich.table import Table

    buf, console = _console_head(wc, width=160)
    flows = Table(title="Per flow (the recommended options)")
    for col in SUMMARY_COLUMNS:
        flows.add_column(col, justify="right" if col in ("executions/month", "USD/month") else "left")
    for row in _summary_rows(wc):
        flows.add_row(*row)
    console.print(flows)
    console.print("Assumptions:", markup=False)
    for a in wc.assumptions:
        console.print(f"  - {a}", markup=False)
    console.print(DETAIL_HINT, markup=False)
    return buf.getvalue()


def _header(wc: WorkloadCost) -> list[str]:
    t = wc.table
    out = [f"Monthly cost estimate for {wc.workload} in {wc.region} (prices of {t['date']}, {t['currency']})"]
    if t.get("warning"):
        out.append(f"WARNING: {t['warning']}")
    return out


def _markdown(wc: WorkloadCost) -> str:
    out = _markdown_head(wc)
    for fc in wc.flows:
        out += [f"## Flow `{fc.flow}`", "", "| decision | option | chosen | USD/month |", "|---|---|---|---:|"]
        out += [f"| {d} | {o} | {m} | {_usd(v)} |" for _, d, o, m, v in _rows(fc)]
        out += ["", "| decision | option | service | quantity | unit | unit price | USD |",
                "|---|---|---|---:|---|---:|---:|"]
        for d, opts in sorted(fc.decisions.items()):
            for o, oc in sorted(opts.items()):
                for ln in oc.lines:
                    out.append(f"| {d} | {o} | {ln.service} | {_fmt(ln.quantity)} | {ln.unit} |"
                               f" {format(ln.unit_price.normalize(), 'f')} | {_usd(ln.usd)} |")
        out += ["", "Assumptions:", ""] + [f"- {a}" for a in fc.assumptions]
        for d, opts in sorted(fc.decisions.items()):
            for o, oc in sorted(opts.items()):
                out += [f"- {d} / {o}: {a}" for a in oc.assumptions]
        out.append("")
    out += ["## Workload assumptions", ""] + [f"- {a}" for a in wc.assumptions] + [""]
    return "\n".join(out)


def _table(wc: WorkloadCost) -> str:
    from rich.table import Table

    buf, console = _console_head(wc, width=120)
    for fc in wc.flows:
        t = Table(title=f"Flow {fc.flow}: {_fmt(fc.executions_per_month)} executions/month")
        for col, just in (("decision", "left"), ("option", "left"), ("chosen", "left"), ("service", "left"),
                          ("quantity", "right"), ("unit", "left"), ("USD", "right")):
            t.add_column(col, justify=just)  # type: ignore[arg-type]
        for d, opts in sorted(fc.decisions.items()):
            for o, oc in sorted(opts.items()):
                mark = "yes" if fc.chosen and fc.chosen.get(d) == o else ""
                t.add_row(d, o, mark, "", "", "total", _usd(oc.monthly_usd))
                for ln in oc.lines:
                    t.add_row("", "", "", ln.service, _fmt(ln.quantity), ln.unit, _usd(ln.usd))
        console.print(t)
        for a in fc.assumptions:
            console.print(f"  - {a}", markup=False)
        for d, opts in sorted(fc.decisions.items()):
            for o, oc in sorted(opts.items()):
                for a in oc.assumptions:
                    console.print(f"  - {d} / {o}: {a}", markup=False)
    console.print("Assumptions:", markup=False)
    for a in wc.assumptions:
        console.print(f"  - {a}", markup=False)
    return buf.getvalue()

