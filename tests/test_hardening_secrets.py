"""Secrets never leave: HF_TOKEN, token-like strings and URL credentials are redacted from
every message, log, exception text and report, in every format.

End to end: HF_TOKEN is set (so the client sends it), the endpoint carries a user and
password, the Hub imitation echoes the Authorization header (and a `?token=`) back in every
error message, and a model card and its NOTICE file are full of token-like strings. Every
command and format runs as a user runs it (a fresh process each); none of their standard
output, standard error or written files holds any of those secrets, even in part.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import hub_server
import pytest
from _hardening_support import clean_env
from hub_server import APPROVED_TOKEN, HubServer, corpus_license, make_card, populate

from licensecheck import redact
from licensecheck.errors import SourceError
from licensecheck.facts import CardData, Finding, ModelFacts, ModelRef, RepoFile

TOKEN = APPROVED_TOKEN  # HF_TOKEN: sent by the client, echoed back by the Hub imitation
CARD_TOKEN = "hf_Zq8xLmN3pQrS7tUvW2yXaB4cD6eF9gHjKk"  # a token someone pasted into a card
PASSWORD = "S3cretPassw0rd"  # in the endpoint URL: http://licuser:PASSWORD@host
QUERY_SECRET = "qs7Secret0Value9"  # in card links: ?access_token=QUERY_SECRET
BASIC = base64.b64encode(f"licuser:{PASSWORD}".encode()).decode()  # what the client sends
SECRETS = (TOKEN, CARD_TOKEN, PASSWORD, QUERY_SECRET, BASIC)


def leaks(text: str) -> list[str]:
    """Each secret found in `text`, whole or a 10-character piece of it (a table cell may
    wrap a long token over two lines)."""
    found = []
    for secret in SECRETS:
        body = secret.removeprefix("hf_")
        pieces = {body[i : i + 10] for i in range(0, max(1, len(body) - 9), 5)}
        if secret in text or any(piece in text for piece in pieces):
            found.append(secret)
    return found


# --- the redactor itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"failed: {CARD_TOKEN}.", "failed: ***."),
        ("Authorization: Bearer abc.def-123", "Authorization: ***"),
        ("authorization: bearer eyJhbGciOiJIUzI1NiJ9.e30.x", "authorization: ***"),
        (f"https://u:{PASSWORD}@hub.example/api", "https://***@hub.example/api"),
        (f"https://h.example/f?a=1&token={QUERY_SECRET}&b=2", "https://h.example/f?a=1&token=***&b=2"),
        (f"x?access_token={QUERY_SECRET}#top", "x?access_token=***#top"),
        (f"see x?api_key={QUERY_SECRET}", "see x?api_key=***"),
        (f"x&amp;apikey={QUERY_SECRET} y", "x&amp;apikey=*** y"),
        (f"hf\\_{CARD_TOKEN[3:]}", "***"),  # Markdown's escaped underscore
        # Prose and identifiers stay as they are.
        ("the bearer of this licence", "the bearer of this licence"),
        ("bearer bonds.", "bearer bonds."),
        ("call hf_hub_download(repo)", "call hf_hub_download(repo)"),
        ("https://huggingface.co/meta-llama/Llama-3.1-8B", "https://huggingface.co/meta-llama/Llama-3.1-8B"),
        ("git@hf.co:org/model", "git@hf.co:org/model"),
    ],
)  # fmt: skip
def test_redact_patterns(text: str, expected: str) -> None:
    assert redact.redact(text) == expected


def test_the_environment_token_is_redacted_whatever_its_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_TOKEN", "plain-secret-value")
    monkeypatch.setenv("HUGGING_FACE_HUB_TOKEN", "other_secret_2")
    text = "a plain-secret-value b other\\_secret\\_2 c other_secret_2"
    assert redact.redact(text) == "a *** b *** c ***"
    monkeypatch.setenv("HF_TOKEN", "short")  # too short to redact without mangling words
    assert redact.redact("a short story") == "a short story"


def test_redacting_json_keeps_it_json() -> None:
    data = {
        "a": f"Bearer {TOKEN}",
        "b": f"https://u:{PASSWORD}@x/?token={QUERY_SECRET}",
        "c": [f'"{CARD_TOKEN}"', "Bearer abc.def"],
    }
    for text in (json.dumps(data), json.dumps(data, indent=2, ensure_ascii=False)):
        out = redact.redact(text)
        assert leaks(out) == []
        assert json.loads(out) == {
            "a": "Bearer ***",
            "b": "https://***@x/?token=***",
            "c": ['"***"', "***"],
        }


def test_one_line_messages_and_control_characters() -> None:
    message = redact.one_line(f"line one\nBearer {TOKEN}\x1b]0;owned\x07\rend\ud800", 200)
    assert message == "line one Bearer ***\ufffd]0;owned\ufffd end\ufffd"
    assert redact.one_line("x" * 500, 50) == "x" * 47 + "..."


def test_source_errors_never_carry_a_token() -> None:
    error = SourceError("network", f"m: Hub said: bad token {TOKEN}\nsee https://u:p4ss@h/")
    assert error.message == str(error) == "m: Hub said: bad token *** see https://***@h/"


def test_sanitize_facts_from_an_untrusted_repo() -> None:
    facts = ModelFacts(
        ref=ModelRef("org/model"),
        source="hub",
        revision="0" * 40,
        card=CardData(
            licenses=("mit",),
            license_name=f"custom {CARD_TOKEN}",
            raw={"license_link": [f"https://x/?token={QUERY_SECRET}"], "n": 3},
        ),
        card_text=f"Use Bearer {TOKEN}\x1b[2J",
        files=(RepoFile("NOTICE", f"token: {CARD_TOKEN}\n", "ab"),),
        findings=(Finding("card-yaml-error", f"README.md: {CARD_TOKEN}"),),
    )
    clean = redact.sanitize(facts)
    assert leaks(repr(clean)) == []
    assert clean.card.license_name == "custom ***"
    assert clean.card.raw == {"license_link": ["https://x/?token=***"], "n": 3}
    assert clean.card_text == "Use Bearer ***\ufffd[2J"
    assert clean.files[0].sha256 == "ab" and clean.card.licenses == ("mit",)
    # Clean input is returned as it is (no copies on the warm path).
    assert redact.sanitize(clean) is clean


def test_library_logs_are_redacted() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        redact.install_logging_filter()
        logger = logging.getLogger("huggingface_hub.file_download")
        # ERROR: the CLI (run in-process by other tests) sets huggingface_hub to ERROR.
        logger.error("GET %s failed: %s", f"https://h/x?token={QUERY_SECRET}", f"Bearer {TOKEN}")
    finally:
        # The CLI installs the filter for the life of its process; a test must not.
        root.removeHandler(handler)
        for name in ("", "huggingface_hub", "httpx", "httpx2", "httpcore", "urllib3"):
            logging.getLogger(name).removeFilter(redact._FILTER)
        for other in (*root.handlers, logging.lastResort):
            if other is not None:
                other.removeFilter(redact._FILTER)
    assert stream.getvalue() == "GET https://h/x?token=*** failed: Bearer ***\n"


# --- every command and format, end to end --------------------------------------------------


@pytest.fixture
def echo_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HubServer]:
    """A Hub imitation that quotes back, in every error, the Authorization header it got and
    a URL with the token in its query."""
    original = hub_server._Handler._error

    def echoing(self: hub_server._Handler, method: str, status: int, code: str | None,
                message: str, extra: dict[str, str] | None = None) -> None:  # fmt: skip
        sent = self.headers.get("Authorization") or "nothing"
        echoed = f"{message} (you sent {sent}; retry at {self.path}?token={TOKEN})"
        original(self, method, status, code, echoed, extra)

    monkeypatch.setattr(hub_server._Handler, "_error", echoing)
    server = HubServer().start()
    populate(server)
    server.add_repo(
        "leak/card",
        {
            "README.md": make_card(
                "# Leaky card\n\nDownload with `curl -H 'Authorization: Bearer "
                f"{CARD_TOKEN}' https://x.example/get?token={QUERY_SECRET}`.\n",
                license="other",
                license_name=f"custom-{CARD_TOKEN}",
                license_link=f"https://terms.example/model?access_token={QUERY_SECRET}",
                base_model="acme/apache-model",
            ),
            "LICENSE": corpus_license("apache-2.0.txt"),
            "NOTICE": f"Leak Co. model\nMirror: https://bot:{PASSWORD}@mirror.example/m\n"
            f"Token: {TOKEN}\nBackup token: {CARD_TOKEN}\n",
        },
    )
    # A refusal whose text the error message quotes, and an outage.
    server.add_repo("leak/echo", {"README.md": make_card(license="mit")})
    server.add_fault(r"^/api/models/leak/echo", status=403, times=None)
    server.add_repo("leak/busy", {"README.md": make_card(license="mit")})
    server.add_fault(r"^/api/models/leak/busy", status=503, times=None)
    server.add_repo("leak/file-echo", {"README.md": make_card(license="mit"), "LICENSE": b"MIT\n"})
    server.add_fault(r"^/leak/file-echo/resolve/.*/LICENSE$", method="HEAD", status=418)
    try:
        yield server
    finally:
        server.stop()


def test_no_output_of_any_command_or_format_holds_a_secret(
    echo_hub: HubServer, tmp_path: Path
) -> None:
    # Most commands send HF_TOKEN as a Bearer token; two go through a mirror behind basic
    # auth, whose password the client sends as `Basic <base64>` (and the Hub echoes).
    plain = ["--endpoint", echo_hub.url]
    basic = ["--endpoint", echo_hub.url.replace("http://", f"http://licuser:{PASSWORD}@")]
    models = ["leak/card", "leak/echo", "leak/busy", "leak/file-echo", "acme/does-not-exist"]
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    # `lock` writes only when every model resolves: the leaky card alone.
    (project / "src" / "train.py").write_text(
        'from transformers import AutoModel\n\nAutoModel.from_pretrained("leak/card")\n',
        encoding="utf-8",
    )
    env = clean_env(
        {
            "HF_TOKEN": TOKEN,
            "HF_HOME": str(tmp_path / "hf-home"),
            "HF_HUB_CACHE": str(tmp_path / "hf-cache"),
            "LICENSECHECK_CACHE_DIR": str(tmp_path / "lc-cache"),
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "NO_PROXY": "127.0.0.1,localhost",
            "LICENSECHECK_HUB_TIMEOUT": "2",
            "LICENSECHECK_HUB_RETRIES": "0",
            "LICENSECHECK_HUB_DEADLINE": "4",
            "LICENSECHECK_TODAY": "2026-06-01",
        }
    )
    commands: dict[str, list[str]] = {
        f"audit-{fmt}": ["audit", *models, *plain, "--format", fmt]
        for fmt in ("table", "json", "sarif", "spdx-json")
    }
    commands |= {
        "audit-markdown": ["audit", *models, *plain, "--output", str(tmp_path / "report.md")],
        "audit-basic": ["audit", *models, *basic, "--format", "json"],
        # a commit-pinned model: its model_info answer is kept on disk
        "audit-basic-pinned": ["audit", f"leak/card@{echo_hub.sha('leak/card')}", *basic],
        "sbom-cyclonedx": ["sbom", *models, *basic, "--format", "cyclonedx-json"],
        "explain": ["explain", "leak/card", *plain, "--use", "commercial"],
        "notice": ["notice", *models, *plain],
        "lock": ["lock", str(project), *plain],
    }
    # All at once: each is a fresh process, as a user or CI starts it.
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "licensecheck", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=tmp_path,
        )
        for name, args in commands.items()
    }
    outputs: dict[str, tuple[int, str, str]] = {}
    for name, proc in procs.items():
        raw_out, raw_err = proc.communicate(timeout=120)
        outputs[name] = (proc.returncode, raw_out.decode("utf-8"), raw_err.decode("utf-8"))

    for name, (code, out, err) in outputs.items():
        assert "Traceback" not in err, (name, err)
        assert code in (0, 1, 3), (name, code, err)
        assert leaks(out) == [] and leaks(err) == [], (name, leaks(out), leaks(err))
    written = [tmp_path / "report.md", *project.glob("licensecheck.lock")]
    assert len(written) == 2
    for path in written:
        assert leaks(path.read_text(encoding="utf-8")) == [], path
    # Nor does what licensecheck keeps on disk hold the user's credentials: the kept
    # model_info answers (written for the mirror behind basic auth too) record a digest of
    # the endpoint, never its password. (They do hold the card as the Hub serves it, like
    # the HF cache's README.md: the repository's own text, not the user's secret.)
    kept = sorted((tmp_path / "lc-cache").rglob("*"))
    assert [p for p in kept if p.parent.name == "hub-info"]
    for path in [p for p in kept if p.is_file()]:
        text = path.read_bytes().decode("utf-8", "replace")
        assert [s for s in leaks(text) if s in (TOKEN, PASSWORD, BASIC)] == [], path

    # The secrets were really there to leak: the token went out and came back, the card and
    # NOTICE texts reached the reports (redacted), the endpoint's password was in messages.
    assert any(r.authorized for r in echo_hub.requests(contains="/api/models/leak/card"))
    report = {r["model"]: r for r in json.loads(outputs["audit-json"][1])["results"]}
    assert report["leak/busy"]["error"]["kind"] == "network"
    # a 403 without the Hub's GatedRepo code: access denied (a network error), not "gated"
    assert report["leak/echo"]["error"]["kind"] == "network"
    assert "you sent Bearer ***;" in report["leak/echo"]["error"]["message"]
    basic_report = {r["model"]: r for r in json.loads(outputs["audit-basic"][1])["results"]}
    assert "http://***@127.0.0.1" in basic_report["acme/does-not-exist"]["error"]["message"]
    assert "you sent Basic ***;" in basic_report["leak/echo"]["error"]["message"]
    assert report["leak/card"]["status"] == "ok"
    assert "***" in outputs["notice"][1]  # the NOTICE file, its token masked
    assert "Leak Co. model" in outputs["notice"][1]
    assert os.environ.get("HF_TOKEN") is None  # the test process itself never had it


def test_identify_quotes_no_token_from_the_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from licensecheck.cli.main import main

    text = corpus_license("mit.txt").decode()
    text = text.replace(
        "Permission is hereby granted",
        f"Permission is \x1b]0;owned\x07 hereby granted to {CARD_TOKEN} at "
        f"https://x.example/?token={QUERY_SECRET}",
    )
    (tmp_path / "LICENSE").write_text(text, encoding="utf-8")
    for fmt in ("json", "table"):
        result = CliRunner().invoke(main, ["identify", str(tmp_path / "LICENSE"), "--format", fmt])
        assert result.exit_code == 0, result.output
        assert leaks(result.output) == [] and "\x1b" not in result.output, result.output
        assert "mit" in result.output
    report = json.loads(CliRunner().invoke(main, ["identify", str(tmp_path / "LICENSE"),
                                                   "--format", "json"]).output)  # fmt: skip
    added = [c["text"] for c in report["results"][0]["license"]["changes"]]
    assert any("***" in t for t in added), added
