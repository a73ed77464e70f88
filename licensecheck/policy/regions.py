"""Region codes: normalise them and decide whether a place lies inside an excluded region.

The data (country aliases, groups such as EU) is `data/regions.yaml`; this module holds
only the rules of comparison. A code is ISO 3166-1 alpha-2 (`DE`), optionally with a
subdivision (`US-CA`), or a group name (`EU`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from licensecheck import paths

REGION_PATTERN = re.compile(r"^[A-Z]{2,3}(-[A-Z0-9]{1,3})?$")

DEFINITE = "definite"  # the place is inside the region
POSSIBLE = "possible"  # the place is a group that includes part of the region
OUTSIDE = "outside"


@dataclass(frozen=True)
class RegionData:
    aliases: dict[str, str]
    groups: dict[str, frozenset[str]]


@functools.lru_cache(maxsize=1)
def region_data() -> RegionData:
    loaded = paths.load_data_yaml(Path(__file__).parent / "data" / "regions.yaml")
    raw: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
    aliases = {str(k).upper(): str(v).upper() for k, v in (raw.get("aliases") or {}).items()}
    groups = {
        str(k).upper(): frozenset(str(m).upper() for m in members)
        for k, members in (raw.get("groups") or {}).items()
    }
    return RegionData(aliases, groups)


def normalise(code: str) -> str:
    """Upper-case, and map aliases (UK -> GB), keeping any subdivision."""
    code = code.strip().upper()
    country, sep, sub = code.partition("-")
    country = region_data().aliases.get(country, country)
    return f"{country}{sep}{sub}"


def is_region_code(code: str) -> bool:
    return bool(REGION_PATTERN.match(code.strip().upper()))


def _country(code: str) -> str:
    return code.partition("-")[0]


def _members(code: str) -> frozenset[str]:
    """The countries a code stands for: a group's members, or the country itself."""
    groups = region_data().groups
    return groups.get(code, frozenset({_country(code)}))


def relation(place: str, region: str) -> str:
    """Is `place` (where an organisation is) inside `region` (what a licence excludes)?

    DE in EU, US-CA in US, DE-BY in DE: definite. EU as a place and DE as the region:
    possible (some of the organisation may be in Germany). GB in EU: outside.
    """
    place, region = normalise(place), normalise(region)
    if place == region:
        return DEFINITE
    groups = region_data().groups
    if region in groups:
        if place in groups:
            return POSSIBLE if groups[place] & groups[region] else OUTSIDE
        return DEFINITE if _country(place) in groups[region] else OUTSIDE
    if place in groups:
        return POSSIBLE if _country(region) in groups[place] else OUTSIDE
    if "-" not in region and _country(place) == region:
        return DEFINITE  # US-CA is in US
    if "-" not in place and _country(region) == place:
        return POSSIBLE  # "US" may include US-CA
    return OUTSIDE


def law_matches(selector: str, law: str) -> bool:
    """A governing-law selector `CN` matches `CN` and `CN-ZJ`; `US-CA` only `US-CA...`."""
    selector, law = normalise(selector), normalise(law)
    return law == selector or law.startswith(selector + "-")
