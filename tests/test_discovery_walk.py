"""Walking a repository: what is skipped, what never hides the repository, paths and order."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from licensecheck.discovery import discover, unique_models
from licensecheck.discovery.ids import is_model_id
from licensecheck.errors import UsageError

LOADER = 'AutoModel.from_pretrained("{}")\n'


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_skips_vcs_virtualenvs_node_modules_caches(tmp_path: Path) -> None:
    write(tmp_path / "src/app.py", LOADER.format("org/kept"))
    write(tmp_path / ".git/hooks/x.py", LOADER.format("org/in-git"))
    write(tmp_path / "env/pyvenv.cfg", "home = /usr\n")  # a virtualenv, whatever its name
    write(tmp_path / "env/lib/site.py", LOADER.format("org/in-venv"))
    write(tmp_path / "conda/conda-meta/history", "")
    write(tmp_path / "conda/x.py", LOADER.format("org/in-conda"))
    write(tmp_path / "web/node_modules/pkg/config.json", '{"model": "org/in-node-modules"}')
    write(tmp_path / "pkg/__pycache__/m.py", LOADER.format("org/in-pycache"))
    write(tmp_path / "lib/site-packages/t.py", LOADER.format("org/in-site-packages"))
    write(tmp_path / "hf/CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n")
    write(tmp_path / "hf/models--a--b/config.json", '{"model": "org/in-hf-cache"}')
    write(tmp_path / "nb/.ipynb_checkpoints/x.py", LOADER.format("org/in-checkpoint"))
    d = discover(root=tmp_path)
    assert [(r.path, r.repo_id) for r in d.refs] == [("src/app.py", "org/kept")]
    assert d.files == 1


@pytest.mark.parametrize("parent", ["node_modules", "venv", ".git", "site-packages"])
def test_a_parent_folder_name_never_hides_the_repository(tmp_path: Path, parent: str) -> None:
    repo = tmp_path / parent / "myrepo"
    write(repo / "train.py", LOADER.format("org/model"))
    for root in (repo, tmp_path / parent):
        d = discover([repo], root=root)
        assert [r.repo_id for r in d.refs] == ["org/model"]
    # Even when the scanned folder itself is a virtualenv-looking name.
    d = discover([tmp_path / parent], root=tmp_path)
    assert [r.path for r in d.refs] == [f"{parent}/myrepo/train.py"]


def test_explicit_files_are_scanned_and_paths_are_relative_to_root(tmp_path: Path) -> None:
    a = write(tmp_path / "b/train.py", LOADER.format("org/one"))
    c = write(tmp_path / "a/cfg.yaml", "base_model: org/two\n")
    write(tmp_path / "README.md", "org/not-scanned")
    d = discover([a, c, tmp_path / "README.md", a], root=tmp_path)
    # arguments in the order given, each file once; unsupported types ignored
    assert [(r.path, r.line, r.repo_id) for r in d.refs] == [
        ("b/train.py", 1, "org/one"),
        ("a/cfg.yaml", 1, "org/two"),
    ]


def test_directory_walk_is_sorted_by_path_and_deterministic(tmp_path: Path) -> None:
    for name in ["z.py", "a/z.py", "a/b.py", "m.json", "a.yaml"]:
        write(tmp_path / name, LOADER.format("org/x") if name.endswith(".py") else "")
    first = discover(root=tmp_path)
    assert [r.path for r in first.refs] == ["a/b.py", "a/z.py", "z.py"]
    assert discover(root=tmp_path) == first


def test_missing_path_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"nope\.py: no such file or directory"):
        discover([tmp_path / "nope.py"], root=tmp_path)


def test_problems_are_reported_not_raised(tmp_path: Path) -> None:
    write(tmp_path / "bad.py", "def f(:\n")
    write(tmp_path / "bad.ipynb", "{not json")
    write(tmp_path / "bin.json", "\0\0\0")
    write(tmp_path / "ok.py", LOADER.format("org/ok"))
    (tmp_path / "latin1.py").write_bytes(
        b'# -*- coding: latin-1 -*-\nx = "\xe9"\nAutoModel.from_pretrained("org/latin")\n'
    )
    d = discover(root=tmp_path)
    assert [r.repo_id for r in d.refs] == ["org/latin", "org/ok"]
    version = ".".join(str(n) for n in sys.version_info[:2])
    assert [str(p) for p in d.problems] == [
        "bad.ipynb:1: not a valid notebook (JSON): expected a string key",
        f"bad.py:1: not valid Python {version} (invalid syntax); scanned lexically (string "
        "literals in calls and assignments), 0 references",
        "bin.json: skipped: binary content",
    ]


def test_unique_models_groups_case_insensitively_in_first_seen_order(tmp_path: Path) -> None:
    write(tmp_path / "a.py", LOADER.format("Org/Model") + LOADER.format("other/m"))
    write(tmp_path / "b.yaml", "model: org/model\nbase_model: other/m@v1\n")
    groups = unique_models(discover(root=tmp_path).refs)
    assert [(key, [(r.path, r.line) for r in refs]) for key, refs in groups] == [
        (("Org/Model", None), [("a.py", 1), ("b.yaml", 1)]),
        (("other/m", None), [("a.py", 2)]),
        (("other/m", "v1"), [("b.yaml", 2)]),
    ]


def test_full_repository_each_reference_with_its_line_and_nothing_else(tmp_path: Path) -> None:
    write(
        tmp_path / "src/train.py",
        '"""Fine-tune meta-llama/Llama-3.1-8B (docstring, not a reference)."""\n'
        'BASE = "meta-llama/Llama-3.1-8B"\n'
        "# AutoModel.from_pretrained('org/commented')\n"
        'OUT = "outputs/checkpoint-500"\n'
        "model = AutoModel.from_pretrained(BASE)\n"
        "model.save_pretrained(OUT)\n",
    )
    write(tmp_path / "configs/train.yaml", "output_dir: outputs\ntokenizer_name: gpt2\n")
    write(
        tmp_path / "configs/adapter_config.json", '{\n "base_model_name_or_path": "org/base"\n}\n'
    )
    write(tmp_path / "pyproject.toml", '[tool.eval]\nmodel_id = "org/judge"\nname = "org/x"\n')
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["see org/markdown-only\n"]},
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "source": ["from vllm import LLM\n", 'llm = LLM(model="Qwen/Qwen2.5-7B-Instruct")\n'],
        },
    ]
    write(
        tmp_path / "notebooks/demo.ipynb",
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1),
    )
    nb = (tmp_path / "notebooks/demo.ipynb").read_text().splitlines()
    nb_line = next(no for no, text in enumerate(nb, 1) if "Qwen/Qwen2.5" in text)
    d = discover(root=tmp_path)
    assert [(r.path, r.line, r.repo_id) for r in d.refs] == [
        ("configs/adapter_config.json", 2, "org/base"),
        ("configs/train.yaml", 2, "gpt2"),
        ("notebooks/demo.ipynb", nb_line, "Qwen/Qwen2.5-7B-Instruct"),
        ("pyproject.toml", 2, "org/judge"),
        ("src/train.py", 2, "meta-llama/Llama-3.1-8B"),
    ]
    assert (d.refs[2].cell, d.refs[2].cell_line) == (2, 2)
    assert d.problems == ()


@pytest.mark.parametrize(
    ("value", "single", "expected"),
    [
        ("meta-llama/Llama-3.1-8B", False, True),
        ("Qwen/Qwen2.5-7B-Instruct", False, True),
        ("gpt2", False, False),
        ("gpt2", True, True),
        ("outputs/checkpoint-500", False, False),
        ("./models/x", False, False),
        ("org/../x", False, False),
        ("org/x/y", False, False),
        ("org/-x", False, False),
        ("org/x.", False, False),
        ("org/model.bin", False, False),
        ("C:/models/x", False, False),
        ("checkpoint", True, False),
        ("1.5", True, False),
        ("org name/x", False, False),
        ("", True, False),
    ],
)
def test_is_model_id(value: str, single: bool, expected: bool) -> None:
    assert is_model_id(value, allow_single=single) is expected
