"""The rule catalog: discover, check and hold the rules.

Rules are YAML files, one per rule, under ``rules/`` (shipped in the wheel)
and any ``--rules-dir``. Everything that can be checked when rules load is
checked then, with the rule file's ``file:line:col``: the rule schema,
duplicate ids, the file name matching the id, unknown facts, unknown
placeholders in ``because``, options that are not options of the decision,
and the effect matching the kind. A user rule with the id of a built-in
rule replaces it (that is how to override one).

Loading the built-in catalog is cached in the user's cache folder, keyed by
the files' names, sizes and modification times and advisor's version, so a
recommendation does not re-parse ~80 YAML files on every run.
"""
from __future__ import annotations

import json
import os
import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__, catalog
from .errors import Location, Problem, RuleError, UserError
from .resources import data_dir, package_file

DECISION_OPTIONS: dict[str, tuple[str, ...]] = catalog.decision_options()
"""Options of each decision, in tie-break order, as advisor/data/decisions.yaml lists them: when scores tie, the
option listed first wins. The order puts the simpler, cheaper-to-run option first (no orchestrator before one,
a plain queue before a topic, Express before Standard, ...)."""

STANDINGS = ("limit", "need", "guidance", "cost", "simplicity")
"""The standing of each kind of reason, highest first. The engine ranks options lexicographically by them: a limit
excludes; then the highest tier whose weights tell the options apart decides, lower tiers only break its ties, and
the order of ``DECISION_OPTIONS`` breaks the ties left (rules/README.md, "Standing of reasons")."""

DECISION_ORDER = tuple(DECISION_OPTIONS)
"""The order decisions are made in (decisions.yaml's order): later ones may read earlier ones."""
_PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_0-9]+)+)\}")
_ID_RE = re.compile(r"^([A-Z][0-9]{3})")
MAX_WEIGHT = 1000
"""The largest weight a preference may give or take: the built-in rules use -3 to 3, so 1,000 leaves a user
rule room to dominate while sums of weights stay exact and finite (NaN, infinity or 10**400 would not)."""
_LIMITS_FILE = package_file("data", "limits.yaml")  # rules name its limits: part of the cache key


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str
    kind: str
    when: dict
    then: dict
    explain: dict
    references: tuple[str, ...]
    severity: str | None = None
    confidence: str | None = None
    aliases: tuple[str, ...] = ()
    standing_given: str | None = None  # as written in the file; ``standing`` derives the default
    file: str = ""
    location: Location | None = None
    builtin: bool = True

    @property
    def decision(self) -> str | None:
        return self.then.get("decision")

    @property
    def standing(self) -> str | None:
        """limit for limits; for preferences the standing written in the file, else cost for the cost area (K)
        and guidance for the rest; None for findings, which do not choose."""
        return rule_standing(self.kind, self.id, self.standing_given)

    def to_dict(self) -> dict[str, Any]:
        d = {"id": self.id, "name": self.name, "title": self.title, "kind": self.kind, "when": self.when,
             "then": self.then, "explain": self.explain, "references": list(self.references)}
        for key in ("severity", "confidence"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        if self.standing_given:
            d["standing"] = self.standing_given
        if self.aliases:
            d["aliases"] = list(self.aliases)
        return d


def rule_standing(kind: str, rule_id: str, given: str | None) -> str | None:
    if kind == "limit":
        return "limit"
    if kind != "preference":
        return None
    return given or ("cost" if rule_id.startswith("K") else "guidance")


@dataclass
class Catalog:
    rules: list[Rule] = field(default_factory=list)

    def by_id(self, rule_id: str) -> Rule | None:
        for r in self.rules:
            if r.id == rule_id or rule_id in r.aliases:
                return r
        return None

    def find(self, key: str) -> Rule | None:
        """The rule with this id (any case) or alias, or this name (as ``advisor rules list`` prints it)."""
        return self.by_id(key.upper()) or self.by_id(key) or next((r for r in self.rules if r.name == key), None)


@lru_cache(maxsize=1)
def rule_schema() -> dict:
    return json.loads(package_file("schemas", "rule.schema.json").read_text(encoding="utf-8"))


def rule_files(folder: Path) -> list[Path]:
    """Every ``*.yaml`` below ``folder``, sorted (os.walk: several times quicker than Path.rglob)."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [os.path.join(root, n) for n in names if n.endswith(".yaml") and not n.startswith(".")]
    return [Path(p) for p in sorted(found)]


def load_catalog(extra_dirs: tuple[Path, ...] | list[Path] = (), *, use_cache: bool = True) -> Catalog:
    """The built-in rules plus those of ``extra_dirs`` (later ones override by id).

    Raises ``RuleError`` with every problem of every bad rule file.
    """
    builtin = _load_builtin(use_cache)
    rules = {r.id: r for r in builtin}
    problems: list[Problem] = []
    for folder in extra_dirs:
        folder = Path(folder)
        if not folder.is_dir():
            raise RuleError(Problem("not a folder of rule files", Location(str(folder), 1, 1),
                                    hint="--rules-dir takes a folder of *.yaml rule files"))
        user_rules, user_problems = _load_folder(folder, builtin=False)
        problems += user_problems
        for r in user_rules:
            rules[r.id] = r
    if problems:
        raise RuleError(problems)
    return Catalog(sorted(rules.values(), key=lambda r: r.id))


def _load_builtin(use_cache: bool) -> list[Rule]:
    folder = data_dir("rules")
    files = rule_files(folder)
    key = None
    cache = _cache_dir() if use_cache else None
    if cache is not None:
        # Names, sizes and modification times of the rule files: any edit gives another cache file. (A checksum
        # from zlib, not hashlib: this runs on every start and only needs to tell versions apart.)
        stamp = "\n".join(f"{p}\0{st.st_size}\0{st.st_mtime_ns}" for p, st in ((p, os.stat(p)) for p in
                                                                                 (*files, _LIMITS_FILE)))
        stamp = f"{__version__}\n{folder}\n{stamp}".encode()
        key = cache / f"rules-{zlib.crc32(stamp):08x}{zlib.adler32(stamp):08x}.json"
        try:
            return [_from_cached(d) for d in json.loads(key.read_text(encoding="utf-8"))]
        except (OSError, ValueError, KeyError, TypeError):
            pass
    rules, problems = _load_folder(folder, builtin=True, files=files)
    if problems:
        raise RuleError(problems)
    if key is not None:
        _write_cache(key, json.dumps([_to_cached(r) for r in rules]))
    return rules


def _write_cache(key: Path, text: str) -> None:
    """Write the cache file atomically; on any refusal (a read-only home, a full disk) carry on without it,
    and leave no temporary file behind."""
    tmp = key.with_suffix(f".{os.getpid()}.tmp")
    try:
        key.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, key)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass  # we just load from YAML next time too


def _cache_dir() -> Path | None:
    if os.environ.get("ADVISOR_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "advisor"


def _to_cached(r: Rule) -> dict:
    d = r.to_dict()
    d["file"] = r.file
    d["location"] = r.location.to_dict() if r.location else None
    return d


def _from_cached(d: dict) -> Rule:
    loc = d.get("location")
    return Rule(id=d["id"], name=d["name"], title=d["title"], kind=d["kind"], when=d["when"], then=d["then"],
                explain=d["explain"], references=tuple(d["references"]), severity=d.get("severity"),
                confidence=d.get("confidence"), aliases=tuple(d.get("aliases", ())),
                standing_given=d.get("standing"), file=d["file"],
                location=Location(**loc) if loc else None, builtin=True)


def _load_folder(folder: Path, *, builtin: bool, files: list[Path] | None = None) -> tuple[list[Rule], list[Problem]]:
    from .yamlio import loads, read_text

    rules: list[Rule] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in files if files is not None else rule_files(folder):
        try:
            name, text = read_text(path, what="rule file", regular_only=True)
            doc = loads(text, name)
        except UserError as exc:
            problems += exc.problems
            continue
        rule, rule_problems = check_rule(doc, path, builtin=builtin)
        problems += rule_problems
        if rule is None:
            continue
        if rule.id in seen:
            problems.append(Problem(f"the rule id {rule.id} is also used by {seen[rule.id]}", doc.location(("id",)),
                                    "id", "unique rule ids", "give one of them another number"))
            continue
        seen[rule.id] = str(path)
        rules.append(rule)
    return rules, problems


def _leaf_paths(cond, path: tuple):
    """Every leaf of a condition with its path in the rule file (for positions)."""
    if not isinstance(cond, dict):
        return
    for key in ("all", "any"):
        if isinstance(cond.get(key), list):
            for i, sub in enumerate(cond[key]):
                yield from _leaf_paths(sub, path + (key, i))
            return
    if "not" in cond:
        yield from _leaf_paths(cond["not"], path + ("not",))
        return
    yield path, cond


def check_rule(doc, path: Path, *, builtin: bool = True) -> tuple[Rule | None, list[Problem]]:
    """Check one parsed rule file against the schema and the fact registry."""
    from . import facts
    from .schemacheck import Checker
    from .workload import field_path

    problems = list(doc.problems)
    data = doc.data

    def err(p: tuple, message: str, expected: str | None = None, hint: str | None = None, key: bool = False):
        problems.append(Problem(message, doc.location(p, key=key), field_path(p), expected, hint))

    if not isinstance(data, dict):
        err((), "a rule file must be a mapping", "id, name, title, kind, when, then, explain, references")
        return None, problems
    for issue in Checker(rule_schema()).check(data):
        err(issue.path, issue.message, issue.expected, issue.hint, issue.at_key)
    if problems:
        return None, problems

    m = _ID_RE.match(path.name)
    if not m or m.group(1) != data["id"]:
        err(("id",), f"the file name '{path.name}' does not start with the rule id {data['id']}",
            f"a file named {data['id']}-<slug>.yaml")
    known = facts.specs()
    used = []
    from .conditions import facts_used

    for leaf_path, leaf in _leaf_paths(data["when"], ("when",)):
        if "fact" not in leaf or "operator" not in leaf:
            err(leaf_path, "a condition leaf needs 'fact' and 'operator'", "{fact, operator, value}")
            continue
        from .operators import OPERATORS, check_value
        if OPERATORS[leaf["operator"]].takes_value and "value" not in leaf:
            err(leaf_path, f"the operator '{leaf['operator']}' needs a 'value'", "value: <literal or {fact: name}>")
            continue
        value = leaf.get("value")
        if isinstance(value, dict) and "limit" in value and value["limit"] not in catalog.limits():
            from .schemacheck import did_you_mean
            err(leaf_path + ("value",), f"unknown limit '{value['limit']}'", "a limit named in advisor/data/limits.yaml",
                did_you_mean(str(value["limit"]), list(catalog.limits())))
            continue
        spec = known.get(leaf["fact"])
        wrong = check_value(leaf["operator"], value, spec.unit if spec else None)
        if wrong:
            err(leaf_path + ("value",), wrong[0], wrong[1], wrong[2])
    for name in facts_used(data["when"]) if not problems else []:
        used.append(name)
        if name not in known:
            from .schemacheck import did_you_mean
            err(("when",), f"unknown fact '{name}'", "a fact listed by 'advisor rules facts'",
                did_you_mean(name, known))
    for name in _PLACEHOLDER.findall(data["explain"]["because"]):
        if name.startswith("limit."):
            if name[6:] not in catalog.limits():
                err(("explain", "because"), f"unknown limit '{{{name}}}'", "{limit.<name>} with a name from "
                    "advisor/data/limits.yaml")
        elif name not in known:
            err(("explain", "because"), f"unknown placeholder '{{{name}}}'", "a fact name in braces, e.g. "
                "{flow.traffic.peak}")
    if not any(not n.startswith("limit.") for n in _PLACEHOLDER.findall(data["explain"]["because"])):
        err(("explain", "because"), "the explanation names none of the user's values",
            "at least one {fact} placeholder, e.g. {flow.traffic.peak}")

    then, kind = data["then"], data["kind"]
    decision = then.get("decision")
    effects = [k for k in ("exclude", "only", "prefer") if k in then]
    if kind == "finding":
        if effects:
            err(("then",), "a finding does not choose", "no exclude, only or prefer for kind: finding", key=False)
        if "severity" not in data:
            err(("kind",), "a finding needs a severity", "severity: info, warning or error")
    else:
        if decision is None:
            err(("then",), f"a {kind} rule acts on a decision", "then.decision: one of " +
                ", ".join(DECISION_OPTIONS))
        wanted = ("exclude", "only") if kind == "limit" else ("prefer",)
        if len(effects) != 1 or effects[0] not in wanted:
            err(("then",), f"a {kind} rule needs exactly one effect of: {', '.join(wanted)}",
                " or ".join(f"then.{w}" for w in wanted))
        if decision in DECISION_OPTIONS:
            options = DECISION_OPTIONS[decision]
            for effect in effects:
                values = then[effect]
                names = values.keys() if isinstance(values, dict) else values
                for opt in names:
                    if opt not in options:
                        from .schemacheck import did_you_mean
                        err(("then", effect), f"'{opt}' is not an option of {decision}", "one of " +
                            ", ".join(options), did_you_mean(opt, options))
                if effect == "prefer":
                    for opt, weight in values.items():
                        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                            err(("then", "prefer", opt), f"the weight of '{opt}' is not a number", "a number")
                        elif not -MAX_WEIGHT <= weight <= MAX_WEIGHT:  # also false for NaN
                            err(("then", "prefer", opt), f"the weight of '{opt}' is {weight:.3g}",
                                f"a finite number from -{MAX_WEIGHT} to {MAX_WEIGHT}",
                                "the built-in rules weigh from -3 to 3; a weight ranks options within its standing")
    if "standing" in data and kind != "preference":
        err(("standing",), f"a {kind} rule has no standing to give", "standing only on kind: preference",
            "remove 'standing': a limit always outranks preferences and a finding does not choose")
    if builtin and data["id"][1] == "9":
        err(("id",), "ids 9xx are kept for user rules", "an id outside the 9xx range")
    if problems:
        return None, problems
    return Rule(id=data["id"], name=data["name"], title=data["title"], kind=kind, when=data["when"], then=then,
                explain=data["explain"], references=tuple(data["references"]), severity=data.get("severity"),
                confidence=data.get("confidence"), aliases=tuple(data.get("aliases", ())),
                standing_given=data.get("standing"), file=str(path),
                location=doc.location(()), builtin=builtin), problems
