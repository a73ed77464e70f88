"""HubSource with the real huggingface_hub client against the loopback Hub imitation.

Covers: one model_info per model with valid expand values, files pinned at the commit sha,
a warm run served from the HF cache, revisions, gated / private / missing repos, revisions
and files, and each kind of failure (5xx, 429, timeout, dropped, truncated, wrong size).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from hub_server import APPROVED_TOKEN, OTHER_TOKEN, HubServer, corpus_license, make_card

from licensecheck.errors import SourceError
from licensecheck.facts import ModelRef
from licensecheck.sources.hub import EXPAND, HubSource, one_line

Factory = Callable[..., HubSource]
APACHE = "acme/apache-model"


def fetch_error(source: HubSource, ref: ModelRef) -> SourceError:
    with pytest.raises(SourceError) as info:
        source.fetch(ref)
    assert "\n" not in info.value.message
    return info.value


def test_one_model_info_then_files_at_the_sha(hub: HubServer, hub_source: Factory) -> None:
    facts = hub_source().fetch(ModelRef(APACHE))
    sha = hub.sha(APACHE)
    assert facts.revision == sha and facts.source == "hub"
    assert facts.card.licenses == ("apache-2.0",)
    assert [f.path for f in facts.files] == ["LICENSE"]
    assert facts.card_text is not None and "Apache License 2.0" in facts.card_text
    log = hub.requests()
    info = [r for r in log if r.path.startswith("/api/models/")]
    assert len(info) == 1 and info[0].status == 200
    assert sorted(q.split("=")[1] for q in info[0].query.split("&")) == sorted(EXPAND)
    files = [r for r in log if "/resolve/" in r.path]
    # One GET each for README.md and LICENSE only (not config.json, not the weights).
    assert sorted((r.method, r.path.rsplit("/", 1)[1]) for r in files) == [
        ("GET", "LICENSE"),
        ("GET", "README.md"),
    ]
    assert all(f"/resolve/{sha}/" in r.path for r in files)


def test_warm_run_makes_no_downloads(hub: HubServer, hub_source: Factory) -> None:
    hub_source().fetch(ModelRef(APACHE))
    hub.clear_log()
    again = hub_source().fetch(ModelRef(APACHE))  # a new run, same HF cache
    assert [f.path for f in again.files] == ["LICENSE"]
    assert [(r.method, r.path) for r in hub.requests()] == [("GET", f"/api/models/{APACHE}")]


def test_memoised_within_a_run_and_case_insensitive(hub: HubServer, hub_source: Factory) -> None:
    source = hub_source()
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda rid=rid: results.append(source.fetch(ModelRef(rid))))
        for rid in (APACHE, APACHE.upper(), APACHE, "ACME/Apache-Model")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r is results[0] for r in results)
    assert len(hub.requests(contains="/api/models/")) == 1


def test_revisions(hub: HubServer, hub_source: Factory) -> None:
    source = hub_source()
    old = source.fetch(ModelRef("acme/relicensed", "v1.0"))
    new = source.fetch(ModelRef("acme/relicensed"))
    pinned = source.fetch(ModelRef("acme/relicensed", old.revision))
    assert old.card.licenses == ("apache-2.0",) and old.revision == hub.sha(
        "acme/relicensed", "v1.0"
    )
    assert new.card.licenses == ("cc-by-nc-4.0",) and new.revision == hub.sha("acme/relicensed")
    assert old.revision != new.revision
    assert pinned.card.licenses == ("apache-2.0",)
    assert any("/revision/v1.0" in r.path for r in hub.requests())


def test_gated_repo_yields_metadata_and_gaps(hub: HubServer, hub_source: Factory) -> None:
    facts = hub_source().fetch(ModelRef("meta-llama/Llama-3.1-8B-Instruct"))
    assert facts.gated
    assert facts.card.licenses == ("llama3.1",)
    assert facts.card_text is not None and "Meta Llama 3.1" in facts.card_text  # README served
    assert facts.files == ()
    gaps = sorted(f.path for f in facts.findings if f.kind == "gated-file")
    assert gaps == ["LICENSE", "USE_POLICY.md"]
    assert {r.status for r in hub.requests("GET") if "LICENSE" in r.path} == {401}


def test_gated_repo_with_tokens(hub: HubServer, hub_source: Factory) -> None:
    approved = hub_source(token=APPROVED_TOKEN).fetch(ModelRef("meta-llama/Llama-3.1-8B-Instruct"))
    assert sorted(f.path for f in approved.files) == ["LICENSE", "USE_POLICY.md"]
    assert not [f for f in approved.findings if f.kind == "gated-file"]
    hub.clear_log()
    refused = hub_source(token=OTHER_TOKEN).fetch(ModelRef("google/gemma-2-2b-it"))
    assert [f.path for f in refused.findings if f.kind == "gated-file"] == ["LICENSE"]
    assert {r.status for r in hub.requests("GET") if "LICENSE" in r.path} == {403}


def test_private_and_missing_repos(hub: HubServer, hub_source: Factory) -> None:
    anonymous = fetch_error(hub_source(), ModelRef("acme/private-model"))
    assert anonymous.kind == "not-found" and "HF_TOKEN" in anonymous.message
    assert hub.requests()[-1].status == 401
    missing = fetch_error(hub_source(token=OTHER_TOKEN), ModelRef("acme/does-not-exist"))
    assert missing.kind == "not-found" and OTHER_TOKEN not in missing.message
    assert hub.requests()[-1].status == 404
    readable = hub_source(token=APPROVED_TOKEN).fetch(ModelRef("acme/private-model"))
    assert readable.card.licenses == ("mit",)


def test_missing_revision(hub: HubServer, hub_source: Factory) -> None:
    error = fetch_error(hub_source(), ModelRef(APACHE, "no-such-branch"))
    assert error.kind == "not-found" and "no-such-branch" in error.message


def test_listed_file_that_is_missing(hub: HubServer, hub_source: Factory) -> None:
    hub.add_fault(r"/resolve/.*/LICENSE$", status=404, error_code="EntryNotFound", times=None)
    error = fetch_error(hub_source(), ModelRef(APACHE))
    assert error.kind == "not-found" and "LICENSE" in error.message


def test_no_file_list_falls_back_to_readme_and_license(hub: HubServer, hub_source: Factory) -> None:
    hub.add_repo("acme/no-siblings", {"README.md": make_card(license="mit")}, siblings=None)
    facts = hub_source().fetch(ModelRef("acme/no-siblings"))
    assert facts.card.licenses == ("mit",)
    assert "no-file-list" in {f.kind for f in facts.findings}
    assert {r.status for r in hub.requests("GET", "LICENSE")} == {404}


def test_card_without_hub_card_data_is_parsed_from_readme(
    hub: HubServer, hub_source: Factory
) -> None:
    facts = hub_source().fetch(ModelRef("acme/template-card"))  # corpus 115.md: YAML error
    assert facts.card.license_name == "llama2-with-training-data-terms"
    assert "card-yaml-error" in {f.kind for f in facts.findings}


def test_relative_license_link_to_a_missing_file(hub: HubServer, hub_source: Factory) -> None:
    hub.add_repo(
        "acme/dangling-link",
        {"README.md": make_card(license="other", license_name="x", license_link="LICENSE.md")},
    )
    facts = hub_source().fetch(ModelRef("acme/dangling-link"))
    assert [f.path for f in facts.findings if f.kind == "license-link-missing"] == ["LICENSE.md"]


# --- failures ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_model_info_5xx_persistent(hub: HubServer, hub_source: Factory, status: int) -> None:
    hub.add_fault(r"^/api/models/", status=status, times=None)
    error = fetch_error(hub_source(retries=2), ModelRef(APACHE))
    assert error.kind == "network" and f"HTTP {status}" in error.message
    assert len(hub.requests(contains="/api/models/")) == 3  # first try + 2 retries


def test_model_info_5xx_once_is_retried(hub: HubServer, hub_source: Factory) -> None:
    hub.add_fault(r"^/api/models/", status=503, times=1)
    assert hub_source().fetch(ModelRef(APACHE)).card.licenses == ("apache-2.0",)


def test_429_honours_retry_after(hub: HubServer, hub_source: Factory) -> None:
    hub.add_fault(r"^/api/models/", status=429, retry_after=0.3, times=1)
    start = time.monotonic()
    facts = hub_source(max_retry_after=5).fetch(ModelRef(APACHE))
    assert facts.card.licenses == ("apache-2.0",)
    assert time.monotonic() - start >= 0.3


def test_429_persistent_is_a_network_error(hub: HubServer, hub_source: Factory) -> None:
    hub.add_fault(r"^/api/models/", status=429, retry_after=0, times=None)
    error = fetch_error(hub_source(), ModelRef(APACHE))
    assert error.kind == "network" and "rate limited" in error.message


def test_model_info_timeout(hub: HubServer, hub_source: Factory) -> None:
    hub.add_fault(r"^/api/models/", action="hang", seconds=3, times=None)
    start = time.monotonic()
    error = fetch_error(hub_source(timeout=0.3), ModelRef(APACHE))
    assert error.kind == "network" and "timed out" in error.message
    assert time.monotonic() - start < 2.5


@pytest.mark.parametrize("action", ["drop", "truncate"])
def test_model_info_dropped_or_truncated(hub: HubServer, hub_source: Factory, action: str) -> None:
    hub.add_fault(r"^/api/models/", action=action, times=None)
    error = fetch_error(hub_source(), ModelRef(APACHE))
    assert error.kind == "network"


def test_file_5xx_once_recovers(hub: HubServer, hub_source: Factory) -> None:
    hub.add_fault(r"/resolve/.*/LICENSE$", method="GET", status=500, times=1)
    facts = hub_source().fetch(ModelRef(APACHE))
    assert [f.path for f in facts.files] == ["LICENSE"]


@pytest.mark.parametrize(
    "fault",
    [
        {"method": "GET", "status": 500},
        {"method": "GET", "action": "truncate"},
        {"method": "GET", "action": "corrupt"},
        {"method": "GET", "action": "drop"},
    ],
    ids=["get-500", "get-truncated", "get-corrupt", "get-dropped"],
)
def test_file_download_failures_then_a_clean_run(
    hub: HubServer, hub_source: Factory, fault: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    # The imitation as HF_ENDPOINT: the Hub itself to huggingface_hub, whose ETags are
    # content hashes (a mirror's need not be: tests/test_hub_access.py).
    monkeypatch.setattr(constants, "ENDPOINT", hub.url)
    hub.add_fault(r"/resolve/.*/LICENSE$", times=None, **fault)
    error = fetch_error(hub_source(), ModelRef(APACHE))
    assert error.kind == "network" and "LICENSE" in error.message
    hub.clear_faults()
    facts = hub_source().fetch(ModelRef(APACHE))  # same cache: nothing half-written is read
    assert facts.files[0].text == corpus_license("apache-2.0.txt").decode().replace("\r\n", "\n")


def test_download_deadline(hub: HubServer, hub_source: Factory) -> None:
    # Its own repo: the abandoned download thread may still knock after the test.
    hub.add_repo("acme/slow-model", {"README.md": make_card(license="mit"), "LICENSE": b"MIT\n"})
    hub.add_fault(
        r"/slow-model/resolve/.*/LICENSE$", method="GET", action="hang", seconds=2, times=None
    )
    start = time.monotonic()
    error = fetch_error(hub_source(deadline=0.5), ModelRef("acme/slow-model"))
    assert error.kind == "network" and "longer than" in error.message
    assert time.monotonic() - start < 2


def test_a_download_past_its_deadline_asks_the_hub_nothing_more(
    hub: HubServer, hub_source: Factory
) -> None:
    """The deadline bounds the whole download, retries included: one GET that hangs past it
    is the last request for that file (no thread is left behind to ask again)."""
    hub.add_repo("acme/stalled-model", {"README.md": make_card(license="mit"), "LICENSE": b"MIT\n"})
    hub.add_fault(
        r"/stalled-model/resolve/.*/LICENSE$", method="GET", action="hang", seconds=0.5, times=None
    )
    error = fetch_error(hub_source(timeout=0.3, deadline=0.2), ModelRef("acme/stalled-model"))
    assert error.kind == "network" and "longer than" in error.message
    time.sleep(1.0)
    gets = hub.requests("GET", "/stalled-model/resolve/")
    assert [r.path.rsplit("/", 1)[-1] for r in gets].count("LICENSE") == 1


def test_connection_refused(hf_cache: Any) -> None:
    source = HubSource("http://127.0.0.1:9", cache_dir=hf_cache, timeout=1, retries=0)
    error = fetch_error(source, ModelRef(APACHE))
    assert error.kind == "network" and "refused" in error.message


def test_tokens_never_appear_in_messages(
    hub: HubServer, hub_source: Factory, monkeypatch: Any
) -> None:
    hub.add_fault(r"^/api/models/", status=503, times=None)
    error = fetch_error(hub_source(token=APPROVED_TOKEN, retries=0), ModelRef(APACHE))
    assert APPROVED_TOKEN not in error.message
    monkeypatch.setenv("HF_TOKEN", "sekrit-value-1234")
    assert one_line("failed with sekrit-value-1234 and hf_abcdefghijklmnop") == (
        "failed with *** and ***"
    )
    assert one_line("Authorization: Bearer abc.def") == "Authorization: ***"


def test_imitation_rejects_unknown_expand_values(hub: HubServer) -> None:
    with pytest.raises(HTTPError) as info:
        urlopen(f"{hub.url}/api/models/{APACHE}?expand=bogus", timeout=5)
    assert info.value.code == 400
    with urlopen(f"{hub.url}/api/models/{APACHE}?expand=sha", timeout=5) as response:
        assert set(__import__("json").loads(response.read())) == {"_id", "id", "sha"}


def test_hostile_file_names_in_the_listing_are_ignored(hub: HubServer, hub_source: Factory) -> None:
    hub.add_repo(
        "acme/odd-listing",
        {
            "README.md": make_card(license="mit"),
            "../LICENSE": b"x",
            "a//LICENSE": b"y",
            "LICENSE": b"MIT\n",
        },
    )
    facts = hub_source().fetch(ModelRef("acme/odd-listing"))
    assert [f.path for f in facts.files] == ["LICENSE"]
    assert not any(".." in r.path for r in hub.requests())
