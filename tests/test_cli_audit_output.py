"""The CLI plumbing audit shares with the other commands: formats, output, progress, exits."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from licensecheck.audit import ProgressEvent
from licensecheck.cli import compose, options, output
from licensecheck.cli.options import ModelOptions
from licensecheck.errors import PolicyError, SourceError, UsageError
from licensecheck.results import AuditReport, ModelError, ModelResult, PolicyInfo, UseVerdict


def report(*results: ModelResult) -> AuditReport:
    return AuditReport(
        tool_version="0",
        policy=PolicyInfo("p", None, "0" * 64),
        uses=("commercial",),
        results=results,
    )


def ok(verdict: str) -> ModelResult:
    return ModelResult(
        model="m",
        revision=None,
        source="hub",
        status="ok",
        verdicts={"commercial": UseVerdict("commercial", verdict)},
    )


ERROR = ModelResult(
    model="e", revision=None, source="hub", status="error", error=ModelError("network", "HTTP 503")
)


class _Policy:
    def __init__(self, fail_on: str) -> None:
        self.fail_on = fail_on


@pytest.mark.parametrize(
    ("results", "fail_on", "code"),
    [
        ((ok("allow"),), "review", 0),
        ((ok("allow"), ok("review")), "review", 1),
        ((ok("review"),), "deny", 0),
        ((ok("deny"),), "deny", 1),
        ((ok("deny"), ERROR), "review", 3),  # could not evaluate beats a verdict
        ((), "review", 0),
    ],
)
def test_exit_status(results: tuple[ModelResult, ...], fail_on: str, code: int) -> None:
    assert options.exit_status(report(*results), _Policy(fail_on)) == code  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "code", "lines"),
    [
        (UsageError("MODEL 'x': bad"), 2, ["licensecheck: error: MODEL 'x': bad"]),
        (
            PolicyError(["p.yaml:1:1: a", "p.yaml:2:3: b"]),
            2,
            ["licensecheck: error: p.yaml:1:1: a", "licensecheck: error: p.yaml:2:3: b"],
        ),
        (SourceError("network", "down"), 3, ["licensecheck: error: down"]),
    ],
)
def test_guarded_maps_errors_to_one_line_each(
    error: Exception, code: int, lines: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info, options.guarded():
        raise error
    assert info.value.code == code
    assert capsys.readouterr().err.splitlines() == lines


def test_error_lines_never_carry_a_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_abcdefghijklmnopqrstuvwxyz")
    options.echo_error("401 for Bearer hf_abcdefghijklmnopqrstuvwxyz\nsecond line")
    err = capsys.readouterr().err
    assert "abcdefghij" not in err and err.count("\n") == 1


def test_choose_format() -> None:
    assert options.choose_format(ModelOptions(), stdout_is_terminal=True) == "table"
    assert options.choose_format(ModelOptions(), stdout_is_terminal=False) == "json"
    assert options.choose_format(ModelOptions(output="r.json"), False) == "json"
    assert options.choose_format(ModelOptions(output="r.unknown"), False) == "json"
    assert options.choose_format(ModelOptions(format="JSON"), True) == "json"
    with pytest.raises(UsageError, match="unknown format"):
        options.choose_format(ModelOptions(format="xml"), True)


def test_offline_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert not options.is_offline(ModelOptions())
    assert options.is_offline(ModelOptions(offline=True))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert options.is_offline(ModelOptions())


def test_timeouts_and_dates_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LICENSECHECK_HUB_TIMEOUT", "nope")
    with pytest.raises(UsageError, match="LICENSECHECK_HUB_TIMEOUT"):
        compose.build_source(ModelOptions())
    monkeypatch.setenv("LICENSECHECK_TODAY", "2030-02-03")
    assert str(options.today()) == "2030-02-03"
    monkeypatch.setenv("LICENSECHECK_TODAY", "tomorrow")
    with pytest.raises(UsageError):
        options.today()


def test_write_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output.write_report("{}\n", None)
    assert capsys.readouterr().out == "{}\n"
    target = tmp_path / "r.json"
    output.write_report("one\n", str(target))
    output.write_report("two\n", str(target))
    assert target.read_text() == "two\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temporary left behind
    with pytest.raises(UsageError, match="does not exist"):
        output.write_report("x", str(tmp_path / "nope" / "r.json"))
    with pytest.raises(UsageError, match="is a directory"):
        output.write_report("x", str(tmp_path))


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    with output.progress(5, enabled=True) as observer:
        assert observer is None  # pytest's stderr is not a terminal
    monkeypatch.setattr(output, "is_terminal", lambda stream: True)
    with output.progress(1, enabled=True) as observer:
        assert observer is None  # one model: nothing to show
    fake_err = io.StringIO()
    monkeypatch.setattr("sys.stderr", fake_err)
    with output.progress(2, enabled=True) as observer:
        assert observer is not None
        observer(ProgressEvent("done", "org/a", 1, 2, "ok"))
        observer(ProgressEvent("done", "org/b", 2, 2, "ok"))
