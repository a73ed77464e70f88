"""A mixed set of Hub models for the notice, SBOM and report-schema tests: an apache-2.0 model
with a NOTICE, a Llama 3.1 fine-tune with its base, a Qwen model and Kimi K2.6, built from the
corpus cards and licence texts, on a Hub of its own (the standard fixture's bases are gated
or missing). `mixed_hub` in conftest.py serves it, one server per test module."""

from __future__ import annotations

from pathlib import Path

from hub_server import HubServer, corpus_card, corpus_license, make_card

APACHE = "acme/apache-model"
LLAMA_FT = "Imed-Ghebriout/Llama-3.1-8B-Instruct-LoRA-SimSAMU"  # corpus 004.md
LLAMA_BASE = "meta-llama/Llama-3.1-8B-Instruct"
QWEN = "Qwen/Qwen2.5-72B-Instruct"
KIMI = "moonshotai/Kimi-K2.6"  # corpus 113.md
MIXED = (APACHE, LLAMA_FT, QWEN, KIMI)
EXPECTED = {APACHE: "apache-2.0", LLAMA_FT: "llama3.1", QWEN: "qwen", KIMI: "kimi-modified-mit"}
APACHE_NOTICE = b"Acme Apache Model\nCopyright 2025 Acme Corp.\n"


def populate_mixed(hub: HubServer) -> None:
    """The mixed set, on a Hub of its own (the standard fixture's bases are gated/missing)."""
    hub.add_repo(
        APACHE,
        {
            "README.md": make_card("# Apache model\n", license="apache-2.0"),
            "LICENSE": corpus_license("apache-2.0.txt"),
            "NOTICE": APACHE_NOTICE,
        },
    )
    hub.add_repo(
        LLAMA_FT,
        {
            "README.md": corpus_card("004.md"),
            "LICENSE": corpus_license("llama3.1.txt"),
            "USE_POLICY.md": corpus_license("llama3.1-acceptable-use-policy.txt"),
            "adapter_config.json": b"{}",
        },
    )
    hub.add_repo(
        LLAMA_BASE,
        {
            "README.md": make_card("# Llama 3.1 8B Instruct\n", license="llama3.1"),
            "LICENSE": corpus_license("llama3.1.txt"),
            "USE_POLICY.md": corpus_license("llama3.1-acceptable-use-policy.txt"),
        },
    )
    hub.add_repo(
        QWEN,
        {
            "README.md": make_card(
                "# Qwen2.5-72B-Instruct\n",
                license="other",
                license_name="qwen",
                license_link=f"https://huggingface.co/{QWEN}/blob/main/LICENSE",
            ),
            "LICENSE": corpus_license("qwen.txt"),
        },
    )
    hub.add_repo(
        KIMI,
        {"README.md": corpus_card("113.md"), "LICENSE": corpus_license("kimi-k2-modified-mit.txt")},
    )


def mixed_env(cache: Path) -> dict[str, str]:
    """The CLI's environment for the mixed Hub: its own HF cache (made here), no telemetry,
    no implicit token, no proxy for loopback, a short Hub timeout."""
    cache.mkdir(parents=True, exist_ok=True)
    return {
        "HF_HUB_CACHE": str(cache),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "LICENSECHECK_HUB_TIMEOUT": "2",
    }
