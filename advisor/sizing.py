"""The sizes of the resources advisor generates (advisor/data/sizing.yaml): function memory, Fargate task size and
the batch size of each poll entry. Read by the scaffold (what template.yaml sets) and the cost model (what it
prices), so the two cannot disagree."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from .resources import read_data


@dataclass(frozen=True)
class Poll:
    """A Lambda event source mapping: at most ``batch_size`` records per invocation, gathered for ``window_s``."""
    batch_size: int
    window_s: float


@dataclass(frozen=True)
class Sizing:
    function_memory_mb: int
    fargate_cpu_units: int
    fargate_memory_mb: int
    poll: Mapping[str, Poll]  # entry option -> its event source mapping


@lru_cache(maxsize=1)
def sizing() -> Sizing:
    data = read_data("sizing.yaml")
    return Sizing(int(data["function"]["memory_mb"]), int(data["fargate_task"]["cpu_units"]),
                  int(data["fargate_task"]["memory_mb"]),
                  {entry: Poll(int(p["batch_size"]), float(p["window_s"])) for entry, p in data["poll"].items()})
