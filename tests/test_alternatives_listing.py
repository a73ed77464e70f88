"""The test Hub's `GET /api/models` answers huggingface_hub's own `HfApi.list_models` as the
Hub does: filters, sort order, expand, and Link-header pagination."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FAST
from hub_server import APPROVED_TOKEN, HubServer, make_card


@pytest.fixture(scope="module")
def small_pages() -> Iterator[HubServer]:
    with HubServer(page_size=2) as hub:
        for i, (org, task, library, downloads) in enumerate(
            [
                ("alpha", "text-generation", "transformers", 50),
                ("alpha", "text-generation", "gguf", 500),
                ("beta", "text-generation", "transformers", 5),
                ("beta", "image-classification", "timm", 900),
                ("gamma", "text-generation", "transformers", 70),
            ]
        ):
            hub.add_repo(
                f"{org}/model-{i}",
                {"README.md": make_card(license="mit", pipeline_tag=task, library_name=library)},
                downloads=downloads,
                likes=i,
            )
        hub.add_repo("alpha/hidden", {"README.md": make_card(license="mit")}, private=True)
        yield hub


def _api(hub: HubServer, token: str | bool = False):  # type: ignore[no-untyped-def]
    from huggingface_hub import HfApi

    return HfApi(endpoint=hub.url, token=token)


def test_list_models_filters_sorts_and_paginates(small_pages: HubServer) -> None:
    small_pages.clear_log()
    found = list(
        _api(small_pages).list_models(
            pipeline_tag="text-generation", sort="downloads", expand=["downloads", "sha"]
        )
    )
    assert [m.id for m in found] == [
        "alpha/model-1",
        "gamma/model-4",
        "alpha/model-0",
        "beta/model-2",
    ]
    assert [m.downloads for m in found] == [500, 70, 50, 5]
    assert all(m.sha and len(m.sha) == 40 for m in found)
    assert found[0].card_data is None  # not expanded: not sent
    # Four models at two per page: the client followed one Link header.
    listed = small_pages.requests("GET", "/api/models")
    assert len(listed) == 2
    assert "cursor=2" in listed[1].query and "pipeline_tag=text-generation" in listed[1].query


def test_list_models_search_author_filter_and_limit(small_pages: HubServer) -> None:
    api = _api(small_pages)
    assert [m.id for m in api.list_models(author="beta", sort="likes")] == [
        "beta/model-3",
        "beta/model-2",
    ]
    assert [m.id for m in api.list_models(filter="gguf")] == ["alpha/model-1"]
    assert [m.id for m in api.list_models(search="MODEL-4")] == ["gamma/model-4"]
    small_pages.clear_log()
    top = list(api.list_models(sort="downloads", limit=1))
    assert [m.id for m in top] == ["beta/model-3"]
    assert len(small_pages.requests("GET", "/api/models")) == 1  # no page beyond the limit


def test_list_models_card_data_private_and_errors(small_pages: HubServer) -> None:
    with_card = list(_api(small_pages).list_models(author="gamma", cardData=True))
    assert with_card[0].card_data is not None and with_card[0].card_data.license == "mit"
    assert "alpha/hidden" not in {m.id for m in _api(small_pages).list_models(author="alpha")}
    assert "alpha/hidden" in {
        m.id for m in _api(small_pages, APPROVED_TOKEN).list_models(author="alpha")
    }
    from huggingface_hub.errors import BadRequestError

    with pytest.raises(BadRequestError):
        list(_api(small_pages).list_models(expand=["nonsense"]))  # type: ignore[list-item]


def test_a_listing_without_sha_or_files_does_not_stand_in_for_model_info(
    small_pages: HubServer, tmp_path: Path
) -> None:
    """A Hub (or mirror) that ignored `expand` gives no commit or file list: the audit asks
    model_info itself rather than read files at a branch."""
    from licensecheck.alternatives import Candidate
    from licensecheck.sources import hub_search
    from licensecheck.sources.hub import HubSource
    from licensecheck.sources.hub_info import HubInfo

    source = HubSource(small_pages.url, cache_dir=tmp_path / "hf-cache", **FAST)
    partial = hub_search.Listed(Candidate("gamma/model-4"), HubInfo.from_payload({"id": "x"}))
    whole = hub_search.Listed(
        Candidate("alpha/model-0"),
        HubInfo.from_payload(
            {"id": "alpha/model-0", "sha": small_pages.sha("alpha/model-0"), "siblings": []}
        ),
    )
    small_pages.clear_log()
    for listed in (partial, whole):
        source.fetch(hub_search.remember(source, listed))
    infos = [r.path for r in small_pages.requests("GET", "/api/models/")]
    assert infos == ["/api/models/gamma/model-4"]


def test_our_listing_request_is_the_one_list_models_sends(small_pages: HubServer) -> None:
    """sources/hub_search.py builds the query itself (hf_api is slow to import): the same
    parameters, in the same order, as HfApi.list_models for the same question."""
    from licensecheck.alternatives import Query
    from licensecheck.sources import hub_search

    query = Query(
        model=None, task="text-generation", search="model", author="alpha", library="gguf",
        sort="trending", limit=7,
    )  # fmt: skip
    small_pages.clear_log()
    list(
        _api(small_pages).list_models(
            filter="gguf", author="alpha", pipeline_tag="text-generation", search="model",
            sort="trending_score", limit=7 + hub_search.SLACK, expand=hub_search.LIST_EXPAND,
        )  # type: ignore[arg-type]
    )  # fmt: skip
    theirs = small_pages.requests("GET", "/api/models")[0].query
    ours = hub_search.search_url(small_pages.url, query, 7 + hub_search.SLACK)
    assert ours == f"{small_pages.url}/api/models?{theirs}"
