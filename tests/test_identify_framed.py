"""Licence texts in shapes the matcher was not tuned on, written for these tests (not taken
from the shared corpus): a licence framed by a copyright line and an introduction, or by a
contact line after it, is that licence unmodified with the framing reported as surrounding
text; a reflowed text with hyphenated line breaks and URLs broken across lines is
unmodified; a permissive licence with an added restrictive clause (before, after or inside)
is that licence, modified, with the clause quoted in `changes`. Never a clean permissive
answer for a text that restricts more.

Run through `licensecheck identify` as a user runs it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from licensecheck.cli.main import main
from licensecheck.knowledge import store

TEXTS = store.TEXTS_DIR

FRAMINGS = [
    (
        "Copyright 2025 Northwind Speech Lab. All rights reserved.\n\n"
        "The checkpoints published in this repository are distributed under the licence "
        "reproduced below.\n\n",
        "",
    ),
    (
        "Tidewater Vision Models\n=======================\n\n"
        "We thank the volunteers who labelled the data. This release is covered by the "
        "following terms:\n\n",
        "\n\nQuestions: licensing@tidewater.example\nhttps://tidewater.example/contact\n",
    ),
    ("", "\n\n-- \nMaintained by the Quill team; write to quill-oss@example.org for help.\n"),
    (
        "(c) 2024-2026 Lumen Research Collective\n\nLicense for the Lumen-7B weights and the "
        "accompanying inference code:\n\n",
        "\n\nLast reviewed by the maintainers in March 2026.\n",
    ),
]
FRAMED_LICENCES = [
    ("isc.txt", "isc"),
    ("bsd-2-clause.txt", "bsd-2-clause"),
    ("zlib.txt", "zlib"),
    ("postgresql.txt", "postgresql"),
    ("bsl-1.0.txt", "bsl-1.0"),
    ("apache-2.0.txt", "apache-2.0"),
]

CLAUSES = [
    "The Software may not be used for any military purpose or in any weapons system.",
    "Use of these model weights in a commercial product or service is not permitted "
    "without a separate written agreement with the authors.",
    "Licensee shall not use the Software or its outputs to train or improve any other "
    "machine learning model.",
    "This model is provided for non-commercial research only and must not be deployed "
    "to serve end users.",
    "Any use for surveillance of individuals or for predictive policing is prohibited.",
]
CLAUSED_LICENCES = [
    ("mit.txt", "mit"),
    ("bsd-3-clause.txt", "bsd-3-clause"),
    ("apache-2.0.txt", "apache-2.0"),
    ("isc.txt", "isc"),
    ("cc-by-4.0.txt", "cc-by-4.0"),
    ("zlib.txt", "zlib"),
]


def identify(tmp_path: Path, name: str, text: str) -> dict[str, Any]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["identify", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    (res,) = json.loads(result.stdout)["results"]
    return res  # type: ignore[no-any-return]


def licence(name: str) -> str:
    return (TEXTS / name).read_text(encoding="utf-8").strip("\n")


@pytest.mark.parametrize("framing", range(len(FRAMINGS)))
@pytest.mark.parametrize(("file", "expected"), FRAMED_LICENCES)
def test_framing_is_surrounding_text_not_a_change(
    tmp_path: Path, file: str, expected: str, framing: int
) -> None:
    before, after = FRAMINGS[framing]
    res = identify(tmp_path, "LICENSE", before + licence(file) + after)
    lic = res["license"]
    assert (lic["id"], lic["modified"]) == (expected, False), lic["changes"]
    lines = (before + licence(file) + after).split("\n")
    framed = [n for n, line in enumerate(lines, 1) if line.strip()]
    framing_lines = [n for n in framed if n < lic["start_line"] or n > lic["end_line"]]
    shown = [
        n for r in res.get("surrounding", []) for n in range(r["start_line"], r["end_line"] + 1)
    ]
    # Every non-blank framing line is reported as surrounding text, and nothing else.
    assert {n for n in shown if lines[n - 1].strip()} == set(framing_lines)
    if before.strip() or after.strip():
        assert shown


def reflow(text: str, width: int) -> str:
    """Re-wrap each paragraph at `width`, hyphenating long words and cutting URLs where a
    line runs out (as a PDF or a narrow terminal copy does)."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        line = ""
        for word in para.split():
            room = width - len(line) - 1
            if len(line) + 1 + len(word) > width and len(word) > 7 and room >= 5:
                cut = room - 1
                joint = "" if "://" in word or "/" in word or "." in word[:cut] else "-"
                out.append(f"{line} {word[:cut]}{joint}".strip())
                line = word[cut:]
            elif len(line) + 1 + len(word) > width:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        out += [line, ""]
    return "\n".join(out)


@pytest.mark.parametrize("width", [38, 47, 55])
@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("apache-2.0.txt", "apache-2.0"),
        ("bsd-3-clause.txt", "bsd-3-clause"),
        ("mit.txt", "mit"),
        ("cc-by-4.0.txt", "cc-by-4.0"),
        ("mpl-2.0.txt", "mpl-2.0"),
    ],
)
def test_reflowed_text_with_broken_words_and_urls_is_unmodified(
    tmp_path: Path, file: str, expected: str, width: int
) -> None:
    text = reflow(licence(file), width)
    assert re.search(r"[a-z]-\n[a-z]", text)  # the variant really hyphenates words
    res = identify(tmp_path, "LICENSE.txt", text)
    assert (res["license"]["id"], res["license"]["modified"]) == (expected, False), res["license"][
        "changes"
    ][:3]


def test_a_url_split_across_lines_is_not_a_change(tmp_path: Path) -> None:
    text = licence("apache-2.0.txt").replace(
        "http://www.apache.org/licenses/LICENSE-2.0",
        "http://w\nww.apache.org/licenses/LICE\nNSE-2.0",
    )
    assert "http://w\nww." in text
    res = identify(tmp_path, "LICENSE", text)
    assert (res["license"]["id"], res["license"]["modified"]) == ("apache-2.0", False)


@pytest.mark.parametrize("clause", range(len(CLAUSES)))
@pytest.mark.parametrize(("file", "expected"), CLAUSED_LICENCES)
@pytest.mark.parametrize("where", ["after", "before"])
def test_an_added_restrictive_clause_makes_the_licence_modified(
    tmp_path: Path, file: str, expected: str, clause: int, where: str
) -> None:
    added = CLAUSES[clause]
    body = licence(file)
    text = f"{body}\n\n{added}\n" if where == "after" else f"{added}\n\n{body}\n"
    lic = identify(tmp_path, "LICENSE", text)["license"]
    assert lic["id"] == expected and lic["modified"] is True, lic
    quoted = " ".join(c["text"] for c in lic["changes"] if c["type"] == "added")
    assert added.rstrip(".") in quoted


@pytest.mark.parametrize(
    ("file", "expected", "anchor"),
    [
        ("bsd-2-clause.txt", "bsd-2-clause", "THIS SOFTWARE IS PROVIDED"),
        ("mit.txt", "mit", "THE SOFTWARE IS PROVIDED"),
        ("isc.txt", "isc", "THE SOFTWARE IS PROVIDED"),
    ],
)
def test_a_clause_inserted_inside_the_licence_is_a_change(
    tmp_path: Path, file: str, expected: str, anchor: str
) -> None:
    body = licence(file)
    cut = body.index(anchor)
    added = "The Software must not be used to develop or operate weapons of any kind."
    lic = identify(tmp_path, "LICENSE", f"{body[:cut]}{added}\n\n{body[cut:]}")["license"]
    assert lic["id"] == expected and lic["modified"] is True
    # The diff may align "The Software" with the licence's own words: the rest is quoted.
    assert any(
        "must not be used to develop or operate weapons" in c["text"] for c in lic["changes"]
    )


def test_a_changed_byte_inside_a_word_is_still_a_change(tmp_path: Path) -> None:
    """Only a split at a line break is a reflow: a word cut by anything else is a change."""
    text = licence("mit.txt").replace("Permission", "Perm ission", 1)
    lic = identify(tmp_path, "LICENSE", text)["license"]
    assert lic["id"] == "mit" and lic["modified"] is True
