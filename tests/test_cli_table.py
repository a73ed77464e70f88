"""The table a person reads, through the CLI: the policy (name and file) and the uses, one
line per model, and below it what decides whether to trust that line: a scan's references
(file:line), the findings (a licence file not read), the waivers."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from _cli import run

import licensecheck.cli.output as output

ROOT = Path(__file__).resolve().parent.parent
ML_REPO = ROOT / "examples" / "ml-repo"
PHI = ROOT / "examples" / "models" / "phi-3-mini-128k-instruct"


def references(repo: Path) -> dict[str, list[str]]:
    """model -> ["path:line", ...] from the JSON report of the same scan."""
    result = run(["scan", str(repo), "--offline", "--locked", "--format", "json"])
    return {
        r["model"]: [f"{ref['path']}:{ref['line']}" for ref in r["references"]]
        for r in json.loads(result.stdout)["results"]
    }


def test_a_scan_table_names_the_policy_the_uses_and_each_reference(tmp_path: Path) -> None:
    repo = tmp_path / "ml-repo"
    shutil.copytree(ML_REPO, repo)
    result = run(["scan", str(repo), "--offline", "--locked", "--format", "table"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Policy: Example ML team ({repo}/.licensecheck.yaml)"
    assert lines[1] == "Uses:   research, commercial"
    assert lines[3].split() == ["RESEARCH", "COMMERCIAL", "MODEL", "LICENCE"]
    wanted = references(repo)
    assert len(wanted) == 6
    for model, places in wanted.items():
        row = next(line for line in lines[4:] if line.split()[2:3] == [model])
        assert row.split()[:2] == ["allow", "allow"]
        block = result.stdout.split(f"\n{model}\n", 1)[1]
        assert block.startswith("  from licensecheck.lock at ")
        assert f"; used at {', '.join(places)}\n" in block.split("\n\n", 1)[0]


def test_an_unread_licence_file_is_shown_under_its_model(tmp_path: Path) -> None:
    model = tmp_path / "phi-copy"
    shutil.copytree(PHI, model)
    (model / "LICENSE.md").write_bytes(b"\x00\x01binary licence\x00" * 10)
    result = run(["audit", "--offline", "--format", "table", str(model)])
    details = result.stdout.split(f"\n{model}\n", 1)[1]
    finding = next(line for line in details.splitlines() if line.startswith("  ! "))
    assert "LICENSE.md" in finding


def test_on_an_80_column_terminal_nothing_is_wrapped_inside_a_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "is_terminal", lambda stream: True)
    monkeypatch.setattr(output, "terminal_width", lambda: 80)
    models = sorted(str(p) for p in (ROOT / "examples" / "models").iterdir())
    result = run(["audit", "--offline", "--format", "table", *models], {"NO_COLOR": "1"})
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines if " " in line.strip())
    rows = [line for line in lines if re.match(r"^(allow|review|deny) ", line)]
    assert len(rows) == len(models)  # one line per model
    # The same words as the unwrapped (piped) table: wrapped between words only.
    monkeypatch.setattr(output, "is_terminal", lambda stream: False)
    piped = run(["audit", "--offline", "--format", "table", *models]).stdout
    assert all(len(line) > 80 for line in piped.splitlines() if "monthly active users" in line)
    detail = result.stdout.split("\n\n", 2)[2]
    assert set(detail.split()) == set(piped.split("\n\n", 2)[2].split())
