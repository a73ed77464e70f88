"""Discovery in Python source: loader calls, constants, keywords, and what must NOT count."""

from __future__ import annotations

import textwrap

import pytest

from licensecheck.discovery.python import scan_source


def found(source: str) -> list[tuple[int, str]]:
    return [(r.line, r.repo_id) for r in scan_source(textwrap.dedent(source))]


def test_loader_calls_report_the_literal_line() -> None:
    src = """\
    from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline
    tok = AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
    model = AutoModelForCausalLM.from_pretrained(
        "Qwen/Qwen2.5-7B-Instruct",
        torch_dtype="auto",
    )
    clf = pipeline("text-classification", model="distilbert/distilbert-base-uncased")
    gen = pipeline("text-generation", "gpt2")
    """
    assert found(src) == [
        (2, "meta-llama/Llama-3.1-8B-Instruct"),
        (4, "Qwen/Qwen2.5-7B-Instruct"),
        (7, "distilbert/distilbert-base-uncased"),
        (8, "gpt2"),
    ]


def test_hub_downloads_vllm_sentence_transformers_inference_client() -> None:
    src = """\
    from huggingface_hub import hf_hub_download, snapshot_download, InferenceClient
    from vllm import LLM
    from sentence_transformers import SentenceTransformer
    a = hf_hub_download("google/gemma-2-2b-it", "config.json")
    b = snapshot_download(repo_id="mistralai/Mistral-7B-v0.1", revision="v0.1")
    c = LLM(model="deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")
    d = SentenceTransformer("all-MiniLM-L6-v2")
    e = SentenceTransformer("BAAI/bge-small-en-v1.5")
    f = InferenceClient(model="HuggingFaceH4/zephyr-7b-beta")
    """
    refs = scan_source(textwrap.dedent(src))
    assert [(r.line, r.repo_id, r.revision) for r in refs] == [
        (4, "google/gemma-2-2b-it", None),
        (5, "mistralai/Mistral-7B-v0.1", "v0.1"),
        (6, "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", None),
        # sentence-transformers resolves a bare name under its own organisation
        (7, "sentence-transformers/all-MiniLM-L6-v2", None),
        (8, "BAAI/bge-small-en-v1.5", None),
        (9, "HuggingFaceH4/zephyr-7b-beta", None),
    ]


def test_module_constant_is_reported_where_the_literal_is() -> None:
    src = """\
    BASE = "meta-llama/Llama-3.2-1B"
    OTHER = "not/used-anywhere"

    def load():
        from transformers import AutoModel
        return AutoModel.from_pretrained(BASE)
    """
    assert found(src) == [(1, "meta-llama/Llama-3.2-1B")]


def test_defaults_env_fallbacks_loops_and_class_attributes() -> None:
    src = """\
    import os
    NAME = os.getenv("MODEL", "tiiuae/falcon-7b")
    def load(repo="openai-community/gpt2-medium"):
        return AutoModel.from_pretrained(repo)
    class Loader:
        ID = "facebook/opt-125m"
        def __init__(self):
            self.model = AutoModel.from_pretrained(self.ID)
    for name in ["a-org/one", "b-org/two"]:
        AutoModel.from_pretrained(name)
    AutoModel.from_pretrained(NAME)
    AutoModel.from_pretrained(args.model or "EleutherAI/pythia-70m")
    """
    assert found(src) == [
        (2, "tiiuae/falcon-7b"),
        (3, "openai-community/gpt2-medium"),
        (6, "facebook/opt-125m"),
        (9, "a-org/one"),
        (9, "b-org/two"),
        (12, "EleutherAI/pythia-70m"),
    ]


def test_peft_adapter_second_argument() -> None:
    src = """\
    base = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B")
    model = PeftModel.from_pretrained(base, "someone/llama-lora")
    """
    assert found(src) == [(1, "meta-llama/Llama-3.1-8B"), (2, "someone/llama-lora")]


def test_hf_keywords_argparse_and_dataclass_fields() -> None:
    src = """\
    import argparse
    from dataclasses import dataclass, field
    p = argparse.ArgumentParser()
    p.add_argument("--model_name_or_path", default="bigscience/bloom-560m")
    p.add_argument("--output_dir", default="outputs/run-1")
    cfg = LoraConfig(base_model_name_or_path="meta-llama/Llama-2-7b-hf")
    @dataclass
    class ModelArguments:
        model_name_or_path: str = field(default="roberta-base")
        cache_dir: str = field(default="hub/cache")
    settings = {"model_name_or_path": "google/flan-t5-base", "lr": 1e-4}
    """
    assert found(src) == [
        (4, "bigscience/bloom-560m"),
        (6, "meta-llama/Llama-2-7b-hf"),
        (9, "roberta-base"),
        (11, "google/flan-t5-base"),
    ]


def test_urls_and_hf_hub_prefix() -> None:
    src = '''\
    """See https://huggingface.co/org/in-a-docstring for details."""
    WEIGHTS = "https://huggingface.co/stabilityai/sdxl-turbo/resolve/main/sd_xl_turbo_1.0.safetensors"
    df = pd.read_parquet("hf://datasets/org/some-dataset/data.parquet")
    m = timm.create_model("hf-hub:timm/resnet50.a1_in1k", pretrained=True)
    fs = "hf://Qwen/Qwen2.5-0.5B@v2/config.json"
    '''
    refs = scan_source(textwrap.dedent(src))
    assert [(r.line, r.repo_id, r.revision) for r in refs] == [
        (2, "stabilityai/sdxl-turbo", None),
        (4, "timm/resnet50.a1_in1k", None),
        (5, "Qwen/Qwen2.5-0.5B", "v2"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        '# AutoModel.from_pretrained("meta-llama/Llama-3.1-8B")',
        'x = "meta-llama/Llama-3.1-8B"  # a string never passed to a loader',
        'AutoModel.from_pretrained("outputs/checkpoint-500")',
        'AutoModel.from_pretrained("./models/my-model")',
        'AutoModel.from_pretrained("../weights")',
        'AutoModel.from_pretrained("/abs/path/model")',
        'AutoModel.from_pretrained("~/models/x")',
        'AutoModel.from_pretrained("runs/exp1")',
        'AutoModel.from_pretrained("org/model.safetensors")',
        'AutoModel.from_pretrained("a/b/c")',
        'AutoModel.from_pretrained("org/..")',
        'AutoModel.from_pretrained("org--x/y")',
        'AutoModel.from_pretrained(f"{ORG}/model")',
        "AutoModel.from_pretrained(args.model_name_or_path)",
        'AutoModel.from_pretrained("checkpoint-1000")',
        'hf_hub_download(repo_id="org/data", filename="x.csv", repo_type="dataset")',
        'load_dataset("tatsu-lab/alpaca")',
        'api.upload_folder(repo_id="me/my-finetune", folder_path="out")',
        'model.push_to_hub(repo_id="me/my-finetune")',
        'client.chat.completions.create(model="gpt-4o")',
        'LLM(model="llama3")',
        'assert parse_ref("meta-llama/Llama-3.1-8B") == expected',
        'print("loading meta-llama/Llama-3.1-8B")',
    ],
)
def test_no_false_positives(line: str) -> None:
    assert found(line) == []


def test_ignore_comment_suppresses_one_reference() -> None:
    src = """\
    a = AutoModel.from_pretrained("org/kept")
    b = AutoModel.from_pretrained("org/ignored")  # licensecheck: ignore
    c = AutoModel.from_pretrained("org/also-kept")
    s = "# licensecheck: ignore"; d = AutoModel.from_pretrained("org/string-is-not-a-comment")
    """
    assert found(src) == [
        (1, "org/kept"),
        (3, "org/also-kept"),
        (4, "org/string-is-not-a-comment"),
    ]


def test_main_revision_is_the_default_reference() -> None:
    src = (
        'AutoModel.from_pretrained("org/m", revision="main")\nAutoModel.from_pretrained("org/m")\n'
    )
    refs = scan_source(src)
    assert [(r.line, r.revision) for r in refs] == [(1, None), (2, None)]


def test_syntax_error_propagates_for_the_caller_to_report() -> None:
    with pytest.raises(SyntaxError):
        scan_source("def broken(:\n")


@pytest.mark.parametrize(
    "path", ["models/llama-7b", "pretrained/bert", "lightning_logs/version_0", "wandb/run-1"]
)
def test_common_local_folders_are_not_hub_ids(path: str) -> None:
    assert found(f'AutoModel.from_pretrained("{path}")') == []


def test_lexical_scan_reads_what_the_ast_cannot() -> None:
    from licensecheck.discovery.python import scan_lexical

    source = (
        '"""A docstring naming org/in-docstring."""\n'
        "type ModelName = str\n"
        'BASE = "org/constant"\n'
        'model = AutoModel.from_pretrained(\n    "org/argument", revision="v1")\n'
        'cfg = {"model": "org/in-dict"}\n'
        'print(f"org/{name}")\n'
        '"org/bare-statement"\n'
        'skip = load("org/ignored")  # licensecheck: ignore\n'
        'url = fetch("https://huggingface.co/org/from-url/resolve/main/x.json")\n'
        'path = load("./checkpoints/best")\n'
    )
    found = [(r.line, r.repo_id, r.via) for r in scan_lexical(source)]
    assert found == [
        (3, "org/constant", "lexical"),
        (5, "org/argument", "lexical"),
        (6, "org/in-dict", "lexical"),
        (10, "org/from-url", "lexical"),
    ]


def test_lexical_scan_keeps_what_it_read_before_a_tokenizer_error() -> None:
    from licensecheck.discovery.python import scan_lexical

    found = scan_lexical('M = "org/before"\nx = (\n')
    assert [r.repo_id for r in found] == ["org/before"]
