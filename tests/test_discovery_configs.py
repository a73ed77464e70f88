"""Discovery in YAML, JSON and TOML configs: keys, lines, sections that are not models."""

from __future__ import annotations

import textwrap

import pytest

from licensecheck.discovery.configs import scan_config


def found(text: str, suffix: str) -> list[tuple[int, str]]:
    refs, error = scan_config(textwrap.dedent(text), suffix)
    assert error is None, error
    return [(r.line, r.repo_id) for r in refs]


def test_yaml_keys_lists_nesting_and_documents() -> None:
    text = """\
    # axolotl-style config
    base_model: meta-llama/Llama-3.1-8B
    model_name_or_path: gpt2
    output_dir: outputs/checkpoint-500
    tokenizer: ./tokenizers/local
    models:
      - model: mistralai/Mistral-7B-v0.1
        parameters: {weight: 0.5}
      - model: "Qwen/Qwen2.5-7B"
    Model-ID: tiiuae/falcon-7b
    base_model_list:
      base_model: [org/first, org/second]
    ---
    model_id: google/gemma-2-2b
    """
    assert found(text, ".yaml") == [
        (2, "meta-llama/Llama-3.1-8B"),
        (3, "gpt2"),
        (7, "mistralai/Mistral-7B-v0.1"),
        (9, "Qwen/Qwen2.5-7B"),
        (10, "tiiuae/falcon-7b"),
        (12, "org/first"),
        (12, "org/second"),
        (14, "google/gemma-2-2b"),
    ]


def test_yaml_skips_datasets_non_model_repos_generic_words_and_ignored_lines() -> None:
    text = """\
    datasets:
      - path: tatsu-lab/alpaca
        model: org/inside-datasets
    upload: {repo_id: me/data, repo_type: dataset}
    model: gpt-4o
    name: meta-llama/Llama-3.1-8B
    comment: "model: org/in-a-string"
    model_id: org/ignored  # licensecheck: ignore
    """
    assert found(text, ".yml") == []


def test_env_style_values_and_urls_in_yaml() -> None:
    text = """\
    services:
      tgi:
        environment:
          - MODEL_ID=HuggingFaceH4/zephyr-7b-beta
          - PORT=80
        docs: https://huggingface.co/docs/text-generation-inference
        weights: https://huggingface.co/TheBloke/Llama-2-7B-GGUF/resolve/main/llama-2-7b.Q4_K_M.gguf
    """
    assert found(text, ".yaml") == [
        (4, "HuggingFaceH4/zephyr-7b-beta"),
        (7, "TheBloke/Llama-2-7B-GGUF"),
    ]


def test_yaml_alias_bomb_is_walked_once() -> None:
    text = "a: &a {model: org/bomb}\n" + "".join(
        f"l{i}: &l{i} [*{'a' if i == 0 else f'l{i - 1}'}, *{'a' if i == 0 else f'l{i - 1}'}]\n"
        for i in range(30)
    )
    assert found(text, ".yaml") == [(1, "org/bomb")]


def test_json_reports_value_lines() -> None:
    text = """\
    {
      "base_model_name_or_path": "meta-llama/Llama-2-7b-hf",
      "peft_type": "LORA",
      "nested": {"list": ["x/not-a-key"], "model": "org/nested"},
      "_name_or_path": "/home/me/outputs/checkpoint-9"
    }
    """
    assert found(text, ".json") == [(2, "meta-llama/Llama-2-7b-hf"), (4, "org/nested")]


def test_toml_tables_arrays_inline_tables_and_multiline() -> None:
    text = """\
    [tool.train]
    model_name_or_path = "facebook/opt-350m"  # the base
    base_model = 'org/literal'
    [[runs]]
    model = \"\"\"multi/line\"\"\"
    tokenizer = ["tok/one",
      "tok/two"]
    extra = { model_id = "inline/model", lr = 0.1 }
    "model_name" = "quoted/key"
    [datasets]
    model = "org/in-datasets"
    """
    assert found(text, ".toml") == [
        (2, "facebook/opt-350m"),
        (3, "org/literal"),
        (5, "multi/line"),
        (6, "tok/one"),
        (7, "tok/two"),
        (8, "inline/model"),
        (9, "quoted/key"),
    ]


@pytest.mark.parametrize(
    ("suffix", "text", "line"),
    [
        (".yaml", "model_id: org/templated\nx: [\n", 3),
        (".json", '{\n  "model": "org/json-broken",\n  oops\n}\n', 3),
        (".toml", 'model = "org/toml-broken"\nmodel = "dup"\n', 2),
    ],
)
def test_unparseable_file_is_reported_and_still_scanned(suffix: str, text: str, line: int) -> None:
    refs, error = scan_config(text, suffix)
    assert error is not None
    assert error.line == line
    assert any(r.repo_id.startswith("org/") for r in refs)
