"""Is this string a Hugging Face model id, or a local path that only looks like one?

The check is syntactic on purpose: whether `outputs/checkpoint-500` happens to exist on the
machine that runs the scan must not change the report. The Hub's own rule (huggingface_hub
`validate_repo_id`) is the base; the heuristics below remove what is almost always a local
path (several slashes, `./`, `~`, drive letters, file extensions, checkpoint folders, well
known output folder names).
"""

from __future__ import annotations

import re

from licensecheck.sources.refs import is_repo_id

# Keys of config files (and keywords of Python calls) whose value names a model.
# "strict" keys are generic words: their value must be an `org/name` id to count.
# "lenient" keys are Hugging Face conventions that also take legacy one-part ids (`gpt2`).
LENIENT_KEYS = frozenset(
    {
        "model_name_or_path",
        "pretrained_model_name_or_path",
        "base_model_name_or_path",
        "tokenizer_name_or_path",
        "teacher_model_name_or_path",
        "reward_model_name_or_path",
        "ref_model_name_or_path",
        "adapter_name_or_path",
        "tokenizer_name",
    }
)
STRICT_KEYS = frozenset(
    {
        "model",
        "model_id",
        "model_name",
        "base_model",
        "tokenizer",
        "repo_id",
        "peft_model_id",
        "teacher_model",
        "reward_model",
        "ref_model",
        "draft_model",
        "speculative_model",
        "embedding_model",
    }
)
MODEL_KEYS = LENIENT_KEYS | STRICT_KEYS

# Mapping keys under which ids name datasets or Spaces, not models: their subtree is skipped.
NON_MODEL_SECTIONS = frozenset(
    {"dataset", "datasets", "data", "dataset_name", "train_dataset", "eval_dataset", "space"}
)

# Folder names that are output or cache locations in ML code, not Hub organisations.
_LOCAL_ORGS = frozenset(
    {
        "output",
        "outputs",
        "out",
        "checkpoint",
        "checkpoints",
        "ckpt",
        "ckpts",
        "runs",
        "run",
        "logs",
        "log",
        "results",
        "result",
        "tmp",
        "temp",
        "cache",
        "saved_models",
        "saved_model",
        "save",
        "artifacts",
        "exp",
        "exps",
        "experiments",
        "data",
        "weights",
        "local",
        "path",
        "model",
        "models",
        "pretrained",
        "pretrained_models",
        "saved",
        "assets",
        "resources",
        "mlruns",
        "wandb",
        "lightning_logs",
    }
)
# One-part names that are folders or placeholders, not legacy Hub ids.
_LOCAL_SINGLE = _LOCAL_ORGS | frozenset(
    {
        "model",
        "models",
        "tokenizer",
        "pretrained",
        "base",
        "final",
        "best",
        "latest",
        "main",
        "none",
    }
)
_CHECKPOINT = re.compile(
    r"^(checkpoint|ckpt|step|epoch|global_step|iter|run)[-_]?\d+$", re.IGNORECASE
)
# A name ending like a file is a path (Hub names may contain dots: `Qwen2.5-7B`, `gpt-neo-1.3B`).
_FILE_SUFFIX = re.compile(
    r"\.(bin|pt|pth|ckpt|safetensors|gguf|ggml|onnx|h5|pkl|pickle|npz|npy|json|jsonl|ya?ml|"
    r"toml|txt|csv|tsv|parquet|arrow|py|ipynb|md|zip|tar|gz|tgz|model|msgpack|engine|plan|"
    r"tflite|mlmodel|pb)$",
    re.IGNORECASE,
)


def is_model_id(value: str, *, allow_single: bool = False) -> bool:
    """True if `value` names a Hub model rather than a local path or something else.

    `allow_single` accepts one-part legacy ids (`gpt2`, `bert-base-uncased`); use it only
    where the context already says a model is loaded (a loader call, a `*_name_or_path` key).
    """
    if not value or value != value.strip() or not is_repo_id(value):
        return False
    if "/" in value:
        org, name = value.split("/")
        if org.lower() in _LOCAL_ORGS:
            return False
        return not (_CHECKPOINT.match(name) or _FILE_SUFFIX.search(name))
    if not allow_single:
        return False
    if value.lower() in _LOCAL_SINGLE or _CHECKPOINT.match(value) or _FILE_SUFFIX.search(value):
        return False
    # A legacy id has a letter; plain numbers and version strings are not models.
    return any(c.isalpha() for c in value)
