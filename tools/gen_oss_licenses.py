"""Generate the knowledge-base entries of the open-source and content licences.

The SPDX facts of every entry come from the libraries, not from a hand-kept copy:

- license-expression (its vendored ScanCode LicenseDB index, SPDX licence list 3.27):
  the SPDX id is checked against it, and it gives the ScanCode key and the other SPDX ids
  that name the same licence (deprecated ids such as ``GPL-2.0``);
- cyclonedx-python-lib (a project dependency that ships the SPDX licence list 3.28):
  the SPDX full name of each id.

Neither library ships the OSI approval flag, so that single SPDX fact is in the table
below (``osi``), next to what no library can know: the Hub licence id, category, family,
the clause numbers, and the terms each family of licences grants.

Usage::

    python tools/gen_oss_licenses.py           # (re)write the generated YAML files
    python tools/gen_oss_licenses.py --check   # exit 1 if a generated file is stale

Hand-written entries (model licences) live next to the generated ones; this script
only ever writes the ids in ``ENTRIES``.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "licensecheck" / "knowledge"
LICENSES_DIR = KNOWLEDGE / "licenses"
TEXTS_DIR = KNOWLEDGE / "texts"

USES = ("research", "commercial", "government", "defense")

# (obligation id, clause, when, text)
Obl = tuple[str, str, str, str]


@dataclass(frozen=True)
class Entry:
    """One Hub licence id and what the libraries cannot know about it."""

    id: str
    hub_name: str  # the Hub's "Fullname" for the id
    spdx: tuple[str, ...]  # SPDX ids this entry covers, primary first; () for a family id
    family: str
    category: str
    template: str  # key of TEMPLATES
    grant: str  # clause of the grant
    osi: bool | None = None
    obligations: tuple[Obl, ...] = ()
    restrictions: tuple[tuple[str, str, str], ...] = ()  # (id, clause, text)
    notes: tuple[str, ...] = ()
    version: str = "1.0"
    date: str | None = None
    texts: tuple[str, ...] = ()
    # A family id's members that have no id of their own but a text: (version, date, texts).
    # Identifying such a text names the family and the member's version.
    editions: tuple[tuple[str, str | None, tuple[str, ...]], ...] = ()
    aliases: tuple[str, ...] = ()  # spellings and URLs seen for this licence
    nc_clause: str | None = None  # where a NonCommercial limit is stated
    governing_law: str | None = None


# What each family of licences grants. `derivatives` is whether the terms bind
# fine-tunes, adapters and merges (a permissive licence lets a derivative be relicensed).
TEMPLATES: dict[str, dict[str, Any]] = {
    "permissive": {"derivatives": False, "note": None},
    "public-domain": {"derivatives": False, "note": None},
    "weak-copyleft": {
        "derivatives": True,
        "note": "Modified files (or the licensed component) stay under this licence when "
        "distributed; larger works combining it may use other terms.",
    },
    "copyleft": {
        "derivatives": True,
        "note": "Derivative works that are distributed must be licensed under the same "
        "terms, with their source (for models: the weights and what the licence counts as "
        "source).",
    },
    "network-copyleft": {
        "derivatives": True,
        "note": "Copyleft that also reaches users of a modified version over a network: "
        "offering it as a hosted service triggers the source obligation.",
    },
    "non-commercial": {
        "derivatives": True,
        "note": "NonCommercial: no use primarily intended for or directed towards commercial "
        "advantage or monetary compensation. Paid work for a public body is commercial use, "
        "but a public body's own use that earns no revenue can be NonCommercial: government "
        "use is a review for a public body and not granted to anyone else; defense use is not "
        "granted.",
    },
    "no-derivatives": {
        "derivatives": True,
        "note": "NoDerivatives: adapted material (a fine-tune, merge or quantisation) may be "
        "made but not shared.",
    },
    "unknown": {
        "derivatives": True,
        "note": "A family id that does not say which licence of the family applies; "
        "identify the exact licence (its LICENSE file) before relying on it.",
    },
}

SPDX_URL = "https://spdx.org/licenses/{}.html"


def _cc(
    hub_id: str,
    elements: str,
    version: str,
    *,
    texts: tuple[str, ...] = (),
    extra_aliases: tuple[str, ...] = (),
) -> Entry:
    """A Creative Commons entry; clause numbers follow the 4.0 or the 2.x/3.0 layout."""
    nc = "nc" in elements.split("-")
    sa = "sa" in elements.split("-")
    nd = "nd" in elements.split("-")
    four = version == "4.0"
    label = "-".join(e.upper() for e in elements.split("-"))
    spdx = f"CC-{label}-{version}"
    # 2.x/3.0 list their conditions under section 4: (a) licence copy, then ShareAlike,
    # NonCommercial and Attribution in that order, as far as the licence has them.
    if four:
        grant, attribution, share_alike, nc_clause = "2(a)(1)", "3(a)", "3(b)", "1, 2(a)(1)"
        include, nd_clause = "3(a)(1)(C)", "2(a)(1)(B)"
    else:
        letters = iter("bcd")
        share_alike = f"4({next(letters)})" if sa else ""
        nc_clause = f"4({next(letters)})" if nc else ""
        attribution = f"4({next(letters)})"
        grant, include, nd_clause = "3", "4(a)", "3"
    obligations: list[Obl] = [
        (
            "attribution",
            attribution,
            "distribution",
            "Credit the creator, keep the copyright and licence notices, and indicate changes.",
        ),
        (
            "include-license",
            include,
            "distribution",
            "Include the licence text or its URI with the material you share.",
        ),
    ]
    if sa:
        obligations.append(
            (
                "flow-down",
                share_alike,
                "derivative",
                "ShareAlike: adapted material you share must be under the same or a "
                "compatible licence.",
            )
        )
    restrictions: tuple[tuple[str, str, str], ...] = ()
    if nd:
        restrictions = (
            (
                "no-derivatives",
                nd_clause,
                "Adapted material may be produced but not shared.",
            ),
        )
    # ShareAlike binds adapted material (4.0 §3(b)), so a fine-tune keeps the licence.
    template = (
        "non-commercial"
        if nc
        else ("no-derivatives" if nd else ("copyleft" if sa else "permissive"))
    )
    category = "non-commercial" if nc else ("copyleft" if sa else "permissive")
    if nd and not nc:
        category = "use-restricted"
    human = f"CC {label} {version}"
    words = {
        "by": "Attribution",
        "nc": "Non Commercial",
        "sa": "Share Alike",
        "nd": "No Derivatives",
    }
    hub_name = "Creative Commons " + " ".join(words[e] for e in elements.split("-")) + f" {version}"
    path = "/".join(("licenses", elements, version))
    aliases = (
        human,
        f"{human} International" if four else human,
        f"https://creativecommons.org/{path}/",
        f"https://creativecommons.org/{path}/legalcode",
        f"https://creativecommons.org/{path}/deed.en",
        *extra_aliases,
    )
    return Entry(
        id=hub_id,
        hub_name=hub_name,
        spdx=(spdx,),
        family="creative-commons",
        category=category,
        template=template,
        grant=grant,
        osi=False,
        obligations=tuple(obligations),
        restrictions=restrictions,
        version=version,
        date="2013-11-25" if four else None,
        texts=texts,
        aliases=tuple(dict.fromkeys(aliases)),
        nc_clause=nc_clause or None,
    )


_GNU_COPYLEFT: tuple[Obl, ...] = (
    ("include-license", "", "distribution", "Give recipients a copy of the licence."),
    (
        "flow-down",
        "",
        "derivative",
        "Distribute derivative works under the same licence, with their corresponding source.",
    ),
)


def _with_clauses(obls: tuple[Obl, ...], *clauses: str) -> tuple[Obl, ...]:
    return tuple((o[0], c, o[2], o[3]) for o, c in zip(obls, clauses, strict=True))


ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="apache-2.0",
        hub_name="Apache license 2.0",
        spdx=("Apache-2.0",),
        family="apache",
        category="permissive",
        template="permissive",
        grant="2, 3",
        osi=True,
        obligations=(
            ("include-license", "4(a)", "distribution", "Give recipients a copy of the licence."),
            (
                "attribution",
                "4(b), 4(c)",
                "distribution",
                "Mark modified files and retain copyright, patent, trademark and attribution "
                "notices.",
            ),
            (
                "notice-file",
                "4(d)",
                "distribution",
                "Carry the attribution notices of the Work's NOTICE file, if it has one.",
            ),
        ),
        notes=(
            "Patent licence ends for a licensee who brings patent litigation over the Work [3].",
        ),
        version="2.0",
        date="2004-01",
        texts=("apache-2.0.txt",),
        aliases=(
            "Apache License, Version 2.0",
            "Apache License Version 2.0",
            "Apache 2.0",
            "Apache-2",
            "apache2",
            "Apache Software License 2.0",
            "https://www.apache.org/licenses/LICENSE-2.0",
            "https://www.apache.org/licenses/LICENSE-2.0.html",
            "https://www.apache.org/licenses/LICENSE-2.0.txt",
            "https://opensource.org/licenses/Apache-2.0",
            "https://choosealicense.com/licenses/apache-2.0/",
        ),
    ),
    Entry(
        id="mit",
        hub_name="MIT",
        spdx=("MIT",),
        family="mit",
        category="permissive",
        template="permissive",
        grant="¶1 (permission notice)",
        osi=True,
        obligations=(
            (
                "include-license",
                "¶2",
                "distribution",
                "Include the copyright notice and this permission notice in all copies or "
                "substantial portions.",
            ),
        ),
        version="MIT",
        texts=("mit.txt",),
        aliases=(
            "MIT License",
            "The MIT License",
            "MIT Licence",
            "Expat",
            "https://opensource.org/licenses/MIT",
            "https://opensource.org/license/mit",
            "https://choosealicense.com/licenses/mit/",
        ),
    ),
    Entry(
        id="afl-3.0",
        hub_name="Academic Free License v3.0",
        spdx=("AFL-3.0",),
        family="afl",
        category="permissive",
        template="permissive",
        grant="1, 2",
        osi=True,
        obligations=(
            (
                "attribution",
                "6",
                "distribution",
                "Retain copyright, patent, trademark and attribution notices and the "
                "Attribution Notice in derivative works.",
            ),
        ),
        version="3.0",
        texts=("afl-3.0.txt",),
        aliases=("Academic Free License 3.0", "https://opensource.org/licenses/AFL-3.0"),
    ),
    Entry(
        id="artistic-2.0",
        hub_name="Artistic license 2.0",
        spdx=("Artistic-2.0",),
        family="artistic",
        category="weak-copyleft",
        template="weak-copyleft",
        grant="(1)-(3)",
        osi=True,
        obligations=(
            (
                "include-license",
                "(4)",
                "distribution",
                "Keep the copyright notices and the licence with the Package.",
            ),
            (
                "flow-down",
                "(4)",
                "derivative",
                "A Modified Version must be made freely available under this licence, "
                "renamed, or otherwise distributed as the licence allows.",
            ),
        ),
        version="2.0",
        texts=("artistic-2.0.txt",),
        aliases=("Artistic License 2.0", "https://opensource.org/licenses/Artistic-2.0"),
    ),
    Entry(
        id="bsl-1.0",
        hub_name="Boost Software License 1.0",
        spdx=("BSL-1.0",),
        family="boost",
        category="permissive",
        template="permissive",
        grant="¶1",
        osi=True,
        obligations=(
            (
                "include-license",
                "¶2",
                "distribution",
                "Keep the copyright notices and this licence in source distributions.",
            ),
        ),
        version="1.0",
        texts=("bsl-1.0.txt",),
        aliases=("Boost Software License", "https://www.boost.org/LICENSE_1_0.txt"),
    ),
    Entry(
        id="bsd",
        hub_name="BSD license family",
        spdx=(),
        family="bsd",
        category="permissive",
        template="permissive",
        grant="grant paragraph",
        obligations=(
            (
                "include-license",
                "condition 1-2",
                "distribution",
                "Retain the copyright notice, the list of conditions and the disclaimer.",
            ),
        ),
        notes=(
            "A family id: every BSD variant grants all uses; the 3- and 4-clause forms also "
            "forbid using the contributors' names to endorse derived products.",
        ),
        version="family",
        aliases=("BSD License", "BSD"),
    ),
    Entry(
        id="bsd-2-clause",
        hub_name='BSD 2-clause "Simplified" license',
        spdx=("BSD-2-Clause",),
        family="bsd",
        category="permissive",
        template="permissive",
        grant="grant paragraph",
        osi=True,
        obligations=(
            (
                "include-license",
                "conditions 1-2",
                "distribution",
                "Retain the copyright notice, the conditions and the disclaimer in source and "
                "binary forms.",
            ),
        ),
        version="2-clause",
        texts=("bsd-2-clause.txt",),
        aliases=(
            "BSD 2-Clause License",
            "Simplified BSD License",
            "FreeBSD License",
            "https://opensource.org/licenses/BSD-2-Clause",
            "https://choosealicense.com/licenses/bsd-2-clause/",
        ),
    ),
    Entry(
        id="bsd-3-clause",
        hub_name='BSD 3-clause "New" or "Revised" license',
        spdx=("BSD-3-Clause",),
        family="bsd",
        category="permissive",
        template="permissive",
        grant="grant paragraph",
        osi=True,
        obligations=(
            (
                "include-license",
                "conditions 1-2",
                "distribution",
                "Retain the copyright notice, the conditions and the disclaimer in source and "
                "binary forms.",
            ),
        ),
        restrictions=(
            (
                "endorsement",
                "condition 3",
                "The copyright holder's and contributors' names may not be used to endorse or "
                "promote derived products without permission.",
            ),
        ),
        version="3-clause",
        texts=("bsd-3-clause.txt",),
        aliases=(
            "BSD 3-Clause License",
            "New BSD License",
            "Modified BSD License",
            "BSD-3",
            "https://opensource.org/licenses/BSD-3-Clause",
            "https://choosealicense.com/licenses/bsd-3-clause/",
        ),
    ),
    Entry(
        id="bsd-3-clause-clear",
        hub_name="BSD 3-clause Clear license",
        spdx=("BSD-3-Clause-Clear",),
        family="bsd",
        category="permissive",
        template="permissive",
        grant="grant paragraph",
        osi=False,
        obligations=(
            (
                "include-license",
                "conditions 1-2",
                "distribution",
                "Retain the copyright notice, the conditions and the disclaimer.",
            ),
        ),
        restrictions=(
            (
                "endorsement",
                "condition 3",
                "Contributors' names may not be used to endorse or promote derived products.",
            ),
        ),
        notes=("Expressly grants no patent rights.",),
        version="3-clause-clear",
        texts=("bsd-3-clause-clear.txt",),
        aliases=(
            "The Clear BSD License",
            "https://choosealicense.com/licenses/bsd-3-clause-clear/",
        ),
    ),
    Entry(
        id="cc",
        hub_name="Creative Commons license family",
        spdx=(),
        family="creative-commons",
        category="unknown",
        template="unknown",
        grant="depends on the licence",
        obligations=(
            (
                "attribution",
                "depends on the licence",
                "distribution",
                "Every Creative Commons licence except CC0 requires attribution.",
            ),
        ),
        notes=(
            "The family ranges from CC0 to BY-NC-ND: NonCommercial members deny commercial and "
            "government use, so only research use is assumed until the exact licence is known.",
        ),
        version="family",
        aliases=("Creative Commons",),
    ),
    Entry(
        id="cc0-1.0",
        hub_name="Creative Commons Zero v1.0 Universal",
        spdx=("CC0-1.0",),
        family="creative-commons",
        category="public-domain",
        template="public-domain",
        grant="2, 3",
        osi=False,
        notes=(
            "Waiver of copyright; a fallback licence where the waiver fails [3]. No patent "
            "or trademark rights are waived or licensed [4(a)].",
        ),
        version="1.0",
        texts=("cc0-1.0.txt",),
        aliases=(
            "CC0",
            "CC0 1.0",
            "CC0 1.0 Universal",
            "https://creativecommons.org/publicdomain/zero/1.0/",
            "https://creativecommons.org/publicdomain/zero/1.0/legalcode",
            "https://choosealicense.com/licenses/cc0-1.0/",
        ),
    ),
    _cc("cc-by-2.0", "by", "2.0", texts=("cc-by-2.0.txt",)),
    _cc("cc-by-2.5", "by", "2.5", texts=("cc-by-2.5.txt",)),
    _cc("cc-by-3.0", "by", "3.0", texts=("cc-by-3.0.txt",)),
    _cc(
        "cc-by-4.0",
        "by",
        "4.0",
        # Two renderings of one text: SPDX's, and the legal code as CC publishes it (with the
        # wiki links), which otherwise aligns better with CC BY-NC 4.0 than with this one.
        texts=("cc-by-4.0.txt", "cc-by-4.0-legalcode.txt"),
        extra_aliases=("https://choosealicense.com/licenses/cc-by-4.0/",),
    ),
    _cc("cc-by-sa-3.0", "by-sa", "3.0", texts=("cc-by-sa-3.0.txt",)),
    _cc(
        "cc-by-sa-4.0",
        "by-sa",
        "4.0",
        texts=("cc-by-sa-4.0.txt",),
        extra_aliases=("https://choosealicense.com/licenses/cc-by-sa-4.0/",),
    ),
    _cc("cc-by-nc-2.0", "by-nc", "2.0", texts=("cc-by-nc-2.0.txt",)),
    _cc("cc-by-nc-3.0", "by-nc", "3.0", texts=("cc-by-nc-3.0.txt",)),
    _cc("cc-by-nc-4.0", "by-nc", "4.0", texts=("cc-by-nc-4.0.txt",)),
    _cc("cc-by-nd-4.0", "by-nd", "4.0", texts=("cc-by-nd-4.0.txt",)),
    _cc("cc-by-nc-nd-3.0", "by-nc-nd", "3.0", texts=("cc-by-nc-nd-3.0.txt",)),
    _cc("cc-by-nc-nd-4.0", "by-nc-nd", "4.0", texts=("cc-by-nc-nd-4.0.txt",)),
    _cc("cc-by-nc-sa-2.0", "by-nc-sa", "2.0", texts=("cc-by-nc-sa-2.0.txt",)),
    _cc("cc-by-nc-sa-3.0", "by-nc-sa", "3.0", texts=("cc-by-nc-sa-3.0.txt",)),
    _cc("cc-by-nc-sa-4.0", "by-nc-sa", "4.0", texts=("cc-by-nc-sa-4.0.txt",)),
    Entry(
        id="cdla-sharing-1.0",
        hub_name="Community Data License Agreement – Sharing, Version 1.0",
        spdx=("CDLA-Sharing-1.0",),
        family="cdla",
        category="weak-copyleft",
        template="weak-copyleft",
        grant="2",
        osi=False,
        obligations=(
            (
                "flow-down",
                "3",
                "distribution",
                "Data you publish, modified or not, must be under this agreement.",
            ),
        ),
        notes=(
            "Results of computational use (for example a trained model) are not restricted "
            "by the agreement.",
        ),
        version="1.0",
        texts=("cdla-sharing-1.0.txt",),
        aliases=("CDLA-Sharing", "https://cdla.dev/sharing-1-0/", "https://cdla.io/sharing-1-0/"),
    ),
    Entry(
        id="cdla-permissive-1.0",
        hub_name="Community Data License Agreement – Permissive, Version 1.0",
        spdx=("CDLA-Permissive-1.0",),
        family="cdla",
        category="permissive",
        template="permissive",
        grant="2",
        osi=False,
        obligations=(
            (
                "include-license",
                "3",
                "distribution",
                "Make the agreement's text or a link to it available with published data.",
            ),
        ),
        notes=("Results of computational use are not restricted by the agreement.",),
        version="1.0",
        texts=("cdla-permissive-1.0.txt",),
        aliases=("https://cdla.dev/permissive-1-0/", "https://cdla.io/permissive-1-0/"),
    ),
    Entry(
        id="cdla-permissive-2.0",
        hub_name="Community Data License Agreement – Permissive, Version 2.0",
        spdx=("CDLA-Permissive-2.0",),
        family="cdla",
        category="permissive",
        template="permissive",
        grant="2.1",
        osi=False,
        obligations=(
            (
                "include-license",
                "2.2",
                "distribution",
                "Make the agreement's text or a link to it available with shared data.",
            ),
        ),
        notes=("Results of computational use are not restricted by the agreement.",),
        version="2.0",
        texts=("cdla-permissive-2.0.txt",),
        aliases=("https://cdla.dev/permissive-2-0/", "https://cdla.io/permissive-2-0/"),
    ),
    Entry(
        id="wtfpl",
        hub_name="Do What The F*ck You Want To Public License",
        spdx=("WTFPL",),
        family="wtfpl",
        category="permissive",
        template="permissive",
        grant="0",
        osi=False,
        version="2",
        texts=("wtfpl.txt",),
        aliases=("http://www.wtfpl.net/", "http://www.wtfpl.net/txt/copying/"),
    ),
    Entry(
        id="ecl-2.0",
        hub_name="Educational Community License v2.0",
        spdx=("ECL-2.0",),
        family="apache",
        category="permissive",
        template="permissive",
        grant="2, 3",
        osi=True,
        obligations=(
            ("include-license", "4(a)", "distribution", "Give recipients a copy of the licence."),
            (
                "notice-file",
                "4(d)",
                "distribution",
                "Carry the attribution notices of the Work's NOTICE file, if it has one.",
            ),
        ),
        notes=("Apache-2.0 with a narrower patent grant for educational institutions [3].",),
        version="2.0",
        texts=("ecl-2.0.txt",),
        aliases=("Educational Community License, Version 2.0",),
    ),
    Entry(
        id="epl-1.0",
        hub_name="Eclipse Public License 1.0",
        spdx=("EPL-1.0",),
        family="eclipse",
        category="weak-copyleft",
        template="weak-copyleft",
        grant="2",
        osi=True,
        obligations=_with_clauses(_GNU_COPYLEFT, "3", "3"),
        version="1.0",
        texts=("epl-1.0.txt",),
        aliases=("Eclipse Public License - v 1.0", "https://www.eclipse.org/legal/epl-v10.html"),
    ),
    Entry(
        id="epl-2.0",
        hub_name="Eclipse Public License 2.0",
        spdx=("EPL-2.0",),
        family="eclipse",
        category="weak-copyleft",
        template="weak-copyleft",
        grant="2",
        osi=True,
        obligations=_with_clauses(_GNU_COPYLEFT, "3.1, 3.2", "3.1, 3.2"),
        version="2.0",
        texts=("epl-2.0.txt",),
        aliases=("Eclipse Public License - v 2.0", "https://www.eclipse.org/legal/epl-2.0/"),
    ),
    Entry(
        id="etalab-2.0",
        hub_name="Etalab Open License 2.0",
        spdx=("etalab-2.0",),
        family="etalab",
        category="permissive",
        template="permissive",
        grant="Reuse of the Information under this licence",
        osi=False,
        obligations=(
            (
                "attribution",
                "Reuse of the Information under this licence",
                "always",
                "Mention the source of the Information and the date of its last update.",
            ),
        ),
        version="2.0",
        texts=("etalab-2.0.txt",),
        aliases=("Licence Ouverte 2.0", "Open Licence 2.0", "Licence Ouverte / Open Licence 2.0"),
    ),
    Entry(
        id="eupl-1.1",
        hub_name="European Union Public License 1.1",
        spdx=("EUPL-1.1",),
        family="eupl",
        category="network-copyleft",
        template="network-copyleft",
        grant="2",
        osi=True,
        obligations=_with_clauses(_GNU_COPYLEFT, "5", "5"),
        notes=(
            "'Distribution and/or Communication' includes providing access to the Work's "
            "essential functionalities, so online use counts [1]. Governing law: the EU "
            "Member State of the Licensor [15].",
        ),
        version="1.1",
        texts=("eupl-1.1.txt",),
        aliases=("European Union Public Licence 1.1", "EUPL v1.1"),
    ),
    Entry(
        id="eupl-1.2",
        hub_name="European Union Public License 1.2",
        spdx=("EUPL-1.2",),
        family="eupl",
        category="network-copyleft",
        template="network-copyleft",
        grant="2",
        osi=True,
        obligations=_with_clauses(_GNU_COPYLEFT, "5", "5"),
        notes=(
            "'Distribution or Communication' includes providing on-line access to the "
            "Work's essential functionalities [1]. Governing law: the EU Member State of the "
            "Licensor, else Belgium [15].",
        ),
        version="1.2",
        texts=("eupl-1.2.txt",),
        aliases=(
            "European Union Public Licence 1.2",
            "EUPL v1.2",
            "https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12",
        ),
    ),
    Entry(
        id="agpl-3.0",
        hub_name="GNU Affero General Public License v3.0",
        spdx=("AGPL-3.0-only", "AGPL-3.0-or-later"),
        family="gnu",
        category="network-copyleft",
        template="network-copyleft",
        grant="2",
        osi=True,
        obligations=(
            ("include-license", "4", "distribution", "Give recipients a copy of the licence."),
            (
                "flow-down",
                "5(c), 6",
                "derivative",
                "License the whole modified work under the AGPL and provide its Corresponding "
                "Source.",
            ),
            (
                "flow-down",
                "13",
                "derivative",
                "A modified version offered to users over a network must offer them its "
                "Corresponding Source.",
            ),
        ),
        version="3.0",
        date="2007-11-19",
        texts=("agpl-3.0.txt",),
        aliases=(
            "GNU AGPLv3",
            "AGPLv3",
            "AGPL v3",
            "AGPL-3",
            "https://www.gnu.org/licenses/agpl-3.0.html",
            "https://www.gnu.org/licenses/agpl-3.0.txt",
            "https://www.gnu.org/licenses/agpl-3.0.en.html",
            "https://choosealicense.com/licenses/agpl-3.0/",
        ),
    ),
    Entry(
        id="gfdl",
        hub_name="GNU Free Documentation License family",
        spdx=(),
        family="gnu",
        category="copyleft",
        template="copyleft",
        grant="2",
        obligations=_with_clauses(_GNU_COPYLEFT, "2, 3", "4"),
        notes=("A family id (GFDL 1.1, 1.2, 1.3); modified versions must be under the GFDL [4].",),
        version="family",
        editions=(("1.2", "2002-11", ("gfdl-1.2.txt",)), ("1.3", "2008-11-03", ("gfdl-1.3.txt",))),
        aliases=("GNU Free Documentation License", "GFDL", "GNU FDL"),
    ),
    Entry(
        id="gpl",
        hub_name="GNU General Public License family",
        spdx=(),
        family="gnu",
        category="copyleft",
        template="copyleft",
        grant="depends on the version",
        obligations=_with_clauses(
            _GNU_COPYLEFT, "GPLv2 1, GPLv3 4", "GPLv2 2(b), 3; GPLv3 5(c), 6"
        ),
        notes=("A family id (GPL 1, 2 or 3); every version is copyleft.",),
        version="family",
        editions=(("1.0", "1989-02", ("gpl-1.0.txt",)),),
        aliases=("GNU General Public License", "GNU GPL", "GPL"),
    ),
    Entry(
        id="gpl-2.0",
        hub_name="GNU General Public License v2.0",
        spdx=("GPL-2.0-only", "GPL-2.0-or-later"),
        family="gnu",
        category="copyleft",
        template="copyleft",
        grant="1, 2",
        osi=True,
        obligations=_with_clauses(_GNU_COPYLEFT, "1", "2(b), 3"),
        version="2.0",
        date="1991-06",
        texts=("gpl-2.0.txt",),
        aliases=(
            "GNU GPLv2",
            "GPLv2",
            "GPL v2",
            "GPL-2",
            "https://www.gnu.org/licenses/old-licenses/gpl-2.0.html",
            "https://www.gnu.org/licenses/old-licenses/gpl-2.0.txt",
            "https://choosealicense.com/licenses/gpl-2.0/",
        ),
    ),
    Entry(
        id="gpl-3.0",
        hub_name="GNU General Public License v3.0",
        spdx=("GPL-3.0-only", "GPL-3.0-or-later"),
        family="gnu",
        category="copyleft",
        template="copyleft",
        grant="2",
        osi=True,
        obligations=_with_clauses(_GNU_COPYLEFT, "4", "5(c), 6"),
        version="3.0",
        date="2007-06-29",
        texts=("gpl-3.0.txt",),
        aliases=(
            "GNU GPLv3",
            "GPLv3",
            "GPL v3",
            "GPL-3",
            "https://www.gnu.org/licenses/gpl-3.0.html",
            "https://www.gnu.org/licenses/gpl-3.0.txt",
            "https://www.gnu.org/licenses/gpl-3.0.en.html",
            "https://choosealicense.com/licenses/gpl-3.0/",
        ),
    ),
    Entry(
        id="lgpl",
        hub_name="GNU Lesser General Public License family",
        spdx=(),
        family="gnu",
        category="weak-copyleft",
        template="weak-copyleft",
        grant="depends on the version",
        obligations=_with_clauses(_GNU_COPYLEFT, "LGPLv2.1 1, LGPLv3 4", "LGPLv2.1 2, LGPLv3 2"),
        notes=("A family id (LGPL 2.0, 2.1 or 3.0).",),
        version="family",
        editions=(("2.0", "1991-06", ("lgpl-2.0.txt",)),),
        aliases=("GNU Lesser General Public License", "GNU LGPL", "LGPL"),
    ),
    Entry(
        id="lgpl-2.1",
        hub_name="GNU Lesser General Public License v2.1",
        spdx=("LGPL-2.1-only", "LGPL-2.1-or-later"),
        family="gnu",
        category="weak-copyleft",
        template="weak-copyleft",
        grant="1, 2",
        osi=True,
        obligations=_with_clauses(_GNU_COPYLEFT, "1", "2, 4, 6"),
        version="2.1",
        date="1999-02",
        texts=("lgpl-2.1.txt",),
        aliases=(
            "GNU LGPLv2.1",
            "LGPLv2.1",
            "LGPL v2.1",
            "https://www.gnu.org/licenses/old-licenses/lgpl-2.1.html",
            "https://choosealicense.com/licenses/lgpl-2.1/",
        ),
    ),
    Entry(
        id="lgpl-3.0",
        hub_name="GNU Lesser General Public License v3.0",
        spdx=("LGPL-3.0-only", "LGPL-3.0-or-later"),
        family="gnu",
        category="weak-copyleft",
        template="weak-copyleft",
        grant="GPLv3 2 (incorporated by LGPLv3)",
        osi=True,
        obligations=_with_clauses(_GNU_COPYLEFT, "4(b)", "2, 4"),
        version="3.0",
        date="2007-06-29",
        texts=("lgpl-3.0.txt",),
        aliases=(
            "GNU LGPLv3",
            "LGPLv3",
            "LGPL v3",
            "https://www.gnu.org/licenses/lgpl-3.0.html",
            "https://www.gnu.org/licenses/lgpl-3.0.txt",
            "https://choosealicense.com/licenses/lgpl-3.0/",
        ),
    ),
    Entry(
        id="isc",
        hub_name="ISC",
        spdx=("ISC",),
        family="isc",
        category="permissive",
        template="permissive",
        grant="¶1",
        osi=True,
        obligations=(
            (
                "include-license",
                "¶1",
                "distribution",
                "Keep the copyright notice and this permission notice in all copies.",
            ),
        ),
        version="ISC",
        texts=("isc.txt",),
        aliases=(
            "ISC License",
            "https://opensource.org/licenses/ISC",
            "https://choosealicense.com/licenses/isc/",
        ),
    ),
    Entry(
        id="lppl-1.3c",
        hub_name="LaTeX Project Public License v1.3c",
        spdx=("LPPL-1.3c",),
        family="lppl",
        category="weak-copyleft",
        template="weak-copyleft",
        grant="Conditions on distribution and modification",
        osi=True,
        obligations=(
            (
                "flow-down",
                "6",
                "derivative",
                "A modified component must be clearly identified as such and not presented "
                "as the original.",
            ),
        ),
        version="1.3c",
        texts=("lppl-1.3c.txt",),
        aliases=("LaTeX Project Public License 1.3c",),
    ),
    Entry(
        id="ms-pl",
        hub_name="Microsoft Public License",
        spdx=("MS-PL",),
        family="microsoft",
        category="weak-copyleft",
        template="weak-copyleft",
        grant="2",
        osi=True,
        obligations=(
            (
                "attribution",
                "3(C)",
                "distribution",
                "Retain all copyright, patent, trademark and attribution notices.",
            ),
            (
                "flow-down",
                "3(D)",
                "distribution",
                "Source code you distribute must be under this licence only.",
            ),
        ),
        version="1.0",
        texts=("ms-pl.txt",),
        aliases=("Ms-PL",),
    ),
    Entry(
        id="mpl-2.0",
        hub_name="Mozilla Public License 2.0",
        spdx=("MPL-2.0",),
        family="mozilla",
        category="weak-copyleft",
        template="weak-copyleft",
        grant="2.1",
        osi=True,
        obligations=(
            (
                "flow-down",
                "3.1, 3.2",
                "distribution",
                "Covered Software in source form stays under the MPL; executable form must "
                "say where its source is available.",
            ),
            ("attribution", "3.4", "distribution", "Keep the licence notices in the source."),
        ),
        version="2.0",
        texts=("mpl-2.0.txt",),
        aliases=(
            "Mozilla Public License, Version 2.0",
            "MPL 2.0",
            "https://www.mozilla.org/en-US/MPL/2.0/",
            "https://mozilla.org/MPL/2.0/",
            "https://choosealicense.com/licenses/mpl-2.0/",
        ),
    ),
    Entry(
        id="odc-by",
        hub_name="Open Data Commons License Attribution family",
        spdx=("ODC-By-1.0",),
        family="open-data-commons",
        category="permissive",
        template="permissive",
        grant="3",
        osi=False,
        obligations=(
            (
                "attribution",
                "4.2, 4.3",
                "distribution",
                "Keep the licence notice and attribute the database as the licence requires.",
            ),
        ),
        version="1.0",
        texts=("odc-by-1.0.txt",),
        aliases=(
            "ODC-BY",
            "Open Data Commons Attribution License",
            "https://opendatacommons.org/licenses/by/1-0/",
        ),
    ),
    Entry(
        id="odbl",
        hub_name="Open Database License family",
        spdx=("ODbL-1.0",),
        family="open-data-commons",
        category="copyleft",
        template="copyleft",
        grant="3",
        osi=False,
        obligations=(
            ("attribution", "4.2, 4.3", "distribution", "Keep the licence notices and attribute."),
            (
                "flow-down",
                "4.4",
                "derivative",
                "Adapted databases used publicly must be offered under the ODbL (share-alike).",
            ),
        ),
        notes=(
            "A Produced Work (for example a model trained on the database) is not itself "
            "share-alike but must carry a notice [4.3].",
        ),
        version="1.0",
        texts=("odbl-1.0.txt",),
        aliases=("ODbL", "Open Database License", "https://opendatacommons.org/licenses/odbl/1-0/"),
    ),
    Entry(
        id="osl-3.0",
        hub_name="Open Software License 3.0",
        spdx=("OSL-3.0",),
        family="osl",
        category="network-copyleft",
        template="network-copyleft",
        grant="1, 2",
        osi=True,
        obligations=(
            (
                "flow-down",
                "1(c), 5",
                "derivative",
                "Derivative works distributed or deployed externally (including over a "
                "network) must be under this licence, with source.",
            ),
            (
                "attribution",
                "6",
                "distribution",
                "Retain copyright, patent, trademark and attribution notices.",
            ),
        ),
        version="3.0",
        texts=("osl-3.0.txt",),
        aliases=("Open Software License v. 3.0", "https://opensource.org/licenses/OSL-3.0"),
    ),
    Entry(
        id="postgresql",
        hub_name="PostgreSQL License",
        spdx=("PostgreSQL",),
        family="postgresql",
        category="permissive",
        template="permissive",
        grant="¶2",
        osi=True,
        obligations=(
            (
                "include-license",
                "¶2",
                "distribution",
                "The copyright notice and this paragraph must appear in all copies.",
            ),
        ),
        version="PostgreSQL",
        texts=("postgresql.txt",),
        aliases=("The PostgreSQL Licence", "https://opensource.org/licenses/PostgreSQL"),
    ),
    Entry(
        id="ofl-1.1",
        hub_name="SIL Open Font License 1.1",
        spdx=("OFL-1.1",),
        family="ofl",
        category="weak-copyleft",
        template="weak-copyleft",
        grant="PERMISSION & CONDITIONS",
        osi=True,
        obligations=(
            (
                "include-license",
                "condition 2",
                "distribution",
                "Distribute the copyright notice and the licence with the font software.",
            ),
            (
                "flow-down",
                "condition 5",
                "derivative",
                "Derivative fonts must be under this licence.",
            ),
        ),
        version="1.1",
        texts=("ofl-1.1.txt",),
        aliases=("SIL OFL 1.1", "https://openfontlicense.org", "https://scripts.sil.org/OFL"),
    ),
    Entry(
        id="ncsa",
        hub_name="University of Illinois/NCSA Open Source License",
        spdx=("NCSA",),
        family="ncsa",
        category="permissive",
        template="permissive",
        grant="grant paragraph",
        osi=True,
        obligations=(
            (
                "include-license",
                "conditions 1-2",
                "distribution",
                "Retain the copyright notice, the conditions and the disclaimers.",
            ),
        ),
        restrictions=(
            (
                "endorsement",
                "condition 3",
                "Contributors' and institution names may not be used to endorse or promote "
                "derived products.",
            ),
        ),
        version="NCSA",
        texts=("ncsa.txt",),
        aliases=(
            "NCSA Open Source License",
            "University of Illinois/NCSA Open Source License",
            "https://opensource.org/licenses/NCSA",
        ),
    ),
    Entry(
        id="unlicense",
        hub_name="The Unlicense",
        spdx=("Unlicense",),
        family="unlicense",
        category="public-domain",
        template="public-domain",
        grant="¶1-2",
        osi=True,
        version="Unlicense",
        texts=("unlicense.txt",),
        aliases=(
            "Unlicense",
            "https://unlicense.org/",
            "https://choosealicense.com/licenses/unlicense/",
        ),
    ),
    Entry(
        id="zlib",
        hub_name="zLib License",
        spdx=("Zlib",),
        family="zlib",
        category="permissive",
        template="permissive",
        grant="grant paragraph",
        osi=True,
        obligations=(
            (
                "attribution",
                "conditions 1-3",
                "distribution",
                "Do not misrepresent the origin, mark altered versions, keep the notice in "
                "source distributions.",
            ),
        ),
        version="zlib",
        texts=("zlib.txt",),
        aliases=(
            "zlib License",
            "zlib/libpng License",
            "https://opensource.org/licenses/Zlib",
            "https://choosealicense.com/licenses/zlib/",
        ),
    ),
    Entry(
        id="pddl",
        hub_name="Open Data Commons Public Domain Dedication and License",
        spdx=("PDDL-1.0",),
        family="open-data-commons",
        category="public-domain",
        template="public-domain",
        grant="3, 4",
        osi=False,
        version="1.0",
        texts=("pddl-1.0.txt",),
        aliases=("PDDL", "https://opendatacommons.org/licenses/pddl/1-0/"),
    ),
    Entry(
        id="c-uda",
        hub_name="Computational Use of Data Agreement",
        spdx=("C-UDA-1.0",),
        family="c-uda",
        category="use-restricted",
        template="weak-copyleft",
        grant="2",
        osi=False,
        obligations=(
            (
                "flow-down",
                "3",
                "distribution",
                "The data may be redistributed only under this agreement.",
            ),
        ),
        restrictions=(
            (
                "computational-use-only",
                "2",
                "The data is licensed for computational use (analysis, training); results and "
                "models trained on it are not restricted by the agreement.",
            ),
        ),
        notes=("Facts from the agreement's well-known structure; its text is not bundled.",),
        version="1.0",
        texts=("c-uda-1.0.txt",),
        aliases=("Computational Use of Data Agreement v1.0",),
    ),
    Entry(
        id="lgpl-lr",
        hub_name="Lesser General Public License For Linguistic Resources",
        spdx=("LGPLLR",),
        family="gnu",
        category="weak-copyleft",
        template="weak-copyleft",
        grant="1, 2",
        osi=False,
        obligations=_with_clauses(_GNU_COPYLEFT, "1", "2"),
        notes=(
            "Facts from the licence's structure (LGPL adapted to linguistic resources); its "
            "text is not bundled.",
        ),
        version="LR",
        texts=("lgpl-lr.txt",),
        aliases=("LGPLLR", "Lesser General Public License for Linguistic Resources"),
    ),
)
# `openrail` is a Hub id too, but a model licence family: it is hand-written, not generated.


# --- library data --------------------------------------------------------------------


@dataclass
class SpdxData:
    """What the libraries say about SPDX ids."""

    by_spdx: dict[str, dict[str, Any]] = field(default_factory=dict)  # ScanCode index rows
    names: dict[str, str] = field(default_factory=dict)  # SPDX id -> SPDX full name
    versions: dict[str, str] = field(default_factory=dict)  # library -> version

    def scancode_row(self, spdx_id: str) -> dict[str, Any]:
        row = self.by_spdx.get(spdx_id)
        if row is None:
            raise SystemExit(f"gen_oss_licenses: {spdx_id!r} is not in license-expression's index")
        return row


def load_spdx_data() -> SpdxData:
    # cyclonedx ships the SPDX licence list (ids and names) as a JSON schema; its `_res`
    # package is the only place the names are shipped in this environment.
    from cyclonedx.schema._res import SPDX_JSON
    from license_expression import get_license_index, get_spdx_licensing

    data = SpdxData()
    licensing = get_spdx_licensing()
    for row in get_license_index():
        key = row.get("spdx_license_key")
        if key and not row.get("is_exception"):
            data.by_spdx[key] = row
            for other in row.get("other_spdx_license_keys") or ():
                data.by_spdx.setdefault(other, row)
    with open(SPDX_JSON, encoding="utf-8") as fh:
        schema = json.load(fh)
    data.names = dict(schema.get("meta:enum", {}))
    for spdx_id in (s for e in ENTRIES for s in e.spdx):
        info = licensing.validate(spdx_id)
        if info.errors or info.normalized_expression != spdx_id:
            raise SystemExit(f"gen_oss_licenses: {spdx_id!r} is not a current SPDX id: {info}")
    data.versions = {
        "license-expression": importlib.metadata.version("license-expression"),
        "cyclonedx-python-lib": importlib.metadata.version("cyclonedx-python-lib"),
        "spdx-licence-list": str(schema.get("$comment", "")).rsplit("-", 1)[-1],
    }
    return data


def deprecated_ids(row: Mapping[str, Any]) -> list[str]:
    """Other SPDX ids of a licence that are SPDX ids proper (deprecated ones such as GPL-2.0)."""
    return [
        k
        for k in row.get("other_spdx_license_keys") or ()
        if not k.startswith("LicenseRef-") and " " not in k
    ]


def text_provenance() -> dict[str, str]:
    with open(TEXTS_DIR / "PROVENANCE.tsv", encoding="utf-8", newline="") as fh:
        return {r["file"]: r["source"] for r in csv.DictReader(fh, delimiter="\t")}


# --- rendering -----------------------------------------------------------------------


def build(entry: Entry, spdx: SpdxData, provenance: Mapping[str, str]) -> dict[str, Any]:
    template = TEMPLATES[entry.template]
    primary = entry.spdx[0] if entry.spdx else None
    rows = [spdx.scancode_row(s) for s in entry.spdx]
    name = spdx.names.get(primary, entry.hub_name) if primary else entry.hub_name
    aliases: list[str] = []
    for s, row in zip(entry.spdx, rows, strict=True):
        aliases.append(s)
        aliases.extend(deprecated_ids(row))
        if s != primary:
            aliases.append(row["license_key"])  # other ScanCode keys this entry covers
        if s in spdx.names:
            aliases.append(spdx.names[s])
        aliases.append(SPDX_URL.format(s))
    aliases.append(entry.hub_name)
    aliases.extend(entry.aliases)
    # The loader already indexes the id and the SPDX id; keep every other spelling once.
    own = {entry.id.lower(), (primary or "").lower()}
    aliases = [a for a in dict.fromkeys(aliases) if a.lower() not in own]

    uses: dict[str, dict[str, Any]] = {}
    for use in USES:
        if entry.template == "non-commercial" and use == "government":
            uses[use] = {
                "grant": "conditional",
                "clause": entry.nc_clause,
                "note": "Paid work for a public body is not NonCommercial use; a public body's "
                "own use that is not directed towards commercial advantage or monetary "
                "compensation can be.",
            }
        elif entry.template == "non-commercial" and use != "research":
            uses[use] = {
                "grant": "not-granted",
                "clause": entry.nc_clause,
                "note": "Not a NonCommercial use."
                if use != "government"
                else "Paid work for, or the operations of, a public body are not NonCommercial "
                "use under this licence.",
            }
        elif entry.template == "unknown" and use != "research":
            uses[use] = {
                "grant": "not-granted",
                "clause": entry.grant,
                "note": "Not assumed: the family includes NonCommercial licences.",
            }
        else:
            uses[use] = {"grant": "granted", "clause": entry.grant}

    terms: dict[str, Any] = {"derivatives_bound": template["derivatives"], "uses": uses}
    restrictions: list[dict[str, Any]] = [
        {"id": rid, "clause": clause, "text": text, "source": "license"}
        for rid, clause, text in entry.restrictions
    ]
    if entry.template == "non-commercial":
        restrictions.insert(
            0,
            {
                "id": "non-commercial",
                "clause": entry.nc_clause,
                "text": "Only NonCommercial use of the material and of adapted material.",
                "source": "license",
                "denies": ["commercial", "defense"],
            },
        )
        terms["conditions"] = [
            {
                "id": "public-body",
                "kind": "organisation-sector",
                "sectors": [],
                "review_sectors": ["government"],
                "applies_to": ["government"],
                "clause": entry.nc_clause,
                "text": "NonCommercial means not primarily intended for or directed towards "
                "commercial advantage or monetary compensation: a public body's own use that "
                "earns no revenue can qualify (a person must check the use); paid work for a "
                "public body does not.",
            }
        ]
    if restrictions:
        terms["restrictions"] = restrictions
    if entry.obligations:
        terms["obligations"] = [
            {"id": oid, "text": text, "clause": clause, "when": when}
            for oid, clause, when, text in entry.obligations
        ]
    notes = [n for n in (template["note"], *entry.notes) if n]
    if notes:
        terms["notes"] = notes

    sources = [
        f"SPDX id, deprecated ids and ScanCode key: license-expression "
        f"{spdx.versions['license-expression']} (ScanCode LicenseDB index, SPDX licence list 3.27)",
        f"SPDX name: SPDX licence list {spdx.versions['spdx-licence-list']} as shipped by "
        f"cyclonedx-python-lib {spdx.versions['cyclonedx-python-lib']}",
        "category, family, OSI flag, clauses and terms: hand table in tools/gen_oss_licenses.py",
    ]
    sources.extend(f"texts/{t}: {provenance[t]}" for t in entry.texts)
    sources.extend(f"texts/{t}: {provenance[t]}" for _, _, texts in entry.editions for t in texts)

    version: dict[str, Any] = {"version": entry.version, "date": entry.date}
    if entry.texts:
        version["texts"] = list(entry.texts)
    if entry.version == "family":
        version["note"] = "A family id: no single text."
    versions = [version]
    versions.extend(
        {"version": v, "date": d, "texts": list(t), "note": "A member of the family (its text)."}
        for v, d, t in entry.editions
    )

    doc: dict[str, Any] = {
        "id": entry.id,
        "name": name,
        "kind": "license",
        "spdx": primary or f"LicenseRef-licensecheck-{entry.id}",
        "scancode": rows[0]["license_key"] if rows else None,
        "family": entry.family,
        "category": entry.category,
        "governing_law": entry.governing_law,
        "url": SPDX_URL.format(primary) if primary else None,
        "osi_approved": entry.osi,
        "sources": sources,
        "aliases": aliases,
        "versions": versions,
        "terms": terms,
    }
    return doc


HEADER = (
    "# GENERATED by tools/gen_oss_licenses.py from license-expression {le} and "
    "cyclonedx-python-lib {cdx}\n"
    "# (SPDX licence list data) plus the hand table in that script. Do not edit by hand:\n"
    "# change the script and run `python tools/gen_oss_licenses.py`.\n"
)


def render(doc: Mapping[str, Any], spdx: SpdxData) -> str:
    body = yaml.safe_dump(
        dict(doc), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
    header = HEADER.format(
        le=spdx.versions["license-expression"], cdx=spdx.versions["cyclonedx-python-lib"]
    )
    return header + body


def render_all() -> dict[str, str]:
    """File name -> YAML text for every generated entry."""
    spdx = load_spdx_data()
    provenance = text_provenance()
    return {f"{e.id}.yaml": render(build(e, spdx, provenance), spdx) for e in ENTRIES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale files, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for name, text in render_all().items():
        path = LICENSES_DIR / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("stale generated licence files: " + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"{len(ENTRIES)} entries, {len(stale)} {'stale' if args.check else 'written'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
