"""What the SBOM formats share (formats/spdx.py and formats/cyclonedx.py): the licences of a
model as a BOM names them (`LicenceCatalogue`: SPDX list ids, or `LicenseRef-`s carrying
their one text), where a model comes from (download location, purl, Hub id), and the
document's identity and time (a digest of the report, SOURCE_DATE_EPOCH). A change to what
both documents say about a licence or a package is made here.

Deterministic: the creation time is given (default the Unix epoch) and names are derived
from the report, never from a clock or a random number.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from packageurl import PackageURL
from spdx_tools.common.spdx_licensing import spdx_licensing

from licensecheck.errors import LicensecheckError
from licensecheck.identify.types import UNKNOWN
from licensecheck.results import AuditReport, LineageLink, ModelResult
from licensecheck.sources import default_endpoint

if TYPE_CHECKING:
    from licensecheck.facts import RepoFile
    from licensecheck.formats import RenderOptions
    from licensecheck.knowledge.model import License
    from licensecheck.knowledge.store import KnowledgeBase

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_REF_CHARS = re.compile(r"[^A-Za-z0-9.-]+")


def idstring(value: str) -> str:
    """`value` in the characters SPDX allows in ids (letters, digits, `.`, `-`)."""
    value = value.replace("+", "plus")
    return _REF_CHARS.sub("-", value).strip("-.") or "x"


def report_digest(report: AuditReport) -> str:
    """A stable hash of everything in the report (the inputs of the BOM).

    Not of where the run happened: a local model's absolute path (`ModelRef.local_path`)
    is left out (the path as given stays in), and sets are hashed in sorted order, so the
    same inputs give the same namespace from any directory and with any PYTHONHASHSEED."""
    data = json.dumps(
        dataclasses.asdict(report, dict_factory=_portable),
        sort_keys=True,
        default=_portable_value,
        ensure_ascii=False,
    ).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _portable(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {key: value for key, value in pairs if key != "local_path"}


def _portable_value(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return str(value)


def utc(created: datetime | None) -> datetime:
    """`created` as an aware UTC datetime without microseconds (the epoch when not given)."""
    if created is None:
        return EPOCH
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return created.astimezone(timezone.utc).replace(microsecond=0)


# --- licences ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LicenceEntry:
    """One licence as a BOM names it: an SPDX list id, or a LicenseRef with its text."""

    key: str  # SPDX id or LicenseRef-...
    name: str
    text: str | None = None  # None for SPDX list licences
    url: str | None = None
    comment: str | None = None
    license_id: str | None = None  # the knowledge base id, when known
    from_repo: bool = False  # the text is the file read from the model's repo

    @property
    def is_ref(self) -> bool:
        return self.key.startswith("LicenseRef-")


@dataclass(frozen=True)
class Licences:
    """The licences of one model: what its card declares and what licensecheck concludes."""

    declared: tuple[LicenceEntry, ...]
    concluded: tuple[LicenceEntry, ...]  # all bind: joined with AND
    declared_note: str | None = None  # a declared name the catalogue could not turn into a licence
    concluded_note: str | None = None  # why the concluded licence is incomplete

    @property
    def declared_expression(self) -> str | None:
        # A list in the card's `license` field offers alternatives (dual licensing).
        return _join([e.key for e in self.declared], "OR")

    @property
    def concluded_expression(self) -> str | None:
        if self.concluded_note is not None:
            return None
        return _join([e.key for e in self.concluded], "AND")


def _join(keys: list[str], op: str) -> str | None:
    if not keys:
        return None
    return keys[0] if len(keys) == 1 else f" {op} ".join(keys)


def _spdx_list_id(value: str) -> str | None:
    """The SPDX licence-list spelling of `value`, or None if it is not on the list."""
    if not value or value.startswith("LicenseRef-") or value.lower() in ("other", "unknown"):
        return None

    try:
        if spdx_licensing.validate(value).invalid_symbols:
            return None
        return str(spdx_licensing.parse(value))
    except Exception:  # license_expression raises several unrelated types on bad input
        return None


def _sha8(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


class LicenceCatalogue:
    """Turns licence ids into BOM licence entries, and keeps each LicenseRef's one text.

    A LicenseRef names one text in a document: a second, different text for the same ref
    (a modified copy, another version) gets a ref of its own.
    """

    def __init__(self, kb: KnowledgeBase, texts_dir: Any = None) -> None:
        from licensecheck.knowledge.store import TEXTS_DIR

        self.kb = kb
        self._texts_dir = texts_dir if texts_dir is not None else TEXTS_DIR
        self._refs: dict[str, LicenceEntry] = {}

    # Public ------------------------------------------------------------------------------

    def refs(self) -> list[LicenceEntry]:
        """Every LicenseRef entry handed out, in the order first used."""
        return list(self._refs.values())

    def for_model(self, result: ModelResult) -> Licences:
        declared, declared_note = self._declared(result)
        concluded: list[LicenceEntry] = []
        missing: list[str] = []
        if result.status == "ok":
            ids = result.effective_licenses or (
                (result.determination.id,) if result.determination else ()
            )
            for license_id in ids:
                entry = self.entry(license_id, result)
                if entry is None:
                    missing.append(license_id)
                elif entry not in concluded:
                    concluded.append(entry)
            if not ids:
                missing.append(UNKNOWN)
        note = None
        if result.status != "ok":
            note = "the model could not be read"
        elif missing:
            note = (
                "licence not identified"
                if missing == [UNKNOWN]
                else ("not identified: " + ", ".join(missing))
            )
        elif result.facts is not None and result.facts.unread:
            # The unread text may say anything: the conclusion is no more than a guess.
            note = (
                "licence-like file not read ("
                + "; ".join(f.message for f in result.facts.unread)
                + ")"
            )
        return Licences(tuple(declared), tuple(concluded), declared_note, note)

    def for_link(self, link: LineageLink) -> LicenceEntry | None:
        return self.entry(link.license, None)

    def entry(self, license_id: str, result: ModelResult | None) -> LicenceEntry | None:
        """The entry for a knowledge-base id as it applies to `result` (None: unknown)."""
        lic = self.kb.get(license_id)
        if lic is None:
            return None
        version, modified, repo_file = self._evidence(license_id, result)
        base = _spdx_list_id(lic.spdx)
        if modified and repo_file is not None:
            # The licence as shipped differs from the canonical text: its own ref and text.
            return self._register(
                f"LicenseRef-licensecheck-{idstring(lic.id)}-modified",
                f"{lic.name} (modified)",
                repo_file.text,
                lic,
                f"Modified copy read from {result.model if result else '?'}:{repo_file.path}; "
                "it differs in substance from the canonical text.",
                from_repo=True,
            )
        if base is not None:
            return LicenceEntry(key=base, name=lic.name, url=lic.url, license_id=lic.id)
        text, text_version = self._kb_text(lic, version)
        ref = lic.spdx if lic.spdx.startswith("LicenseRef-") else f"LicenseRef-{lic.spdx}"
        ref = "LicenseRef-" + idstring(ref[len("LicenseRef-") :])
        if text is not None:
            if text_version is not None and self._versions_with_texts(lic) > 1:
                ref = f"{ref}-{idstring(text_version)}"
            comment = f"licensecheck id {lic.id}" + (
                f", version {text_version}" if text_version else ""
            )
            if version is None and text_version is not None and self._versions_with_texts(lic) > 1:
                comment += " (version not determined; text of the latest version)"
            return self._register(ref, lic.name, text, lic, comment + ".")
        if repo_file is not None:
            return self._register(
                ref,
                lic.name,
                repo_file.text,
                lic,
                f"licensecheck id {lic.id}; text read from the model repo ({repo_file.path}).",
                from_repo=True,
            )
        return self._register(
            ref,
            lic.name,
            f"{lic.name}. The licence text is not bundled with licensecheck"
            + (f"; see {lic.url}." if lic.url else "."),
            lic,
            f"licensecheck id {lic.id}; the full text was not available.",
        )

    # Internals ---------------------------------------------------------------------------

    def _register(
        self,
        ref: str,
        name: str,
        text: str,
        lic: License | None,
        comment: str,
        from_repo: bool = False,
    ) -> LicenceEntry:
        url = lic.url if lic is not None else None
        entry = LicenceEntry(
            key=ref,
            name=name,
            text=text,
            url=url,
            comment=comment,
            license_id=lic.id if lic is not None else None,
            from_repo=from_repo,
        )
        old = self._refs.get(ref)
        if old is not None and old.text == text:
            return old
        if old is not None:
            ref = f"{ref}-{_sha8(text)}"
            entry = dataclasses.replace(entry, key=ref)
            old = self._refs.get(ref)
            if old is not None:
                return old
        self._refs[ref] = entry
        return entry

    def _versions_with_texts(self, lic: License) -> int:
        return sum(1 for v in lic.versions if v.texts)

    def _kb_text(self, lic: License, version: str | None) -> tuple[str | None, str | None]:
        chosen = lic.version_named(version) if version else None
        if chosen is None or not chosen.texts:
            with_texts = [v for v in lic.versions if v.texts]
            chosen = with_texts[-1] if with_texts else None
        if chosen is None:
            return None, None
        parts: list[str] = []
        for name in chosen.texts:
            path = self._texts_dir / name
            try:
                parts.append(path.read_text(encoding="utf-8"))
            except OSError:
                continue
        if not parts:
            return None, None
        # Verbatim: a single text exactly as bundled; several (licence + appendix) in order.
        return "\n\n".join(parts), chosen.version

    def _evidence(
        self, license_id: str, result: ModelResult | None
    ) -> tuple[str | None, bool, RepoFile | None]:
        """(version, modified, repo file) for a licence the model's own evidence found."""
        if result is None or result.determination is None:
            return None, False, None
        det = result.determination
        files = {f.path: f for f in result.facts.files} if result.facts else {}
        repo_file = None
        modified = False
        version = det.version if det.id == license_id else None
        for ev in det.evidence:
            if ev.id != license_id or ev.source != "license-file" or ev.kind != "license":
                continue
            if ev.path in files:
                repo_file = files[ev.path]
                modified = modified or ev.modified
                version = version or ev.version
                break
        if det.id == license_id:
            modified = modified or det.modified
        return version, modified, repo_file

    def _declared(self, result: ModelResult) -> tuple[list[LicenceEntry], str | None]:
        """The card's licences: known ids, else the named licence with the linked file."""
        entries: list[LicenceEntry] = []
        det = result.determination
        for license_id in det.declared if det else ():
            lic = self.kb.get(license_id)
            if lic is None:
                continue
            base = _spdx_list_id(lic.spdx)
            if base is not None:
                entries.append(
                    LicenceEntry(key=base, name=lic.name, url=lic.url, license_id=lic.id)
                )
                continue
            entry = self.entry(license_id, result)
            if entry is not None and entry not in entries:
                entries.append(entry)
        if entries or result.facts is None:
            return entries, None
        card = result.facts.card
        named = [
            n
            for n in (*card.licenses, card.license_name)
            if n and n.strip().lower() not in ("other", "unknown", "")
        ]
        if not named:
            return entries, None
        # A name the knowledge base does not know: carry it with the file the card links.
        name = named[-1].strip()
        listed = _spdx_list_id(name)
        if listed is not None:
            return [LicenceEntry(key=listed, name=name)], None
        linked = _linked_file(result)
        if linked is None:
            return entries, f"card declares {name!r}; its text was not read"
        entry = self._register(
            f"LicenseRef-{idstring(name)}",
            name,
            linked.text,
            None,
            f"Declared by the card of {result.model}; text read from {linked.path}. "
            "Not a licence licensecheck knows.",
            from_repo=True,
        )
        return [entry], None


def _linked_file(result: ModelResult) -> RepoFile | None:
    """The repo file the card's relative `license_link` names, or the only licence file."""
    if result.facts is None:
        return None
    files = {f.path: f for f in result.facts.files}
    link = (result.facts.card.license_link or "").strip().removeprefix("./")
    if link and "://" not in link and link in files:
        return files[link]
    licence_files = [
        f for f in result.facts.files if f.path.rsplit("/", 1)[-1].upper().startswith("LICENSE")
    ]
    return licence_files[0] if len(licence_files) == 1 else None


def _without_userinfo(url: str) -> str:
    """The URL without `user:password@` (a credential must never reach a document)."""

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def download_location(model: str, revision: str | None, local: bool, hub_url: str) -> str | None:
    """The Hub tree at `revision`; None (NOASSERTION) for a local directory."""
    if local:
        return None
    base = f"{_without_userinfo(hub_url).rstrip('/')}/{model}"
    return f"{base}/tree/{revision}" if revision else base


def purl(model: str, revision: str | None) -> str | None:
    """`pkg:huggingface/org/name@rev` for a Hub model id, else None."""
    if model.count("/") != 1 or model.startswith((".", "/")):
        return None

    namespace, name = model.split("/")
    return str(PackageURL(type="huggingface", namespace=namespace, name=name, version=revision))


def hub_id(result: ModelResult) -> str:
    """The Hub id of the model: its name, or for a local snapshot the repo it belongs to."""
    if result.facts is not None and result.facts.ref.local_path is not None:
        return result.facts.hub_id or ""
    return "" if is_local(result) else result.model


def is_local(result: ModelResult) -> bool:
    if result.facts is not None:
        return result.facts.ref.local_path is not None
    return result.source == "local"


def source_date_epoch() -> datetime | None:
    """SOURCE_DATE_EPOCH (reproducible-builds.org) as a UTC time; None when unset."""

    from licensecheck.errors import UsageError

    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        return datetime.fromtimestamp(int(raw), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH={raw!r}: not a number of seconds") from None


def fail_if_invalid(document: str, problems: list[str]) -> None:
    """Never write an invalid document: a validator's problem is a bug, said in one line."""
    if problems:
        first = problems[0].partition("\n")[0]
        raise LicensecheckError(
            f"internal error: the {document} is not valid ({len(problems)} problems): {first}"
        )


def render_args(options: RenderOptions) -> tuple[datetime, str]:
    """(creation time, Hub URL) of a document: `sbom --created`, else SOURCE_DATE_EPOCH,
    else the epoch (as `utc`); the run's `--endpoint`, else HF_ENDPOINT, else the public
    Hub."""
    return utc(options.created or source_date_epoch()), options.hub_url or default_endpoint()


__all__ = [
    "EPOCH",
    "LicenceCatalogue",
    "LicenceEntry",
    "Licences",
    "download_location",
    "fail_if_invalid",
    "hub_id",
    "idstring",
    "is_local",
    "purl",
    "render_args",
    "report_digest",
    "source_date_epoch",
    "utc",
]
