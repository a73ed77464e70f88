"""Determinism: the same inputs give byte-identical reports, in every machine format.

Each report is made twice, by fresh processes that differ in everything that must not
matter: the working directory (a copy of the same project), the order of the environment,
PYTHONHASHSEED (set iteration order), the time zone and locale, --jobs (completion order),
and a cold HF cache against a warm one. JSON, SARIF and Markdown (`audit`), SPDX and
CycloneDX (`sbom`) and the explanation must come out byte for byte the same. SBOM times
come from SOURCE_DATE_EPOCH or `--created` (else the epoch), never the clock; the SPDX
namespace and the CycloneDX serial number are derived from the content, so they change
when the inputs do and only then.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from _hardening_support import clean_env
from hub_server import HubServer, corpus_license, make_card

MODELS = [
    "acme/apache-model",
    "microsoft/Phi-3-mini-128k-instruct",
    "Imed-Ghebriout/Llama-3.1-8B-Instruct-LoRA-SimSAMU",
    "legal-ai/gemma-2-2b-legal-sft",
    "AGIcafet/openthaigpt-1.6-72b-instruct-NVFP4",
    "moonshotai/Kimi-K2.6",
    "acme/relicensed@v1.0",
    "meta-llama/Llama-3.1-8B-Instruct",  # gated: an error with the card's metadata
    "acme/does-not-exist",  # an error
    "./models/local-qwen",  # a local directory, named as given
]
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z

COMMANDS: dict[str, list[str]] = {
    "json": ["audit", *MODELS, "--format", "json"],
    "sarif": ["audit", *MODELS, "--format", "sarif"],
    "markdown": ["audit", *MODELS, "--format", "markdown"],
    "sbom-spdx": ["sbom", *MODELS, "--format", "spdx-json"],
    "sbom-cyclonedx": ["sbom", *MODELS, "--format", "cyclonedx-json", "--created",
                       "2026-03-04T05:06:07Z"],
    "explain": ["explain", "Imed-Ghebriout/Llama-3.1-8B-Instruct-LoRA-SimSAMU"],
}  # fmt: skip


def project(root: Path) -> Path:
    """A working directory holding the local model (copied per run: a different cwd)."""
    model = root / "models" / "local-qwen"
    model.mkdir(parents=True)
    (model / "README.md").write_bytes(
        make_card("# Local\n", license="other", license_name="qwen", base_model="acme/apache-model")
    )
    (model / "LICENSE").write_bytes(corpus_license("qwen.txt"))
    return root


def run_all(
    hub: HubServer, cwd: Path, cache: Path, *, order: str, seed: str, tz: str, lang: str,
    jobs: str,
) -> dict[str, tuple[int, bytes, str]]:  # fmt: skip
    env = clean_env(
        {
            "HF_HOME": str(cache.parent / "hf-home"),
            "HF_HUB_CACHE": str(cache),
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
            "NO_PROXY": "127.0.0.1,localhost",
            "SOURCE_DATE_EPOCH": EPOCH,
            "PYTHONHASHSEED": seed,
            "TZ": tz,
            "LANG": lang,
            "LC_ALL": lang,
        },
        order=order,
    )
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "licensecheck", *args, "--endpoint", hub.url, "--jobs", jobs],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )
        for name, args in COMMANDS.items()
    }
    out = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=120)
        out[name] = (proc.returncode, stdout, stderr.decode("utf-8", errors="replace"))
    return out


def test_identical_inputs_give_identical_bytes(hub: HubServer, tmp_path: Path) -> None:
    cache = tmp_path / "hf-cache"
    first_cwd = project(tmp_path / "a")
    second_cwd = tmp_path / "elsewhere" / "b"
    shutil.copytree(first_cwd, second_cwd)

    # Cold cache, sequential, one hash seed and zone; then warm, parallel, another of each.
    first = run_all(hub, first_cwd, cache, order="sorted", seed="1", tz="UTC",
                    lang="C.UTF-8", jobs="1")  # fmt: skip
    second = run_all(hub, second_cwd, cache, order="reversed", seed="4242",
                     tz="Pacific/Chatham", lang="C", jobs="8")  # fmt: skip

    for name in COMMANDS:
        code, out, err = first[name]
        assert "Traceback" not in err, (name, err)
        assert code in (1, 3), (name, code, err)
        assert out, name
        assert second[name][0] == code, name
        assert second[name][1] == out, f"{name}: the two runs differ"
    today = dt.date.today().isoformat()
    for name, (_, out, _) in first.items():
        assert today.encode() not in out, f"{name} holds today's date"

    spdx = json.loads(first["sbom-spdx"][1])
    assert spdx["creationInfo"]["created"] == "2026-01-01T00:00:00Z"  # SOURCE_DATE_EPOCH
    cyclonedx = json.loads(first["sbom-cyclonedx"][1])
    assert cyclonedx["metadata"]["timestamp"].startswith("2026-03-04T05:06:07")  # --created
    local = [r for r in json.loads(first["json"][1])["results"] if r["source"] == "local"]
    assert [r["model"] for r in local] == ["./models/local-qwen"]


def test_namespaces_follow_the_content_not_the_clock(hub: HubServer, tmp_path: Path) -> None:
    """Without SOURCE_DATE_EPOCH the time is the epoch; the namespace and serial number
    change with the models listed, and only with them."""
    env = clean_env(
        {
            "HF_HOME": str(tmp_path / "hf-home"),
            "HF_HUB_CACHE": str(tmp_path / "hf-cache"),
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
            "NO_PROXY": "127.0.0.1,localhost",
        }
    )

    apache, phi = "acme/apache-model", "microsoft/Phi-3-mini-128k-instruct"
    runs = {
        "one": ("spdx-json", apache),
        "same": ("spdx-json", apache),
        "other": ("spdx-json", apache, phi),
        "bom": ("cyclonedx-json", apache),
        "bom-same": ("cyclonedx-json", apache),
        "bom-other": ("cyclonedx-json", phi),
    }
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "licensecheck", "sbom", *models, "--format", fmt,
             "--endpoint", hub.url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path,
        )
        for name, (fmt, *models) in runs.items()
    }  # fmt: skip
    docs: dict[str, dict[str, Any]] = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, 1), err
        docs[name] = json.loads(out)

    assert docs["one"]["creationInfo"]["created"] == "1970-01-01T00:00:00Z"
    assert docs["one"]["documentNamespace"] == docs["same"]["documentNamespace"]
    assert docs["one"]["documentNamespace"] != docs["other"]["documentNamespace"]
    assert docs["bom"]["serialNumber"] == docs["bom-same"]["serialNumber"]
    assert docs["bom"]["serialNumber"] != docs["bom-other"]["serialNumber"]
