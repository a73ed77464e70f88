"""Validate one policy file (a `YNode` tree) and turn it into a `Layer` of settings.

Every problem is collected, none stops the others, and each is one line:
`file:line:column: what is wrong (did you mean 'verdict'?)`. Selector values are checked
against what the knowledge base actually holds (licence ids and aliases, families,
categories, restriction and obligation ids, governing laws), so a typo cannot silently
match nothing. `load.py` merges the layers of an `extends` chain into a `Policy`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from licensecheck.knowledge.model import (
    CATEGORIES,
    OBLIGATION_IDS,
    TERMINATION_IDS,
    USES,
    Terms,
)
from licensecheck.knowledge.store import KnowledgeBase
from licensecheck.policy import regions
from licensecheck.policy.keys import TOP_KEYS
from licensecheck.policy.model import SELECTOR_KEYS, Match, Rule, Waiver
from licensecheck.policy.yamlsource import BadDate, YEntry, YNode
from licensecheck.redact import one_line, redact
from licensecheck.results import VERDICTS

POLICY_VERSION = 1
FAIL_ON = ("review", "deny")
SECTORS = ("private", "government", "defense", "academic", "nonprofit")
UNKNOWN_ID = "unknown"

ORGANISATION_KEYS = (
    "monthly_active_users",
    "monthly_revenue_usd",
    "annual_revenue_usd",
    "jurisdictions",
    "use_regions",
    "sector",
    "registrations",
    "authorisations",
)
COUNT_KEYS = ("monthly_active_users", "monthly_revenue_usd", "annual_revenue_usd")
RULE_KEYS = ("match", "uses", "verdict", "reason")
EXCEPTION_KEYS = ("model", "uses", "verdict", "reason", "approved_by", "expires")
USE_DEF_KEYS = ("like", "description")
VERDICT_KEYS = (
    "unknown_license",
    "license_conflict",
    "modified_license",
    "unverified_license",
    "unreadable_license_file",
    "otherwise",
)

# Sections that may be left empty (`organisation:` followed only by comments).
NULLABLE = ("organisation", "uses_defined", "rules", "exceptions")

_USE_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_PUBLISHER = re.compile(r"^[A-Za-z0-9*?\[\]][A-Za-z0-9*?\[\]._-]*$")


@dataclass(frozen=True)
class Vocabulary:
    """The selector values the knowledge base gives meaning to."""

    kb: KnowledgeBase
    families: tuple[str, ...]
    categories: tuple[str, ...]
    restrictions: tuple[str, ...]
    obligations: tuple[str, ...]
    laws: tuple[str, ...]
    terminations: tuple[str, ...] = TERMINATION_IDS


def all_terms(kb: KnowledgeBase) -> Iterable[Terms]:
    for lic in kb:
        if lic.terms is not None:
            yield lic.terms
        for version in lic.versions:
            if version.terms is not None:
                yield version.terms


def vocabulary(kb: KnowledgeBase) -> Vocabulary:
    restrictions: set[str] = set()
    obligations: set[str] = set(OBLIGATION_IDS)
    for terms in all_terms(kb):
        restrictions.update(r.id for r in terms.restrictions)
        obligations.update(o.id for o in terms.obligations)
        obligations.update(c.obligation.id for c in terms.conditions if c.obligation)
    return Vocabulary(
        kb=kb,
        families=tuple(sorted({lic.family for lic in kb if lic.family})),
        categories=tuple(sorted(set(CATEGORIES) | {lic.category for lic in kb})),
        restrictions=tuple(sorted(restrictions)),
        obligations=tuple(sorted(obligations)),
        laws=tuple(
            sorted({regions.normalise(lic.governing_law) for lic in kb if lic.governing_law})
        ),
    )


@dataclass
class Layer:
    """What one policy file sets. Unset top-level fields are absent from `fields`."""

    display: str
    data: bytes
    fields: dict[str, Any] = field(default_factory=dict)
    organisation: dict[str, Any] = field(default_factory=dict)
    uses_defined: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (like, text)
    rules: list[Rule] = field(default_factory=list)
    exceptions: list[Waiver] = field(default_factory=list)


SHOWN_CHARS = 32  # the most of a file's text an error message quotes


def quote(value: object) -> str:
    """A value from the file as a message quotes it: one line, redacted, at most
    `SHOWN_CHARS` characters. A file given as a policy may be anything (a private key
    behind `extends`): a message names the place, it never reproduces the file."""
    if not isinstance(value, str):
        return one_line(repr(value), SHOWN_CHARS)  # a number, a boolean: as written
    text = one_line(redact(value), 10 * SHOWN_CHARS)
    if len(text) > SHOWN_CHARS:
        text = text[: SHOWN_CHARS - 1] + "…"
    return repr(text)


def suggestion(value: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, or nothing."""
    pool = list(candidates)
    lowered = {c.lower(): c for c in pool}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


def _type_name(node: YNode) -> str:
    if node.kind == "map":
        return "a mapping"
    if node.kind == "seq":
        return "a list"
    value = node.value
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, dt.date | BadDate):
        return "a date"
    return f"{quote(value)}"


class Validator:
    """Checks one file. `defined_uses` are the custom uses its parents already define."""

    def __init__(self, display: str, vocab: Vocabulary, defined_uses: dict[str, str]) -> None:
        self.display = display
        self.vocab = vocab
        self.defined_uses = dict(defined_uses)
        self._found: list[tuple[int, int, str]] = []

    # --- reporting ---------------------------------------------------------------------

    @property
    def problems(self) -> list[str]:
        """Every problem found, in the order of the file."""
        ordered = sorted(self._found, key=lambda p: (p[0], p[1]))
        return [f"{self.display}:{line}:{column}: {message}" for line, column, message in ordered]

    def problem(self, line: int, column: int, message: str) -> None:
        self._found.append((line, column, message))

    def at(self, node: YNode, message: str) -> None:
        self.problem(node.line, node.column, message)

    # --- generic shapes ----------------------------------------------------------------

    def mapping(self, node: YNode, what: str, allowed: tuple[str, ...]) -> dict[str, YEntry]:
        """The entries of a mapping, with unknown keys reported (and left out)."""
        if node.kind == "scalar" and node.value is None and what in NULLABLE:
            return {}  # a key whose entries are all commented out
        if node.kind != "map":
            self.at(node, f"{what} must be a mapping, not {_type_name(node)}")
            return {}
        entries: dict[str, YEntry] = node.value
        known = {}
        for key, entry in entries.items():
            if key in allowed:
                known[key] = entry
            else:
                self.problem(
                    entry.line,
                    entry.column,
                    f"unknown key {quote(key)} in {what}{suggestion(key, allowed)}",
                )
        return known

    def string(self, node: YNode, what: str) -> str | None:
        value = node.value
        if node.kind == "scalar" and value is not None and not isinstance(value, str):
            # YAML 1.1 reads NO (Norway) as false and 2024 as a number: where a string is
            # expected, the text as written is what was meant.
            value = node.text
        if node.kind != "scalar" or not isinstance(value, str) or not value.strip():
            self.at(node, f"{what} must be a non-empty string, not {_type_name(node)}")
            return None
        return value.strip()

    def choice(self, node: YNode, what: str, choices: Iterable[str]) -> str | None:
        pool = tuple(choices)
        value = self.string(node, what)
        if value is None:
            return None
        if value not in pool:
            listed = ", ".join(pool)
            self.at(
                node,
                f"{what} {quote(value)} is not one of {listed}{suggestion(value, pool)}",
            )
            return None
        return value

    def strings(self, node: YNode, what: str) -> list[tuple[str, YNode]]:
        """A list of strings; one string alone counts as a list of one."""
        items = [node] if node.kind == "scalar" and node.value is not None else None
        if items is None:
            if node.kind != "seq":
                self.at(node, f"{what} must be a list of strings, not {_type_name(node)}")
                return []
            items = node.value
            if not items:
                self.at(node, f"{what} is an empty list")
                return []
        out = []
        for item in items:
            value = self.string(item, f"each entry of {what}")
            if value is not None:
                out.append((value, item))
        return out

    def count(self, node: YNode, what: str) -> int | None:
        value = node.value if node.kind == "scalar" else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.at(node, f"{what} must be a whole number (e.g. 5000000), not {_type_name(node)}")
            return None
        if value < 0:
            self.at(node, f"{what} must not be negative")
            return None
        return value

    def date(self, node: YNode, what: str) -> dt.date | None:
        value = node.value if node.kind == "scalar" else None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        shown = value.text if isinstance(value, BadDate) else None
        detail = (
            f" ({quote(shown)} is not a calendar date)" if shown else f", not {_type_name(node)}"
        )
        self.at(node, f"{what} must be a date as YYYY-MM-DD{detail}")
        return None

    # --- uses --------------------------------------------------------------------------

    def all_uses(self) -> tuple[str, ...]:
        return (*USES, *self.defined_uses)

    def uses(self, node: YNode, what: str) -> tuple[str, ...] | None:
        out = []
        for value, item in self.strings(node, what):
            if value in self.all_uses():
                out.append(value)
            else:
                self.at(
                    item,
                    f"unknown use {quote(value)} in {what}; uses are {', '.join(self.all_uses())}"
                    f"{suggestion(value, self.all_uses())}",
                )
        return tuple(dict.fromkeys(out)) if out else None

    # --- the document ------------------------------------------------------------------

    def document(self, root: YNode, layer: Layer) -> None:
        top = self.mapping(root, "the policy", TOP_KEYS)
        if "version" in top:
            node = top["version"].node
            if (
                node.kind != "scalar"
                or node.value != POLICY_VERSION
                or isinstance(node.value, bool)
            ):
                self.at(
                    node,
                    f"unsupported policy version {quote(node.value)}; this licensecheck reads 1",
                )
        for key in ("name", "description"):
            if key in top:
                value = self.string(top[key].node, key)
                if value is not None:
                    layer.fields[key] = value
        if "extends" in top:
            self.string(top["extends"].node, "extends")  # resolved by load.py
        if "uses_defined" in top:
            self.uses_defined(top["uses_defined"].node, layer)
        if "organisation" in top:
            self.organisation(top["organisation"].node, layer)
        if "uses" in top:
            uses = self.uses(top["uses"].node, "uses")
            if uses:
                layer.fields["uses"] = uses
        if "fail_on" in top:
            fail_on = self.choice(top["fail_on"].node, "fail_on", FAIL_ON)
            if fail_on:
                layer.fields["fail_on"] = fail_on
        for key in VERDICT_KEYS:
            if key in top:
                verdict = self.choice(top[key].node, key, VERDICTS)
                if verdict:
                    layer.fields[key] = verdict
        if "rules" in top:
            self.rules(top["rules"].node, layer)
        if "exceptions" in top:
            self.exceptions(top["exceptions"].node, layer)

    def uses_defined(self, node: YNode, layer: Layer) -> None:
        if node.kind == "scalar" and node.value is None:
            return
        if node.kind != "map":
            self.at(node, f"uses_defined must be a mapping of use names, not {_type_name(node)}")
            return
        entry: YEntry
        for name, entry in node.value.items():
            if name in USES:
                self.problem(entry.line, entry.column, f"{quote(name)} is a built-in use already")
                continue
            if not _USE_NAME.match(name):
                self.problem(
                    entry.line,
                    entry.column,
                    f"use name {quote(name)} must be lower case letters, digits, '-' or '_'",
                )
                continue
            fields = self.mapping(entry.node, f"uses_defined.{name}", USE_DEF_KEYS)
            if "like" not in fields:
                self.at(entry.node, f"uses_defined.{name} needs 'like' (one of {', '.join(USES)})")
                continue
            like = self.choice(fields["like"].node, f"uses_defined.{name}.like", USES)
            description = ""
            if "description" in fields:
                description = self.string(fields["description"].node, "description") or ""
            if like:
                layer.uses_defined[name] = (like, description)
                self.defined_uses[name] = like

    def organisation(self, node: YNode, layer: Layer) -> None:
        fields = self.mapping(node, "organisation", ORGANISATION_KEYS)
        facts = layer.organisation
        for key, entry in fields.items():
            what = f"organisation.{key}"
            if key in COUNT_KEYS:
                number = self.count(entry.node, what)
                if number is not None:
                    facts[key] = number
            elif key in ("jurisdictions", "use_regions"):
                codes = []
                for value, item in self.strings(entry.node, what):
                    if regions.is_region_code(value):
                        codes.append(regions.normalise(value))
                    else:
                        self.at(
                            item,
                            f"{what}: {quote(value)} is not a region code (ISO 3166 like DE, US-CA, "
                            "or a group like EU)",
                        )
                if codes:
                    facts[key] = tuple(dict.fromkeys(codes))
            elif key == "sector":
                sector = self.choice(entry.node, what, SECTORS)
                if sector:
                    facts[key] = sector
            else:  # registrations, authorisations: licence ids
                ids = [self.license_id(v, item, what) for v, item in self.strings(entry.node, what)]
                facts[key] = tuple(dict.fromkeys(i for i in ids if i))

    # --- rules -------------------------------------------------------------------------

    def rules(self, node: YNode, layer: Layer) -> None:
        if node.kind == "scalar" and node.value is None:
            return
        if node.kind != "seq":
            self.at(node, f"rules must be a list, not {_type_name(node)}")
            return
        for item in node.value:
            rule = self.rule(item)
            if rule is not None:
                layer.rules.append(rule)

    def rule(self, node: YNode) -> Rule | None:
        fields = self.mapping(node, "a rule", RULE_KEYS)
        if node.kind != "map":
            return None
        ok = True
        if "verdict" not in fields:
            self.at(node, "a rule needs 'verdict' (allow, review or deny)")
            ok = False
        verdict = (
            self.choice(fields["verdict"].node, "verdict", VERDICTS)
            if "verdict" in fields
            else None
        )
        selectors: dict[str, tuple[str, ...]] = {}
        if "match" in fields:
            match = self.match(fields["match"].node)
            if match is None:
                ok = False
            else:
                selectors = match
        uses = None
        if "uses" in fields:
            uses = self.uses(fields["uses"].node, "the rule's uses")
            ok = ok and uses is not None
        reason = self.string(fields["reason"].node, "reason") if "reason" in fields else None
        if not ok or verdict is None:
            return None
        return Rule(
            match=Match(selectors),
            verdict=verdict,
            uses=uses,
            reason=reason,
            location=f"{self.display}:{node.line}",
        )

    def match(self, node: YNode) -> dict[str, tuple[str, ...]] | None:
        fields = self.mapping(node, "match", SELECTOR_KEYS)
        if node.kind != "map":
            return None
        ok = len(fields) == len(node.value)
        selectors: dict[str, tuple[str, ...]] = {}
        for key, entry in fields.items():
            values = self.strings(entry.node, f"match.{key}")
            if not values:
                ok = False
                continue
            checked = [self.selector_value(key, v, item) for v, item in values]
            if any(c is None for c in checked):
                ok = False
                continue
            selectors[key] = tuple(dict.fromkeys(c for c in checked if c is not None))
        return selectors if ok else None

    def license_id(self, value: str, node: YNode, what: str) -> str | None:
        if value.lower() == UNKNOWN_ID:
            return UNKNOWN_ID
        lic = self.vocab.kb.resolve(value)
        if lic is not None:
            return lic.id
        self.at(
            node, f"{what}: unknown licence {quote(value)}{suggestion(value, self.vocab.kb.ids())}"
        )
        return None

    def selector_value(self, key: str, value: str, node: YNode) -> str | None:
        what = f"match.{key}"
        pools: dict[str, tuple[str, ...]] = {
            "family": self.vocab.families,
            "category": self.vocab.categories,
            "restriction": self.vocab.restrictions,
            "obligation": self.vocab.obligations,
            "termination": self.vocab.terminations,
        }
        if key == "license":
            return self.license_id(value, node, what)
        if key in pools:
            pool = pools[key]
            if value in pool:
                return value
            self.at(node, f"{what}: unknown {key} {quote(value)}{suggestion(value, pool)}")
            return None
        if key == "governing_law":
            law = regions.normalise(value)
            if any(regions.law_matches(law, known) for known in self.vocab.laws):
                return law
            self.at(
                node,
                f"{what}: no known licence is governed by {quote(value)} law"
                f"{suggestion(law, self.vocab.laws)}",
            )
            return None
        if key == "publisher":
            if _PUBLISHER.match(value):
                return value
            self.at(node, f"{what}: {quote(value)} is not a Hub organisation name")
            return None
        return value  # model: a glob, any string

    # --- exceptions --------------------------------------------------------------------

    def exceptions(self, node: YNode, layer: Layer) -> None:
        if node.kind == "scalar" and node.value is None:
            return
        if node.kind != "seq":
            self.at(node, f"exceptions must be a list, not {_type_name(node)}")
            return
        for item in node.value:
            waiver = self.exception(item)
            if waiver is not None:
                layer.exceptions.append(waiver)

    def exception(self, node: YNode) -> Waiver | None:
        fields = self.mapping(node, "an exception", EXCEPTION_KEYS)
        if node.kind != "map":
            return None
        missing = [
            k for k in ("model", "verdict", "reason", "approved_by", "expires") if k not in fields
        ]
        if missing:
            self.at(node, f"an exception needs {', '.join(repr(k) for k in missing)}")
        values: dict[str, Any] = {}
        readers: dict[str, Callable[[YNode], Any]] = {
            "model": lambda n: self.string(n, "model"),
            "verdict": lambda n: self.choice(n, "verdict", VERDICTS),
            "reason": lambda n: self.string(n, "reason"),
            "approved_by": lambda n: self.string(n, "approved_by"),
            "expires": lambda n: self.date(n, "expires"),
            "uses": lambda n: self.uses(n, "the exception's uses"),
        }
        for key, entry in fields.items():
            values[key] = readers[key](entry.node)
        if missing or any(v is None for v in values.values()):
            return None
        return Waiver(
            model=values["model"],
            verdict=values["verdict"],
            reason=values["reason"],
            approved_by=values["approved_by"],
            expires=values["expires"].isoformat(),
            uses=values.get("uses"),
            location=f"{self.display}:{node.line}",
        )
