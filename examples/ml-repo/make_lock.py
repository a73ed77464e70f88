"""Regenerate examples/ml-repo/licensecheck.lock without network access.

The normal way to make a lock is `licensecheck lock` with access to the Hub. This example has
to be reproducible offline, so this script lays out a temporary Hugging Face cache with the
example model directories of ../models (real cards and licence files, see
../PROVENANCE.md) under the Hub ids the example code references, and runs
`licensecheck lock --offline` on it. Two consequences, both visible in the lock:

- `source` is `cache` and each `revision` is a content hash of the example snapshot (sha1 of
  its files), not the Hub's commit sha. A lock made against the Hub records real commits.
- meta-llama/Llama-3.1-8B-Instruct (the LoRA's base) has no directory in ../models; its
  snapshot is the LoRA's own Llama 3.1 LICENSE and USE_POLICY.md plus a minimal card
  declaring `license: llama3.1`.

    python examples/ml-repo/make_lock.py [OUTPUT]     # default: examples/ml-repo/licensecheck.lock
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = HERE.parent / "models"

# Hub id the code references -> example model directory.
EXAMPLES = {
    "microsoft/Phi-3-mini-128k-instruct": "phi-3-mini-128k-instruct",
    "moonshotai/Kimi-K2.6": "kimi-k2.6",
    "deepseek-ai/deepseek-coder-7b-base-v1.5": "deepseek-coder-7b-base-v1.5",
    "Qwen/CodeQwen1.5-7B-Chat-GGUF": "codeqwen1.5-7b-chat-gguf",
    "Imed-Ghebriout/Llama-3.1-8B-Instruct-LoRA-SimSAMU": "llama-3.1-8b-instruct-lora-simsamu",
}
LLAMA_BASE = "meta-llama/Llama-3.1-8B-Instruct"
LLAMA_CARD = (
    b"---\nlicense: llama3.1\npipeline_tag: text-generation\nlibrary_name: transformers\n---\n\n"
    b"# Llama 3.1 8B Instruct\n\n(minimal stand-in card for the offline example lock)\n"
)


def add_snapshot(cache: Path, repo_id: str, files: dict[str, bytes]) -> None:
    digest = hashlib.sha1(repo_id.encode())
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name])
    sha = digest.hexdigest()
    folder = cache / ("models--" + repo_id.replace("/", "--"))
    snapshot = folder / "snapshots" / sha
    snapshot.mkdir(parents=True)
    for name, data in files.items():
        (snapshot / name).write_bytes(data)
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text(sha)


def main(output: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="licensecheck-example-cache-") as tmp:
        cache = Path(tmp)
        for repo_id, directory in EXAMPLES.items():
            files = {
                p.name: p.read_bytes()
                for p in sorted((MODELS / directory).iterdir())
                if p.is_file()
            }
            add_snapshot(cache, repo_id, files)
        lora = MODELS / EXAMPLES["Imed-Ghebriout/Llama-3.1-8B-Instruct-LoRA-SimSAMU"]
        add_snapshot(
            cache,
            LLAMA_BASE,
            {
                "README.md": LLAMA_CARD,
                "LICENSE": (lora / "LICENSE").read_bytes(),
                "USE_POLICY.md": (lora / "USE_POLICY.md").read_bytes(),
            },
        )
        lock = output
        env = {**os.environ, "HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
        cmd = [
            sys.executable,
            "-m",
            "licensecheck",
            "lock",
            "--offline",
            "--lockfile",
            str(lock),
            str(HERE),
        ]
        if lock.exists():
            # Re-resolve from the example cache, not from the previous lock.
            lock.unlink()
        return subprocess.run(cmd, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "licensecheck.lock"))
