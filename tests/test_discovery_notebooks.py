"""Discovery in Jupyter notebooks: the line in the .ipynb file, cell and cell line."""

from __future__ import annotations

import json

import pytest

from licensecheck.discovery.notebooks import NotebookError, scan_notebook


def notebook(*cells: tuple[str, str | list[str]], language: str = "python") -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source, "outputs": []}
                if kind == "code"
                else {"cell_type": kind, "metadata": {}, "source": source}
                for kind, source in cells
            ],
            "metadata": {"kernelspec": {"language": language, "name": "k"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def line_of(text: str, needle: str) -> int:
    return next(no for no, line in enumerate(text.splitlines(), 1) if needle in line)


def test_reference_line_is_the_ipynb_line_holding_the_source_line() -> None:
    text = notebook(
        ("markdown", ["# Fine-tuning\n", 'We use "meta-llama/Llama-3.1-8B" here.\n']),
        ("code", ["%pip install transformers\n", 'BASE = "google/gemma-2-2b"\n', "!nvidia-smi\n"]),
        (
            "code",
            [
                "from transformers import AutoModel\n",
                "if True:\n",
                "    !echo indented magic\n",
                "    model = AutoModel.from_pretrained(BASE)\n",
                'tok = AutoTokenizer.from_pretrained("org/ignored")  # licensecheck: ignore',
            ],
        ),
        ("code", "%%bash\nhuggingface-cli download org/shell-only\n"),
    )
    refs, problems = scan_notebook(text)
    assert problems == []
    assert [(r.repo_id, r.line, r.cell, r.cell_line) for r in refs] == [
        ("google/gemma-2-2b", line_of(text, "google/gemma-2-2b"), 2, 2)
    ]


def test_single_string_sources_and_cell_by_cell_fallback() -> None:
    text = notebook(
        ("code", 'from vllm import LLM\nllm = LLM(model="Qwen/Qwen2.5-7B-Instruct")\n'),
        ("code", "def broken(:\n    pass\n"),
        ("code", ['x = pipeline("text-generation",\n', '  model="mistralai/Mistral-7B-v0.1")\n']),
    )
    refs, problems = scan_notebook(text)
    assert [(r.repo_id, r.cell, r.cell_line) for r in refs] == [
        ("Qwen/Qwen2.5-7B-Instruct", 1, 2),
        ("mistralai/Mistral-7B-v0.1", 3, 2),
    ]
    # A single-string source lives on one line of the .ipynb.
    assert refs[0].line == line_of(text, "Qwen/Qwen2.5-7B-Instruct")
    assert refs[1].line == line_of(text, "mistralai/Mistral-7B-v0.1")
    assert [message for _, message in problems] == [
        "cell 2 is not valid Python; scanned lexically, 0 references"
    ]


def test_a_cell_in_newer_syntax_is_scanned_by_its_tokens() -> None:
    text = notebook(
        ("code", 'type Name = str\nm = AutoModel.from_pretrained("org/newer-syntax")\n'),
        ("code", 'x = pipeline("text-generation", model="org/plain")\n'),
    )
    refs, problems = scan_notebook(text)
    assert [(r.repo_id, r.cell, r.cell_line) for r in refs] == [
        ("org/newer-syntax", 1, 2),
        ("org/plain", 2, 1),
    ]
    assert refs[0].line == line_of(text, "org/newer-syntax")
    assert [message for _, message in problems] == [
        "cell 1 is not valid Python; scanned lexically, 1 reference"
    ]


def test_non_python_kernel_is_not_parsed_as_python() -> None:
    text = notebook(("code", 'AutoModel.from_pretrained("org/r-model")'), language="R")
    assert scan_notebook(text) == ([], [])


def test_invalid_notebook_is_an_error_with_a_line() -> None:
    with pytest.raises(NotebookError) as info:
        scan_notebook('{\n "cells": [\n  {"cell_type": "code",,}\n ]\n}\n')
    assert info.value.line == 3
