"""Why each question matters, in business terms: what the answer changes in the decision. Shown for '?'.

Figures come from where they live (Lambda's time limit from advisor.facts), never typed here.
"""
from __future__ import annotations


def why(key: str) -> str | None:
    """The explanation for the question ``key`` (a flow or top-level question), or None."""
    text = WHY.get(key)
    if text is None:
        return None
    if "{lambda_limit}" in text:
        from ..facts import LAMBDA_TIMEOUT_SECONDS
        from ..units import format_duration

        text = text.replace("{lambda_limit}", format_duration(LAMBDA_TIMEOUT_SECONDS))
    return text


WHY: dict[str, str] = {
    "top.name": "It names the generated app, its stacks and its documents; it changes no decision.",
    "top.region": "Prices and some service limits differ by region: the cost estimate and the limits that rule "
                  "options out are those of this region.",
    "name": "It names this operation in every decision, diagram and file; it changes no decision.",
    "context": "The part of the business (team or domain) that owns the flow. Flows of different parts talk "
               "through events, so they can change and fail independently; flows of the same part may call each "
               "other directly. It draws the boundaries in the diagrams and the generated app.",
    "trigger": "What starts a run decides how it enters the system: an API in front of it, a timer, a storage "
               "event, or a reader of a queue or stream; each has its own limits and failure handling.",
    "after": "The flow whose outcome starts this one: its way of publishing the outcome decides how this one "
             "receives it, and this one inherits its traffic.",
    "source_event": "An AWS service's own event (a finished job, a new recording) reaches the flow through a rule "
                    "on the account's default event bus, which AWS services publish to at no charge.",
    "api": "Decides the kind of API in front of the flow: plain request and answer is the cheapest; usage plans "
           "and keys for partners need the fuller API; clients picking fields, or a connection kept open to "
           "push updates, each need their own kind.",
    "auth": "Decides who is let in at the front door (sign-in for people, your own services' credentials, or keys "
            "for partners), so the check happens before any of your code runs.",
    "source": "The broker that holds the messages decides how the flow connects to it and what it must be "
              "given (addresses, credentials).",
    "caller_waits": "If the caller waits, the whole run must fit within the time limit of one API request, "
                    "so long work is handed off and the caller is told 'accepted' instead.",
    "traffic.average": "The usual number of runs sets the monthly cost, and decides between options that bill "
                       "per use and options that bill per hour.",
    "traffic.peak": "The busiest moment decides whether requests must be buffered, and which services can "
                    "absorb the burst without being throttled.",
    "traffic.pattern": "Sudden bursts call for a buffer in front of the work; steady traffic can be served "
                       "directly or by always-on capacity.",
    "duration": "How long a run takes, waiting included, decides whether it fits in one request, in a short "
                "workflow, or needs a workflow that can wait for days.",
    "steps": "Several steps may need something to coordinate them, retry each one and record where a run stands; "
             "one step does not.",
    "longest_step": "A single piece of work longer than Lambda's {lambda_limit} cannot run on Lambda: it moves to a "
                    "container (Fargate), which costs more when idle.",
    "coupling": "Steps that must succeed or fail together are coordinated by one workflow that can undo work; "
                "independent steps just react to events.",
    "consumers": "Each other part that reacts to the outcome gets its own copy of the event, so one slow or "
                 "failing reader does not hold up the others; their number decides how the event is spread.",
    "needs.ordering": "Keeping order per key rules out channels that may reorder (and limits throughput), so it is "
                      "only asked for when it matters.",
    "needs.exactly_once": "Preventing duplicates narrows the choice to services that remove them (at a lower "
                          "throughput); otherwise handlers must tolerate a repeat.",
    "needs.replay": "Re-reading past events needs a channel that keeps them (a stream or an archive), not one "
                    "that deletes a message once read.",
    "needs.audit": "A per-run history favours a workflow service that records every step and lets you look at "
                   "each run.",
    "needs.timeouts": "A deadline on the whole run needs something that watches it: a workflow with a timeout.",
    "needs.compensation": "Undoing completed steps on failure (a saga) needs a workflow that knows what ran and "
                          "calls the undo steps.",
    "needs.human_approval": "Waiting for a person can take days, which only a long-running workflow can do "
                            "without paying for the wait.",
    "needs.callbacks": "Waiting for replies from other systems (several suppliers' quotes, a partner's webhook) "
                       "needs a workflow that hands each one a token and waits, with a timeout, until it calls back.",
    "needs.content_filtering": "If readers want only some events, filtering by content at the channel saves "
                               "each of them receiving and discarding the rest.",
    "external_targets": "Sending events to outside services favours a channel that delivers to them directly, "
                        "with retries, instead of code you write and run.",
    "downstream_limit": "The most that the slowest system called (a partner, a legacy database) can take: above "
                        "it, work must be queued and sent at a controlled pace, or that system is overrun.",
    "message_size": "Large payloads exceed some services' limits (they are then stored aside and passed by "
                    "reference) and raise the price of per-size billing.",
    "event_size": "If the published event only points at the payload (stored in S3), the channel is chosen and "
                  "priced for the small event, not for the payload (claim check).",
    "max_delay": "How long an event may wait is compared with the time a queue in front of the slowest system "
                 "takes to empty after a burst: if it takes longer, advisor warns.",
    "data": "The kind of data decides the store: key-value lookups, relational tables with joins, or files.",
}
