"""The normalised, immutable workload model.

Everything in here is already checked and filled in: rates are events per
second, durations seconds, sizes bytes, and every default of
../spec/workload-v1.md is applied. ``workload.load()`` builds it; nothing else
should construct it from user input.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Mapping

from .errors import Location

TRIGGERS = ("api", "schedule", "upload", "queue", "stream", "change-data", "event", "kafka", "mq")
API_STYLES = ("http", "rest", "graphql", "websocket")
AUTH_KINDS = ("none", "users", "iam", "api-key")
PATTERNS = ("steady", "spiky", "unpredictable", "scheduled")
COUPLINGS = ("tight", "loose")
DATA_KINDS = ("none", "key-value", "relational", "files")
SOURCES = ("msk", "self-managed", "activemq", "rabbitmq")
NEEDS = ("ordering", "exactly_once", "replay", "audit", "timeouts", "compensation",
         "human_approval", "content_filtering", "callbacks")
DEFAULT_RUNTIME = "python3.13"
DEFAULT_REGION = "us-east-1"
DEFAULT_MESSAGE_SIZE = 1024


@dataclass(frozen=True)
class Traffic:
    average: float  # executions started per second
    peak: float  # per second, >= average
    pattern: str


@dataclass(frozen=True)
class Needs:
    ordering: bool = False
    exactly_once: bool = False
    replay: bool = False
    audit: bool = False
    timeouts: bool = False
    compensation: bool = False
    human_approval: bool = False
    content_filtering: bool = False
    callbacks: bool = False  # waits for replies or callbacks from other systems (scatter-gather, task tokens)


@dataclass(frozen=True)
class Flow:
    name: str
    index: int  # position in the file, 0-based
    context: str
    trigger: str
    traffic: Traffic
    duration: float  # seconds, end to end, waiting included
    longest_step: float  # seconds
    steps: tuple[str, ...]
    coupling: str
    consumers: tuple[str, ...]
    fan_out: int
    needs: Needs
    caller_waits: bool
    message_size: int  # bytes
    data: str
    external_targets: tuple[str, ...] = ()
    after: str | None = None
    api: str | None = None  # only for trigger: api
    auth: str | None = None  # only for trigger: api
    downstream_limit: float | None = None  # per second
    source: str | None = None  # only for trigger: kafka / mq
    description: str | None = None
    source_event: str | None = None  # trigger: event started by an AWS service's own event (instead of after)
    max_delay: float | None = None  # seconds an event may wait before it is processed
    event_size: int | None = None  # bytes of the outcome event, when it differs from message_size (the input)
    step_durations: tuple[tuple[str, float], ...] = ()  # (step, seconds) for the steps that state a duration
    step_memory: tuple[tuple[str, int], ...] = ()  # (step, bytes) for the steps that state their memory

    @property
    def consumer_names(self) -> tuple[str, ...]:
        """The consumers by name; ``consumer-1``... when only ``fan_out`` counts them."""
        if self.consumers or not self.fan_out:
            return self.consumers
        return tuple(f"consumer-{i + 1}" for i in range(self.fan_out))


@dataclass(frozen=True)
class Workload:
    version: int
    name: str
    flows: tuple[Flow, ...]
    runtime: str = DEFAULT_RUNTIME
    region: str = DEFAULT_REGION
    description: str | None = None
    path: str = "<workload>"
    # where each value came from: ("flows", 0, "traffic", "peak") -> Location
    locations: Mapping[tuple, Location] = field(default_factory=lambda: MappingProxyType({}), compare=False,
                                                repr=False)

    @cached_property
    def _by_name(self) -> dict[str, Flow]:
        return {f.name: f for f in self.flows}

    def flow(self, name: str) -> Flow:
        return self._by_name[name]

    def location(self, path: tuple) -> Location | None:
        """The closest known position of ``path``: the value, else its nearest parent."""
        path = tuple(path)
        while path:
            loc = self.locations.get(path)
            if loc is not None:
                return loc
            path = path[:-1]
        return self.locations.get(())
