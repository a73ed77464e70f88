"""`licensecheck --version` against `python -c "import click"`, in the same run.

Both are fresh interpreters, alternated so that machine load weighs on both alike. Target:
the median of `--version` is at most 2x the median of the bare click import (the CLI's
start-up imports nothing beyond click and its own small modules). Also reports which heavy
modules the start-up imported (there should be none).

    python bench/version.py [--runs N]

Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

TARGET = 2.0
HEAVY = ("huggingface_hub", "httpx2", "rich", "yaml", "licensecheck.audit", "spdx_tools")
PROBE = (
    "import atexit, sys\n"
    f"heavy = {HEAVY!r}\n"
    "atexit.register(lambda: sys.stderr.write('HEAVY:' + ','.join(m for m in heavy "
    "if m in sys.modules)))\n"
    "from licensecheck.cli.main import main\n"
    "main(['--version'])\n"
)


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
    version = [sys.executable, "-m", "licensecheck", "--version"]
    click = [sys.executable, "-c", "import click"]
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    heavy = probe.stderr.rsplit("HEAVY:", 1)[-1].strip()
    timed(version, env)  # warm-up: bytecode and the OS file cache
    timed(click, env)
    versions: list[float] = []
    clicks: list[float] = []
    for _ in range(args.runs):
        versions.append(timed(version, env))
        clicks.append(timed(click, env))
    med_v, med_c = statistics.median(versions), statistics.median(clicks)
    ratio = med_v / med_c
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.runs} runs each, load average {load}")
    print(
        f"licensecheck --version:   median {med_v * 1000:.0f} ms, min {min(versions) * 1000:.0f} ms"
    )
    print(
        f"python -c 'import click': median {med_c * 1000:.0f} ms, min {min(clicks) * 1000:.0f} ms"
    )
    print(f"ratio (medians): {ratio:.2f}x (target <= {TARGET:g}x)")
    print(f"heavy modules imported by --version: {heavy or 'none'}")
    return 0 if ratio <= TARGET and not heavy else 1


if __name__ == "__main__":
    sys.exit(main())
