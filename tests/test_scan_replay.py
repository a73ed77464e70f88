"""The pre-commit warm path's last two caches: discovery per file, and the replay of a scan
that the lock decided (licensecheck/discovery/cache.py, licensecheck/cli/replay.py).

Both are accelerators. What these tests pin down is that they never hide a change: every
input a lock-decided report depends on (the referenced files, the lock, each file of the
policy chain, the options, the date, the environment) makes a normal run again, and a run
that read anything besides the lock is never replayed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _scan_support import metadata_lock_entry
from click.testing import CliRunner

import licensecheck
from licensecheck import discovery, lockfile
from licensecheck.cli.main import main
from licensecheck.discovery.cache import DiscoveryCache

MODELS = {"replay-org/model-a": "mit", "replay-org/model-b": "cc-by-nc-4.0"}


def _write_lock(root: Path, models: dict[str, str]) -> None:
    entries = {}
    for n, (repo_id, lic) in enumerate(models.items(), start=1):
        entry = metadata_lock_entry(repo_id, lic, n)
        entries[entry.key] = entry
    lockfile.write(root / "licensecheck.lock", lockfile.Lock(models=entries, policy_name="team"))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose two models are both in its lock, with a two-file policy chain."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "train.py").write_text(
        "from transformers import AutoModel\n"
        + "".join(f'm{i} = AutoModel.from_pretrained("{m}")\n' for i, m in enumerate(MODELS))
    )
    (root / "base-policy.yaml").write_text(
        "extends: default\nname: base\nrules:\n  - match: {license: mit}\n    verdict: allow\n"
    )
    (root / ".licensecheck.yaml").write_text("extends: ./base-policy.yaml\nname: team\n")
    _write_lock(root, MODELS)
    monkeypatch.setenv("LICENSECHECK_CACHE_DIR", str(tmp_path / "lc-cache"))
    monkeypatch.setenv("LICENSECHECK_TODAY", "2026-01-15")
    monkeypatch.chdir(root)
    return root


def _scan(*extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["scan", "--offline", "--locked", "--format", "json", *extra])
    return result.exit_code, result.stdout


def _replays(root: Path) -> list[Path]:
    return sorted((root.parent / "lc-cache").glob("scan-*.pickle"))


PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('\\nLOADED:' + ','.join(sorted(m for m in "
    "('licensecheck.audit', 'licensecheck.knowledge.store', 'licensecheck.policy.load', "
    "'licensecheck.lockfile', 'yaml') if m in sys.modules))))\n"
    "from licensecheck.cli.main import main\n"
    "main()\n"
)


def _run(*args: str) -> tuple[int, str, set[str]]:
    """`licensecheck ARGS` as a fresh process in the working directory: its exit status,
    stdout and which of the audit's, knowledge base's and policy's modules it imported."""
    # The same licensecheck as this process (the source tree), not another installed copy:
    # a different package is a different fingerprint, so it could never replay.
    env = {**os.environ, "PYTHONPATH": str(Path(licensecheck.__file__).parent.parent)}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120, env=env
    )
    loaded = proc.stderr.rsplit("LOADED:", 1)[-1].strip()
    return proc.returncode, proc.stdout, set(filter(None, loaded.split(",")))


def _replayed_scan(*extra: str) -> tuple[int, str]:
    """`_scan(*extra)` as a fresh process that must be a replay: it imports none of the
    audit, the knowledge base, the policy loader or the lock reader."""
    status, out, loaded = _run("scan", "--offline", "--locked", "--format", "json", *extra)
    assert loaded == set(), f"audited although a replay was expected: {sorted(loaded)}"
    return status, out


def test_an_identical_locked_scan_is_replayed_byte_for_byte(repo: Path) -> None:
    status, cold = _scan()
    assert status == 1  # cc-by-nc-4.0: not for commercial use
    assert len(_replays(repo)) == 1
    assert _replayed_scan() == (1, cold)


def test_a_replayed_report_to_a_file_is_written_again(repo: Path) -> None:
    out = repo.parent / "report.sarif"
    assert _scan("--format", "sarif", "-o", str(out))[0] == 1
    first = out.read_bytes()
    out.unlink()
    assert _replayed_scan("--format", "sarif", "-o", str(out))[0] == 1
    assert out.read_bytes() == first


def _licences(report: str) -> list[str]:
    return [r["license"]["id"] for r in json.loads(report)["results"]]


def test_a_relicensed_lock_entry_is_seen(repo: Path) -> None:
    _scan()
    _write_lock(repo, {**MODELS, "replay-org/model-b": "apache-2.0"})
    status, report = _scan()
    assert (status, _licences(report)) == (0, ["mit", "apache-2.0"])


def test_an_edit_anywhere_in_the_policy_chain_is_seen(repo: Path) -> None:
    _scan()
    base = repo / "base-policy.yaml"  # not the file that chooses the policy: its parent
    base.write_text(base.read_text() + "uses: [research]\n")
    status, report = _scan()
    assert status == 0  # cc-by-nc-4.0 is fine for research
    assert json.loads(report)["uses"] == ["research"]


def test_a_policy_added_in_a_nearer_folder_is_seen(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No list names the folders the policy is looked for in: the run noted that there was
    no `.licensecheck.yaml` in `sub/`, so one appearing there makes a normal run."""
    (repo / ".git").mkdir()
    (repo / "sub").mkdir()
    (repo / "train.py").rename(repo / "sub" / "train.py")
    monkeypatch.chdir(repo / "sub")  # the lock and the policy are found in the parent
    assert _scan()[0] == 1
    assert _replayed_scan()[0] == 1
    (repo / "sub" / ".licensecheck.yaml").write_text(
        "extends: ../base-policy.yaml\nname: sub\nuses: [research]\n"
    )
    status, report = _scan()
    assert status == 0  # cc-by-nc-4.0 is fine for research
    assert json.loads(report)["uses"] == ["research"]


def test_an_environment_variable_the_run_read_is_seen(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever variable the run looked up is part of what a replay checks: here the
    date the SBOM formats take from SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = _scan("--format", "spdx-json")[1]
    assert _replayed_scan("--format", "spdx-json")[1] == first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    again = _scan("--format", "spdx-json")[1]
    assert again != first and "2027" in again


def test_a_new_reference_is_seen(repo: Path) -> None:
    _scan()
    (repo / "eval.py").write_text('from transformers import pipeline\npipeline(model="x/y")\n')
    result = CliRunner().invoke(main, ["scan", "--offline", "--locked"])
    assert result.exit_code == 2  # --locked, and x/y is not in the lock
    assert "x/y" in result.stderr


def test_the_date_options_and_environment_are_part_of_the_fingerprint(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, cold = _scan()
    sarif = _scan("--format", "sarif")[1]
    assert "$schema" in sarif and sarif != cold
    (repo / ".licensecheck.yaml").write_text(
        "extends: ./base-policy.yaml\nname: team\nexceptions:\n"
        "  - model: replay-org/model-b\n    verdict: allow\n    reason: evaluation\n"
        "    approved_by: legal@example.org\n"
        "    expires: 2026-02-01\n"
    )
    assert _scan()[0] == 0  # the exception holds on 2026-01-15
    monkeypatch.setenv("LICENSECHECK_TODAY", "2026-03-01")
    status, expired = _scan()
    assert status == 1  # ... and has expired by March: not the replay of January's run
    assert json.loads(expired)["expired_exceptions"]


def test_a_run_that_read_more_than_the_lock_is_not_recorded(repo: Path) -> None:
    (repo / "eval.py").write_text('from transformers import pipeline\npipeline(model="x/y")\n')
    result = CliRunner().invoke(main, ["scan", "--offline", "--format", "json"])
    assert result.exit_code == 3  # x/y: not in the lock and not in the HF cache
    assert _replays(repo) == []


def test_a_damaged_replay_store_means_a_normal_run(repo: Path) -> None:
    status, cold = _scan()
    (store,) = _replays(repo)
    store.write_bytes(b"\x80\x05not a pickle")
    assert _scan() == (status, cold)


def test_a_replayed_scan_loads_neither_the_audit_nor_the_knowledge_base(repo: Path) -> None:
    status, cold, cold_loaded = _run("scan", "--offline", "--locked", "--format", "json")
    assert status == 1
    assert {"licensecheck.audit", "licensecheck.policy.load", "yaml"} <= cold_loaded
    assert _replayed_scan() == (1, cold)


# --- discovery's per-file cache ----------------------------------------------------------------


@pytest.fixture
def code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with one Python file naming org/a, and a cache directory of its own."""
    monkeypatch.setenv("LICENSECHECK_CACHE_DIR", str(tmp_path / "lc-cache"))
    root = tmp_path / "code"
    root.mkdir()
    (root / "a.py").write_text('AutoModel.from_pretrained("org/a")\n')
    return root


_DISCOVER = """
import json, sys
from pathlib import Path
from licensecheck import discovery
from licensecheck.discovery.cache import DiscoveryCache
root = Path(sys.argv[1])
found = discovery.discover([root], root, cache=DiscoveryCache.open(root))
parsers = sorted(m for m in ("yaml", "tomllib") if m in sys.modules)
print(json.dumps([[[r.path, r.line, r.repo_id] for r in found.refs], parsers]))
"""


def _discover(root: Path) -> tuple[list[list[object]], list[str]]:
    """Discovery in a fresh process: its references, and which parsers it had to import
    (a file answered from the discovery cache is not parsed, so its parser stays unloaded;
    `ast` is no signal: the standard library imports it anyway)."""
    out = subprocess.run(
        [sys.executable, "-c", _DISCOVER, str(root)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    ).stdout
    refs, parsers = json.loads(out)
    return refs, parsers


def test_discovery_parses_only_files_whose_name_or_bytes_changed(code: Path) -> None:
    root = code
    (root / "b.yaml").write_text("base_model: org/b\n")
    (root / "c.toml").write_text('[train]\nmodel_id = "org/c"\n')
    cold = _discover(root)
    refs = [["a.py", 1, "org/a"], ["b.yaml", 1, "org/b"], ["c.toml", 2, "org/c"]]
    assert cold == (refs, ["tomllib", "yaml"])
    assert _discover(root) == (refs, [])  # nothing changed: nothing parsed
    # Same size, same mtime, different bytes: still seen (the key is the content).
    stat = (root / "b.yaml").stat()
    (root / "b.yaml").write_text("base_model: org/z\n")
    os.utime(root / "b.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    refs[1] = ["b.yaml", 1, "org/z"]
    assert _discover(root) == (refs, ["yaml"])
    # A new name with bytes seen before under another name is parsed too.
    (root / "d.toml").write_bytes((root / "c.toml").read_bytes())
    assert _discover(root) == ([*refs, ["d.toml", 2, "org/c"]], ["tomllib"])


def test_a_damaged_discovery_cache_is_ignored(code: Path) -> None:
    root = code
    cache = DiscoveryCache.open(root)
    discovery.discover([root], root, cache=cache)
    assert cache.path is not None and cache.path.is_file()
    cache.path.write_bytes(b"garbage")
    found = discovery.discover([root], root, cache=DiscoveryCache.open(root))
    assert [r.repo_id for r in found.refs] == ["org/a"]
    # A well-formed pickle of the wrong shape is not trusted either.
    from licensecheck import paths

    digest = DiscoveryCache.digest((root / "a.py").read_bytes())
    paths.write_pickle(cache.path, {"a.py": (digest, ("not", "refs"))})
    found = discovery.discover([root], root, cache=DiscoveryCache.open(root))
    assert [r.repo_id for r in found.refs] == ["org/a"]


def test_only_the_newest_runs_are_kept(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from licensecheck.cli import replay

    for day in range(1, replay.MAX_ENTRIES + 3):
        monkeypatch.setenv("LICENSECHECK_TODAY", f"2026-01-{day:02d}")
        assert _scan()[0] == 1
    assert len(_replays(repo)) == replay.MAX_ENTRIES
    assert _replayed_scan()[0] == 1  # the newest is among them


def test_a_commit_without_model_references_replays_whatever_its_files(repo: Path) -> None:
    """The most common commit: the staged files name no model. Online or offline, the report
    then depends on the policy, the date and the options only."""
    (repo / "utils.py").write_text("def helper():\n    return 1\n")
    (repo / "notes.yaml").write_text("owner: ml-team\n")
    first = CliRunner().invoke(main, ["scan", "utils.py", "--format", "json"])
    assert first.exit_code == 0
    assert "no model references found (1 files scanned)" in first.stderr
    status, again, loaded = _run("scan", "notes.yaml", "utils.py", "--format", "json")
    assert (status, again) == (0, first.stdout)
    assert "licensecheck.knowledge.store" not in loaded
    assert json.loads(again)["results"] == []
