"""The hostile pull request: one change at a time to a repository whose gate passes, each
ending not in `allow` and not in a leak (issue 14). Every case runs the CLI as a user does,
against the loopback Hub; on the main before issue 14 each of them passed or leaked.

The repository references an MIT model and passes (exit 0). The changes: a local folder named
like a Hub model, Python this interpreter cannot parse, an edited lock, a secret behind
`extends` (and behind `[tool.licensecheck] policy`), licence files that cannot be read
(binary, PDF, empty, not UTF-8, too large, past the file cap), a card whose prose contradicts
its metadata, and the gate's own outputs left in the repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from _scan_support import hub_env, validate, write
from click.testing import CliRunner, Result
from hub_server import HubServer, corpus_license, make_card

from licensecheck.cli.main import main

ROOT = Path(__file__).resolve().parent.parent

MIT = "h14org/mit-model"
NC = "h14org/nc-model"
META = "h14meta/Llama-3.1-8B-Instruct"
BINARY = "h14org/binary-licence"
PDF = "h14org/pdf-licence"
EMPTY = "h14org/empty-licence"
LATIN1 = "h14org/latin1-licence"
HUGE = "h14org/huge-licence"
FIFTEEN = "h14org/fifteen-licences"
FORTY = "h14org/forty-licences"
PROSE = "h14org/prose-says-nc"
PROSE_LINE = 10  # the README.md line of the sentence below (after 4 lines of front matter)
NC_SENTENCE = "The weights are released under CC BY-NC 4.0. Commercial use is prohibited."
KEY_BODY = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABlwAAAAdzc2gtcn"
SECRET_KEY = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n"


def _mit_card(body: str = "# A model\n") -> bytes:
    return make_card(body, license="mit", pipeline_tag="text-generation")


def populate(hub: HubServer) -> None:
    mit_text = corpus_license("mit.txt")
    nc_text = corpus_license("cc-by-nc-4.0.txt")
    hub.add_repo(MIT, {"README.md": _mit_card(), "LICENSE": mit_text})
    hub.add_repo(
        NC,
        {
            "README.md": make_card(
                "# NC\n", license="cc-by-nc-4.0", pipeline_tag="text-generation"
            ),
            "LICENSE": nc_text,
        },
    )
    hub.add_repo(
        META,
        {
            "README.md": make_card("# Llama\n", license="llama3.1", pipeline_tag="text-generation"),
            "LICENSE": corpus_license("llama3.1.txt"),
        },
    )
    hub.add_repo(BINARY, {"README.md": _mit_card(), "LICENSE": b"MIT\x00\x01\x02 weights terms"})
    hub.add_repo(PDF, {"README.md": _mit_card(), "LICENSE.pdf": b"%PDF-1.4 binary terms"})
    hub.add_repo(EMPTY, {"README.md": _mit_card(), "LICENSE": b""})
    hub.add_repo(
        LATIN1, {"README.md": _mit_card(), "LICENSE": "Licence: usage réservé\n".encode("latin-1")}
    )
    hub.add_repo(HUGE, {"README.md": _mit_card(), "LICENSE": mit_text + b"\n" * (1024 * 1024)})
    fifteen = {f"LICENSES/part-{i:02d}.txt": mit_text for i in range(1, 15)}
    fifteen["LICENSES/part-15.txt"] = nc_text
    hub.add_repo(FIFTEEN, {"README.md": _mit_card(), "LICENSE": mit_text, **fifteen})
    forty = {f"LICENSES/part-{i:02d}.txt": mit_text for i in range(1, 41)}
    hub.add_repo(FORTY, {"README.md": _mit_card(), **forty})
    hub.add_repo(
        PROSE,
        {
            "README.md": _mit_card(f"# Model\n\nA small model.\n\n{NC_SENTENCE}\n"),
            "LICENSE": mit_text,
        },
    )


@pytest.fixture(scope="module")
def hub() -> Iterator[HubServer]:
    with HubServer() as server:
        populate(server)
        yield server


@pytest.fixture
def env(hub: HubServer, tmp_path: Path) -> dict[str, str]:
    return hub_env(hub, tmp_path / "hf-cache")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose gate passes: it loads an MIT model."""
    root = tmp_path / "repo"
    write(
        root / "src/app.py",
        f'from transformers import AutoModel\nm = AutoModel.from_pretrained("{MIT}")\n',
    )
    return root


def run(args: list[str], env: dict[str, str], cwd: Path | None = None) -> Result:
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


def scan(repo: Path, env: dict[str, str], *extra: str) -> Result:
    return run(["scan", str(repo), "--format", "json", *extra], env)


def report(result: Result) -> dict:  # type: ignore[type-arg]
    return json.loads(result.stdout)


def verdicts(data: dict, model: str) -> dict[str, str]:  # type: ignore[type-arg]
    r = next(r for r in data["results"] if r["model"] == model)
    return {use: v["verdict"] for use, v in r["verdicts"].items()}


def reasons(data: dict, model: str, rule: str) -> list[str]:  # type: ignore[type-arg]
    r = next(r for r in data["results"] if r["model"] == model)
    return [x["message"] for v in r["verdicts"].values() for x in v["reasons"] if x["rule"] == rule]


def test_the_unchanged_repository_passes(repo: Path, env: dict[str, str]) -> None:
    result = scan(repo, env)
    assert result.exit_code == 0, result.output
    assert set(verdicts(report(result), MIT).values()) == {"allow"}


# --- 1. Python this interpreter cannot parse -------------------------------------------------


def test_unparseable_python_is_scanned_lexically_and_reported(
    repo: Path, env: dict[str, str]
) -> None:
    write(
        repo / "src/new.py",
        "from transformers import AutoModel\n"
        "type ModelName = str  # Python 3.12 syntax\n"
        f'model = AutoModel.from_pretrained("{NC}")\n',
    )
    result = scan(repo, env)
    if sys.version_info >= (3, 12):
        pytest.skip("this Python parses the new syntax")
    data = report(result)
    assert result.exit_code == 1  # cc-by-nc-4.0: commercial use denied
    nc = next(r for r in data["results"] if r["model"] == NC)
    assert nc["references"] == [{"path": "src/new.py", "line": 3}]
    assert verdicts(data, NC)["commercial"] == "deny"
    (finding,) = data["file_findings"]
    assert finding["kind"] == "python-unparsed" and finding["path"] == "src/new.py"
    assert finding["line"] == 2 and "scanned lexically" in finding["message"]

    table = scan(repo, env, "--format", "table").stdout
    assert "file src/new.py:2: not valid Python" in table
    sarif = json.loads(scan(repo, env, "--format", "sarif").stdout)
    validate(sarif)
    unparsed = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "unparsed-file"]
    assert len(unparsed) == 1
    location = unparsed[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "src/new.py"
    assert location["region"]["startLine"] == 2


# --- 2. licence files that were not read -----------------------------------------------------


@pytest.mark.parametrize(
    ("model", "why"),
    [
        (BINARY, "LICENSE: binary"),
        (PDF, "LICENSE.pdf: not a text file"),
        (EMPTY, "LICENSE: empty"),
        (LATIN1, "LICENSE: not valid UTF-8"),
        (HUGE, "LICENSE: larger than"),
        (FORTY, "LICENSES/part-33.txt"),
    ],
)
def test_an_unread_licence_file_makes_the_verdict_review(
    repo: Path, env: dict[str, str], model: str, why: str
) -> None:
    write(repo / "src/extra.py", f'x = AutoModel.from_pretrained("{model}")\n')
    result = scan(repo, env)
    assert result.exit_code == 1, result.output
    data = report(result)
    assert set(verdicts(data, model).values()) == {"review"}  # the card says mit
    found = reasons(data, model, "unreadable_license_file")
    assert found and all(why in message for message in found), found
    assert all("unreadable_license_file is review" in message for message in found)


def test_the_policy_key_decides_what_an_unread_file_costs(repo: Path, env: dict[str, str]) -> None:
    write(repo / "src/extra.py", f'x = AutoModel.from_pretrained("{BINARY}")\n')
    for verdict, status in (("deny", 1), ("allow", 0)):
        write(
            repo / ".licensecheck.yaml",
            f"version: 1\nextends: default\nunreadable_license_file: {verdict}\n",
        )
        result = scan(repo, env)
        assert result.exit_code == status, result.output
        assert set(verdicts(report(result), BINARY).values()) == {verdict}
    write(repo / ".licensecheck.yaml", "version: 1\nunreadable_license_file: maybe\n")
    bad = scan(repo, env)
    assert bad.exit_code == 2
    assert "unreadable_license_file" in bad.stderr and "allow, review, deny" in bad.stderr


def test_fifteen_licence_files_are_all_read(repo: Path, env: dict[str, str]) -> None:
    # The 15th file is a CC BY-NC text: it is read (the cap is 32) and it decides.
    write(repo / "src/extra.py", f'x = AutoModel.from_pretrained("{FIFTEEN}")\n')
    result = scan(repo, env)
    data = report(result)
    assert result.exit_code == 1
    assert verdicts(data, FIFTEEN)["commercial"] == "deny"
    r = next(r for r in data["results"] if r["model"] == FIFTEEN)
    assert any(e.get("path") == "LICENSES/part-15.txt" for e in r["license"]["evidence"])
    assert not reasons(data, FIFTEEN, "unreadable_license_file")


def test_an_unread_file_survives_the_lock(repo: Path, env: dict[str, str], hub: HubServer) -> None:
    write(repo / "src/extra.py", f'x = AutoModel.from_pretrained("{BINARY}")\n')
    assert run(["lock", str(repo), "--endpoint", hub.url], env).exit_code in (0, 1)
    offline = scan(repo, env, "--offline", "--locked")
    assert offline.exit_code == 1, offline.output
    data = report(offline)
    assert next(r for r in data["results"] if r["model"] == BINARY)["source"] == "lock"
    assert set(verdicts(data, BINARY).values()) == {"review"}
    assert reasons(data, BINARY, "unreadable_license_file")


# --- 3. the card's own words -------------------------------------------------------------------


def test_card_prose_that_contradicts_the_metadata_is_a_conflict(
    repo: Path, env: dict[str, str], hub: HubServer
) -> None:
    write(repo / "src/extra.py", f'x = AutoModel.from_pretrained("{PROSE}")\n')
    result = scan(repo, env)
    assert result.exit_code == 1, result.output
    data = report(result)
    assert set(verdicts(data, PROSE).values()) == {"review"}
    conflicts = reasons(data, PROSE, "license_conflict")
    assert any("cc-by-nc-4.0" in c and f"line {PROSE_LINE}" in c for c in conflicts), conflicts
    assert any("restricts commercial use" in c for c in conflicts), conflicts

    explained = run(["explain", PROSE, "--use", "commercial", "--endpoint", hub.url], env)
    assert explained.exit_code == 1, explained.output
    assert f"line {PROSE_LINE}" in explained.stdout
    assert "'Commercial use is prohibited.'" in explained.stdout
    assert "'The weights are released under CC BY-NC 4.0.'" in explained.stdout


# --- 4. an id names a Hub model --------------------------------------------------------------


def test_a_local_folder_never_replaces_the_hub_model(
    repo: Path, env: dict[str, str], hub: HubServer
) -> None:
    fake = repo / NC
    write(fake / "README.md", "---\nlicense: mit\n---\n# Totally MIT\n")
    write(fake / "LICENSE", corpus_license("mit.txt").decode())
    result = run(["audit", NC, "--format", "json", "--endpoint", hub.url], env, cwd=repo)
    assert result.exit_code == 1, result.output
    (r,) = report(result)["results"]
    assert r["source"] == "hub" and r["license"]["id"] == "cc-by-nc-4.0"
    assert r["verdicts"]["commercial"]["verdict"] == "deny"
    assert any(f.startswith("local-folder-shadowed: ") and f"./{NC}" in f for f in r["findings"])

    table = run(["audit", NC, "--format", "table", "--endpoint", hub.url], env, cwd=repo)
    details = table.stdout.split(f"\n{NC}\n", 1)[1]
    assert details.startswith("  from the Hub at ")  # where the judged model came from
    assert "  ! local-folder-shadowed: " in details

    # Given as a path, the folder is what is judged.
    local = run(["audit", f"./{NC}", "--format", "json"], env, cwd=repo)
    assert local.exit_code == 0, local.output
    assert report(local)["results"][0]["source"] == "local"

    # A code reference is the Hub model too, and the report says the folder was not read.
    write(repo / "src/extra.py", f'x = AutoModel.from_pretrained("{NC}")\n')
    scanned = scan(repo, env)
    assert scanned.exit_code == 1
    nc = next(r for r in report(scanned)["results"] if r["model"] == NC)
    assert nc["source"] == "hub" and any("local-folder-shadowed" in f for f in nc["findings"])


# --- 5. policy files never disclose other files ----------------------------------------------


def test_a_secret_behind_extends_is_never_printed(repo: Path, env: dict[str, str]) -> None:
    write(repo / "secrets/id_rsa", SECRET_KEY)
    write(repo / ".licensecheck.yaml", "version: 1\nextends: secrets/id_rsa\n")
    result = scan(repo, env)
    assert result.exit_code == 2
    assert "not a policy file" in result.stderr and "secrets/id_rsa" in result.stderr
    assert KEY_BODY not in result.output and "PRIVATE KEY" not in result.output
    validated = run(["policy", "validate", str(repo / ".licensecheck.yaml")], env)
    assert validated.exit_code == 2 and KEY_BODY not in validated.output

    # Renamed to .yaml, it is read as a policy: the message quotes a short token at most.
    write(repo / "secrets/id_rsa.yaml", SECRET_KEY)
    write(repo / ".licensecheck.yaml", "version: 1\nextends: secrets/id_rsa.yaml\n")
    renamed = scan(repo, env)
    assert renamed.exit_code == 2
    assert KEY_BODY[:8] not in renamed.output, renamed.output


def test_a_secret_behind_the_pyproject_policy_is_never_printed(
    repo: Path, env: dict[str, str]
) -> None:
    write(repo / "secrets/id_rsa", SECRET_KEY)
    write(repo / "pyproject.toml", '[tool.licensecheck]\npolicy = "secrets/id_rsa"\n')
    result = run(["scan", ".", "--format", "json"], env, cwd=repo)
    assert result.exit_code == 2
    assert "not a policy file" in result.stderr
    assert KEY_BODY not in result.output and "PRIVATE KEY" not in result.output


def test_a_long_policy_value_is_quoted_short_and_redacted(repo: Path, env: dict[str, str]) -> None:
    token = "hf_" + "A1b2C3d4E5f6G7h8J9k0" * 2
    write(repo / ".licensecheck.yaml", f"version: 1\nfail_on: {token}\n")
    result = scan(repo, env)
    assert result.exit_code == 2
    assert token not in result.output and token[:12] not in result.output


# --- 6. scan does not read what licensecheck wrote -------------------------------------------


def test_scan_does_not_read_its_own_outputs(
    repo: Path, env: dict[str, str], hub: HubServer
) -> None:
    write(repo / "src/extra.py", f'x = AutoModel.from_pretrained("{NC}")\n')
    write(
        repo / ".licensecheck.yaml",
        "version: 1\nextends: default\nexceptions:\n"
        f"  - model: {META}\n    verdict: allow\n    reason: Legal approved (L-7).\n"
        "    approved_by: legal@example.com\n    expires: 2030-01-01\n",
    )
    first = run(["scan", str(repo), "--format", "json", "--output", str(repo / "report.json")], env)
    assert first.exit_code == 1
    for fmt, name in (("sarif", "out.sarif.json"), ("markdown", "report.md")):
        run(["scan", str(repo), "--format", fmt, "--output", str(repo / name)], env)
    sbom_spdx = run(["sbom", NC, "--format", "spdx-json", "--endpoint", hub.url], env)
    write(repo / "sbom.spdx.json", sbom_spdx.stdout)
    sbom_cdx = run(["sbom", NC, "--format", "cyclonedx-json", "--endpoint", hub.url], env)
    write(repo / "bom.json", sbom_cdx.stdout)
    notice = run(["notice", META, "--format", "json", "--endpoint", hub.url], env)
    write(repo / "notice.json", notice.stdout)
    # The alternatives ranking holds the audit report's keys and names every candidate.
    alternatives = ["alternatives", META, "--format", "json", "--endpoint", hub.url]
    run([*alternatives, "--output", str(repo / "alternatives.json")], env)
    assert META in (repo / "alternatives.json").read_text("utf-8")
    assert run(["lock", str(repo), "--endpoint", hub.url], env).exit_code in (0, 1)
    write(repo / "lock-copy.json", (repo / "licensecheck.lock").read_text("utf-8"))
    (repo / "licensecheck.lock").unlink()

    second = run(
        ["scan", str(repo), "--format", "json", "--output", str(repo / "report.json")], env
    )
    assert second.exit_code == first.exit_code
    data = json.loads((repo / "report.json").read_text("utf-8"))
    assert sorted(r["model"] for r in data["results"]) == sorted([MIT, NC])  # not META
    refs = {ref["path"] for r in data["results"] for ref in r["references"]}
    assert refs == {"src/app.py", "src/extra.py"}
    third = run(["scan", str(repo), "--format", "json", "--output", str(repo / "report.json")], env)
    assert third.exit_code == second.exit_code
    assert json.loads((repo / "report.json").read_text("utf-8")) == data

    # A config that merely borrows a report's key is still read.
    write(repo / "conf.json", json.dumps({"tool": {"name": "licensecheck"}, "model": META}))
    fourth = scan(repo, env)
    assert META in [r["model"] for r in report(fourth)["results"]]


def test_two_runs_with_output_replay_the_same_report(
    repo: Path, env: dict[str, str], hub: HubServer
) -> None:
    assert run(["lock", str(repo), "--endpoint", hub.url], env).exit_code in (0, 1)
    out = repo / "report.json"
    args = ["scan", str(repo), "--offline", "--locked", "--format", "json", "--output", str(out)]
    assert run(args, env).exit_code == 0
    first = out.read_bytes()
    assert run(args, env).exit_code == 0
    assert out.read_bytes() == first


# --- 7. a lock edited in a pull request --------------------------------------------------------


def _flip(lock: Path) -> None:
    text = lock.read_text("utf-8")
    assert "cc-by-nc-4.0" in text
    lock.write_text(text.replace("cc-by-nc-4.0", "apache-2.0"), "utf-8")


def test_an_edited_lock_is_refused_offline_and_caught_online(
    repo: Path, env: dict[str, str], hub: HubServer
) -> None:
    write(repo / "src/extra.py", f'x = AutoModel.from_pretrained("{NC}")\n')
    assert run(["lock", str(repo), "--endpoint", hub.url], env).exit_code in (0, 1)
    honest = scan(repo, env, "--offline", "--locked")
    assert honest.exit_code == 1 and verdicts(report(honest), NC)["commercial"] == "deny"
    _flip(repo / "licensecheck.lock")

    # Pre-commit: the entry contradicts itself (its LICENSE is the canonical CC BY-NC text).
    offline = scan(repo, env, "--offline", "--locked")
    assert offline.exit_code == 3, offline.output
    nc = next(r for r in report(offline)["results"] if r["model"] == NC)
    assert nc["status"] == "error" and nc["error"]["kind"] == "invalid"
    assert "contradicts itself" in nc["error"]["message"]
    assert "canonical text of cc-by-nc-4.0" in nc["error"]["message"]

    # CI: online --locked reads the model again; the lock's licence is drift.
    online = scan(repo, env, "--locked", "--endpoint", hub.url)
    assert online.exit_code == 1, online.output
    nc = next(r for r in report(online)["results"] if r["model"] == NC)
    assert nc["license"]["id"] == "cc-by-nc-4.0"
    assert any(f.startswith("lock-drift: ") for f in nc["findings"])


def test_the_action_verifies_the_lock_online(
    repo: Path, env: dict[str, str], hub: HubServer, tmp_path: Path
) -> None:
    write(repo / "src/extra.py", f'x = AutoModel.from_pretrained("{NC}")\n')
    assert run(["lock", str(repo), "--endpoint", hub.url], env).exit_code in (0, 1)
    _flip(repo / "licensecheck.lock")
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    script = next(s for s in action["runs"]["steps"] if s.get("name") == "Scan")["run"]
    out = tmp_path / "github_output"
    out.touch()
    step_env = {
        **os.environ,
        **env,
        "SCAN_PATH": str(repo),
        "SCAN_ARGS": "",
        "SARIF_FILE": str(tmp_path / "licensecheck.sarif"),
        "GITHUB_OUTPUT": str(out),
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
    }
    proc = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=tmp_path,
        env=step_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "exit-code=1" in out.read_text()
    sarif = json.loads((tmp_path / "licensecheck.sarif").read_text("utf-8"))
    assert any(r["ruleId"] == "drift" for r in sarif["runs"][0]["results"])
    for example in ("github-actions.yml", "gitlab-ci.yml"):
        text = (ROOT / "examples/ci" / example).read_text("utf-8")
        commands = [line for line in text.splitlines() if "licensecheck scan" in line]
        assert any("--locked" in c and "--offline" not in c for c in commands), example


# --- 8. waivers and stale waivers are visible ----------------------------------------------------


def test_waived_verdicts_and_stale_waivers_are_visible(repo: Path, env: dict[str, str]) -> None:
    write(repo / "src/extra.py", f'x = AutoModel.from_pretrained("{NC}")\n')
    policy = repo / ".licensecheck.yaml"
    write(
        policy,
        "version: 1\nextends: default\nexceptions:\n"
        f"  - model: {NC}\n    uses: [commercial]\n    verdict: allow\n"
        "    reason: Commercial licence bought (C-9).\n    approved_by: legal@example.com\n"
        "    expires: 2026-02-01\n"
        f"  - model: {NC}\n    uses: [defense]\n    verdict: allow\n"
        "    reason: Old waiver (C-1).\n    approved_by: legal@example.com\n"
        "    expires: 2025-12-31\n",
    )
    table = scan(repo, env, "--format", "table")  # today is 2026-01-15 (hub_env)
    assert "allow*" in table.stdout
    assert (
        "commercial: allow*, by the exception 'Commercial licence bought (C-9).' approved by "
        "legal@example.com until 2026-02-01" in table.stdout
    )
    assert "it replaced deny" in table.stdout
    assert "the exception at" in table.stderr and "has expired and was ignored" in table.stderr
    data = report(scan(repo, env))
    nc = next(r for r in data["results"] if r["model"] == NC)
    waiver = nc["verdicts"]["commercial"]["waiver"]
    location = waiver.pop("location")
    assert waiver == {
        "reason": "Commercial licence bought (C-9).",
        "replaced": "deny",
        "approved_by": "legal@example.com",
        "expires": "2026-02-01",
    }
    assert location.endswith(".licensecheck.yaml:4")
    assert nc["verdicts"]["defense"]["waiver"] is None
    markdown = scan(repo, env, "--format", "markdown").stdout
    assert "commercial: allow\\*, by the exception" in markdown or (
        "by the exception 'Commercial licence bought (C-9).'" in markdown
    )

    validated = run(["policy", "validate", str(policy)], env)
    assert validated.exit_code == 0
    assert "expired on 2025-12-31" in validated.stderr
    assert "expires on 2026-02-01 (in 17 days)" in validated.stderr
