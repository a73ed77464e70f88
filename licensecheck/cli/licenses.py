"""`licensecheck licenses [ID]`: the licences the tool knows, or one licence's terms with
the clause behind each fact (grants per use, conditions, restrictions, obligations).

The data side is plain dicts (`summary_dict`, `license_dict`), which the JSON output prints
as they are and the text output renders; other commands (explain, notice) can reuse them.
rich draws the list as a table only when stdout is a terminal; otherwise the output is plain,
aligned text, byte-identical from run to run.
"""

from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING, Any

import click

from licensecheck.errors import UsageError
from licensecheck.knowledge.model import CATEGORIES, KINDS, USES

if TYPE_CHECKING:
    from licensecheck.knowledge.model import License, Terms
    from licensecheck.knowledge.store import KnowledgeBase

THRESHOLD_KINDS = ("max-monthly-active-users", "max-monthly-revenue-usd", "max-annual-revenue-usd")
# One line per licence: the grant for every use in a short cell, the name last (on a
# terminal cut at its edge, so that the uses fit 80 columns). Category and family are in
# `--format json` and `licenses ID`, and filter the list (--category, --family).
LIST_COLUMNS = (
    ("id", "ID"),
    ("research", "RESEARCH"),
    ("commercial", "COMMERCIAL"),
    ("government", "GOVERNMENT"),
    ("defense", "DEFENSE"),
    ("name", "NAME"),
)
SHORT_GRANT = {"granted": "yes", "conditional": "cond", "not-granted": "no"}


# --- data ---------------------------------------------------------------------------------


def use_grant(lic: License, use: str) -> str:
    """The licence-level grant for `use`, or the document kind for an AUP or notice."""
    if lic.terms is None:
        return f"({lic.kind})"
    grant = lic.terms.uses.get(use)
    return grant.grant if grant is not None else "-"


def commercial_grant(lic: License) -> str:
    return use_grant(lic, "commercial")


def summary_dict(lic: License) -> dict[str, Any]:
    from licensecheck.knowledge.model import USES

    return {
        "id": lic.id,
        "name": lic.name,
        "kind": lic.kind,
        "category": lic.category,
        "family": lic.family,
        "commercial": commercial_grant(lic),
        "uses": {use: use_grant(lic, use) for use in USES},
        "spdx": lic.spdx,
    }


def _list_cells(row: dict[str, Any]) -> list[str]:
    cells = []
    for key, _ in LIST_COLUMNS:
        value = row["uses"].get(key) if key in row["uses"] else row[key]
        if key in row["uses"]:
            value = SHORT_GRANT.get(str(value), value)
        cells.append(str(value if value is not None else "-"))
    return cells


def terms_dict(terms: Terms) -> dict[str, Any]:
    def obligation(o: Any) -> dict[str, Any]:
        return {"id": o.id, "text": o.text, "clause": o.clause, "when": o.when}

    return {
        "derivatives_bound": terms.derivatives_bound,
        "uses": {
            use: {"grant": g.grant, "clause": g.clause, "note": g.note}
            for use in USES
            if (g := terms.uses.get(use)) is not None
        },
        "conditions": [
            {
                "id": c.id,
                "kind": c.kind,
                "applies_to": list(c.applies_to),
                "clause": c.clause,
                "text": c.text,
                "value": c.value,
                "regions": list(c.regions),
                "measured": c.measured,
                "effect": c.effect,
                "obligation": obligation(c.obligation) if c.obligation else None,
                "scope": c.scope,
                "sectors": list(c.sectors),
                "review_sectors": list(c.review_sectors),
            }
            for c in terms.conditions
        ],
        "restrictions": [
            {
                "id": r.id,
                "clause": r.clause,
                "text": r.text,
                "source": r.source,
                "denies": list(r.denies),
                "reviews": list(r.reviews),
            }
            for r in terms.restrictions
        ],
        "obligations": [obligation(o) for o in terms.obligations],
        "incorporates": list(terms.incorporates),
        "terminations": [
            {"id": t.id, "clause": t.clause, "text": t.text} for t in terms.terminations
        ],
        "notes": list(terms.notes),
    }


def license_dict(lic: License, kb: KnowledgeBase, version: str | None = None) -> dict[str, Any]:
    """Everything the knowledge base holds on one licence; `version` selects its terms."""
    terms = lic.terms_for(version)
    data: dict[str, Any] = {
        "id": lic.id,
        "name": lic.name,
        "kind": lic.kind,
        "spdx": lic.spdx,
        "scancode": lic.scancode,
        "family": lic.family,
        "category": lic.category,
        "governing_law": lic.governing_law,
        "url": lic.url,
        "osi_approved": lic.osi_approved,
        "aliases": list(lic.aliases),
        "shared_aliases": list(lic.shared_aliases),
        "licensors": list(lic.licensors),
        "sources": list(lic.sources),
        "versions": [
            {
                "version": v.version,
                "date": v.date,
                "texts": list(v.texts),
                "note": v.note,
                "own_terms": v.terms is not None,
            }
            for v in lic.versions
        ],
        "policy_of": lic.policy_of,
        "policies": [other.id for other in kb if other.policy_of == lic.id],
        "terms_version": version,
        "terms": terms_dict(terms) if terms is not None else None,
    }
    if lic.kind == "aup" and lic.policy_of:
        # An AUP carries no terms of its own: its prohibitions are listed in the licence's.
        parent = kb.get(lic.policy_of)
        parent_terms = parent.terms if parent is not None else None
        data["restrictions_in_license"] = [
            r
            for r in (terms_dict(parent_terms)["restrictions"] if parent_terms else [])
            if r["source"] == "aup"
        ]
    return data


def find_license(kb: KnowledgeBase, name: str) -> License:
    """The licence an id or alias names, or a UsageError naming the closest known ids."""
    lic = kb.resolve(name)
    if lic is not None:
        return lic
    shared = kb.candidates(name)
    if shared:
        ids = ", ".join(c.id for c in shared)
        raise UsageError(f"{name!r} names more than one licence (several licensors use it): {ids}")
    close = closest_ids(kb, name)
    hint = f"; closest known: {', '.join(close)}" if close else ""
    raise UsageError(f"unknown licence {name!r}{hint} (see `licensecheck licenses`)")


def closest_ids(kb: KnowledgeBase, name: str, n: int = 5) -> list[str]:
    """Ids whose id or alias is spelled most like `name` (difflib), best first."""
    from licensecheck.knowledge.store import alias_key

    key = alias_key(name)
    owner: dict[str, str] = {}
    for lic in kb:  # sorted by id, so ties resolve the same way every run
        for spelling in (lic.id, *lic.aliases):
            owner.setdefault(alias_key(spelling), lic.id)
    found: list[str] = []
    for match in difflib.get_close_matches(key, list(owner), n=n * 4, cutoff=0.6):
        if owner[match] not in found:
            found.append(owner[match])
    return found[:n]


def version_terms_label(lic: License, version: str | None) -> str | None:
    if version is None:
        return None
    if lic.version_named(version) is None:
        known = ", ".join(v.version for v in lic.versions) or "none"
        raise UsageError(f"{lic.id} has no version {version!r}; known versions: {known}")
    return version


# --- plain text -------------------------------------------------------------------------


def render_list_plain(rows: list[dict[str, Any]]) -> str:
    cells = [_list_cells(row) for row in rows]
    header = [title for _, title in LIST_COLUMNS]
    widths = [max(len(r[i]) for r in [header, *cells]) for i in range(len(header))]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    return "\n".join([line(header), *(line(r) for r in cells)]) + "\n"


def _amount(kind: str, value: int | None) -> str:
    if value is None:
        return ""
    return f"${value:,}" if "usd" in kind else f"{value:,}"


def _condition_head(c: dict[str, Any]) -> str:
    if c["kind"] in THRESHOLD_KINDS:
        head = f"{c['kind']} > {_amount(c['kind'], c['value'])}"
    elif c["regions"]:
        head = f"{c['kind']}: {', '.join(c['regions'])}"
    elif c["sectors"]:
        head = f"{c['kind']}: {', '.join(c['sectors'])}"
        if c["review_sectors"]:
            head += f" (review: {', '.join(c['review_sectors'])})"
    else:
        head = c["kind"]
    if c["scope"]:
        head += f" ({c['scope']} models only)"
    if c["effect"] == "review":
        head += " (review when broken)"
    if c["effect"] == "obligation" and c["obligation"]:
        head += (
            f" -> {c['obligation']['id']} {json.dumps(c['obligation']['text'], ensure_ascii=False)}"
        )
    return head


def _clause(clause: str | None) -> str:
    return f"[{clause}]" if clause else "[no clause]"


def render_terms_plain(terms: dict[str, Any]) -> list[str]:
    out: list[str] = []
    bound = "yes: fine-tunes, adapters, quantisations and merges carry these terms"
    out.append(
        f"derivatives bound: {bound if terms['derivatives_bound'] else 'no: a derivative may be relicensed'}"
    )
    out += ["", "Uses"]
    for use, g in terms["uses"].items():
        line = f"  {use:<11} {g['grant']:<12} {_clause(g['clause'])}"
        out.append(line)
        if g["note"]:
            out.append(f"      {g['note']}")
    if terms["conditions"]:
        out += ["", "Conditions"]
        for c in terms["conditions"]:
            out.append(f"  {c['id']}: {_condition_head(c)} {_clause(c['clause'])}")
            out.append(f"      applies to: {', '.join(c['applies_to'])}")
            out.append(f"      {c['text']}")
            if c["measured"]:
                out.append(f"      measured: {c['measured']}")
    if terms["restrictions"]:
        out += ["", "Restrictions"]
        for r in terms["restrictions"]:
            denies = f" denies {', '.join(r['denies'])}" if r["denies"] else ""
            if r["reviews"]:
                denies += f" needs review for {', '.join(r['reviews'])}"
            out.append(f"  {r['id']} ({r['source']}) {_clause(r['clause'])}{denies}: {r['text']}")
    if terms["obligations"]:
        out += ["", "Obligations"]
        for o in terms["obligations"]:
            out.append(f"  {o['id']} ({o['when']}) {_clause(o['clause'])}: {o['text']}")
    if terms["terminations"]:
        out += ["", "Terminations"]
        for t in terms["terminations"]:
            out.append(f"  {t['id']} {_clause(t['clause'])}: {t['text']}")
    if terms["incorporates"]:
        out += [
            "",
            f"Incorporates: {', '.join(terms['incorporates'])} (their terms bind the model too)",
        ]
    if terms["notes"]:
        out += ["", "Notes"]
        out += [f"  - {n}" for n in terms["notes"]]
    return out


def render_detail_plain(data: dict[str, Any]) -> str:
    out = [f"{data['id']}: {data['name']}"]
    facts = [
        ("kind", data["kind"]),
        ("category", data["category"]),
        ("family", data["family"]),
        ("governing law", data["governing_law"]),
        ("spdx", data["spdx"]),
        ("scancode", data["scancode"]),
        ("url", data["url"]),
        (
            "osi approved",
            None if data["osi_approved"] is None else ("yes" if data["osi_approved"] else "no"),
        ),
        ("policy of", data["policy_of"]),
        ("policies", ", ".join(data["policies"]) or None),
    ]
    out += [f"  {label:<14}{value}" for label, value in facts if value is not None]
    if data["versions"]:
        out += ["", "Versions"]
        for v in data["versions"]:
            texts = (
                f" ({', '.join(v['texts'])})" if v["texts"] else " (no text in the knowledge base)"
            )
            own = "; own terms" if v["own_terms"] else ""
            out.append(f"  {v['version']}{texts}{own}")
            if v["note"]:
                out.append(f"      {v['note']}")
    if data["terms"] is not None:
        overriding = [v["version"] for v in data["versions"] if v["own_terms"]]
        if data["terms_version"]:
            title = f"Terms of version {data['terms_version']}"
        elif overriding:
            title = f"Terms (versions {', '.join(overriding)} have their own: --version)"
        else:
            title = "Terms"
        out += ["", title]
        out += ["  " + line if line else "" for line in render_terms_plain(data["terms"])]
    elif data.get("restrictions_in_license"):
        out += ["", f"Prohibitions (listed in {data['policy_of']}'s terms)"]
        for r in data["restrictions_in_license"]:
            denies = f" denies {', '.join(r['denies'])}" if r["denies"] else ""
            out.append(f"  {r['id']} {_clause(r['clause'])}{denies}: {r['text']}")
    if data["aliases"]:
        out += ["", "Aliases"]
        out += [f"  {a}" for a in data["aliases"]]
    if data["shared_aliases"]:
        out += ["", "Names other licensors use too (decided by link, organisation or text)"]
        out += [f"  {a}" for a in data["shared_aliases"]]
        out.append(f"  licensor organisations: {', '.join(data['licensors'])}")
    return "\n".join(out) + "\n"


def render_list_rich(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    cells = [_list_cells(row) for row in rows]
    for i, (key, title) in enumerate(LIST_COLUMNS):
        # Short cells keep their width; the name is cut with an ellipsis at the edge.
        widest = max([len(title), *(len(c[i]) for c in cells)])
        if key == "name":
            table.add_column(title, no_wrap=True, overflow="ellipsis", min_width=10)
        else:
            table.add_column(title, no_wrap=True, min_width=widest)
    style = {"yes": "green", "cond": "yellow", "no": "red"}
    for row_cells in cells:
        table.add_row(
            *(Text(c, style=style.get(c, ""), overflow="ellipsis", no_wrap=True) for c in row_cells)
        )
    Console(soft_wrap=False).print(table)


def _json(payload: dict[str, Any]) -> str:
    from licensecheck import __version__

    doc = {"tool": {"name": "licensecheck", "version": __version__}, **payload}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- the command --------------------------------------------------------------------------


@click.command("licenses")
@click.argument("license_id", metavar="[ID]", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option("--version", "version", metavar="VERSION", help="With ID: show that version's terms.")
@click.option("--kind", type=click.Choice(KINDS), help="List only this kind of document.")
@click.option("--category", type=click.Choice(CATEGORIES), help="List only this category.")
@click.option("--family", metavar="FAMILY", help="List only this family (llama, qwen, ...).")
def licenses(
    license_id: str | None,
    fmt: str,
    version: str | None,
    kind: str | None,
    category: str | None,
    family: str | None,
) -> None:
    """List the licences licensecheck knows, or show one licence's terms.

    ID may be a licence id or any alias: a Hub license_name, a license_link URL, an SPDX id
    or a ScanCode key. Each fact is shown with the clause of the licence it comes from.
    """
    from licensecheck.cli.options import guarded

    with guarded():
        from licensecheck.knowledge import store

        kb = store.load()
        if license_id is None:
            if version is not None:
                raise UsageError("--version needs a licence ID")
            _list(kb, fmt, kind, category, family)
        else:
            if kind or category or family:
                raise UsageError("--kind, --category and --family filter the list; not with an ID")
            _show(kb, license_id, fmt, version)


def _list(
    kb: KnowledgeBase, fmt: str, kind: str | None, category: str | None, family: str | None
) -> None:
    if family is not None:
        families = sorted({lic.family for lic in kb if lic.family})
        if family not in families:
            from licensecheck.policy.schema import suggestion

            raise UsageError(
                f"--family {family!r}: no such licence family{suggestion(family, families)}; "
                f"families are {', '.join(families)}"
            )
    rows = [
        summary_dict(lic)
        for lic in kb
        if (kind is None or lic.kind == kind)
        and (category is None or lic.category == category)
        and (family is None or lic.family == family)
    ]
    if fmt == "json":
        click.echo(_json({"licenses": rows}), nl=False)
        return
    from licensecheck.cli.output import is_terminal

    if is_terminal("stdout"):
        render_list_rich(rows)
    else:
        click.echo(render_list_plain(rows), nl=False)


def _show(kb: KnowledgeBase, name: str, fmt: str, version: str | None) -> None:
    lic = find_license(kb, name)
    data = license_dict(lic, kb, version_terms_label(lic, version))
    if fmt == "json":
        click.echo(_json({"license": data}), nl=False)
    else:
        click.echo(render_detail_plain(data), nl=False)
