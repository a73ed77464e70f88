"""MODEL arguments -> ModelRef: Hub ids, pinned revisions, local directories, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from licensecheck.errors import UsageError
from licensecheck.sources.refs import is_sha, parse_hub_id, parse_ref, parse_refs

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("arg", "repo_id", "revision"),
    [
        ("meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B-Instruct", None),
        ("Qwen/Qwen2.5-72B-Instruct@main", "Qwen/Qwen2.5-72B-Instruct", "main"),
        ("org/name@v1.0", "org/name", "v1.0"),
        (f"org/name@{SHA}", "org/name", SHA),
        ("org/name@refs/pr/3", "org/name", "refs/pr/3"),
        ("gpt2", "gpt2", None),  # legacy ids without an organisation
        ("a_b/c.d-e", "a_b/c.d-e", None),
    ],
)
def test_hub_ids_and_revisions(
    arg: str, repo_id: str, revision: str | None, tmp_path: Path
) -> None:
    ref = parse_ref(arg, cwd=tmp_path)
    assert (ref.repo_id, ref.revision, ref.local_path) == (repo_id, revision, None)


@pytest.mark.parametrize(
    "arg",
    [
        "org/../name",
        "../name",
        "org//name",
        "org/",
        "/org/name",
        "a/b/c",
        "org/na--me",
        "org/-name",
        "org/name.",
        "org/na me",
        "org/name@",
        "org/name@a..b",
        "org/name@bad rev",
        "org/name@x.lock",
        "",
        "   ",
        "x" * 50 + "/" + "y" * 50,
    ],
)
def test_invalid_ids_are_usage_errors_naming_the_argument(arg: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        parse_ref(arg, cwd=tmp_path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("MODEL")
    if arg.strip():
        assert repr(arg) in message or repr(arg.partition("@")[0]) in message


def test_hub_id_stays_the_hub_model_when_a_folder_has_its_name(tmp_path: Path) -> None:
    # A folder anyone can add in a pull request never replaces the Hub model it is named after.
    (tmp_path / "org" / "name").mkdir(parents=True)
    ref = parse_ref("org/name", cwd=tmp_path)
    assert ref.local_path is None and ref.repo_id == "org/name"
    assert ref.shadow == "org/name"
    assert parse_ref("org/other", cwd=tmp_path).shadow is None


def test_a_folder_given_as_a_path_keeps_the_spelling(tmp_path: Path) -> None:
    (tmp_path / "org" / "name").mkdir(parents=True)
    ref = parse_ref("./org/name", cwd=tmp_path)
    assert ref.local_path == str((tmp_path / "org" / "name").resolve())
    assert ref.repo_id == "./org/name"  # the report names it as given
    assert ref.display == "./org/name"
    deep = parse_ref("org/name/", cwd=tmp_path)  # not `org/name`: a path
    assert deep.local_path == str((tmp_path / "org" / "name").resolve())


@pytest.mark.parametrize("arg", ["./model", "model", ".", ".."])
def test_relative_paths(arg: str, tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "model").mkdir(parents=True)
    ref = parse_ref(arg, cwd=work)
    assert ref.local_path == str((work / arg).resolve())


def test_absolute_path(tmp_path: Path) -> None:
    ref = parse_ref(str(tmp_path), cwd=Path("/"))
    assert ref.local_path == str(tmp_path.resolve())


def test_missing_path_and_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such directory"):
        parse_ref("./not-there", cwd=tmp_path)
    (tmp_path / "README.md").write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        parse_ref("README.md", cwd=tmp_path)


def test_parse_refs_keeps_order_and_drops_repeats(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    refs = parse_refs(["b/x", "a/y", "b/x", "B/X", "b/x@main", "m", "./m"], cwd=tmp_path)
    assert [r.display for r in refs] == ["b/x", "a/y", "b/x@main", "m"]


def test_parse_hub_id_never_reads_the_disk(tmp_path: Path) -> None:
    assert parse_hub_id("org/name@main").revision == "main"
    with pytest.raises(UsageError, match="base_model"):
        parse_hub_id("../etc", "base_model")


def test_is_sha() -> None:
    assert is_sha(SHA)
    assert not is_sha(SHA.upper())
    assert not is_sha("main")
    assert not is_sha(None)


# One Hub-id rule for the CLI, lineage's base_model and discovery: the Hub accepts ASCII
# letters, digits, '-', '_', '.'; a non-ASCII letter or digit (which `\w` would let through)
# is not a model id anywhere.
UNICODE_IDS = [
    "café/model",  # accented letter in the organisation
    "org/modèle",  # in the name
    "org/nаme",  # Cyrillic 'а' that looks Latin
    "ｏｒｇ/model",  # full-width letters
    "org/model٣",  # Arabic-Indic digit (a `\d` under Unicode rules)
    "模型",  # a legacy one-part id
]


@pytest.mark.parametrize("value", UNICODE_IDS)
def test_non_ascii_ids_are_refused_by_every_reader(value: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from licensecheck.cli.main import main
    from licensecheck.discovery.ids import is_model_id
    from licensecheck.lineage import normalise_repo_id

    result = CliRunner().invoke(main, ["audit", value, "--offline"])
    assert result.exit_code == 2
    assert result.stderr.startswith("licensecheck: error:") and "not a valid Hub model id" in (
        result.stderr
    )
    assert normalise_repo_id(value) is None
    assert normalise_repo_id(f"https://huggingface.co/{value}") is None
    assert not is_model_id(value, allow_single=True)


@pytest.mark.parametrize("value", ["org/model", "Org_1/Model-2.5", "gpt2", "a/" + "b" * 94])
def test_ascii_ids_are_accepted_by_every_reader(value: str) -> None:
    from licensecheck.discovery.ids import is_model_id
    from licensecheck.lineage import normalise_repo_id
    from licensecheck.sources.refs import is_repo_id

    assert is_repo_id(value)
    assert parse_hub_id(value).repo_id == value
    assert normalise_repo_id(value) == value
    assert is_model_id(value, allow_single=True)


def test_the_length_limit_is_the_same_for_every_reader() -> None:
    from licensecheck.discovery.ids import is_model_id
    from licensecheck.lineage import normalise_repo_id

    value = "a/" + "b" * 95  # 97 characters
    with pytest.raises(UsageError, match="longer than 96"):
        parse_hub_id(value)
    assert normalise_repo_id(value) is None
    assert not is_model_id(value)
