"""Real model cards beyond the shared corpus: `license: other` with a custom `license_name`
(and sometimes a link or base models), collected from public Hugging Face model cards
(README.md front matter and the start of the body; `tests/data/real_cards/MANIFEST.tsv` says
where each came from). The expected determination of each was written by reading the card:
the licence its metadata names, `unknown` where it names one the knowledge base does not
hold (or a name that several licensors use with nothing on the card to say whose), and the
commercial verdict for a small US company (5M users, $12M a year, used in the US, private
sector) under the licence layer alone: a base model that cannot be read offline is `review`.

One `licensecheck audit` of all of them, offline, as a user runs it.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from licensecheck.cli.main import main

DATA = Path(__file__).parent / "data" / "real_cards"


def manifest() -> list[dict[str, str]]:
    with (DATA / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    root = tmp_path_factory.mktemp("cards")
    dirs = []
    for row in manifest():
        d = root / row["file"].removesuffix(".md")
        d.mkdir()
        shutil.copy(DATA / row["file"], d / "README.md")
        dirs.append(str(d))
    policy = root / "policy.yaml"
    policy.write_text(
        "version: 1\norganisation: {monthly_active_users: 5000000, annual_revenue_usd: "
        "12000000, monthly_revenue_usd: 1000000, jurisdictions: [US], use_regions: [US], "
        "sector: private}\nrules: [{verdict: allow}]\n",
        encoding="utf-8",
    )
    args = ["audit", *dirs, "--offline", "--format", "json", "--use", "commercial"]
    result = CliRunner().invoke(main, [*args, "--policy", str(policy)])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    return {Path(r["model"]).name + ".md": r for r in report["results"]}


def test_the_set_is_large_and_recorded() -> None:
    rows = manifest()
    assert len(rows) >= 40
    assert all(r["source"].startswith("public GitHub file #") for r in rows)
    assert len({r["source"].split()[3] for r in rows}) == len(rows)  # no card twice
    shared = Path(__file__).parent / "data" / "corpus" / "cards" / "MANIFEST.tsv"
    corpus_ids = {line.split("\t")[1] for line in shared.read_text(encoding="utf-8").splitlines()}
    assert not {r["source"].split(" (")[0] for r in rows} & corpus_ids  # beyond the corpus


@pytest.mark.parametrize("row", manifest(), ids=lambda r: r["file"])
def test_each_card_is_determined_as_read(
    results: dict[str, dict[str, object]], row: dict[str, str]
) -> None:
    res = results[row["file"]]
    licence = res["license"]
    assert isinstance(licence, dict)
    assert licence["id"] == row["expected"], (row["file"], licence["evidence"])
    verdicts = res["verdicts"]
    assert isinstance(verdicts, dict)
    assert verdicts["commercial"]["verdict"] == row["commercial"], (row["file"], row["why"])
