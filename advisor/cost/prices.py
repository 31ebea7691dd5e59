"""List prices: the dated price table (data/prices.yaml), its entries, and the money helpers."""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping


SECONDS_PER_MONTH = 30 * 24 * 3600  # a month is 30 days, as in the workload spec
HOURS_PER_MONTH = 30 * 24
STALE_AFTER_DAYS = 365

PRICES_PATH = Path(__file__).resolve().parent.parent / "data" / "prices.yaml"

CONFIDENCE = {"D": "AWS documentation or pricing page", "A": "AWS-authored, not reference docs",
              "T": "third-party page", "U": "uncertain"}

_CENT = Decimal("0.01")
_MICRO = Decimal("0.000001")


def _d(x: float | int | str | Decimal) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(str(x))


def _cents(x: Decimal) -> Decimal:
    return x.quantize(_CENT, rounding=ROUND_HALF_UP)


def _ceil_div(a: int | float, b: int) -> int:
    return max(1, math.ceil(a / b))


def _num(x: Decimal) -> float | int:
    """A JSON-friendly number: integers stay integers, others keep 6 decimals."""
    q = x.quantize(_MICRO, rounding=ROUND_HALF_UP)
    return int(q) if q == q.to_integral_value() else float(q)


def _fmt(x: Decimal | float) -> str:
    """A readable number for sentences: 2,592,000 or 1.157407."""
    d = _d(x).quantize(_MICRO, rounding=ROUND_HALF_UP).normalize()
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d:,f}"





@dataclass(frozen=True)
class Price:
    """One list price, in one region, with where it came from."""
    key: str
    region: str
    service: str
    unit: str
    per: Decimal
    tiers: tuple[tuple[Decimal | None, Decimal], ...]  # (up to this many units, value per `per`)
    source: str
    via: str
    read: date
    confidence: str
    uncertain: bool
    free_per_month: Decimal = Decimal(0)
    free_pool: str | None = None
    note: str | None = None
    minimum_capacity: Decimal | None = None
    fallback_from: str | None = None  # set when the region had no entry and us-east-1's was used

    @property
    def unit_price(self) -> Decimal:
        """Price of one unit in the first tier."""
        return self.tiers[0][1] / self.per

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "region": self.region, "service": self.service, "unit": self.unit,
            "unit_price": _unit_num(self.unit_price), "per": int(self.per),
            "tiers": [{"up_to": None if up is None else int(up), "value": float(v)} for up, v in self.tiers],
            "free_per_month": _num(self.free_per_month), "source": self.source, "via": self.via,
            "read": self.read.isoformat(), "confidence": self.confidence, "uncertain": self.uncertain,
            "note": self.note, "fallback_from": self.fallback_from,
        }


def _unit_num(x: Decimal) -> float:
    return float(x.normalize())


class PriceTableError(ValueError):
    """The shipped or given price table is malformed (a bug in the data, not user input)."""


@dataclass(frozen=True)
class PriceTable:
    date: date
    currency: str
    base_region: str
    entries: Mapping[str, Mapping[str, Price]]  # region -> key -> Price
    path: str = "prices.yaml"

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted(self.entries))

    def get(self, key: str, region: str) -> Price:
        """The price of ``key`` in ``region``; falls back to the base region (marked)."""
        regional = self.entries.get(region, {})
        if key in regional:
            return regional[key]
        base = self.entries[self.base_region].get(key)
        if base is None:
            raise KeyError(f"no price {key!r} in the price table")
        if region == self.base_region:
            return base
        return _replace_price(base, region=region, fallback_from=self.base_region)

    def with_price(self, key: str, region: str | None = None, **changes: Any) -> "PriceTable":
        """A copy with one entry changed (tests reproduce AWS examples quoted at older rates)."""
        region = region or self.base_region
        price = self.get(key, region)
        if "value" in changes:
            changes["tiers"] = ((None, _d(changes.pop("value"))),)
        new = _replace_price(price, **changes)
        entries = {r: dict(e) for r, e in self.entries.items()}
        entries.setdefault(region, {})[key] = new
        return PriceTable(self.date, self.currency, self.base_region, entries, self.path)


def _replace_price(p: Price, **changes: Any) -> Price:
    return replace(p, **changes)


_REQUIRED = ("service", "unit", "per", "source", "via", "read", "confidence", "uncertain")


def _parse_price(key: str, region: str, raw: Mapping[str, Any], where: str) -> Price:
    missing = [f for f in _REQUIRED if f not in raw]
    if missing:
        raise PriceTableError(f"{where}: {region}/{key} lacks {', '.join(missing)}")
    if ("value" in raw) == ("tiers" in raw):
        raise PriceTableError(f"{where}: {region}/{key} needs exactly one of value, tiers")
    if raw["confidence"] not in CONFIDENCE:
        raise PriceTableError(f"{where}: {region}/{key} confidence must be one of {sorted(CONFIDENCE)}")
    if raw["confidence"] == "U" and raw["uncertain"] is not True:
        raise PriceTableError(f"{where}: {region}/{key} is [U] but not marked uncertain: true")
    if not isinstance(raw["read"], date):
        raise PriceTableError(f"{where}: {region}/{key} read must be a date (YYYY-MM-DD)")
    if "value" in raw:
        tiers: tuple[tuple[Decimal | None, Decimal], ...] = ((None, _d(raw["value"])),)
    else:
        tiers = tuple((None if t["up_to"] is None else _d(t["up_to"]), _d(t["value"])) for t in raw["tiers"])
        if not tiers or tiers[-1][0] is not None:
            raise PriceTableError(f"{where}: {region}/{key} last tier must have up_to: null")
    return Price(
        key=key, region=region, service=str(raw["service"]), unit=str(raw["unit"]), per=_d(raw["per"]),
        tiers=tiers, source=str(raw["source"]), via=str(raw["via"]), read=raw["read"],
        confidence=str(raw["confidence"]), uncertain=bool(raw["uncertain"]),
        free_per_month=_d(raw.get("free_per_month", 0)), free_pool=raw.get("free_pool"),
        note=raw.get("note"),
        minimum_capacity=None if raw.get("minimum_capacity") is None else _d(raw["minimum_capacity"]),
    )


def parse_price_table(data: Mapping[str, Any], where: str = "prices.yaml") -> PriceTable:
    """Check and convert a loaded price table; regional entries inherit the base region's fields."""
    try:
        base_region = data["base_region"]
        regions = data["regions"]
        table_date = data["date"]
    except (KeyError, TypeError) as exc:
        raise PriceTableError(f"{where}: missing {exc}") from None
    if not isinstance(table_date, date):
        raise PriceTableError(f"{where}: date must be YYYY-MM-DD")
    if base_region not in regions:
        raise PriceTableError(f"{where}: base region {base_region} has no prices")
    base_raw = regions[base_region]
    entries: dict[str, dict[str, Price]] = {}
    for region in sorted(regions):
        entries[region] = {}
        for key in sorted(regions[region]):
            raw = dict(regions[region][key])
            if region != base_region:
                if key not in base_raw:
                    raise PriceTableError(f"{where}: {region}/{key} has no {base_region} entry to extend")
                merged = {k: v for k, v in base_raw[key].items() if k not in ("value", "tiers")}
                merged.update(raw)
                raw = merged
            entries[region][key] = _parse_price(key, region, raw, where)
    return PriceTable(table_date, str(data.get("currency", "USD")), base_region, entries, where)


@lru_cache(maxsize=4)
def load_price_table(path: str | None = None) -> PriceTable:
    """The shipped table (or ``path``), parsed once per process."""
    import yaml

    p = Path(path) if path else PRICES_PATH
    with open(p, encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return parse_price_table(data, where=str(p.name))


def price_table_info(today: date | None = None, prices: PriceTable | None = None) -> dict[str, Any]:
    """Date of the table and, when it is more than a year older than ``today``, a warning.

    The result holds no day count, so the output only changes when the table
    becomes stale, not every day.
    """
    prices = prices or load_price_table()
    today = today or date.today()
    stale = (today - prices.date).days > STALE_AFTER_DAYS
    uncertain = sorted(k for k, p in prices.entries[prices.base_region].items() if p.uncertain)
    return {
        "date": prices.date.isoformat(),
        "currency": prices.currency,
        "base_region": prices.base_region,
        "regions": list(prices.regions),
        "stale": stale,
        "warning": (f"The price table is dated {prices.date.isoformat()}, more than a year ago: "
                    "prices may have changed; check each line's source.") if stale else None,
        "uncertain_prices": uncertain,
    }


