"""The event graph: upstream-first order, depth and chain duration, context loops, and what it imports."""
from __future__ import annotations

import subprocess
import sys

from advisor.graph import EventGraph
from advisor.workload import load_text


def workload(*flows: str):
    return load_text("version: 1\nname: w\nflows:\n" + "".join(f"  - {f}\n" for f in flows))


def test_flows_are_decided_after_the_flow_they_follow():
    wl = workload("{name: c, trigger: event, after: b, duration: 1s}",
                  "{name: a, trigger: api, duration: 2s}",
                  "{name: b, trigger: event, after: a, duration: 3s}",
                  "{name: d, trigger: queue, duration: 1s}")
    g = EventGraph(wl)
    assert g.decision_order() == ["a", "b", "c", "d"]
    assert [g.depth(n) for n in "abcd"] == [0, 1, 2, 0]
    assert g.chain_duration("c") == 6.0 and g.chain_duration("d") == 1.0
    assert g.downstream("a") == ["b"] and g.downstream("c") == []


def test_context_loops_through_consumers_and_after_links():
    wl = workload("{name: a, context: orders, trigger: api, duration: 1s, consumers: [billing]}",
                  "{name: b, context: billing, trigger: queue, duration: 1s}",
                  "{name: c, context: shipping, trigger: event, after: b, duration: 1s, consumers: [orders]}",
                  "{name: d, context: email, trigger: queue, duration: 1s, consumers: [orders]}")
    g = EventGraph(wl)
    assert g.context_cycle("orders") == ["billing", "orders", "shipping"]
    assert g.context_cycle("email") is None
    assert (g.context_inbound("orders"), g.context_outbound("orders")) == (2, 1)


def test_a_long_chain_stays_linear_and_needs_no_recursion():
    flows = ["{name: f0, trigger: api, duration: 1s}"]
    flows += [f"{{name: f{i}, trigger: event, after: f{i - 1}, duration: 1s}}" for i in range(1, 3000)]
    wl = workload(*flows)
    g = EventGraph(wl)
    assert g.depth("f2999") == 2999 and g.chain_duration("f2999") == 3000.0
    assert wl.flow("f2999").traffic.average == 1.0, "inherited down the whole chain"


def test_networkx_is_imported_only_for_a_possible_context_loop(tmp_path):
    code = ("import sys\nfrom advisor.workload import load_text\nfrom advisor.engine import advise\n"
            "advise(load_text(open(sys.argv[1]).read()))\nprint('networkx' in sys.modules)\n")
    chain = tmp_path / "chain.yaml"
    chain.write_text("version: 1\nname: w\nflows:\n"
                     "  - {name: a, trigger: api, duration: 1s, consumers: [x, y]}\n"
                     "  - {name: b, trigger: event, after: a, duration: 1s}\n")
    loop = tmp_path / "loop.yaml"
    loop.write_text("version: 1\nname: w\nflows:\n"
                    "  - {name: a, context: p, trigger: api, duration: 1s, consumers: [q]}\n"
                    "  - {name: b, context: q, trigger: queue, duration: 1s, consumers: [p]}\n")
    run = lambda p: subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True,
                                   check=True).stdout.strip()
    assert run(chain) == "False"
    assert run(loop) == "True"
