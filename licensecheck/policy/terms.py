"""The licence layer: what each effective licence says about one use, for this organisation.

For every licence the knowledge base knows, the use is granted, conditional or not granted.
Conditions are evaluated against the policy's `organisation` facts: a broken condition
denies (naming the clause and the figures), a missing fact asks for review (naming the
policy key to fill in), a met one allows, with the licence's obligations. Conditions with
`effect: obligation` add an obligation instead of denying. Restrictions that rule out the
use as a whole deny; the others are listed, because they bind the use all the same.

Nothing licence-specific lives here: the facts come from `knowledge/licenses/*.yaml`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass

from licensecheck.identify.types import UNKNOWN
from licensecheck.knowledge.model import Condition, License, Obligation, Terms
from licensecheck.knowledge.store import KnowledgeBase
from licensecheck.policy import regions
from licensecheck.policy.model import Organisation, Subject
from licensecheck.results import ObligationItem, Reason, most_severe

# Condition kind -> (organisation fact, how the figure reads, formatter).
_THRESHOLDS: dict[str, tuple[str, str, Callable[[int], str]]] = {
    "max-monthly-active-users": (
        "monthly_active_users",
        "monthly active users",
        lambda n: f"{n:,}",
    ),
    "max-monthly-revenue-usd": ("monthly_revenue_usd", "monthly revenue", lambda n: f"${n:,}"),
    "max-annual-revenue-usd": ("annual_revenue_usd", "annual revenue", lambda n: f"${n:,}"),
}
_REGIONS: dict[str, tuple[str, str]] = {
    # kind -> (policy key, what the regions are)
    "excluded-jurisdictions": ("jurisdictions", "established in"),
    "excluded-use-regions": ("use_regions", "using the model in"),
}
_LISTED: dict[str, tuple[str, str, str]] = {
    # kind -> (policy key, what is needed, verdict while the licence is not listed). A list
    # the policy leaves out counts as empty: an organisation knows what it registered for or
    # holds in writing. Registration is a formality (review); authorisation is the
    # licensor's to give or refuse (deny, as ../shared/spec/licenses.md concludes for Yi).
    "registration": ("registrations", "registration with the licensor", "review"),
    "written-authorisation": ("authorisations", "written authorisation from the licensor", "deny"),
}


@dataclass(frozen=True)
class Assessment:
    """What one licence says about one use."""

    license: str  # the licence id, or the unresolved name for a licence the KB lacks
    known: bool
    verdict: str
    reasons: tuple[Reason, ...] = ()
    obligations: tuple[ObligationItem, ...] = ()


def cite(lic: License, clause: str | None) -> str:
    """Name a clause: `Llama 3.1 Community License Agreement §2`, or `... AUP 1.a`."""
    if not clause:
        return lic.name
    return f"{lic.name} §{clause}" if clause[0].isdigit() else f"{lic.name} {clause}"


def _obligation_item(lic: License, ob: Obligation) -> ObligationItem:
    return ObligationItem(id=ob.id, license=lic.id, text=ob.text, clause=ob.clause, when=ob.when)


@dataclass(frozen=True)
class Bound:
    """A licence that binds the subject, as far as the knowledge base knows it."""

    name: str  # the id (or the unresolved name when `license` is None)
    license: License | None
    version: str | None = None
    via: str | None = None  # the licence whose text incorporates this one


def binding_licences(kb: KnowledgeBase, subject: Subject) -> list[Bound]:
    """Every effective licence, in the subject's order, each followed by the licences its
    terms incorporate (CogVLM2's brings in Llama 3's), each once."""
    own_id = subject.determination.id
    own = kb.resolve(own_id) if own_id != UNKNOWN else None
    out: list[Bound] = []
    seen: set[str] = set()

    def visit(name: str, via: str | None) -> None:
        lic = kb.resolve(name) if name != UNKNOWN else None
        key = lic.id if lic is not None else name
        if key in seen:
            return
        seen.add(key)
        # The determination knows the version of the model's own licence (Yi v1.0 vs v2.1);
        # inherited licences are judged by their default terms.
        version = subject.determination.version if lic is not None and lic is own else None
        out.append(Bound(key, lic, version, via))
        terms = lic.terms_for(version) if lic is not None else None
        for other in terms.incorporates if terms is not None else ():
            visit(other, key)

    for name in subject.effective_licenses or (UNKNOWN,):
        visit(name, None)
    return out


def assess_subject(
    kb: KnowledgeBase, subject: Subject, use: str, org: Organisation
) -> list[Assessment]:
    """One assessment per binding licence. `use` is a built-in use."""
    out = []
    for bound in binding_licences(kb, subject):
        if bound.license is None:
            out.append(Assessment(license=bound.name, known=False, verdict="review"))
        else:
            out.append(assess(bound.license, bound.version, use, org, subject))
    return out


def assess(
    lic: License, version: str | None, use: str, org: Organisation, subject: Subject
) -> Assessment:
    terms = lic.terms_for(version)
    if terms is None:
        reason = Reason(
            rule=f"terms:{lic.id}:grant",
            message=f"the knowledge base holds no terms for {lic.name} ({lic.kind})",
            verdict="review",
            license=lic.id,
        )
        return Assessment(lic.id, True, "review", (reason,))
    return _Assessor(lic, terms, use, org, subject).run()


class _Assessor:
    def __init__(
        self, lic: License, terms: Terms, use: str, org: Organisation, subject: Subject
    ) -> None:
        self.lic, self.terms, self.use, self.org, self.subject = lic, terms, use, org, subject
        self.reasons: list[Reason] = []
        self.obligations: list[ObligationItem] = []

    def add(self, rule: str, verdict: str, message: str, clause: str | None = None) -> None:
        self.reasons.append(
            Reason(rule=rule, message=message, verdict=verdict, clause=clause, license=self.lic.id)
        )

    def run(self) -> Assessment:
        lic, use = self.lic, self.use
        grant = self.terms.uses.get(use)
        if grant is None:
            self.add(
                f"terms:{lic.id}:grant",
                "review",
                f"the knowledge base does not say whether {lic.name} grants {use} use",
            )
        elif grant.grant == "not-granted":
            note = f" ({grant.note})" if grant.note else ""
            self.add(
                f"terms:{lic.id}:grant",
                "deny",
                f"{cite(lic, grant.clause)}: {use} use is not granted{note}",
                grant.clause,
            )
        else:
            how = "" if grant.grant == "granted" else " under conditions"
            note = f" ({grant.note})" if grant.note else ""
            self.add(
                f"terms:{lic.id}:grant",
                "allow",
                f"{cite(lic, grant.clause)} grants {use} use{how}{note}",
                grant.clause,
            )
            self.conditions(conditional=grant.grant == "conditional")
        self.restrictions()
        verdict = most_severe([r.verdict for r in self.reasons])
        if verdict != "deny":
            self.obligations[:0] = [_obligation_item(lic, ob) for ob in self.terms.obligations]
        return Assessment(lic.id, True, verdict, tuple(self.reasons), tuple(self.obligations))

    # --- conditions ----------------------------------------------------------------------

    def conditions(self, conditional: bool) -> None:
        relevant = [
            c for c in self.terms.conditions if not c.applies_to or self.use in c.applies_to
        ]
        if conditional and not relevant:
            # "conditional" with no condition the engine can check: fail closed.
            self.add(
                f"terms:{self.lic.id}:grant",
                "review",
                f"{self.lic.name} grants {self.use} use under conditions the knowledge base "
                "does not spell out",
            )
        for cond in relevant:
            self.condition(cond)

    def condition(self, cond: Condition) -> None:
        rule = f"terms:{self.lic.id}:{cond.id}"
        where = cite(self.lic, cond.clause)
        multimodal_only = cond.scope == "multimodal"
        if multimodal_only and not self.subject.multimodal and self.subject.modality_known:
            self.add(
                rule,
                "allow",
                f"{where} applies to multimodal models only; this model takes text only",
                cond.clause,
            )
            return
        outcome, detail = self.test(cond)
        if outcome == "broken" and multimodal_only and not self.subject.multimodal:
            # The clause would bite, but nothing says whether the model takes images.
            self.add(
                rule,
                "review",
                f"{where}: {detail}, and this clause covers multimodal models; nothing in the "
                "card (pipeline_tag, tags) says whether this model takes images, audio or video",
                cond.clause,
            )
            return
        if cond.effect == "obligation":
            self.obligation_condition(cond, rule, where, outcome, detail)
            return
        broken = "review" if cond.effect == "review" else "deny"
        verdict = {"met": "allow", "broken": broken}.get(outcome, outcome)
        if outcome == "broken" and broken == "review":
            detail += f"; the licence is not clear on {self.use} use here: {cond.text}"
        self.add(rule, verdict, f"{where}: {detail}", cond.clause)

    def obligation_condition(
        self, cond: Condition, rule: str, where: str, outcome: str, detail: str
    ) -> None:
        item = None
        if cond.obligation is not None:
            ob = cond.obligation
            item = ObligationItem(
                id=ob.id,
                license=self.lic.id,
                text=ob.text,
                clause=ob.clause or cond.clause,
                when=ob.when if ob.when != "always" else "threshold",
            )
        if outcome == "met":
            self.add(rule, "allow", f"{where}: {detail}; no obligation follows", cond.clause)
            return
        if item is not None and item not in self.obligations:
            self.obligations.append(item)
        what = f"obligation {item.id!r} ({item.text})" if item else "an obligation"
        if outcome == "broken":
            self.add(rule, "allow", f"{where}: {detail}, so {what} applies", cond.clause)
        else:
            # A missing fact: the use is allowed either way; list the obligation in case.
            self.add(
                rule,
                "allow",
                f"{where}: {detail}; {what} is listed in case it applies",
                cond.clause,
            )

    def test(self, cond: Condition) -> tuple[str, str]:
        """("met" | "broken" | "review" | "deny", what the figures say)."""
        if cond.kind in _THRESHOLDS:
            return self.threshold(cond)
        if cond.kind in _REGIONS:
            return self.regions(cond)
        if cond.kind in _LISTED:
            return self.listed(cond)
        if cond.kind == "organisation-sector":
            return self.sector(cond)
        if cond.kind == "named-model":
            return self.named(cond)
        return "review", f"cannot evaluate a condition of kind {cond.kind!r}: {cond.text}"

    def threshold(self, cond: Condition) -> tuple[str, str]:
        key, label, fmt = _THRESHOLDS[cond.kind]
        if cond.value is None:
            return "review", f"the knowledge base gives no limit for {label}"
        limit = fmt(cond.value)
        measured = f" (measured: {cond.measured.strip().rstrip('.')})" if cond.measured else ""
        fact: int | None = getattr(self.org, key)
        if fact is None:
            return (
                "review",
                f"{label} above {limit} change the terms{measured}; "
                f"organisation.{key} is not given",
            )
        if fact > cond.value:
            return "broken", f"{fmt(fact)} {label} exceeds {limit}{measured}"
        return "met", f"{fmt(fact)} {label} within {limit}"

    def regions(self, cond: Condition) -> tuple[str, str]:
        key, verb = _REGIONS[cond.kind]
        excluded = ", ".join(cond.regions) or "(none)"
        # Where the models are used is its own fact: where the organisation is established
        # does not say where its users are (a US firm may serve the EU).
        places = self.org.jurisdictions if key == "jurisdictions" else self.org.use_regions
        if places is None:
            return (
                "review",
                f"the licence excludes those {verb} {excluded}; organisation.{key} is not "
                "given: say where the models and their outputs are used",
            )
        definite = []
        possible = []
        for place in places:
            for region in cond.regions:
                relation = regions.relation(place, region)
                if relation == regions.DEFINITE:
                    definite.append(place if place == region else f"{place} (in {region})")
                elif relation == regions.POSSIBLE:
                    possible.append(f"{place} may include {region}")
        if definite:
            return (
                "broken",
                f"organisation {verb} {', '.join(definite)}, which the licence excludes",
            )
        if possible:
            return (
                "review",
                f"the licence excludes {excluded}; organisation.{key} "
                f"{', '.join(possible)}: name the countries",
            )
        return "met", f"organisation {verb} {', '.join(places)}, outside {excluded}"

    def sector(self, cond: Condition) -> tuple[str, str]:
        granted = ", ".join(cond.sectors) or "no sector outright"
        sector = self.org.sector
        if sector is None:
            open_ = ", ".join(cond.review_sectors)
            unclear = f" and is a question for {open_}" if open_ else ""
            return (
                "review",
                f"the licence grants {self.use} use to {granted}{unclear}; "
                "organisation.sector is not given",
            )
        if sector in cond.sectors:
            return "met", f"organisation.sector {sector} is one the licence grants ({granted})"
        if sector in cond.review_sectors:
            return (
                "review",
                f"organisation.sector {sector}: the licence grants {granted} and is not clear "
                f"on {sector}: {cond.text}",
            )
        return (
            "broken",
            f"organisation.sector {sector} is outside what the licence grants: {cond.text}",
        )

    def named(self, cond: Condition) -> tuple[str, str]:
        """Broken (the clause applies) when the model or one of its bases has such a name."""
        names = [self.subject.model, *(link.model for link in self.subject.lineage)]
        for name in names:
            # The repo's own name (after the organisation or the directory path).
            own = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].lower()
            if any(fnmatch.fnmatchcase(own, g.lower()) for g in cond.models):
                return "broken", f"{name} is one of the models the clause names"
        return "met", f"neither the model nor its bases are named like {', '.join(cond.models)}"

    def listed(self, cond: Condition) -> tuple[str, str]:
        key, needed, missing_verdict = _LISTED[cond.kind]
        held: tuple[str, ...] = getattr(self.org, key) or ()
        if self.lic.id in held:
            return "met", f"{needed} recorded in organisation.{key}"
        return (
            missing_verdict,
            f"{self.use} use needs {needed}; organisation.{key} does not list {self.lic.id!r}",
        )

    # --- restrictions --------------------------------------------------------------------

    def restrictions(self) -> None:
        binding = []
        for r in self.terms.restrictions:
            if self.use in r.denies:
                self.add(
                    f"restriction:{r.id}",
                    "deny",
                    f"{cite(self.lic, r.clause)}: restriction {r.id} rules out {self.use} use: "
                    f"{r.text}",
                    r.clause,
                )
            elif self.use in r.reviews:
                self.add(
                    f"restriction:{r.id}",
                    "review",
                    f"{cite(self.lic, r.clause)}: restriction {r.id} covers part of "
                    f"{self.use} use; check the use case: {r.text}",
                    r.clause,
                )
            else:
                binding.append(r.id)
        if binding:
            # Listed once: they bind this use too, but only a use case can break them.
            sources = {r.source for r in self.terms.restrictions if r.id in binding}
            policy = " and its use policy" if "aup" in sources else ""
            self.add(
                f"terms:{self.lic.id}:restrictions",
                "allow",
                f"field-of-use restrictions in the {self.lic.name}{policy} bind this use too: "
                f"{', '.join(binding)}",
            )
