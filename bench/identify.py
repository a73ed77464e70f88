"""Benchmark: the licence corpus through ONE `licensecheck identify` process, and through
ScanCode where it is installed, in the same run.

    python bench/identify.py [--corpus DIR] [--runs N] [--scancode PATH | --no-scancode]

Prints wall time (cold and warm), files per second and accuracy against MANIFEST.tsv for
licensecheck (id, kind and `modified`; `none` = a notice, `any` = either), the same for
ScanCode (`scancode --license --json`; id only, as ScanCode has no notion of a modified
text or of a notice file), and the ratio of the wall times.

Fair conditions: the licensecheck subprocess runs with a bytecode cache (a temporary
PYTHONPYCACHEPREFIX, as an installed package has its .pyc files) and a warm index cache
(`LICENSECHECK_CACHE_DIR`, built by a first, untimed run that is reported as "cold").
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPORA = (Path("/work/shared/corpus/licenses"), ROOT / "tests" / "data" / "corpus" / "licenses")


def manifest(corpus: Path) -> list[dict[str, str]]:
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def licensecheck_bin() -> list[str]:
    exe = Path(sys.executable).parent / "licensecheck"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "licensecheck"]


CPU: list[float] = [0.0]  # CPU seconds (user + system) of the last timed command


def timed(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, str, int]:
    """Wall time, standard output and exit status of a command; its CPU time in CPU[0]."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[0] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, proc.stdout, proc.returncode


def score_licensecheck(
    rows: list[dict[str, str]], report: dict[str, Any]
) -> tuple[int, int, list[str]]:
    by_path = {Path(r["path"]).name: r["license"] for r in report["results"]}
    full = ids = 0
    wrong = []
    for row in rows:
        got = by_path[row["file"]]
        want_id = row["expected_id"]
        id_ok = got["kind"] == "notice" if want_id == "none" else got["id"] == want_id
        kind_ok = got["kind"] == row["kind"]
        mod_ok = row["modified"] == "any" or got["modified"] == (row["modified"] == "yes")
        ids += id_ok
        if id_ok and kind_ok and mod_ok:
            full += 1
        else:
            wrong.append(f"{row['file']}: {got['id']}/{got['kind']}/modified={got['modified']}")
    return full, ids, wrong


def find_scancode(given: str | None) -> str | None:
    """--scancode, else $SCANCODE, else the one beside this Python, else on PATH."""
    for candidate in (given, os.environ.get("SCANCODE")):
        if candidate:
            return candidate
    local = Path(sys.executable).parent / "scancode"
    return str(local) if local.exists() else shutil.which("scancode")


def scancode_run(scancode: str, files: list[Path], processes: int) -> tuple[float, dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-scancode-") as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for f in files:
            shutil.copy(f, src / f.name)
        out = Path(tmp) / "out.json"
        cmd = [scancode, "--license", "--json", str(out), "-n", str(processes), "--quiet", str(src)]
        wall, _, code = timed(cmd, dict(os.environ))
        if code != 0 or not out.exists():
            raise SystemExit(f"scancode failed (exit {code})")
        return wall, json.loads(out.read_text(encoding="utf-8"))


def score_scancode(rows: list[dict[str, str]], report: dict[str, Any]) -> tuple[int, list[str]]:
    """ScanCode keys mapped to licensecheck ids through the knowledge base's aliases."""
    from licensecheck.knowledge import store

    kb = store.load()
    found: dict[str, list[str]] = {}
    for f in report.get("files", []):
        if f.get("type") != "file":
            continue
        keys: list[str] = []
        for det in f.get("license_detections") or []:
            for m in det.get("matches") or []:
                key = m.get("license_expression") or m.get("rule_identifier") or ""
                keys.extend(
                    k
                    for k in key.replace("(", " ").replace(")", " ").split()
                    if k.lower() not in ("and", "or", "with")
                )
        found[Path(f["path"]).name] = keys
    correct = 0
    wrong = []
    for row in rows:
        keys = found.get(row["file"], [])
        ids = []
        for k in keys:
            lic = kb.resolve(k)
            ids.append(lic.id if lic else f"scancode:{k}")
        distinct = list(dict.fromkeys(ids))
        if row["expected_id"] == "none":
            ok = not distinct  # ScanCode has no notion of a notice file
        else:
            ok = distinct[:1] == [row["expected_id"]] and len(distinct) == 1
        correct += ok
        if not ok:
            wrong.append(f"{row['file']}: {', '.join(distinct) or '-'}")
    return correct, wrong


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=next((c for c in CORPORA if c.exists()), None))
    ap.add_argument("--runs", type=int, default=5, help="timed licensecheck runs (default 5)")
    ap.add_argument("--no-scancode", action="store_true")
    ap.add_argument("--scancode", help="the scancode executable (default: $SCANCODE, PATH)")
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    ap.add_argument("-v", "--verbose", action="store_true", help="list the misidentified files")
    args = ap.parse_args()
    corpus: Path = args.corpus
    rows = manifest(corpus)
    files = [corpus / r["file"] for r in rows]
    size = sum(f.stat().st_size for f in files)
    print(f"corpus: {corpus} ({len(files)} files, {size / 1024:.0f} KiB)")

    with tempfile.TemporaryDirectory(prefix="bench-identify-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        env["LICENSECHECK_CACHE_DIR"] = str(Path(tmp) / "cache")
        cmd = [*licensecheck_bin(), "identify", "--format", "json", *map(str, files)]
        cold, out, code = timed(cmd, env)  # builds the index and the bytecode caches
        if code not in (0, 1):
            raise SystemExit(f"licensecheck identify failed (exit {code})")
        walls = []
        cpus = []
        for _ in range(max(1, args.runs)):
            wall, out2, _ = timed(cmd, env)
            walls.append(wall)
            cpus.append(CPU[0])
            if out2 != out:
                raise SystemExit("licensecheck output differs between runs")
        version_wall = min(timed([*licensecheck_bin(), "--version"], env)[0] for _ in range(3))
        click_wall = min(timed([sys.executable, "-c", "import click"], env)[0] for _ in range(3))
    report = json.loads(out)
    full, ids, wrong = score_licensecheck(rows, report)
    warm = min(walls)
    print("\nlicensecheck identify (one process, all files)")
    print(f"  cold (index and bytecode built): {cold:.3f} s")
    print(
        f"  warm: min {warm:.3f} s, median {statistics.median(walls):.3f} s over {len(walls)} runs"
    )
    print(f"  CPU (user+system): min {min(cpus):.3f} s")
    print(f"  files/second (warm min): {len(files) / warm:.0f}")
    print(f"  accuracy: {full}/{len(rows)} exact (id, kind, modified); {ids}/{len(rows)} id")
    print(
        f"  licensecheck --version {version_wall:.3f} s; python -c 'import click' {click_wall:.3f} s"
    )
    if args.verbose:
        for w in wrong:
            print("    wrong:", w)

    scancode = None if args.no_scancode else find_scancode(args.scancode)
    if scancode is None:
        print("\nScanCode: not installed (pip install scancode-toolkit-mini); no comparison")
        return 0
    # ScanCode builds its licence index on first use: warm it on one file, untimed.
    warmup, _ = scancode_run(scancode, files[:1], 1)
    sc_wall, sc_report = scancode_run(scancode, files, args.processes)
    sc_cpu = CPU[0]
    sc_ok, sc_wrong = score_scancode(rows, sc_report)
    print(f"\nScanCode ({scancode}, --license, {args.processes} processes)")
    print(f"  warm-up on one file (index cache): {warmup:.3f} s, untimed")
    print(f"  wall: {sc_wall:.3f} s; CPU (user+system, all processes): {sc_cpu:.3f} s")
    print(f"  files/second: {len(files) / sc_wall:.1f}")
    print(f"  accuracy: {sc_ok}/{len(rows)} id (ScanCode reports neither modified nor notices)")
    if args.verbose:
        for w in sc_wrong:
            print("    wrong:", w)
    print(f"\nspeed-up, wall: {sc_wall / warm:.0f}x (warm), {sc_wall / cold:.0f}x (cold)")
    print(f"speed-up, CPU: {sc_cpu / min(cpus):.0f}x")
    print(f"accuracy: licensecheck {full}/{len(rows)} vs ScanCode {sc_ok}/{len(rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
