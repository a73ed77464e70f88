"""Warm `licensecheck scan` time against `python -c "import click"`, in the same run.

The pre-commit warm path: a repository with 20 model references (Python files, a notebook and
YAML/JSON/TOML configs) and a committed `licensecheck.lock`, scanned with
`--offline --locked` as a fresh process each time (what pre-commit does on every commit).
The baseline is a bare interpreter importing click, measured in the same run so that machine
load affects both alike. Target: the warm scan takes at most 3x the baseline.

Three warm figures are reported. "replayed": the same scan again, nothing changed, which is
what a pre-commit hook runs on nearly every commit (the recorded report is written again,
see licensecheck/cli/replay.py); the target applies to it. "audited from the lock": the
first run after any input changed (here: the date, a new one for each run), where the
whole audit is done from the lock and the caches of the knowledge base, policy and
discovery; reported for information, with its own ratio. And a scan of one file that names
no model, as pre-commit runs the hook on most commits.

    python bench/scan.py [--runs N] [--keep DIR]

Prints one line per measurement and a summary; exits 1 when the ratio of the medians is above
the target, so it can guard a CI job. Also checks that neither huggingface_hub nor rich was
imported by the warm scan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

TARGET = 3.0
LICENCES = ("apache-2.0", "mit", "llama3.1", "gemma", "cc-by-nc-4.0", "qwen", "deepseek")


def make_repo(root: Path) -> None:
    """20 references across .py, .ipynb, .yaml, .json and .toml, and a lock for them."""
    from _scan_support import metadata_lock_entry  # tests/: the same entries the tests use

    from licensecheck import lockfile

    ids = [f"bench-org{i // 4}/model-{i}" for i in range(20)]
    (root / "src").mkdir(parents=True)
    (root / "configs").mkdir()
    py = ["from transformers import AutoModel, pipeline", ""]
    py += [f'm{i} = AutoModel.from_pretrained("{ids[i]}")' for i in range(12)]
    (root / "src/train.py").write_text("\n".join(py) + "\n")
    cells: list[dict[str, object]] = [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": [f'p{i} = pipeline("text-generation", model="{ids[i]}")\n']}
        for i in range(12, 15)
    ]  # fmt: skip
    (root / "explore.ipynb").write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    )
    (root / "configs/train.yaml").write_text(
        f"base_model: {ids[15]}\nmodel_name_or_path: {ids[16]}\noutput_dir: outputs/run\n"
    )
    (root / "configs/adapter_config.json").write_text(
        json.dumps({"base_model_name_or_path": ids[17], "model_id": ids[18]}, indent=2)
    )
    (root / "pyproject.toml").write_text(f'[tool.eval]\nmodel_id = "{ids[19]}"\n')
    entries = {}
    for i, repo_id in enumerate(ids):
        entry = metadata_lock_entry(repo_id, LICENCES[i % len(LICENCES)], i + 1)
        entries[entry.key] = entry
    lockfile.write(root / "licensecheck.lock", lockfile.Lock(models=entries, policy_name="default"))


PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('\\nHEAVY:' + ','.join(sorted(m for m in "
    "('huggingface_hub', 'rich', 'rich.console', 'httpx') if m in sys.modules))))\n"
    "from licensecheck.cli.main import main\n"
    "main()\n"
)


def timed(
    cmd: list[str], cwd: Path, env: dict[str, str]
) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    return time.perf_counter() - start, proc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", metavar="DIR", help="build the repository in DIR and keep it")
    args = parser.parse_args()

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="licensecheck-bench-"))
    if not (root / "licensecheck.lock").exists():
        make_repo(root)
    cache = Path(tempfile.mkdtemp(prefix="licensecheck-bench-cache-"))
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "LICENSECHECK_TODAY": "2026-01-15",
        "LICENSECHECK_CACHE_DIR": str(cache),
    }
    # An installed package has its bytecode compiled; so does this run (the warm-up writes it).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    scan = [sys.executable, "-c", PROBE, "scan", "--offline", "--locked", "--format", "json"]
    click = [sys.executable, "-c", "import click"]

    # Warm up: the first run fills the OS file cache and licensecheck's own caches.
    _, first = timed(scan, root, env)
    report = json.loads(first.stdout)
    refs = sum(len(r["references"]) for r in report["results"])
    heavy = first.stderr.rsplit("HEAVY:", 1)[-1].strip()
    timed(click, root, env)

    # A commit whose staged files name no model (the usual one), as pre-commit runs it.
    (root / "src/util.py").write_text("def helper() -> int:\n    return 1\n")
    timed([*scan, "src/util.py"], root, env)

    replayed: list[float] = []
    audited: list[float] = []
    no_refs: list[float] = []
    clicks: list[float] = []
    for i in range(args.runs):
        t, proc = timed(scan, root, env)
        if proc.returncode not in (0, 1) or proc.stdout != first.stdout:
            print(proc.stderr or "a replayed report differs from the first run's", file=sys.stderr)
            return 2
        heavy = heavy or proc.stderr.rsplit("HEAVY:", 1)[-1].strip()
        replayed.append(t)
        clicks.append(timed(click, root, env)[0])
        day = dt.date(2027, 1, 1) + dt.timedelta(days=i)  # a new input: no recorded run
        t, proc = timed(scan, root, {**env, "LICENSECHECK_TODAY": day.isoformat()})
        if proc.returncode not in (0, 1):
            print(proc.stderr, file=sys.stderr)
            return 2
        audited.append(t)
        t, proc = timed([*scan, "src/util.py"], root, env)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 2
        no_refs.append(t)
    shutil.rmtree(cache, ignore_errors=True)

    med_click = statistics.median(clicks)
    print(f"repository: {root} ({refs} references, {len(report['results'])} models, lock)")
    for label, times in (
        ("replayed", replayed),
        ("audited from the lock", audited),
        ("a file naming no model, replayed", no_refs),
    ):
        med = statistics.median(times)
        print(
            f"warm scan --offline --locked, {label}: median {med * 1000:.0f} ms, "
            f"min {min(times) * 1000:.0f} ms ({args.runs} runs): {med / med_click:.2f}x"
        )
    print(
        f"python -c 'import click': median {med_click * 1000:.0f} ms, "
        f"min {min(clicks) * 1000:.0f} ms"
    )
    ratio = statistics.median(replayed) / med_click
    print(
        f"ratio, replayed (medians): {ratio:.2f}x (target <= {TARGET:.0f}x); "
        f"min/min {min(replayed) / min(clicks):.2f}x"
    )
    print(f"heavy modules imported by the warm scan: {heavy or 'none'}")
    return 0 if ratio <= TARGET and not heavy else 1


if __name__ == "__main__":
    sys.exit(main())
