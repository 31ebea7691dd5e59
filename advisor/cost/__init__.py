"""Monthly cost of every option of every decision, at the workload's own traffic.

Why: the advisor knows each flow's rate, duration, steps and payload, so it can
put a price next to each option instead of leaving "Express is cheaper" as a
slogan. Prices come from ``advisor/data/prices.yaml`` (dated, each with its
source and confidence); the arithmetic is done in ``Decimal`` and every line
is rounded to the cent, the way AWS's own pricing examples round, so a line
and the total it adds up to can be checked by hand.

A month is 30 days (2,592,000 s), as in ../spec/workload-v1.md. Per-flow
estimates are list prices without free tiers: free tiers are per account, so
they are applied once, to the sum over all flows, in the workload totals
(``estimate_flow(..., free_tier=True)`` prices one flow as if it were alone).

The package: ``prices`` (the dated table and money helpers), ``model`` (the
estimators and the facts for the rule engine), ``report`` (costs next to a
recommendation, and the ``advisor cost`` breakdown).
"""
from __future__ import annotations

from .model import (COST_DECISIONS, DEFAULT_MEMORY_MB, ESTIMATORS, FACTS, FlowCost, Line, entry_options_for,
                    OptionCost, WorkloadCost, charge, chosen_options, compute_cost_facts, cost_facts, estimate_flow,
                    estimate_option, estimate_workload, express_billed_memory_mb, kinesis_shards,
                    orchestrator_cost_facts)
from .prices import (CONFIDENCE, HOURS_PER_MONTH, PRICES_PATH, SECONDS_PER_MONTH, Price, PriceTable,
                     PriceTableError, load_price_table, parse_price_table, price_table_info)
from .report import attach_costs, format_cost

__all__ = ["COST_DECISIONS", "CONFIDENCE", "DEFAULT_MEMORY_MB", "ESTIMATORS", "FACTS", "entry_options_for",
           "FlowCost", "HOURS_PER_MONTH", "Line", "OptionCost", "PRICES_PATH", "Price", "PriceTable",
           "PriceTableError", "SECONDS_PER_MONTH", "WorkloadCost", "attach_costs", "charge", "chosen_options",
           "compute_cost_facts", "cost_facts", "estimate_flow", "estimate_option", "estimate_workload",
           "express_billed_memory_mb", "format_cost", "kinesis_shards", "load_price_table", "orchestrator_cost_facts", "parse_price_table",
           "price_table_info"]
