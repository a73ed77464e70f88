"""Cold and warm `licensecheck alternatives` of a Llama-licensed model against a slow loopback
Hub: 20 candidates judged, each as a fresh process.

Starts the Hub imitation (tests/hub_server.py) with `--latency` added to every request and
fills it with the model to replace (a Llama 3.1 text-generation model), two of its own
derivatives (a quantisation and an adapter, which the listing offers and the command leaves
out), and `--candidates` text-generation models (default 20), built as bench/audit.py
builds its models (a corpus card body with `license:` metadata and the licence file the
corpus says is unmodified); every fourth candidate names an earlier one as its base. Then,
with the policy of an organisation above 700M monthly active users
(tests/_alternatives_hub.py):

1. cold: empty HF cache and empty licensecheck cache (the identification index is built
   first, in a separate process: it is per installation, not per run);
2. warm: the same command again, same caches.

Prints wall times, the requests each run made against the issue's budget (1 listing request
+ per audited model 1 model_info and a HEAD and a GET per licence-like file, the model being
replaced included), the machine's calibration (bench/audit.py), and whether each target is
met; exits 1 when one is not.

    python bench/alternatives.py [--candidates N] [--latency S] [--runs R]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from _alternatives_hub import POLICY  # noqa: E402
from audit import (  # noqa: E402
    CALIBRATION,
    Run,
    card_bodies,
    corpus_licences,
    no_downloads,
    run_command,
    verdict,
    warm_index,
)
from hub_server import CORPUS, HubServer, corpus_license, make_card  # noqa: E402

from licensecheck.sources.files import is_licence_like  # noqa: E402

COLD_TARGET = 3.0  # seconds
WARM_TARGET = 1.0
MODEL = "meta-llama/Llama-3.1-8B-Instruct"
TASK = "text-generation"


def populate(hub: HubServer, n: int) -> tuple[list[str], int]:
    """The model, two of its derivatives and `n` candidates (most downloaded first);
    returns the candidates' ids and the licence-like files of the models audited."""
    llama = {
        "LICENSE": corpus_license("llama3.1.txt"),
        "USE_POLICY.md": corpus_license("llama3.1-acceptable-use-policy.txt"),
    }
    hub.add_repo(
        MODEL,
        {"README.md": make_card(license="llama3.1", pipeline_tag=TASK), **llama},
        downloads=10_000_000,
    )
    hub.add_repo(
        "bench-quant/Llama-3.1-8B-Instruct-GGUF",
        {"README.md": make_card(license="llama3.1", pipeline_tag=TASK, base_model=MODEL)},
        downloads=9_000_000,
        tags=[f"base_model:quantized:{MODEL}"],
    )
    hub.add_repo(
        "bench-lora/llama-3.1-lora",
        {"README.md": make_card(license="llama3.1", pipeline_tag=TASK, base_model=MODEL)},
        downloads=8_000_000,
        tags=[f"base_model:adapter:{MODEL}"],
    )
    files_present = sum(1 for name in ("README.md", *llama) if is_licence_like(name))
    licences = corpus_licences()
    bodies = card_bodies()
    ids: list[str] = []
    for i in range(n):
        repo_id = f"bench-org{i % 5}/candidate-{i:02d}"
        file_name, licence_id = licences[(i * 3) % len(licences)]
        meta: dict[str, object] = {"license": licence_id, "pipeline_tag": TASK}
        if i % 4 == 3:
            meta["base_model"] = ids[i - 3]  # a base that is itself a candidate
        files = {
            "README.md": make_card(bodies[i % len(bodies)], **meta),
            "LICENSE": (CORPUS / "licenses" / file_name).read_bytes(),
            "config.json": b'{"model_type": "llama"}',
            "model.safetensors": b"\0" * 64,
        }
        hub.add_repo(repo_id, files, downloads=5_000_000 - i * 1000)
        ids.append(repo_id)
        files_present += sum(1 for name in files if is_licence_like(name))
    return ids, files_present


def calibrate() -> tuple[float, float]:
    """bench/audit.py's fixed loop in a fresh process: its CPU seconds (the machine's speed)
    and its wall seconds (more than the CPU when other processes hold the cores: the
    benchmark's wall times stretch the same way)."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CALIBRATION], capture_output=True, text=True, check=True
    )
    return float(out.stdout), time.perf_counter() - start


def speed(label: str) -> str:
    cpu, wall = calibrate()
    return f"{label}: {cpu * 1000:.0f} ms of CPU, {wall * 1000:.0f} ms wall (x{wall / cpu:.1f})"


def run_alternatives(hub: HubServer, env: dict[str, str], policy: Path, out: Path) -> Run:
    return run_command(["alternatives", MODEL, "--policy", str(policy)], hub, env, out)


def describe(name: str, runs: list[Run]) -> str:
    walls = [r.wall for r in runs]
    req = runs[0].requests
    detail = ", ".join(f"{k} {v}" for k, v in sorted(req.items())) or "none"
    ranking = json.loads(runs[0].report)["ranking"]
    groups = collections.Counter(row["group"] for row in ranking)
    return (
        f"{name}: median {statistics.median(walls):.2f} s, min {min(walls):.2f} s wall "
        f"({len(runs)} runs: {' '.join(f'{w:.2f}' for w in walls)}; cpu "
        f"{statistics.median(r.cpu for r in runs):.2f} s); {sum(req.values())} requests "
        f"({detail}); {len(ranking)} candidates: "
        + ", ".join(f"{k} {v}" for k, v in sorted(groups.items()))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--runs", type=int, default=3, help="cold+warm pairs (median)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="licensecheck-bench-alternatives-"))
    policy = work / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    hub = HubServer().start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update(
        {
            "HF_ENDPOINT": hub.url,  # a telemetry request would show in the log
            "LICENSECHECK_TODAY": "2026-01-15",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    index = work / "index-cache"

    def fresh(run: int) -> None:
        """New, empty caches for a cold run, but for the identification index."""
        folder = work / f"run-{run}"
        env["HF_HOME"] = str(folder / "hf-home")
        env["HF_HUB_CACHE"] = str(folder / "hf-cache")
        env["LICENSECHECK_CACHE_DIR"] = str(folder / "lc-cache")
        shutil.copytree(index, folder / "lc-cache")

    try:
        ids, files = populate(hub, args.candidates)
        env["LICENSECHECK_CACHE_DIR"] = str(index)
        env["HF_HOME"] = str(work / "index-hf-home")
        warm_index(work, env)
        for entry in list(index.iterdir()):  # keep only what is per installation
            if not entry.name.startswith(("identify-index-", "knowledge-")):
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        before = speed("before the runs")
        hub.latency = args.latency
        audited = 1 + len(ids)
        budget = 1 + audited + 2 * files
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"{len(ids)} candidates (+ the model and 2 of its derivatives), Hub latency "
            f"{args.latency * 1000:.0f} ms/request, {os.cpu_count()} CPUs (load average {load})"
        )
        print(
            f"request budget, cold: 1 listing + {audited} model_info + 2 x {files} files = {budget}"
        )
        colds: list[Run] = []
        warms: list[Run] = []
        for run in range(args.runs):
            fresh(run)
            colds.append(run_alternatives(hub, env, policy, work / "cold.json"))
            warms.append(run_alternatives(hub, env, policy, work / "warm.json"))
    finally:
        hub.stop()

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"machine (bench/audit.py's fixed loop; lower is faster): {before}; "
        f"{speed('after')}; load average {load}"
    )
    print(describe("cold", colds))
    print(describe("warm", warms))
    same = all(r.report == colds[0].report for r in (*colds, *warms))
    print(f"cold and warm reports byte-identical: {same}")
    ranking = json.loads(colds[0].report)["ranking"]
    other = [k for r in (*colds, *warms) for k in r.requests if k.startswith("other")]
    checks = {
        f"cold <= {COLD_TARGET:g} s (median)": statistics.median(r.wall for r in colds)
        <= COLD_TARGET,
        f"warm <= {WARM_TARGET:g} s (median)": statistics.median(r.wall for r in warms)
        <= WARM_TARGET,
        f"cold requests <= {budget}": all(sum(r.requests.values()) <= budget for r in colds),
        "one listing request per run": all(
            r.requests.get("listing") == 1 for r in (*colds, *warms)
        ),
        "warm: no file downloads": no_downloads(warms),
        f"{len(ids)} candidates judged": len(ranking) == len(ids),
        "no other requests (telemetry)": not other,
        "reports identical": same,
    }
    return verdict(checks, work)


if __name__ == "__main__":
    sys.exit(main())
