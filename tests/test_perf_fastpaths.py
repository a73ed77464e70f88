"""The audit's fast paths give exactly what the straightforward code gives.

- `json_report.dumps` builds the indented report without the standard library's generator
  encoder: byte-identical to `json.dumps(sort_keys=True, indent=2, ensure_ascii=False)`;
- `redact.redact` tests for each pattern's literal and finds URL credentials from each "://"
  instead of scanning the whole text with every pattern: the same text as the patterns'
  own `sub`; `scrub` decides with one scan what two used to.

Each compares against the reference on random inputs built from the characters that matter.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from licensecheck import redact
from licensecheck.formats import json_report
from licensecheck.sources.card import parse_card
from licensecheck.sources.hub import card_body


def _reference_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


_STRINGS = [
    "",
    "a",
    "é",
    'q"uote',
    "back\\slash",
    "new\nline",
    "\x01\x1f",
    "\ud800",
    "日本",
    "\u2028",
]


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.45:
        return rng.choice(
            [
                rng.choice(_STRINGS) + str(rng.randrange(100)),
                rng.randrange(-(10**20), 10**20),
                rng.random() * 10 ** rng.randrange(-8, 30),
                round(rng.random(), 4),
                -0.0,
                True,
                False,
                None,
            ]
        )
    if roll < 0.7:
        items = [_random_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
        return tuple(items) if rng.random() < 0.2 else items
    return {
        rng.choice(_STRINGS) + str(rng.randrange(50)): _random_value(rng, depth + 1)
        for _ in range(rng.randrange(0, 5))
    }


@pytest.mark.parametrize("seed", range(5))
def test_json_dumps_is_byte_identical_to_the_standard_library(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        value = _random_value(rng)
        assert json_report.dumps(value) == _reference_json(value)


@pytest.mark.parametrize(
    "value",
    [
        {"n": float("nan")},
        [float("inf"), float("-inf")],
        {1: "int key"},
        {"x": {2.5: "float key", True: "bool key"}},
        {"obj": object()},
    ],
    ids=["nan", "infinity", "int-key", "other-keys", "unknown-type"],
)
def test_json_dumps_falls_back_where_json_differs(value: Any) -> None:
    """What the fast encoder does not handle exactly like json is left to json."""
    try:
        expected = _reference_json(value)
    except TypeError as exc:
        with pytest.raises(TypeError, match=re.escape(str(exc))):
            json_report.dumps(value)
    else:
        assert json_report.dumps(value) == expected


def test_json_dumps_mixed_key_types_fail_as_json_does() -> None:
    with pytest.raises(TypeError):
        json_report.dumps({"a": 1, 2: 3})


def test_json_dumps_deep_nesting_matches() -> None:
    value: Any = "leaf"
    for i in range(300):
        value = {"k": value} if i % 2 else [value]
    assert json_report.dumps(value) == _reference_json(value)


# --- redaction ----------------------------------------------------------------------------

_ALPHABET = [
    *"abhtpsfBEARERrK:/@ .-+_=?&\"'<>\\\n\t",
    "\u212a",  # KELVIN SIGN: case-folds to k, a scheme letter under (?i)
    "\u017f",  # LONG S: case-folds to s
    "\u0131",
    "\u0130",
    "é",
    "://",
    "http://",
    "https://user:pass@",
    "git+ssh://",
    "hf_",
    "bearer ",
    "BeArEr",
    "\ud800",
    "\r\n",
    "\x1b",
    "\x9b",
]


def _reference_userinfo(text: str) -> str:
    return redact._USERINFO.sub(lambda m: m.group(1) + redact.MASK + "@", text)


@pytest.mark.parametrize("seed", range(4))
def test_userinfo_redaction_finds_exactly_the_patterns_matches(seed: int) -> None:
    rng = random.Random(seed)
    changed = 0
    for _ in range(20_000):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(0, 40)))
        expected = _reference_userinfo(text)
        assert redact._userinfo_sub(text) == expected, text
        changed += expected != text
    assert changed > 100  # the inputs do exercise the pattern


def test_userinfo_redaction_in_a_long_text() -> None:
    url = "see https://alice:s3cret@example.org/x and ftp://bob@host/ and http://plain/ "
    text = ("lorem ipsum " * 500 + url) * 20
    assert redact._userinfo_sub(text) == _reference_userinfo(text)
    assert "s3cret" not in redact.redact(text) and "bob@" not in redact.redact(text)


@pytest.mark.parametrize("seed", range(2))
def test_bearer_and_scrub_tests_agree_with_the_patterns(seed: int) -> None:
    rng = random.Random(seed)
    bearer = re.compile(r"(?i)bearer")
    for _ in range(20_000):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(0, 30)))
        assert redact._has_bearer(text) == (bearer.search(text) is not None), text
        hostile = redact._HOSTILE.search(text) or redact._SPACE_LIKE.search(text)
        assert (redact._SCRUB_ANY.search(text) is not None) == bool(hostile), text


def test_redact_keeps_the_callers_object_when_nothing_changes() -> None:
    text = "Contact legal@example.com or see https://example.com/licence?lang=en " * 100
    assert redact.redact(text) is text
    assert redact.redact("Authorization: Bearer abc.def-123") == "Authorization: ***"


# --- the card body without its YAML --------------------------------------------------------

_CARDS = sorted((Path(__file__).parent / "data" / "corpus" / "cards").glob("*.md"))


def _variants(text: str) -> list[str]:
    return [
        text,
        "\ufeff" + text,
        text.replace("\n", "\r\n"),
        "\n\n  \n" + text,
        "# Title\n\n" + text,  # a block after other text: parse_card decides
        text.replace("---", "- - -"),
        "---\nlicense: mit\n",  # never closed
        "---\n---\n",
        "",
    ]


@pytest.mark.parametrize("path", _CARDS, ids=[p.name for p in _CARDS])
def test_card_body_is_parse_cards_body(path: Path) -> None:
    """Where `card_body` answers, it is what `parse_card` gives; where the front matter does
    not plainly open the card it leaves the decision to `parse_card` (None)."""
    answered = 0
    for text in _variants(path.read_text(encoding="utf-8", errors="replace")):
        body = card_body(text)
        if body is not None:
            answered += 1
            assert body == parse_card(text).body
        else:
            parsed = parse_card(text)
            assert parsed.metadata_line is None or parsed.metadata_line > 1 or not text.strip()
    assert answered >= 1 or "---" not in path.read_text(encoding="utf-8", errors="replace")


# --- huggingface_hub's symlink probe, once per cache instead of once per repo --------------
