"""The pre-commit warm path's caches: the pickled knowledge base and the loaded policy.

Both live in the user cache (`paths.cache_dir()`), are written atomically, and are only
accelerators: a missing, damaged or stale entry means parsing again, never a wrong answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _scan_support import metadata_lock_entry

from licensecheck import lockfile, paths
from licensecheck.errors import PolicyError
from licensecheck.knowledge import store
from licensecheck.knowledge.store import KnowledgeBase
from licensecheck.policy import load


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "lc-cache"
    monkeypatch.setenv("LICENSECHECK_CACHE_DIR", str(folder))
    return folder


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LICENSECHECK_CACHE_DIR", str(tmp_path / "own"))
    assert paths.cache_dir() == tmp_path / "own"
    monkeypatch.delenv("LICENSECHECK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert paths.cache_dir() == tmp_path / "xdg" / "licensecheck"


def test_pickles_are_written_whole_and_garbage_reads_as_none(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "entry.pickle"
    assert paths.write_pickle(target, {"a": (1, 2)})
    assert paths.read_pickle(target) == {"a": (1, 2)}
    assert [p.name for p in target.parent.iterdir()] == ["entry.pickle"]  # no temporary left
    target.write_bytes(b"\x80\x05garbage")
    assert paths.read_pickle(target) is None
    assert paths.read_pickle(tmp_path / "missing.pickle") is None
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert not paths.write_pickle(blocker / "under-a-file.pickle", 1)  # unwritable: False


# --- the knowledge base ----------------------------------------------------------------------


def _kb_pickles(cache: Path) -> list[Path]:
    return sorted(cache.glob("knowledge-*.pickle"))


def test_the_knowledge_base_is_read_from_its_pickle_once_written(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = store.load_cached()
    (written,) = _kb_pickles(cache)
    assert parsed.digest in written.name

    def no_parsing(*args: object) -> KnowledgeBase:
        raise AssertionError("parsed although the pickle is current")

    monkeypatch.setattr(store, "load", no_parsing)
    warm = store.load_cached()
    assert warm.digest == parsed.digest and warm.ids() == parsed.ids()
    assert warm.resolve("Apache License 2.0") == parsed.resolve("Apache License 2.0")


def test_a_damaged_or_foreign_knowledge_pickle_is_parsed_again(cache: Path) -> None:
    good = store.load_cached()
    (written,) = _kb_pickles(cache)
    written.write_bytes(written.read_bytes()[:100])  # truncated
    assert store.load_cached().ids() == good.ids()
    assert isinstance(paths.read_pickle(written), KnowledgeBase)  # rewritten whole
    # A knowledge base whose digest is not the data's (an older one) is not used.
    paths.write_pickle(written, KnowledgeBase([], "0" * 16))
    assert len(store.load_cached()) == len(good)


def test_changed_licence_data_gets_a_new_knowledge_pickle(cache: Path, tmp_path: Path) -> None:
    data = tmp_path / "licenses"
    data.mkdir()
    for name in ("mit.yaml", "apache-2.0.yaml"):
        (data / name).write_bytes((store.LICENSES_DIR / name).read_bytes())
    first = store.load_cached(data)
    assert sorted(first.ids()) == ["apache-2.0", "mit"]
    text = (data / "mit.yaml").read_text("utf-8")
    (data / "mit.yaml").write_text(text.replace("name: ", "name: Changed ", 1), "utf-8")
    second = store.load_cached(data)
    assert second.digest != first.digest
    assert second["mit"].name.startswith("Changed ")
    assert len(_kb_pickles(cache)) == 2


# --- the policy --------------------------------------------------------------------------------


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    """A policy that extends a file that extends a preset."""
    (tmp_path / "base.yaml").write_text(
        "extends: default\nname: base\nfail_on: deny\nrules:\n"
        "  - match: {license: mit}\n    verdict: allow\n",
        "utf-8",
    )
    top = tmp_path / "top.yaml"
    top.write_text(
        "extends: base.yaml\nname: top\nrules:\n"
        "  - match: {license: apache-2.0}\n    verdict: allow\n    uses: [research]\n",
        "utf-8",
    )
    return top


def _policy_pickles(cache: Path) -> list[Path]:
    return sorted(cache.glob("policy-*.pickle")) if cache.is_dir() else []


def test_a_cached_policy_equals_a_parsed_one_and_skips_the_parse(
    chain: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = store.load()
    parsed = load.load_policy(chain, kb)
    assert _policy_pickles(cache) == []  # no cache directory given: nothing written
    first = load.load_policy(chain, kb, cache=cache)
    assert first == parsed and len(_policy_pickles(cache)) == 1

    def no_parsing(*args: object) -> object:
        raise AssertionError("parsed although every file of the chain is unchanged")

    monkeypatch.setattr(load._Loader, "file", no_parsing)
    assert load.load_policy(chain, kb, cache=cache) == parsed
    assert [r.verdict for r in parsed.rules][-2:] == ["allow", "allow"]
    assert parsed.sources[-2:] == (str(chain.parent / "base.yaml"), str(chain))


def test_editing_any_file_of_the_chain_reloads_the_policy(chain: Path, cache: Path) -> None:
    kb = store.load()
    assert load.load_policy(chain, kb, cache=cache).fail_on == "deny"
    base = chain.parent / "base.yaml"
    base.write_text(base.read_text("utf-8").replace("fail_on: deny", "fail_on: review"))
    reloaded = load.load_policy(chain, kb, cache=cache)
    assert reloaded.fail_on == "review"
    assert reloaded == load.load_policy(chain, kb)
    # An error introduced in the parent is reported, not hidden by the cached policy.
    base.write_text(base.read_text("utf-8").replace("fail_on: review", "fail_on: sometimes"))
    with pytest.raises(PolicyError) as err:
        load.load_policy(chain, kb, cache=cache)
    assert any("base.yaml:3:" in p and "fail_on" in p for p in err.value.problems)


def test_a_damaged_policy_entry_is_reparsed_and_a_bad_policy_never_cached(
    chain: Path, cache: Path, tmp_path: Path
) -> None:
    kb = store.load()
    good = load.load_policy(chain, kb, cache=cache)
    (entry,) = _policy_pickles(cache)
    entry.write_bytes(b"not a pickle")
    assert load.load_policy(chain, kb, cache=cache) == good
    assert paths.read_pickle(entry) is not None
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nfail_on: [\n", "utf-8")
    with pytest.raises(PolicyError):
        load.load_policy(bad, kb, cache=cache)
    assert len(_policy_pickles(cache)) == 1


def test_the_same_file_named_differently_keeps_its_own_name(
    chain: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = store.load()
    monkeypatch.chdir(chain.parent)
    relative = load.load_policy("top.yaml", kb, cache=cache)
    absolute = load.load_policy(chain, kb, cache=cache)
    assert relative.path == "top.yaml" and absolute.path == str(chain)
    assert relative.sha256 == absolute.sha256
    preset = load.load_preset("default", kb, cache=cache)
    assert preset == load.load_preset("default", kb) and preset.path is None


def test_pyproject_without_licensecheck_means_the_default(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.other]\nmodel_id = "org/m"\n', "utf-8")
    assert load.resolve_policy(None, None, tmp_path).name == "default"
    (tmp_path / "pyproject.toml").write_text(
        '[tool]\nlicensecheck = { preset = "research" }\n', "utf-8"
    )
    assert load.resolve_policy(None, None, tmp_path).name == "research"


# --- the warm scan, end to end -----------------------------------------------------------------

PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('\\nLOADED:' + ','.join(sorted(m for m in "
    "('licensecheck.policy.schema', 'licensecheck.policy.yamlsource', 'huggingface_hub', "
    "'rich') if m in sys.modules))))\n"
    "from licensecheck.cli.main import main\n"
    "main()\n"
)


def _locked_repo(root: Path) -> None:
    ids = ["warm-org/model-a", "warm-org/model-b"]
    (root / "train.py").write_text(
        "from transformers import AutoModel\n"
        + "".join(f'm{i} = AutoModel.from_pretrained("{m}")\n' for i, m in enumerate(ids))
    )
    (root / ".licensecheck.yaml").write_text(
        "extends: default\nname: team\nrules:\n  - match: {license: mit}\n    verdict: allow\n"
    )
    entries = {}
    for i, (repo_id, lic) in enumerate(zip(ids, ("mit", "cc-by-nc-4.0"), strict=True)):
        entry = metadata_lock_entry(repo_id, lic, i + 1)
        entries[entry.key] = entry
    lockfile.write(root / "licensecheck.lock", lockfile.Lock(models=entries, policy_name="team"))


def test_a_warm_locked_scan_parses_no_policy_and_answers_the_same(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _locked_repo(repo)
    env = {
        **os.environ,
        **cli_env,
        "LICENSECHECK_CACHE_DIR": str(tmp_path / "lc-cache"),
        "LICENSECHECK_TODAY": "2026-01-15",
    }
    args = [sys.executable, "-c", PROBE, "scan", "--offline", "--locked", "--format", "json"]

    def run() -> tuple[str, set[str]]:
        proc = subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1, proc.stderr  # cc-by-nc-4.0: not for commercial use
        loaded = proc.stderr.rsplit("LOADED:", 1)[-1].strip()
        return proc.stdout, set(filter(None, loaded.split(",")))

    cold, cold_loaded = run()
    assert "licensecheck.policy.schema" in cold_loaded  # the first run parses and validates
    warm, warm_loaded = run()
    assert warm == cold  # byte-identical report from the caches
    assert warm_loaded == set()
    report = json.loads(warm)
    assert report["policy"]["name"] == "team"
    assert [r["license"]["id"] for r in report["results"]] == ["mit", "cc-by-nc-4.0"]
    # The policy edited: the next run sees it (the cache never hides a change).
    policy = repo / ".licensecheck.yaml"
    policy.write_text(policy.read_text().replace("name: team", "name: team-2"))
    edited, edited_loaded = run()
    assert json.loads(edited)["policy"]["name"] == "team-2"
    assert "licensecheck.policy.schema" in edited_loaded
