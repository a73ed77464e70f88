"""Hostile input: each gets a clear one-line error or a finding, in bounded time and memory.

- policies: alias bombs, too many aliases, over 1 MiB, nesting past the limit, NUL and
  non-UTF-8 bytes, Python tags, not a mapping, empty: exit 2, one line per problem naming
  file:line:column, nothing judged;
- model directories (one offline `audit` over all of them, in a fresh process whose peak
  memory is measured): alias bombs and self-referencing aliases in front matter, nesting
  past the limit, READMEs and licence files of several MiB (read up to the 1 MiB cap),
  binary, NUL-containing, empty and non-UTF-8 files, front matter that is not a mapping,
  control characters and lone surrogates, symlinks that leave the directory (not followed),
  base_model lists of thousands of entries and base_model entries that are paths;
- the Hub: a card naming 3000 bases, and a base_model chain deeper than the limit;
- model references with `..`, absolute paths and traversing revisions, from the command line
  and from scanned code;
- licensecheck's own cache (the identify index) truncated, garbage or of the wrong type.
"""

from __future__ import annotations

import json
import pickle
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _hardening_support import clean_env, run_cli
from click.testing import CliRunner
from hub_server import HubServer, corpus_license, make_card

from licensecheck.cli.main import main

MIB = 1024 * 1024
MIT = corpus_license("mit.txt")
APACHE = corpus_license("apache-2.0.txt")
FAIL_CLOSED = {"review", "deny"}


def offline_env(tmp: Path) -> dict[str, str]:
    return {
        "HF_HOME": str(tmp / "hf-home"),
        "HF_HUB_CACHE": str(tmp / "hf-cache"),
        "HF_HUB_OFFLINE": "1",
        "LICENSECHECK_TODAY": "2026-06-01",
    }


# --- policies ------------------------------------------------------------------------------


def _bomb() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


HOSTILE_POLICIES: dict[str, tuple[bytes, str]] = {
    "alias-bomb": (_bomb().encode(), "alias bomb"),
    "many-aliases": (
        ("x: &x 1\ny: [" + ", ".join(["*x"] * 300) + "]\n").encode(),
        "more than 200 YAML aliases",
    ),
    "over-1-mib": (b"# padding\n" * 110_000 + b"uses: [research]\n", "larger than 1 MiB"),
    "deep-flow": (b"uses: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested deeper than"),
    "deep-block": (
        "".join(f"{'  ' * i}k{i}:\n" for i in range(60)).encode() + b"  " * 60 + b"x: 1\n",
        "nested deeper than",
    ),
    "nul": (b"name: a\x00b\n", "U+0000"),
    "escape": (b"name: \x1b[31mred\n", "U+001B"),
    "latin-1": ("name: \xe9t\xe9\n".encode("latin-1"), "not UTF-8"),
    "python-tag": (b'name: !!python/object/apply:os.system ["id"]\n', "unsupported YAML tag"),
    "a-list": (b"- uses\n- rules\n", "must be a mapping"),
    "empty": (b"", "the policy is empty"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_POLICIES))
def test_hostile_policies_are_refused_in_one_line(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, expected = HOSTILE_POLICIES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(data)
    model = tmp_path / "model"
    model.mkdir()
    (model / "README.md").write_bytes(make_card(license="mit"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for args in (
        ["policy", "validate", path.name],
        ["audit", "./model", "--policy", path.name, "--offline", "--format", "json"],
    ):
        start = time.monotonic()
        result = runner.invoke(main, args, env=offline_env(tmp_path))
        assert time.monotonic() - start < 5, (name, args)
        assert result.exit_code == 2, (name, args, result.output)
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert expected in line and path.name in line, line
        assert "Traceback" not in result.stderr


# --- model directories: one run over all of them --------------------------------------------


def _card_bomb() -> bytes:
    return b"---\nlicense: mit\n" + _bomb().encode() + b"---\n# Bomb\n"


def _huge(text: bytes, size: int) -> bytes:
    filler = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n"
    return text + filler * (size // len(filler))


# name -> (files, expected licence id, finding kinds that must be reported)
DIRS: dict[str, tuple[dict[str, bytes], str, set[str]]] = {
    "card-alias-bomb": ({"README.md": _card_bomb(), "LICENSE": MIT}, "mit", {"card-yaml-error"}),
    "card-self-alias": (
        {"README.md": b"---\nlicense: mit\nbase_model: &x [*x]\n---\n", "LICENSE": MIT},
        "mit",
        {"card-yaml-error"},
    ),
    "card-deep-nesting": (
        {"README.md": b"---\nlicense: mit\ntags: " + b"[" * 20000 + b"]" * 20000 + b"\n---\n"},
        "mit",
        {"card-yaml-error"},
    ),
    "card-huge-integer": (
        {"README.md": b"---\nlicense: mit\nlikes: 1" + b"0" * 6000 + b"\n---\n"},
        "mit",
        {"card-yaml-error"},
    ),
    "readme-5-mib": (
        {"README.md": _huge(make_card("# Huge\n", license="apache-2.0"), 5 * MIB)},
        "apache-2.0",
        {"file-truncated"},
    ),
    "license-3-mib": (
        {"README.md": make_card(license="mit"), "LICENSE": _huge(MIT + b"\n", 3 * MIB)},
        "mit",
        {"file-truncated"},
    ),
    "license-binary": (
        {"README.md": make_card(license="mit"), "LICENSE": b"\x7fELF\x00\x01\x02" * 1000},
        "mit",
        {"file-binary"},
    ),
    "license-empty": ({"README.md": make_card(license="mit"), "LICENSE": b""}, "mit", {"file-empty"}),
    "license-latin-1": (
        {"README.md": make_card(license="mit"), "LICENSE": MIT.replace(b"Permission", b"Perm\xe9ssion")},
        "mit",
        {"file-not-utf8"},
    ),
    "readme-nul": ({"README.md": b"---\nlicense: mit\n---\n\x00\x00"}, "unknown", {"file-binary"}),
    "readme-empty": ({"README.md": b"\n\n"}, "unknown", {"file-empty"}),
    "readme-latin-1": (
        {"README.md": "---\nlicense: mit\n---\n# Mod\xe8le\n".encode("latin-1")},
        "mit",
        {"file-not-utf8"},
    ),
    "front-matter-list": ({"README.md": b"---\n- license\n- mit\n---\n"}, "unknown", {"card-not-mapping"}),
    "front-matter-scalar": ({"README.md": b"---\nMIT licensed\n---\n"}, "unknown", {"card-not-mapping"}),
    "control-characters": (
        {"README.md": b'---\nlicense: mit\nlicense_name: "\\x1b]0;owned\\x07\\ud800"\n---\n'
         b"# \x1b[2J\x1b[31mred\x07\n"},
        "mit",
        set(),
    ),
    "bases-5000": (
        {"README.md": make_card(
            license="mit", base_model=[f"org{i}/base-{i}" for i in range(5000)])},
        "mit",
        {"card-field-capped", "lineage-capped"},
    ),
    "bases-are-paths": (
        {"README.md": make_card(
            license="mit", base_model=["../../etc/passwd", "/etc/passwd", "C:\\models\\x",
                                       "org/../x", "~/models/x"])},
        "mit",
        {"lineage-invalid-base"},
    ),
}  # fmt: skip


def _symlink_dir(root: Path) -> Path:
    """A model directory whose card, licence and a licence folder are symlinks that leave it
    (to a card and licence texts that would clear the model), plus a loop and an inner link."""
    outside = root / "outside"
    (outside / "licenses").mkdir(parents=True)
    (outside / "README.md").write_bytes(make_card(license="apache-2.0"))
    (outside / "LICENSE").write_bytes(APACHE)
    (outside / "licenses" / "LICENSE").write_bytes(APACHE)
    model = root / "symlinks"
    model.mkdir()
    (model / "README.md").symlink_to(outside / "README.md")
    (model / "LICENSE").symlink_to(Path("..") / "outside" / "LICENSE")
    (model / "licenses").symlink_to(outside / "licenses")
    (model / "LICENSE.txt").symlink_to(model / "LICENSE.txt")  # a loop
    (model / "docs").mkdir()
    (model / "docs" / "NOTICE").write_bytes(b"Inner notice\n")
    (model / "NOTICE").symlink_to(Path("docs") / "NOTICE")  # inside: followed
    return model


def _measured_run(root: str) -> tuple[dict[str, Any], float, int, str]:
    """One offline audit of every directory in a fresh process: (report by model, seconds,
    peak RSS in KiB, stderr)."""
    base = Path(root)
    names = sorted(DIRS)
    for name in names:
        folder = base / name
        folder.mkdir()
        for file, data in DIRS[name][0].items():
            (folder / file).write_bytes(data)
    _symlink_dir(base)
    names.append("symlinks")
    args = ["audit", *[f"./{n}" for n in names], "--offline", "--format", "json"]
    probe = (
        "import atexit, resource, runpy, sys\n"
        "atexit.register(lambda: sys.stderr.write("
        "'MAXRSS=%d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n"
        f"sys.argv = ['licensecheck', *{args!r}]\n"
        "runpy.run_module('licensecheck', run_name='__main__')\n"
    )
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        env=clean_env(offline_env(base)),
        cwd=base,
        timeout=300,
    )
    elapsed = time.monotonic() - start
    err = proc.stderr.decode("utf-8")
    assert proc.returncode in (1, 3), err
    rss = int(err.rsplit("MAXRSS=", 1)[1].split()[0])
    report = json.loads(proc.stdout)
    return {r["model"].removeprefix("./"): r for r in report["results"]}, elapsed, rss, err


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], float, int, str]:
    return _measured_run(str(tmp_path_factory.mktemp("hostile-dirs")))


def finding_kinds(result: dict[str, Any]) -> set[str]:
    """The kinds of the findings a JSON result carries (`kind: message` strings or objects)."""
    out = set()
    for item in result.get("findings") or []:
        out.add(item["kind"] if isinstance(item, dict) else str(item).split(":", 1)[0])
    return out


@pytest.mark.parametrize("name", sorted(DIRS))
def test_hostile_model_directory_is_judged_with_findings(
    hostile_run: tuple[dict[str, Any], float, int, str], name: str
) -> None:
    results, _, _, _ = hostile_run
    _, licence, expected = DIRS[name]
    result = results[name]
    assert result["status"] == "ok", result["error"]
    assert result["license"]["id"] == licence
    assert expected <= finding_kinds(result), finding_kinds(result)
    for item in result.get("findings") or []:
        text = item["message"] if isinstance(item, dict) else item
        assert "\n" not in text and "\x1b" not in text
    if licence == "unknown" or expected & {"lineage-capped", "lineage-invalid-base"}:
        # What could not be read or followed never clears a model.
        assert {v["verdict"] for v in result["verdicts"].values()} <= FAIL_CLOSED


def test_symlinks_out_of_the_model_directory_are_not_followed(
    hostile_run: tuple[dict[str, Any], float, int, str],
) -> None:
    results, _, _, _ = hostile_run
    result = results["symlinks"]
    assert result["status"] == "ok"
    # The outside card and licences declared apache-2.0; none of it was read.
    assert result["license"]["id"] == "unknown"
    outside = [
        str(f).split(":", 2)[1].strip() if not isinstance(f, dict) else f.get("path")
        for f in result["findings"]
        if (f["kind"] if isinstance(f, dict) else str(f)).startswith("file-outside")
    ]
    assert {"README.md", "LICENSE", "licenses"} <= set(outside)
    assert {v["verdict"] for v in result["verdicts"].values()} <= FAIL_CLOSED


def test_the_hostile_run_is_bounded_and_its_output_is_clean(
    hostile_run: tuple[dict[str, Any], float, int, str],
) -> None:
    results, elapsed, rss, err = hostile_run
    assert len(results) == len(DIRS) + 1
    assert elapsed < 60, f"{elapsed:.1f}s"
    assert rss < 700 * 1024, f"peak RSS {rss // 1024} MiB"
    assert "Traceback" not in err
    text = json.dumps(results, ensure_ascii=False)
    assert "\x1b" not in text and "\x07" not in text


def test_table_output_has_no_terminal_control_characters(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "README.md").write_bytes(DIRS["control-characters"][0]["README.md"])
    for fmt in ("table", "markdown", "sarif"):
        result = run_cli(
            ["audit", "./model", "--offline", "--format", fmt], offline_env(tmp_path), tmp_path
        )
        assert result.code in (0, 1), result.err
        for byte in (b"\x1b", b"\x07", b"\xed\xa0\x80"):
            assert byte not in result.stdout, (fmt, byte)
    explain = run_cli(
        ["explain", "./model", "--offline", "--use", "research"], offline_env(tmp_path), tmp_path
    )
    assert b"\x1b" not in explain.stdout and explain.code in (0, 1), explain.err


# --- the Hub: thousands of bases, chains deeper than the limit ------------------------------


def _audit(hub: HubServer, env: dict[str, str], *models: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(
        main, ["audit", *models, "--endpoint", hub.url, "--format", "json"], env=env
    )
    assert "Traceback" not in result.stderr
    return result.exit_code, {r["model"]: r for r in json.loads(result.stdout)["results"]}


def test_a_card_naming_thousands_of_bases_costs_a_bounded_number_of_requests(
    hub: HubServer, cli_env: dict[str, str]
) -> None:
    from licensecheck.lineage import MAX_BASES

    hub.add_repo(
        "hostile/merge-of-3000",
        {"README.md": make_card(license="mit", base_model=[f"b{i}/m{i}" for i in range(3000)])},
    )
    start = time.monotonic()
    code, results = _audit(hub, cli_env, "hostile/merge-of-3000")
    assert time.monotonic() - start < 30
    result = results["hostile/merge-of-3000"]
    assert result["status"] == "ok" and code == 1
    assert {"card-field-capped", "lineage-capped"} <= finding_kinds(result)
    # The Hub's tags name all 3000 too; at most MAX_BASES of them are asked for.
    asked = {r.path for r in hub.requests("GET", "/api/models/b")}
    assert len(asked) <= MAX_BASES
    assert len(result["lineage"]) <= MAX_BASES + 1
    assert {v["verdict"] for v in result["verdicts"].values()} <= FAIL_CLOSED


def test_a_chain_deeper_than_the_limit_is_cut_and_fails_closed(
    hub: HubServer, cli_env: dict[str, str]
) -> None:
    from licensecheck.lineage import DEFAULT_MAX_DEPTH

    depth = DEFAULT_MAX_DEPTH + 4
    for i in range(depth, -1, -1):
        meta: dict[str, Any] = {"license": "mit"}
        if i < depth:
            meta["base_model"] = f"hostile/chain-{i + 1}"
        hub.add_repo(f"hostile/chain-{i}", {"README.md": make_card(**meta)})
    code, results = _audit(hub, cli_env, "hostile/chain-0")
    result = results["hostile/chain-0"]
    assert result["status"] == "ok" and code == 1
    assert "lineage-too-deep" in finding_kinds(result)
    assert max(link.get("depth", 0) for link in result["lineage"]) <= DEFAULT_MAX_DEPTH + 1
    asked = {r.path for r in hub.requests("GET", "/api/models/hostile/chain-")}
    assert len(asked) <= DEFAULT_MAX_DEPTH + 1
    assert {v["verdict"] for v in result["verdicts"].values()} <= FAIL_CLOSED


# --- model references with `..` and absolute paths -----------------------------------------


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("org/../x", "is not a Hub model id"),
        ("../../etc", "no such directory"),
        ("/etc/passwd", "is a file"),
        ("/no/such/model/dir", "no such directory"),
        ("org/x@../../etc/passwd", "not a valid revision"),
        ("org/x@/abs", "not a valid revision"),
        ("org/x\x00y", "NUL"),
    ],
)
def test_model_arguments_that_traverse_are_usage_errors(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path, model: str, message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # ../../etc does not exist from here
    result = CliRunner().invoke(main, ["audit", model, "--endpoint", hub.url], env=cli_env)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert message in line
    assert hub.requests() == []


def test_scanned_references_that_traverse_touch_no_file(tmp_path: Path) -> None:
    """A revision found in code becomes `refs/<revision>` in the HF cache: refused."""
    env = offline_env(tmp_path)
    cache = Path(env["HF_HUB_CACHE"])
    (cache / "models--acme--x" / "refs").mkdir(parents=True)
    secret = tmp_path / "hf-cache" / "secret-sha"
    secret.write_text("0123456789abcdef0123456789abcdef01234567", encoding="utf-8")
    (cache / "models--acme--x" / "snapshots" / "0123456789abcdef0123456789abcdef01234567").mkdir(
        parents=True
    )
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text(
        "from transformers import AutoModel\n"
        'AutoModel.from_pretrained("acme/x", revision="../../secret-sha")\n'
        'AutoModel.from_pretrained("acme/x@../../secret-sha")\n',
        encoding="utf-8",
    )
    result = run_cli(["scan", str(project), "--offline", "--format", "json"], env, tmp_path)
    assert result.code == 3, result.err
    results = json.loads(result.out)["results"]
    assert results and all(r["status"] == "error" for r in results)
    assert {r["error"]["kind"] for r in results} == {"invalid"}
    assert all("not a valid revision" in r["error"]["message"] for r in results)


# --- licensecheck's own cache ---------------------------------------------------------------


# Each makes pickle fail differently (a bare `except UnpicklingError` misses most of them).
CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda data: data[: len(data) // 3],
    "empty": lambda data: b"",
    "bad-utf8": lambda data: b"\x8c\x02\xff\xfe.",  # UnicodeDecodeError
    "bad-int": lambda data: b"I12x\n.",  # ValueError
    "huge-int": lambda data: b"L" + b"9" * 5000 + b"L\n.",  # ValueError (digit limit)
    "huge-length": lambda data: b"\x8e\xff\xff\xff\xff\xff\xff\xff\x7f",  # OverflowError
    "noise": lambda data: random.Random(7).randbytes(4096),
    "wrong-object": lambda data: pickle.dumps({"not": "an index"}),
}


@pytest.fixture(scope="module")
def pristine_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes, bytes]:
    """A clean identify run: (index file name, its bytes, the report)."""
    tmp = tmp_path_factory.mktemp("identify-cache")
    (tmp / "LICENSE").write_bytes(APACHE)
    env = {**offline_env(tmp), "LICENSECHECK_CACHE_DIR": str(tmp / "lc-cache")}
    first = run_cli(["identify", "LICENSE", "--format", "json"], env, tmp)
    assert first.code == 0, first.err
    (index,) = (tmp / "lc-cache").glob("identify-index-*.pickle")
    return index.name, index.read_bytes(), first.stdout


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_a_damaged_identify_cache_is_rebuilt_not_trusted(
    tmp_path: Path, corruption: str, pristine_index: tuple[str, bytes, bytes]
) -> None:
    name, data, report = pristine_index
    cache_dir = tmp_path / "lc-cache"
    cache_dir.mkdir()
    (cache_dir / name).write_bytes(CORRUPTIONS[corruption](data))
    (tmp_path / "LICENSE").write_bytes(APACHE)
    env = {**offline_env(tmp_path), "LICENSECHECK_CACHE_DIR": str(cache_dir)}
    again = run_cli(["identify", "LICENSE", "--format", "json"], env, tmp_path)
    assert again.code == 0 and "Traceback" not in again.err, again.err
    assert again.stdout == report
    assert json.loads(again.out)["results"][0]["license"]["id"] == "apache-2.0"
    # Rebuilt and written back whole.
    assert pickle.loads((cache_dir / name).read_bytes()).digest


def test_every_file_of_the_own_cache_damaged_changes_nothing(
    hub: HubServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """Whatever licensecheck keeps in LICENSECHECK_CACHE_DIR (the identify index, cached
    determinations or Hub answers) is an accelerator: every file of it truncated, or
    replaced by valid JSON of the wrong shape, gives the same report as a clean run."""
    models = ["acme/apache-model", "Imed-Ghebriout/Llama-3.1-8B-Instruct-LoRA-SimSAMU"]
    pinned = [f"{m}@{hub.sha(m)}" for m in models]  # commits: what a cache may keep
    env = {**cli_env, "LICENSECHECK_CACHE_DIR": str(tmp_path / "lc-cache")}
    args = ["audit", *pinned, "--endpoint", hub.url, "--format", "json"]
    clean = run_cli(args, env, tmp_path)
    assert clean.code == 1, clean.err
    files = [p for p in (tmp_path / "lc-cache").rglob("*") if p.is_file()]
    assert files
    for damage in (lambda d: d[: len(d) // 2], lambda d: b'{"format": 999, "x": [1, 2]}'):
        for path in files:
            path.write_bytes(damage(path.read_bytes()))
        again = run_cli(args, env, tmp_path)
        assert (again.code, again.stdout) == (clean.code, clean.stdout), again.err
        assert "Traceback" not in again.err
