"""The widened canonical texts: every text of the knowledge base identifies as its own licence
and version, and real copies from elsewhere (tests/data/widened/, sources in SOURCES.tsv:
ScanCode's LicenseDB, Debian's common-licenses, LICENSE files of installed packages)
identify as the licence they are, through the library and through `licensecheck identify`.

The copies are independent of the bundled texts (another source, another rendering), so they
show what the matcher does with a licence file it has not seen: the general case.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from licensecheck import notice
from licensecheck.cli.main import main
from licensecheck.identify.matcher import identify
from licensecheck.identify.normalize import words
from licensecheck.knowledge import store

WIDENED = Path(__file__).parent / "data" / "widened"


@dataclass(frozen=True)
class Copy:
    file: str
    expected_id: str  # a licence id, or "not:<id>" for a licence the text must not be taken for
    version: str
    modified: str  # yes | no | any ("" for a not: row)
    source: str

    @property
    def text(self) -> str:
        return (WIDENED / self.file).read_text(encoding="utf-8")


def copies() -> list[Copy]:
    with (WIDENED / "SOURCES.tsv").open(encoding="utf-8", newline="") as fh:
        return [
            Copy(r["file"], r["expected_id"], r["expected_version"], r["modified"], r["source"])
            for r in csv.DictReader(fh, delimiter="\t")
        ]


COPIES = copies()
POSITIVE = [c for c in COPIES if not c.expected_id.startswith("not:")]
NEGATIVE = [c for c in COPIES if c.expected_id.startswith("not:")]


def _canonical_texts(kb: store.KnowledgeBase) -> list[tuple[str, str, str]]:
    """(licence id, version, text file) for every bundled text."""
    return [(lic.id, v.version, t) for lic in kb for v in lic.versions for t in v.texts]


# --- the bundled texts ---------------------------------------------------------------------


def test_every_bundled_text_identifies_as_its_licence_and_version(kb: store.KnowledgeBase) -> None:
    texts = _canonical_texts(kb)
    assert len(texts) >= 130
    # Texts whose words are the same (a licence shipped under another's title) cannot be told
    # apart by their words: any of their versions is right.
    by_words: dict[tuple[str, ...], set[tuple[str, str]]] = defaultdict(set)
    for lic_id, version, name in texts:
        by_words[tuple(words((store.TEXTS_DIR / name).read_text(encoding="utf-8")))].add(
            (lic_id, version)
        )
    wrong = []
    for _, _, name in texts:
        text = (store.TEXTS_DIR / name).read_text(encoding="utf-8")
        result = identify(text, kb)
        allowed = by_words[tuple(words(text))]
        if (result.id, result.version) not in allowed or result.modified:
            wrong.append(f"{name}: {result.id} {result.version} modified={result.modified}")
    assert wrong == []


def test_every_spdx_listed_licence_has_a_text(kb: store.KnowledgeBase) -> None:
    """Every licence on the SPDX list has a canonical text, so its LICENSE file is identified
    rather than `unknown` (family ids with no member text of their own aside)."""
    without = sorted(
        lic.id
        for lic in kb
        if lic.kind == "license"
        and not any(v.texts for v in lic.versions)
        and not lic.spdx.startswith("LicenseRef-")
    )
    families = {"bsd", "cc"}  # a family id with no member text of its own
    assert [i for i in without if i not in families] == []


# --- independent copies --------------------------------------------------------------------


def test_sources_list_every_file_once() -> None:
    listed = [c.file for c in COPIES]
    assert len(listed) == len(set(listed))
    on_disk = {p.name for p in WIDENED.iterdir() if p.name != "SOURCES.tsv"}
    assert set(listed) == on_disk
    assert all(c.source.strip() for c in COPIES)
    assert len(POSITIVE) >= 35 and len(NEGATIVE) >= 3


@pytest.mark.parametrize("copy", POSITIVE, ids=[c.file for c in POSITIVE])
def test_independent_copy_identified(copy: Copy, kb: store.KnowledgeBase) -> None:
    result = identify(copy.text, kb)
    assert (result.id, result.version) == (copy.expected_id, copy.version), result
    if copy.modified != "any":
        assert result.modified is (copy.modified == "yes"), result.changes
    assert result.confidence >= 0.9


@pytest.mark.parametrize("copy", NEGATIVE, ids=[c.file for c in NEGATIVE])
def test_unknown_licence_not_taken_for_a_neighbour(copy: Copy, kb: store.KnowledgeBase) -> None:
    """A licence next to one we know (MPL 1.1, Artistic 1.0, BSD-3) is never reported as that
    one unmodified."""
    neighbour = copy.expected_id.removeprefix("not:")
    result = identify(copy.text, kb)
    assert result.id != neighbour or result.modified, result


def test_cli_identifies_the_copies_in_one_run(tmp_path: Path) -> None:
    """`licensecheck identify` over every copy at once (one process, as a user would run it)."""
    paths = [str(WIDENED / c.file) for c in POSITIVE]
    result = CliRunner().invoke(main, ["identify", "--format", "json", *paths])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    got = {Path(r["path"]).name: r["license"] for r in report["results"]}
    for c in POSITIVE:
        lic = got[c.file]
        assert (lic["id"], lic["version"]) == (c.expected_id, c.version), (c.file, lic)
        if c.modified != "any":
            assert lic["modified"] is (c.modified == "yes"), (c.file, lic["changes"])


# --- facts read from the new texts ---------------------------------------------------------


def test_flux_facts_come_from_its_texts(kb: store.KnowledgeBase) -> None:
    lic = kb["flux-1-dev-non-commercial-license"]
    assert lic.terms is not None
    assert not any("UNVERIFIED" in n for n in lic.terms.notes)
    texts = [t for v in lic.versions for t in v.texts]
    assert len(texts) == 2
    bodies = [(store.TEXTS_DIR / t).read_text(encoding="utf-8") for t in texts]
    # The Attribution Notice the licence prescribes is quoted word for word [3.b].
    [notice_ob] = [o for o in lic.terms.obligations if o.id == "notice-file"]
    assert notice.quoted_in_licence(lic, notice_ob.text)
    # The restrictions cited from 4.a are in its list of purposes.
    for phrase in ("(ii) military purposes", "(iii) purposes of surveillance", "(iv) biometric"):
        assert all(phrase in b for b in bodies), phrase
    assert {r.id: r.denies for r in lic.terms.restrictions}["military"] == ("defense",)
    assert [u for u, g in lic.terms.uses.items() if g.grant == "granted"] == ["research"]
    assert "State of Delaware" in bodies[0] and lic.governing_law == "US-DE"
    # The two texts differ only in what "FLUX.1 [dev] Model" covers (the opening paragraph).
    assert words(bodies[0]) != words(bodies[1])
    assert words(bodies[0].split("\n", 2)[2]) == words(bodies[1].split("\n", 2)[2])


def test_hunyuan_3d_threshold_is_its_own(kb: store.KnowledgeBase) -> None:
    lic = kb["tencent-hunyuan"]
    terms = lic.terms_for("3d-2.0")
    assert terms is not None and terms is not lic.terms
    [mau] = [c for c in terms.conditions if c.kind == "max-monthly-active-users"]
    [version] = [v for v in lic.versions if v.version == "3d-2.0"]
    text = (store.TEXTS_DIR / version.texts[0]).read_text(encoding="utf-8")
    stated = re.search(r"greater than (\d+) million monthly active users", text)
    assert stated is not None and mau.value == int(stated.group(1)) * 1_000_000
    [territory] = [c for c in terms.conditions if c.kind == "excluded-use-regions"]
    assert "EUROPEAN UNION, UNITED KINGDOM AND SOUTH KOREA" in text
    assert set(territory.regions) == {"EU", "UK", "KR"}
    # Where the version is unknown, the licence-level terms (and the last text) stay
    # HunyuanVideo's.
    assert lic.versions[-1].version == "2024-12-03"
