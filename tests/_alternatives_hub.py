"""A Hub for `licensecheck alternatives`: a gated Llama 3.1 text-generation model and, for
the same task, candidates under permissive, community, over-threshold, non-commercial and
research-only licences, a gated candidate, and the model's own quantisations, adapter and
fine-tunes (which are no alternatives), plus a model of another task. Downloads decide the
Hub's order. `alternatives_hub` in the tests serves it, one server per test module."""

from __future__ import annotations

from pathlib import Path

from _mixed_hub import mixed_env
from hub_server import HubServer, corpus_license, make_card

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
MISTRAL = "mistralai/Mistral-7B-Instruct-v0.3"  # apache-2.0
PHI = "microsoft/Phi-3-mini-4k-instruct"  # mit
QWEN_SMALL = "Qwen/Qwen2.5-7B-Instruct"  # apache-2.0
QWEN_BIG = "Qwen/Qwen2.5-72B-Instruct"  # qwen: 100M monthly active users
LLAMA_32 = "meta-llama/Llama-3.2-3B-Instruct"  # llama3.2: 700M monthly active users
NC = "facebook/nc-chat"  # cc-by-nc-4.0
RESEARCH = "Qwen/Qwen2.5-3B-Instruct"  # qwen-research
GEMMA = "google/gemma-2-2b-it"  # gated, gemma
GGUF = "bartowski/Llama-3.1-8B-Instruct-GGUF"  # a quantisation of LLAMA (tag)
LORA = "someone/llama-3.1-lora"  # an adapter of LLAMA (card)
FINETUNE = "someone/llama-3.1-chat"  # a fine-tune of LLAMA
FINETUNE_GGUF = "someone/llama-3.1-chat-GGUF"  # a quantisation of the fine-tune (depth 2)
VISION = "google/vit-base-patch16-224"  # apache-2.0, image-classification
TASK = "text-generation"
ALLOWED = (MISTRAL, PHI, QWEN_SMALL)
NEVER_ALLOWED = (QWEN_BIG, LLAMA_32, NC, RESEARCH, LLAMA)
DERIVED = (GGUF, LORA, FINETUNE, FINETUNE_GGUF)

POLICY = """\
version: 1
name: big-platform
extends: commercial
organisation:
  monthly_active_users: 800000000
  monthly_revenue_usd: 50000000
  annual_revenue_usd: 600000000
  jurisdictions: [US]
  sector: private
"""


def _llama_files(version: str = "3.1") -> dict[str, bytes]:
    return {
        "LICENSE": corpus_license(f"llama{version}.txt"),
        "USE_POLICY.md": corpus_license(f"llama{version}-acceptable-use-policy.txt"),
    }


def populate_alternatives(hub: HubServer) -> None:
    def add(repo_id: str, files: dict[str, bytes], downloads: int, **kw: object) -> None:
        hub.add_repo(repo_id, files, downloads=downloads, likes=downloads // 1000, **kw)

    add(
        LLAMA,
        {
            "README.md": make_card(
                "# Llama 3.1 8B Instruct\n", license="llama3.1", pipeline_tag=TASK
            ),
            **_llama_files(),
        },
        5_000_000,
        gated="manual",
    )
    add(
        LLAMA_32,
        {"README.md": make_card(license="llama3.2", pipeline_tag=TASK), **_llama_files("3.2")},
        4_000_000,
    )
    add(
        GGUF,
        {
            "README.md": make_card(
                license="llama3.1", pipeline_tag=TASK, base_model=LLAMA, quantized_by="bartowski"
            ),
            "Llama-3.1-8B-Instruct-Q4_K_M.gguf": b"GGUF",
        },
        3_000_000,
        tags=[f"base_model:quantized:{LLAMA}", "gguf"],
    )
    add(
        MISTRAL,
        {
            "README.md": make_card("# Mistral\n", license="apache-2.0", pipeline_tag=TASK),
            "LICENSE": corpus_license("apache-2.0.txt"),
        },
        2_000_000,
    )
    add(
        QWEN_BIG,
        {
            "README.md": make_card(
                license="other",
                license_name="qwen",
                license_link=f"https://huggingface.co/{QWEN_BIG}/blob/main/LICENSE",
                pipeline_tag=TASK,
            ),
            "LICENSE": corpus_license("qwen.txt"),
        },
        1_900_000,
    )
    add(
        LORA,
        {
            "README.md": make_card(
                license="llama3.1", pipeline_tag=TASK, base_model=[LLAMA], library_name="peft"
            ),
            "adapter_config.json": b"{}",
            **_llama_files(),
        },
        1_800_000,
    )
    add(
        PHI,
        {
            "README.md": make_card("# Phi-3\n", license="mit", pipeline_tag=TASK),
            "LICENSE": corpus_license("mit.txt"),
        },
        1_500_000,
    )
    add(
        NC,
        {
            "README.md": make_card(license="cc-by-nc-4.0", pipeline_tag=TASK),
            "LICENSE": corpus_license("cc-by-nc-4.0.txt"),
        },
        1_400_000,
    )
    add(
        FINETUNE,
        {
            "README.md": make_card(license="llama3.1", pipeline_tag=TASK, base_model=LLAMA),
            **_llama_files(),
        },
        1_300_000,
    )
    add(
        RESEARCH,
        {
            "README.md": make_card(
                license="other", license_name="qwen-research", pipeline_tag=TASK
            ),
            "LICENSE": corpus_license("qwen-research.txt"),
        },
        1_200_000,
    )
    add(
        GEMMA,
        {
            "README.md": make_card("# Gemma 2\n", license="gemma", pipeline_tag=TASK),
            "LICENSE": corpus_license("gemma-v20240401.txt"),
        },
        1_100_000,
        gated="auto",
    )
    # Its card names only the fine-tune: only the audited lineage shows it is LLAMA's.
    add(
        FINETUNE_GGUF,
        {
            "README.md": make_card(license="llama3.1", pipeline_tag=TASK, base_model=FINETUNE),
            "model-Q8_0.gguf": b"GGUF",
        },
        1_000_000,
    )
    add(
        QWEN_SMALL,
        {
            "README.md": make_card("# Qwen2.5 7B\n", license="apache-2.0", pipeline_tag=TASK),
            "LICENSE": corpus_license("apache-2.0.txt"),
        },
        900_000,
    )
    add(
        VISION,
        {
            "README.md": make_card(license="apache-2.0", pipeline_tag="image-classification"),
            "LICENSE": corpus_license("apache-2.0.txt"),
        },
        9_000_000,
    )


def alternatives_env(cache: Path) -> dict[str, str]:
    """The mixed Hub's CLI environment (`_mixed_hub.mixed_env`), with the date pinned."""
    return {**mixed_env(cache), "LICENSECHECK_TODAY": "2026-01-15"}
