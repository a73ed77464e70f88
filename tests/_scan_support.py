"""Shared fixtures for the scan, lock, pre-commit and SARIF tests: a small ML repository that
references models in .py, .ipynb, .yaml, .json and .toml files, and a loopback Hub holding
those models (cards and licence texts from tests/data/corpus)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jsonschema
from hub_server import HubServer, corpus_license, make_card

from licensecheck import lockfile
from licensecheck.facts import CardData
from licensecheck.identify.types import Determination, Evidence

SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text("utf-8")
)

APACHE = "h7org/apache-lm"
LLAMA_FT = "h7org/llama-ft"
LLAMA_BASE = "h7meta/Llama-3.1-8B"
NC = "h7org/nc-vision"
MIT = "h7org/mit-judge"
RELICENSED = "h7org/relicensed"

# (file, line, model) that discovery must find in the repository below, and nothing else.
EXPECTED = [
    ("configs/adapter_config.json", 3, APACHE),
    ("configs/train.yaml", 3, LLAMA_FT),
    ("notebooks/explore.ipynb", None, NC),  # line computed from the file
    ("pyproject.toml", 6, MIT),
    ("src/train.py", 8, APACHE),
    ("src/train.py", 9, LLAMA_FT),
]


def populate(hub: HubServer) -> None:
    hub.add_repo(
        APACHE,
        {
            "README.md": make_card(
                "# Apache LM\n", license="apache-2.0", pipeline_tag="text-generation"
            ),
            "LICENSE": corpus_license("apache-2.0.txt"),
        },
    )
    hub.add_repo(
        LLAMA_BASE,
        {
            "README.md": make_card(
                "# Llama 3.1\n", license="llama3.1", pipeline_tag="text-generation"
            ),
            "LICENSE": corpus_license("llama3.1.txt"),
            "USE_POLICY.md": corpus_license("llama3.1-acceptable-use-policy.txt"),
        },
    )
    hub.add_repo(
        LLAMA_FT,
        {
            "README.md": make_card(
                "# A Llama 3.1 fine-tune\n",
                license="llama3.1",
                base_model=LLAMA_BASE,
                base_model_relation="finetune",
                pipeline_tag="text-generation",
            ),
            "LICENSE": corpus_license("llama3.1.txt"),
        },
    )
    hub.add_repo(
        NC,
        {
            "README.md": make_card(
                "# NC\n", license="cc-by-nc-4.0", pipeline_tag="image-classification"
            ),
            "LICENSE": corpus_license("cc-by-nc-4.0.txt"),
        },
    )
    hub.add_repo(
        MIT,
        {
            "README.md": make_card("# MIT judge\n", license="mit"),
            "LICENSE": corpus_license("mit.txt"),
        },
    )
    hub.add_repo(
        RELICENSED,
        {
            "README.md": make_card("# Was Apache\n", license="apache-2.0"),
            "LICENSE": corpus_license("apache-2.0.txt"),
        },
    )


def relicense(hub: HubServer, repo_id: str = RELICENSED) -> str:
    """A new commit on main that changes the licence to CC BY-NC 4.0."""
    return hub.add_commit(
        repo_id,
        {
            "README.md": make_card("# Now non-commercial\n", license="cc-by-nc-4.0"),
            "LICENSE": corpus_license("cc-by-nc-4.0.txt"),
        },
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def notebook(cells: list[tuple[str, list[str]]]) -> str:
    return (
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": kind,
                        "metadata": {},
                        "source": src,
                        **({"outputs": [], "execution_count": None} if kind == "code" else {}),
                    }
                    for kind, src in cells
                ],
                "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            },
            indent=1,
        )
        + "\n"
    )


def make_repo(root: Path) -> Path:
    """The ML repository of EXPECTED, with decoys that must not count."""
    write(
        root / "src/train.py",
        '"""Train on h7org/in-docstring (prose, not a reference)."""\n'
        "from transformers import AutoModelForCausalLM, AutoTokenizer\n"
        "\n"
        "# AutoModel.from_pretrained('h7org/commented-out')\n"
        'OUTPUT = "outputs/checkpoint-500"\n'
        'EXAMPLE = "h7org/never-loaded"\n'
        "\n"
        f'BASE = "{APACHE}"\n'
        f'tok = AutoTokenizer.from_pretrained("{LLAMA_FT}")\n'
        "model = AutoModelForCausalLM.from_pretrained(BASE)\n"
        "model.save_pretrained(OUTPUT)\n"
        'local = AutoModelForCausalLM.from_pretrained("./checkpoints/best")\n'
        'skip = AutoModelForCausalLM.from_pretrained("h7org/ignored")  # licensecheck: ignore\n',
    )
    write(
        root / "configs/train.yaml",
        "# fine-tuning config\n"
        "output_dir: outputs/run-1\n"
        f"model_name_or_path: {LLAMA_FT}\n"
        "datasets:\n"
        "  - path: h7org/some-dataset\n",
    )
    write(
        root / "configs/adapter_config.json",
        f'{{\n  "peft_type": "LORA",\n  "base_model_name_or_path": "{APACHE}",\n  "r": 8\n}}\n',
    )
    write(
        root / "pyproject.toml",
        f'[project]\nname = "demo"\nversion = "0.1.0"\n\n[tool.eval]\nmodel_id = "{MIT}"\n',
    )
    write(
        root / "notebooks/explore.ipynb",
        notebook(
            [
                ("markdown", ["# Exploration\n", f"We also tried {LLAMA_BASE}.\n"]),
                ("code", ["%pip install transformers\n", "from transformers import pipeline\n"]),
                ("code", [f'clf = pipeline("image-classification", model="{NC}")\n']),
            ]
        ),
    )
    # Folders that must be skipped.
    write(root / ".venv/pyvenv.cfg", "home = /usr/bin\n")
    write(root / ".venv/lib/x.py", 'AutoModel.from_pretrained("h7org/in-venv")\n')
    write(root / "node_modules/pkg/config.json", '{"model": "h7org/in-node-modules"}\n')
    return root


def expected(root: Path) -> list[tuple[str, int, str]]:
    out = []
    for path, line, model in EXPECTED:
        if line is None:
            text = (root / path).read_text("utf-8").splitlines()
            line = next(i for i, t in enumerate(text, 1) if model in t and "pipeline" in t)
        out.append((path, line, model))
    return out


def hub_env(hub: HubServer, cache: Path) -> dict[str, str]:
    return {
        "HF_HUB_CACHE": str(cache),
        "HF_ENDPOINT": hub.url,
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "LICENSECHECK_HUB_TIMEOUT": "2",
        "LICENSECHECK_TODAY": "2026-01-15",
    }


@contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def report_refs(report: dict[str, Any]) -> list[tuple[str, int, str]]:
    return sorted(
        (ref["path"], ref["line"], r["model"]) for r in report["results"] for ref in r["references"]
    )


def validate(log: dict[str, Any]) -> None:
    """Assert that `log` is valid against the vendored SARIF 2.1.0 JSON schema."""
    validator = jsonschema.Draft4Validator(
        SARIF_SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def metadata_lock_entry(repo_id: str, licence: str, n: int = 1) -> lockfile.LockEntry:
    """A lock entry for a Hub model whose card metadata declares `licence`, at commit `n`
    (what `licensecheck lock` records for such a model), for repositories made in tests."""
    return lockfile.LockEntry(
        repo_id=repo_id,
        requested=None,
        revision=f"{n:040x}",
        source="hub",
        referenced=True,
        card=CardData(licenses=(licence,), raw={"license": licence}),
        determination=Determination(
            id=licence,
            confidence=0.95,
            evidence=(Evidence("card-metadata", licence, 0.95, detail="license"),),
            declared=(licence,),
        ),
        effective_licenses=(licence,),
    )
