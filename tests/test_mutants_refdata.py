"""
The reference-data loader, field by field: each broken field gives its exact problem.

A copy of the packaged data with one field (or a few) changed is loaded; the test
asserts the full list of problems, so a wrong file name, a lost location or a check
turned off shows. Valid optional fields left out must still load, with the value the
loader is documented to give.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests import test_refdata as base
from transfer_assess import ReferenceDataError, Sector, refdata
from transfer_assess.errors import InputError
from transfer_assess.model import SpecialCategory
from transfer_assess.refdata import (
    REFERENCE_FILES,
    ReferenceData,
    check_as_of,
    data_dir,
    digest,
    load_reference_data,
    load_regimes,
    load_taxonomy,
    load_taxonomy_from,
    read_json,
)

#: Marks a field to delete in place of a value to set.
DELETE = object()

A0 = "adequacy.json:$.entries[0]"  # andorra: a review note with a reference
A6 = "adequacy.json:$.entries[6]"  # gb-gdpr-2021: ended, end_reason, validity
A13 = "adequacy.json:$.entries[13]"  # japan: onward rules
A19 = "adequacy.json:$.entries[19]"  # us-dpf: watch notes
E0 = "eea.json:$.entries[0]"  # AT: one period
E11 = "eea.json:$.entries[11]"  # GB: three consecutive periods
E16 = "eea.json:$.entries[16]"  # IS: adequacy_practice


def changed(tmp_path: Path, name: str, changes: dict[str, Any]) -> Path:
    """A copy of the packaged data with `changes` (dotted path: value) in `name`."""
    helper = base.TestValidation()
    folder = helper.copy(tmp_path)

    def apply(value: Any) -> None:
        for path, new in changes.items():
            *parents, last = (
                int(part) if part.isdigit() else part for part in path.split(".")
            )
            target = value
            for key in parents:
                target = target[key]
            if new is DELETE:
                del target[last]
            else:
                target[last] = new

    helper.edit(folder, name, apply)
    return folder


def problems(tmp_path: Path, name: str, changes: dict[str, Any]) -> list[str]:
    """The problems the loader lists for the changed copy."""
    folder = changed(tmp_path, name, changes)
    with pytest.raises(ReferenceDataError) as caught:
        load_reference_data(folder)
    return list(caught.value.problems)


def loaded(tmp_path: Path, name: str, changes: dict[str, Any]) -> ReferenceData:
    """The changed copy, which must load."""
    return load_reference_data(changed(tmp_path, name, changes))


def field_test(name: str, cases: list[tuple[dict[str, Any], list[str]]]) -> Any:
    """A test of `name` run once per row of `cases`, named by the fields it changes."""

    @pytest.mark.parametrize(
        ("changes", "expected"),
        cases,
        ids=[" ".join(changes) for changes, _ in cases],
    )
    def test(tmp_path: Path, changes: dict[str, Any], expected: list[str]) -> None:
        assert problems(tmp_path, name, changes) == expected

    return test


EXACTLY_ONE = "exactly one of country, countries and international_organisation"
TEXT = "expected a non-empty string"
DAY = "expected an ISO date"
SOURCE = "every fact needs a source"
STATUS = "expected status 'incorporated', 'unknown' or 'not_applicable'"
INSIDE = "is inside the EEA when the decision starts"

ADEQUACY_CASES: list[tuple[dict[str, Any], list[str]]] = [
    ({"entries.0": "x"}, [f"expected an object @ {A0}"]),
    ({"entries.0.id": DELETE}, [f"{TEXT} @ {A0}.id"]),
    ({"entries.0.regime": DELETE}, [f"{TEXT} @ {A0}.regime"]),
    ({"entries.0.regime": "EU-XX"}, [f"unknown regime 'EU-XX' @ {A0}.regime"]),
    ({"entries.0.country": 42}, [f"{TEXT} @ {A0}.country", f"{EXACTLY_ONE} @ {A0}"]),
    ({"entries.0.country": DELETE}, [f"{EXACTLY_ONE} @ {A0}"]),
    ({"entries.0.country": "XX"}, [f"unknown ISO country 'XX' @ {A0}.country"]),
    ({"entries.0.international_organisation": "x"}, [f"{EXACTLY_ONE} @ {A0}"]),
    (
        {"entries.0.international_organisation": 5},
        [f"{TEXT} @ {A0}.international_organisation"],
    ),
    ({"entries.0.countries": ["AD"]}, [f"{EXACTLY_ONE} @ {A0}"]),
    (
        {"entries.0.country": None, "entries.0.countries": ["AD", "XX"]},
        [f"unknown ISO country 'XX' @ {A0}.country"],
    ),
    ({"entries.0.countries": [1]}, [f"expected a list of strings @ {A0}.countries"]),
    ({"entries.0.adopted": DELETE}, [f"{DAY} @ {A0}.adopted"]),
    ({"entries.0.adopted": "2003-13-01"}, [f"{DAY} @ {A0}.adopted"]),
    ({"entries.0.adopted": "20030101"}, [f"{DAY} @ {A0}.adopted"]),
    ({"entries.0.adopted": 2003}, [f"{DAY} @ {A0}.adopted"]),
    (
        {"entries.6.ended": "bad"},
        [f"{DAY} @ {A6}.ended", f"ended and end_reason go together @ {A6}.end_reason"],
    ),
    (
        {"entries.0.ended": "2020-01-01"},
        [f"ended and end_reason go together @ {A0}.end_reason"],
    ),
    (
        {"entries.6.ended": DELETE},
        [f"ended and end_reason go together @ {A6}.end_reason"],
    ),
    (
        {"entries.6.end_reason": "gone"},
        [
            f"expected an object @ {A6}.end_reason",
            f"ended and end_reason go together @ {A6}.end_reason",
        ],
    ),
    (
        {"entries.6.end_reason.kind": "magic"},
        [f"unknown kind 'magic' @ {A6}.end_reason.kind"],
    ),
    (
        {"entries.6.end_reason.kind": DELETE},
        [
            f"{TEXT} @ {A6}.end_reason.kind",
            f"ended and end_reason go together @ {A6}.end_reason",
        ],
    ),
    (
        {"entries.6.end_reason.text": DELETE},
        [
            f"{TEXT} @ {A6}.end_reason.text",
            f"ended and end_reason go together @ {A6}.end_reason",
        ],
    ),
    ({"entries.6.end_reason.reference": 5}, [f"{TEXT} @ {A6}.end_reason.reference"]),
    ({"entries.6.end_reason.sources": []}, [f"{SOURCE} @ {A6}.end_reason.sources"]),
    ({"entries.6.validity": "x"}, [f"expected a list @ {A6}.validity"]),
    ({"entries.6.validity.0": "x"}, [f"expected an object @ {A6}.validity[0]"]),
    (
        {"entries.6.validity.0": {}},
        [
            f"{DAY} @ {A6}.validity[0].until",
            f"{TEXT} @ {A6}.validity[0].set_by",
            f"{DAY} @ {A6}.validity[0].adopted",
            f"{SOURCE} @ {A6}.validity[0].sources",
        ],
    ),
    # One field of a sunset left out: the others are still read, nothing is kept.
    ({"entries.6.validity.0.until": DELETE}, [f"{DAY} @ {A6}.validity[0].until"]),
    ({"entries.6.validity.0.set_by": DELETE}, [f"{TEXT} @ {A6}.validity[0].set_by"]),
    ({"entries.6.validity.0.adopted": DELETE}, [f"{DAY} @ {A6}.validity[0].adopted"]),
    ({"entries.0.scope": DELETE}, [f"expected an object @ {A0}.scope"]),
    (
        {"entries.0.scope.kind": "most"},
        [f"expected 'whole' or 'partial' @ {A0}.scope.kind"],
    ),
    ({"entries.0.scope.kind": DELETE}, [f"{TEXT} @ {A0}.scope.kind"]),
    ({"entries.0.scope.summary": DELETE}, [f"{TEXT} @ {A0}.scope.summary"]),
    (
        {"entries.0.scope.sectors": ["guild"]},
        [f"expected a list of sectors @ {A0}.scope.sectors"],
    ),
    (
        {"entries.0.scope.sectors": 5},
        [f"expected a list of sectors @ {A0}.scope.sectors"],
    ),
    (
        {"entries.0.scope.certification": "gold"},
        [f"unknown certification 'gold' @ {A0}.scope.certification"],
    ),
    (
        {"entries.0.scope.certification": ["dpf", 1]},
        [f"expected a name or a list of names @ {A0}.scope.certification"],
    ),
    (
        {"entries.0.scope.hr_certification": 1},
        [f"expected a name or a list of names @ {A0}.scope.hr_certification"],
    ),
    (
        {"entries.0.scope.hr_data": "maybe"},
        [f"expected 'legal_review' or null @ {A0}.scope.hr_data"],
    ),
    ({"entries.0.scope.hr_data": 5}, [f"{TEXT} @ {A0}.scope.hr_data"]),
    (
        {"entries.0.scope.conditions": [1]},
        [f"expected a list of strings @ {A0}.scope.conditions"],
    ),
    (
        {"entries.0.eea_efta": DELETE},
        [f"{STATUS} @ {A0}.eea_efta.status"],
    ),
    (
        {"entries.0.eea_efta.status": "perhaps"},
        [f"{STATUS} @ {A0}.eea_efta.status"],
    ),
    ({"entries.0.eea_efta.from": "bad"}, [f"{DAY} @ {A0}.eea_efta.from"]),
    ({"entries.0.eea_efta.sources": []}, [f"{SOURCE} @ {A0}.eea_efta.sources"]),
    ({"entries.0.reviews": "x"}, [f"expected a list @ {A0}.reviews"]),
    ({"entries.0.reviews.0": "x"}, [f"expected an object @ {A0}.reviews[0]"]),
    ({"entries.0.reviews.0.date": DELETE}, [f"{DAY} @ {A0}.reviews[0].date"]),
    ({"entries.0.reviews.0.date": "bad"}, [f"{DAY} @ {A0}.reviews[0].date"]),
    ({"entries.0.reviews.0.text": DELETE}, [f"{TEXT} @ {A0}.reviews[0].text"]),
    ({"entries.0.reviews.0.reference": 5}, [f"{TEXT} @ {A0}.reviews[0].reference"]),
    ({"entries.0.reviews.0.sources": []}, [f"{SOURCE} @ {A0}.reviews[0].sources"]),
    ({"entries.19.watch": "x"}, [f"expected a list @ {A19}.watch"]),
    ({"entries.19.watch.1": "x"}, [f"expected an object @ {A19}.watch[1]"]),
    ({"entries.19.watch.0.since": DELETE}, [f"{DAY} @ {A19}.watch[0].since"]),
    ({"entries.19.watch.0.text": ""}, [f"{TEXT} @ {A19}.watch[0].text"]),
    (
        {"entries.13.onward_rules": "x"},
        [f"expected an object or null @ {A13}.onward_rules"],
    ),
    (
        {"entries.13.onward_rules.reference": DELETE},
        [f"{TEXT} @ {A13}.onward_rules.reference"],
    ),
    ({"entries.13.onward_rules.text": DELETE}, [f"{TEXT} @ {A13}.onward_rules.text"]),
    (
        {"entries.13.onward_rules.sources": []},
        [f"{SOURCE} @ {A13}.onward_rules.sources"],
    ),
    ({"entries.0.title": DELETE}, [f"{TEXT} @ {A0}.title"]),
    ({"entries.0.reference": DELETE}, [f"{TEXT} @ {A0}.reference"]),
    ({"entries.0.legal_basis": DELETE}, [f"{TEXT} @ {A0}.legal_basis"]),
    ({"entries.0.sources": []}, [f"{SOURCE} @ {A0}.sources"]),
    ({"entries.0.sources": DELETE}, [f"{SOURCE} @ {A0}.sources"]),
    (
        {"entries.0.sources": [1]},
        [f"expected a list of strings @ {A0}.sources", f"{SOURCE} @ {A0}.sources"],
    ),
    (
        {"entries.0.unconfirmed": [1]},
        [f"expected a list of strings @ {A0}.unconfirmed"],
    ),
    ({"entries.0.document": 5}, [f"{TEXT} @ {A0}.document"]),
    ({"entries.0.celex": 5}, [f"{TEXT} @ {A0}.celex"]),
    ({"entries.0.applies_from": "bad"}, [f"{DAY} @ {A0}.applies_from"]),
    ({"entries.0.successor": 5}, [f"{TEXT} @ {A0}.successor"]),
    (
        {"entries.0.successor": "nobody"},
        ["unknown successor 'nobody' @ adequacy.json:andorra"],
    ),
    (
        {"entries.6.ended": "2021-06-28"},
        ["ended not after adopted @ adequacy.json:gb-gdpr-2021.ended"],
    ),
    (
        {"entries.6.applies_from": "2021-06-27"},
        [
            "applies_from before adopted @ adequacy.json:gb-gdpr-2021.applies_from",
            # Starting a day early, it starts while GB was still inside the EEA.
            f"GB {INSIDE} @ adequacy.json:gb-gdpr-2021.country",
        ],
    ),
    (
        {"entries.6.validity.0.until": "2021-06-27"},
        ["validity ends before adoption @ adequacy.json:gb-gdpr-2021.validity"],
    ),
    (
        {"entries.8.country": "FR"},
        [f"FR {INSIDE} @ adequacy.json:gb-led-2021.country"],
    ),
    (
        {"entries.1": "x", "entries.2.id": DELETE},
        [
            "expected an object @ adequacy.json:$.entries[1]",
            f"{TEXT} @ adequacy.json:$.entries[2].id",
        ],
    ),
    ({"as_of": DELETE}, [f"{DAY} @ adequacy.json:$.as_of"]),
    ({"version": 1}, ["missing version @ adequacy.json:$.version"]),
    (
        {"schema": "x"},
        ["expected schema 'transfer-assess/adequacy@1' @ adequacy.json:$.schema"],
    ),
]


test_adequacy_field = field_test("adequacy.json", ADEQUACY_CASES)


PERIOD = f"{E0}.periods[0]"
FLAGS = "expected booleans inside_as_exporter/importer"
PRACTICE = "expected 'follows_eu' or 'needs_incorporation'"

EEA_CASES: list[tuple[dict[str, Any], list[str]]] = [
    (
        # An entry that is no object is skipped, and the next one still checked.
        {"entries.0": "x", "entries.1.country": "ZZ"},
        [
            f"expected an object @ {E0}",
            "unknown ISO country 'ZZ' @ eea.json:$.entries[1].country",
        ],
    ),
    (
        # A country-less entry is skipped, and the next one still checked.
        {"entries.0.country": DELETE, "entries.1.country": "ZZ"},
        [
            f"{TEXT} @ {E0}.country",
            "unknown ISO country 'ZZ' @ eea.json:$.entries[1].country",
        ],
    ),
    (
        {"entries.0.country": "BE"},
        ["duplicate country 'BE' @ eea.json:$.entries[1].country"],
    ),
    ({"entries.0.sources": []}, [f"{SOURCE} @ {E0}.sources"]),
    ({"entries.0.periods": "x"}, [f"expected a list @ {E0}.periods"]),
    ({"entries.0.periods.0": "x"}, [f"expected an object @ {PERIOD}"]),
    (
        {"entries.0.periods.0.status": "odd"},
        [f"unknown status 'odd' @ {PERIOD}.status"],
    ),
    ({"entries.0.periods.0.status": DELETE}, [f"{TEXT} @ {PERIOD}.status"]),
    ({"entries.0.periods.0.from": DELETE}, [f"{DAY} @ {PERIOD}.from"]),
    ({"entries.0.periods.0.until": "bad"}, [f"{DAY} @ {PERIOD}.until"]),
    # A period without its start is left out; the others still sort and compare.
    ({"entries.11.periods.1.from": DELETE}, [f"{DAY} @ {E11}.periods[1].from"]),
    ({"entries.11.periods.1.status": DELETE}, [f"{TEXT} @ {E11}.periods[1].status"]),
    (
        {"entries.0.periods.0.until": "1994-12-31"},
        [f"until before from @ {PERIOD}.until"],
    ),
    ({"entries.0.periods.0.citation": DELETE}, [f"{TEXT} @ {PERIOD}.citation"]),
    ({"entries.0.periods.0.inside_as_exporter": "yes"}, [f"{FLAGS} @ {PERIOD}"]),
    ({"entries.0.periods.0.inside_as_importer": DELETE}, [f"{FLAGS} @ {PERIOD}"]),
    (
        # The first period ends on the day the next one starts.
        {"entries.11.periods.0.until": "2020-02-01"},
        [f"overlapping periods @ {E11}.periods"],
    ),
    (
        # A bad practice is reported and the later entries are still checked.
        {"entries.16.adequacy_practice": "odd", "entries.24.adequacy_practice": 1},
        [
            f"{PRACTICE} @ {E16}.adequacy_practice",
            f"{PRACTICE} @ eea.json:$.entries[24].adequacy_practice",
        ],
    ),
    (
        {"entries.16.adequacy_practice_sources": []},
        [f"{SOURCE} @ {E16}.adequacy_practice_sources"],
    ),
    (
        {"entries.16.adequacy_practice_sources": [1]},
        [
            f"expected a list of strings @ {E16}.adequacy_practice_sources",
            f"{SOURCE} @ {E16}.adequacy_practice_sources",
        ],
    ),
    ({"as_of": "2026-11-28T00:00"}, [f"{DAY} @ eea.json:$.as_of"]),
    ({"entries": {}}, ["expected a list @ eea.json:$.entries"] * 2),
]


test_eea_field = field_test("eea.json", EEA_CASES)


@pytest.mark.parametrize(
    ("regimes", "expected"),
    [
        (
            [],
            [
                "expected an object @ regimes.json:$",
                "expected a list @ regimes.json:$.regimes",
            ],
        ),
        (
            {"schema": "transfer-assess/regimes@1", "as_of": "2026-11-28"},
            [
                "missing version @ regimes.json:$.version",
                "expected a list @ regimes.json:$.regimes",
            ],
        ),
    ],
)
def test_regimes_file(tmp_path: Path, regimes: object, expected: list[str]) -> None:
    folder = base.TestValidation().copy(tmp_path)
    (folder / "regimes.json").write_text(json.dumps(regimes), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as caught:
        load_reference_data(folder)
    assert list(caught.value.problems) == expected


R0 = "regimes.json:$.regimes[0]"  # EU: territory "eea"
R1 = "regimes.json:$.regimes[1]"  # UK: territory by countries
R2 = "regimes.json:$.regimes[2]"  # CH: a former law
TERRITORY = "expected kind 'eea' or 'countries'"

REGIME_CASES: list[tuple[dict[str, Any], list[str]]] = [
    (
        {"schema": "x"},
        ["expected schema 'transfer-assess/regimes@1' @ regimes.json:$.schema"],
    ),
    (
        # A broken regime is skipped and the next one still checked.
        {"regimes.0": "x", "regimes.1.name": DELETE},
        [f"expected an object @ {R0}", f"{TEXT} @ {R1}.name"],
    ),
    ({"regimes.0.decisions": "EU-XX"}, [f"unknown decision regime @ {R0}.decisions"]),
    ({"regimes.0.decisions": DELETE}, [f"{TEXT} @ {R0}.decisions"]),
    ({"regimes.0.applies_from": DELETE}, [f"{DAY} @ {R0}.applies_from"]),
    ({"regimes.0.territory": DELETE}, [f"{TERRITORY} @ {R0}.territory"]),
    ({"regimes.0.territory.kind": "x"}, [f"{TERRITORY} @ {R0}.territory"]),
    (
        {"regimes.1.territory.countries": []},
        [f"expected countries @ {R1}.territory.countries"],
    ),
    (
        {"regimes.1.territory.countries": [1]},
        [
            f"expected a list of strings @ {R1}.territory.countries",
            f"expected countries @ {R1}.territory.countries",
        ],
    ),
    ({"regimes.2.former_law": "x"}, [f"expected an object or null @ {R2}.former_law"]),
    ({"regimes.2.former_law.name": DELETE}, [f"{TEXT} @ {R2}.former_law.name"]),
    ({"regimes.2.former_law.until": DELETE}, [f"{DAY} @ {R2}.former_law.until"]),
    ({"regimes.2.former_law.sources": []}, [f"{SOURCE} @ {R2}.former_law.sources"]),
    ({"regimes.1.id": "EU"}, [f"duplicate regime 'EU' @ {R1}.id"]),
    # The regime's texts, citations, dated articles, tools, instruments and sources.
    (
        {"regimes.0.id": DELETE, "regimes.0.name": DELETE, "regimes.0.law": DELETE},
        [f"{TEXT} @ {R0}.id", f"{TEXT} @ {R0}.name", f"{TEXT} @ {R0}.law"],
    ),
    (
        {
            "regimes.0.origin_code": DELETE,
            "regimes.0.authority": DELETE,
            "regimes.0.risk_assessment": DELETE,
        },
        [
            f"{TEXT} @ {R0}.origin_code",
            f"{TEXT} @ {R0}.authority",
            f"{TEXT} @ {R0}.risk_assessment",
        ],
    ),
    ({"regimes.0.articles": "x"}, [f"expected an object @ {R0}.articles"]),
    ({"regimes.0.articles.scc": ""}, [f"expected a citation @ {R0}.articles.scc"]),
    ({"regimes.0.articles.scc": 5}, [f"expected a citation @ {R0}.articles.scc"]),
    (
        {"regimes.0.derogation_articles": []},
        [f"expected an object @ {R0}.derogation_articles"],
    ),
    (
        {
            "regimes.0.tools": "x",
            "regimes.0.instruments": "x",
            "regimes.0.articles_history": "x",
        },
        [
            f"expected a list @ {R0}.articles_history",
            f"expected a list @ {R0}.tools",
            f"expected a list @ {R0}.instruments",
        ],
    ),
    (
        # The item after one that is not an object is still checked.
        {"regimes.1.articles_history": ["x", {"articles": {}, "sources": ["s"]}]},
        [
            f"expected an object @ {R1}.articles_history[0]",
            f"{DAY} @ {R1}.articles_history[1].from",
            f"{DAY} @ {R1}.articles_history[1].until",
        ],
    ),
    (
        {
            "regimes.1.articles_history.0.from": DELETE,
            "regimes.1.articles_history.0.until": DELETE,
        },
        [
            f"{DAY} @ {R1}.articles_history[0].from",
            f"{DAY} @ {R1}.articles_history[0].until",
        ],
    ),
    (
        {"regimes.1.articles_history.0.articles": 1},
        [f"expected an object @ {R1}.articles_history[0].articles"],
    ),
    (
        {"regimes.1.articles_history.0.sources": []},
        [f"{SOURCE} @ {R1}.articles_history[0].sources"],
    ),
    ({"regimes.0.tools.0": 1}, [f"expected an object @ {R0}.tools[0]"]),
    (
        {
            "regimes.0.tools.0.mechanism": DELETE,
            "regimes.0.tools.0.reference": DELETE,
            "regimes.0.tools.0.text": DELETE,
        },
        [
            f"{TEXT} @ {R0}.tools[0].mechanism",
            f"{TEXT} @ {R0}.tools[0].reference",
            f"{TEXT} @ {R0}.tools[0].text",
        ],
    ),
    ({"regimes.0.tools.0.sources": []}, [f"{SOURCE} @ {R0}.tools[0].sources"]),
    (
        # A tool's dates and the regime whose adaptations it carries, each checked.
        {
            "regimes.0.tools.0.from": "bad",
            "regimes.0.tools.1.until": "2022-12",
            "regimes.0.tools.1.new_contracts_until": 2021,
            "regimes.2.tools.0.adaptation": "",
        },
        [
            f"{DAY} @ {R0}.tools[0].from",
            f"{DAY} @ {R0}.tools[1].until",
            f"{DAY} @ {R0}.tools[1].new_contracts_until",
            f"{TEXT} @ {R2}.tools[0].adaptation",
        ],
    ),
    (
        # A tool missing its mechanism still has its dates checked.
        {"regimes.0.tools.0.mechanism": DELETE, "regimes.0.tools.0.from": "bad"},
        [f"{TEXT} @ {R0}.tools[0].mechanism", f"{DAY} @ {R0}.tools[0].from"],
    ),
    ({"regimes.0.instruments.0": 1}, [f"expected an object @ {R0}.instruments[0]"]),
    (
        {
            "regimes.0.instruments.0.citation": DELETE,
            "regimes.0.instruments.0.text": DELETE,
            "regimes.0.instruments.0.from": DELETE,
        },
        [
            f"{TEXT} @ {R0}.instruments[0].citation",
            f"{TEXT} @ {R0}.instruments[0].text",
            f"{DAY} @ {R0}.instruments[0].from",
        ],
    ),
    (
        {"regimes.0.instruments.0.sources": []},
        [f"{SOURCE} @ {R0}.instruments[0].sources"],
    ),
    ({"regimes.0.sources": []}, [f"expected sources per field @ {R0}.sources"]),
    (
        # Every sourced fact is checked, not only the first missing one.
        {"regimes.0.sources.law": DELETE, "regimes.0.sources.authority": DELETE},
        [f"{SOURCE} @ {R0}.sources.law", f"{SOURCE} @ {R0}.sources.authority"],
    ),
    (
        {"regimes.0.sources.law": [], "regimes.0.sources.articles": [1]},
        [
            f"{SOURCE} @ {R0}.sources.law",
            f"expected a list of strings @ {R0}.sources.articles",
            f"{SOURCE} @ {R0}.sources.articles",
        ],
    ),
    ({"regimes.0.sources.extra": []}, [f"{SOURCE} @ {R0}.sources.extra"]),
]


test_regime_field = field_test("regimes.json", REGIME_CASES)


def test_every_regime_is_loaded_as_written() -> None:
    regimes = load_reference_data().regimes
    raw = json.loads((data_dir() / "regimes.json").read_text(encoding="utf-8"))
    for entry in raw["regimes"]:
        spec = regimes[entry["id"]]
        assert spec.decisions == entry["decisions"]
        assert spec.applies_from == date.fromisoformat(entry["applies_from"])
        assert dict(spec.articles) == entry["articles"]
        assert (spec.name, spec.law, spec.origin_code) == (
            entry["name"],
            entry["law"],
            entry["origin_code"],
        )
        assert (spec.authority, spec.risk_assessment) == (
            entry["authority"],
            entry["risk_assessment"],
        )
        assert spec.bcr_foreign_approval is entry["bcr_adequate_state_authority_counts"]
        assert [tool.mechanism for tool in spec.tools] == [
            tool["mechanism"] for tool in entry["tools"]
        ]
        assert dict(spec.derogations) == entry.get("derogation_articles", {})
        territory = entry["territory"]
        assert spec.territory == (
            tuple(territory["countries"]) if territory["kind"] == "countries" else None
        )
        former = entry.get("former_law")
        assert spec.former_law == (former["name"] if former else None)
        assert spec.former_law_until == (
            date.fromisoformat(former["until"]) if former else None
        )
    assert regimes["CH"].former_law is not None


def note_fields(raw: dict[str, Any], date_key: str) -> tuple[object, ...]:
    return (
        date.fromisoformat(raw[date_key]),
        raw["text"],
        raw.get("reference"),
        tuple(raw["sources"]),
    )


def test_every_decision_is_loaded_as_written() -> None:
    """Each field of each packaged decision reaches the loaded `Decision`."""
    refdata = load_reference_data()
    raw = json.loads((data_dir() / "adequacy.json").read_text(encoding="utf-8"))
    for entry in raw["entries"]:
        decision = refdata.decision(entry["id"])
        assert decision.regime == entry["regime"]
        assert decision.country == entry.get("country")
        assert decision.countries == tuple(entry.get("countries", ()))
        assert decision.international_organisation == entry.get(
            "international_organisation"
        )
        for key in ("title", "reference", "document", "celex", "legal_basis"):
            assert getattr(decision, key) == entry.get(key), key
        assert decision.successor == entry.get("successor")
        for key in ("adopted", "applies_from", "ended"):
            value = entry.get(key)
            expected = date.fromisoformat(value) if value else None
            assert getattr(decision, key) == expected, key
        assert decision.sources == tuple(entry["sources"])
        assert decision.unconfirmed == tuple(entry.get("unconfirmed", ()))
        notes = [
            (note.date, note.text, note.reference, note.sources)
            for note in decision.reviews
        ]
        assert notes == [note_fields(item, "date") for item in entry["reviews"]]
        notes = [
            (note.date, note.text, note.reference, note.sources)
            for note in decision.watch
        ]
        assert notes == [note_fields(item, "since") for item in entry["watch"]]
        validity = [
            (item.until, item.set_by, item.adopted, item.sources)
            for item in decision.validity
        ]
        assert validity == [
            (
                date.fromisoformat(item["until"]),
                item["set_by"],
                date.fromisoformat(item["adopted"]),
                tuple(item["sources"]),
            )
            for item in entry["validity"]
        ]
        reason = entry["end_reason"]
        if reason is None:
            assert decision.end_reason is None
        else:
            assert decision.end_reason is not None
            assert (
                decision.end_reason.kind,
                decision.end_reason.text,
                decision.end_reason.reference,
                decision.end_reason.sources,
            ) == (
                reason["kind"],
                reason["text"],
                reason.get("reference"),
                tuple(reason["sources"]),
            )
        scope = entry["scope"]
        assert decision.scope.kind == scope["kind"]
        assert decision.scope.summary == scope["summary"]
        assert decision.scope.hr_data == scope.get("hr_data")
        assert decision.scope.conditions == tuple(scope.get("conditions", ()))
        sectors = scope.get("sectors")
        assert decision.scope.sectors == (
            None if sectors is None else frozenset(Sector(item) for item in sectors)
        )
        for key, name in (
            ("certification", "certifications"),
            ("hr_certification", "hr_certifications"),
        ):
            value = scope.get(key)
            names = (
                [] if value is None else [value] if isinstance(value, str) else value
            )
            assert getattr(decision.scope, name) == tuple(names), key
        efta = entry["eea_efta"]
        assert decision.eea_efta_status == efta["status"]
        assert decision.eea_efta_from == (
            date.fromisoformat(efta["from"]) if efta.get("from") else None
        )
        onward = entry.get("onward_rules")
        if onward is None:
            assert decision.onward_rules is None
        else:
            assert decision.onward_rules is not None
            assert (
                decision.onward_rules.reference,
                decision.onward_rules.text,
                decision.onward_rules.sources,
            ) == (onward["reference"], onward["text"], tuple(onward["sources"]))


def test_every_period_and_practice_is_loaded_as_written() -> None:
    refdata = load_reference_data()
    raw = json.loads((data_dir() / "eea.json").read_text(encoding="utf-8"))
    for entry in raw["entries"]:
        periods = [
            (
                period.status,
                period.start,
                period.until,
                period.inside_as_exporter,
                period.inside_as_importer,
                period.citation,
            )
            for period in refdata.membership[entry["country"]]
        ]
        assert periods == [
            (
                item["status"],
                date.fromisoformat(item["from"]),
                date.fromisoformat(item["until"]) if item["until"] else None,
                item["inside_as_exporter"],
                item["inside_as_importer"],
                item["citation"],
            )
            for item in entry["periods"]
        ]
    practices = {
        entry["country"]: entry["adequacy_practice"]
        for entry in raw["entries"]
        if "adequacy_practice" in entry
    }
    assert practices  # the EEA EFTA states
    assert refdata.practices == practices


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        # Optional fields left out or null.
        ("adequacy.json", {"entries.0.reviews.0.reference": DELETE}),
        ("adequacy.json", {"entries.6.end_reason.reference": DELETE}),
        ("adequacy.json", {"entries.13.onward_rules": None}),
        ("adequacy.json", {"entries.13.onward_rules": DELETE}),
        ("adequacy.json", {"entries.0.document": DELETE, "entries.0.celex": DELETE}),
        ("adequacy.json", {"entries.0.applies_from": DELETE}),
        ("adequacy.json", {"entries.0.successor": DELETE}),
        ("adequacy.json", {"entries.0.reviews": DELETE, "entries.0.watch": DELETE}),
        ("adequacy.json", {"entries.0.validity": DELETE}),
        ("adequacy.json", {"entries.0.unconfirmed": DELETE}),
        ("adequacy.json", {"entries.0.scope.sectors": None}),
        ("adequacy.json", {"entries.0.scope.certification": DELETE}),
        ("adequacy.json", {"entries.0.scope.hr_data": DELETE}),
        ("adequacy.json", {"entries.0.scope.conditions": DELETE}),
        ("adequacy.json", {"entries.0.eea_efta.from": DELETE}),
        ("adequacy.json", {"entries.0.end_reason": DELETE, "entries.0.ended": None}),
        ("adequacy.json", {"entries.4.eea_efta.sources": DELETE}),
        ("adequacy.json", {"entries.19.watch.0.reference": None}),
        ("eea.json", {"entries.0.periods.0.until": DELETE}),
        ("eea.json", {"entries.16.adequacy_practice": "needs_incorporation"}),
        ("eea.json", {"entries.16.adequacy_practice": DELETE}),
        # The day after, or the same day, is fine where the check is strict.
        ("adequacy.json", {"entries.6.ended": "2021-06-29"}),
        ("adequacy.json", {"entries.6.applies_from": "2021-06-28"}),
        ("adequacy.json", {"entries.6.validity.0.until": "2021-06-28"}),
        ("eea.json", {"entries.11.periods.0.until": "2020-01-31"}),
        # A period of a single day.
        ("eea.json", {"entries.0.periods.0.until": "1995-01-01"}),
        # An EEA country is only refused for EU decisions.
        ("adequacy.json", {"entries.25.country": "FR"}),
    ],
)
def test_valid_variant_loads(
    tmp_path: Path, name: str, changes: dict[str, Any]
) -> None:
    assert loaded(tmp_path, name, changes).decisions


def test_left_out_values_are_none(tmp_path: Path) -> None:
    refdata = loaded(
        tmp_path,
        "adequacy.json",
        {
            "entries.0.reviews.0.reference": DELETE,
            "entries.6.end_reason.reference": DELETE,
            "entries.13.onward_rules": DELETE,
            "entries.0.scope.hr_data": DELETE,
        },
    )
    andorra = refdata.decision("andorra")
    assert andorra.reviews[0].reference is None
    assert andorra.reviews[0].text
    assert andorra.scope.hr_data is None
    ended = refdata.decision("gb-gdpr-2021").end_reason
    assert ended is not None
    assert ended.reference is None
    assert refdata.decision("japan").onward_rules is None


def test_a_practice_changed_is_loaded(tmp_path: Path) -> None:
    refdata = loaded(
        tmp_path, "eea.json", {"entries.16.adequacy_practice": "needs_incorporation"}
    )
    assert refdata.practices["IS"] == "needs_incorporation"
    refdata = loaded(
        tmp_path / "b", "eea.json", {"entries.16.adequacy_practice": DELETE}
    )
    assert "IS" not in refdata.practices
    assert refdata.practices["NO"] == "follows_eu"


def test_unknown_decision_names_the_id() -> None:
    with pytest.raises(KeyError) as caught:
        load_reference_data().decision("atlantis")
    assert caught.value.args == ("atlantis",)


def test_regime_lookups_fall_back() -> None:
    spec = load_reference_data().regimes["EU"]
    assert spec.tool("no-such-mechanism") is None
    assert spec.article("no-such-topic") == spec.law


def test_duplicate_id_names_the_file_and_the_id(tmp_path: Path) -> None:
    helper = base.TestValidation()
    folder = helper.copy(tmp_path)
    helper.edit(
        folder,
        "adequacy.json",
        lambda value: value["entries"].append(value["entries"][0]),
    )
    with pytest.raises(ReferenceDataError) as caught:
        load_reference_data(folder)
    assert list(caught.value.problems) == ["duplicate id @ adequacy.json:andorra"]


def test_a_dated_regime_is_built_once_per_day() -> None:
    """`on` keeps its answer: the rules ask for every flow of a run."""
    spec = load_reference_data().regimes["UK"]
    day = date(2025, 1, 1)  # inside the UK's articles_history
    dated = spec.on(day)
    assert dated is not spec
    assert spec.on(day) is dated


def test_digest_follows_its_documented_format() -> None:
    """Each file's name, a NUL, its bytes and a NUL, in `REFERENCE_FILES` order."""
    total = hashlib.sha256()
    for name in REFERENCE_FILES:
        total.update(name.encode() + b"\0" + (data_dir() / name).read_bytes() + b"\0")
    assert digest(data_dir()) == total.hexdigest()
    assert load_reference_data().sha256 == total.hexdigest()


def test_a_sunset_without_extension_ends_the_decision(tmp_path: Path) -> None:
    """gb-gdpr-2021 without its 2025 extension lapses after 2025-06-27."""
    refdata = loaded(tmp_path, "adequacy.json", {"entries.6.validity.1": DELETE})
    decision = refdata.decision("gb-gdpr-2021")
    assert decision.in_force(date(2025, 6, 27))
    assert not decision.in_force(date(2025, 6, 28))


def test_covering_asks_for_the_regime_given() -> None:
    refdata = load_reference_data()
    covered = refdata.covering(base.importer("GB"), date(2026, 11, 28), regime="EU-LED")
    assert [decision.id for decision in covered] == ["gb-led-2025"]


def test_every_tool_and_instrument_is_loaded_as_written(tmp_path: Path) -> None:
    """Each field of each regime's tools and instruments reaches the loaded regime.

    A fresh copy is loaded, so the loader runs here and not only once per session.
    """
    regimes = load_reference_data(base.TestValidation().copy(tmp_path)).regimes
    raw = read_json(data_dir() / "regimes.json")

    def day(value: str | None) -> date | None:
        return None if value is None else date.fromisoformat(value)

    for entry in raw["regimes"]:
        spec = regimes[entry["id"]]
        tools = [
            (
                tool.mechanism,
                tool.start,
                tool.until,
                tool.new_contracts_until,
                tool.adaptation,
                tool.reference,
                tool.text,
                tool.sources,
            )
            for tool in spec.tools
        ]
        assert tools == [
            (
                item["mechanism"],
                day(item.get("from")),
                day(item.get("until")),
                day(item.get("new_contracts_until")),
                item.get("adaptation"),
                item["reference"],
                item["text"],
                tuple(item["sources"]),
            )
            for item in entry["tools"]
        ]
        instruments = [
            (item.citation, item.start, item.text, item.sources)
            for item in spec.instruments
        ]
        assert instruments == [
            (
                item["citation"],
                date.fromisoformat(item["from"]),
                item["text"],
                tuple(item["sources"]),
            )
            for item in entry.get("instruments", [])
        ]
    # The dated fields are all exercised by the packaged data.
    eu, ch = regimes["EU"].tools, regimes["CH"].tools
    assert eu[0].start is not None
    assert eu[1].until is not None
    assert eu[1].new_contracts_until is not None
    assert ch[0].adaptation == "CH"
    assert regimes["EU"].instruments


@pytest.mark.parametrize("key", ["mechanism", "reference", "text"])
def test_a_tool_missing_a_part_is_left_out(key: str) -> None:
    """`load_regimes` records the problem and builds the regime without that tool."""
    raw = read_json(data_dir() / "regimes.json")
    del raw["regimes"][0]["tools"][0][key]
    found: list[str] = []
    regimes = load_regimes(raw, found)
    assert found == [f"{TEXT} @ {R0}.tools[0].{key}"]
    assert regimes["EU"].tools == load_reference_data().regimes["EU"].tools[1:]


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        # The transition: GB inside for exporters and importers alike.
        (date(2020, 12, 31), True),
        # The bridge (TCA Art. FINPROV.10A): inside for importers only.
        (date(2021, 1, 1), True),
        (date(2021, 6, 26), True),
        (date(2021, 6, 27), True),
        (date(2021, 6, 28), False),
    ],
)
def test_eea_countries_are_those_inside_for_importers(day: date, inside: bool) -> None:
    """`eea_countries` lists where sending data is not a transfer (graph, profiles)."""
    members = load_reference_data().eea_countries(day)
    assert ("GB" in members) is inside
    assert len(members) == (31 if inside else 30)
    assert list(members) == sorted(members)


@pytest.mark.parametrize("day", [date(2018, 5, 25), date(2018, 5, 26)])
def test_check_as_of_accepts_the_day_the_gdpr_applies_and_after(day: date) -> None:
    assert check_as_of(day) == day


def test_check_as_of_refuses_the_day_before_with_its_reason() -> None:
    """GDPR Art. 99(2): it applies from 2018-05-25; the CLI prints this message."""
    with pytest.raises(InputError) as caught:
        check_as_of(date(2018, 5, 24))
    assert str(caught.value) == (
        "--as-of 2018-05-24 is before 2018-05-25, the day the GDPR applies "
        "(Art. 99(2)); Chapter V cannot be assessed earlier"
    )


def test_existing_keeps_its_answer() -> None:
    """As `on`: a run asks the same few tuples for every finding; one answer serves."""
    spec = load_reference_data().regimes["EU"]
    citations = ("GDPR Art. 46", "CJEU C-311/18")
    day = date(2020, 7, 15)  # the day before Schrems II
    first = spec.existing(citations, day)
    assert first == ("GDPR Art. 46",)
    assert spec.existing(citations, day) is first


def test_taxonomy_is_loaded_as_written(tmp_path: Path) -> None:
    """Keys, special categories, this project's extension keys, uses and subjects."""
    taxonomy = load_taxonomy(base.TestValidation().copy(tmp_path))
    raw = read_json(data_dir() / "taxonomy.json")
    categories = raw["categories"]
    assert taxonomy.keys == {item["key"] for item in categories}
    assert dict(taxonomy.special) == {
        item["key"]: SpecialCategory(item["special"])
        for item in categories
        if item.get("special") is not None
    }
    assert taxonomy.extension == {
        item["key"] for item in categories if item.get("extension") is True
    }
    assert taxonomy.data_uses == frozenset(raw["data_uses"])
    assert taxonomy.data_subjects == frozenset(raw["data_subjects"])
    # Each of them is exercised by the packaged file.
    assert taxonomy.extension
    assert taxonomy.extension < taxonomy.keys
    assert taxonomy.data_uses
    assert taxonomy.data_subjects


def test_taxonomy_lists_left_out_are_empty(tmp_path: Path) -> None:
    """``data_uses`` and ``data_subjects`` are optional."""
    folder = changed(
        tmp_path, "taxonomy.json", {"data_uses": DELETE, "data_subjects": DELETE}
    )
    taxonomy = load_taxonomy(folder)
    assert (taxonomy.data_uses, taxonomy.data_subjects) == (frozenset(), frozenset())
    assert taxonomy.keys == load_taxonomy().keys


TAXONOMY_CASES: list[tuple[dict[str, Any], list[str]]] = [
    ({"categories": "x"}, ["expected a list @ taxonomy.json:$.categories"]),
    ({"categories.0.key": ""}, ["missing key @ taxonomy.json:$.categories[0].key"]),
    ({"categories.0.key": 5}, ["missing key @ taxonomy.json:$.categories[0].key"]),
    ({"data_uses": "x"}, ["expected a list of strings @ taxonomy.json:$.data_uses"]),
    (
        {"data_uses": [1], "data_subjects": ["customer", 2]},
        [
            "expected a list of strings @ taxonomy.json:$.data_uses",
            "expected a list of strings @ taxonomy.json:$.data_subjects",
        ],
    ),
    (
        {"data_subjects": "x"},
        ["expected a list of strings @ taxonomy.json:$.data_subjects"],
    ),
]


test_taxonomy_field = field_test("taxonomy.json", TAXONOMY_CASES)


@pytest.mark.parametrize("value", [[], "x", None])
def test_a_taxonomy_file_that_is_no_object(tmp_path: Path, value: object) -> None:
    folder = base.TestValidation().copy(tmp_path)
    (folder / "taxonomy.json").write_text(json.dumps(value), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as caught:
        load_reference_data(folder)
    assert list(caught.value.problems) == [
        "expected a list @ taxonomy.json:$.categories"
    ]


def test_a_broken_taxonomy_still_answers() -> None:
    """`load_taxonomy_from` records the problem and returns an empty taxonomy."""
    found: list[str] = []
    taxonomy = load_taxonomy_from({"categories": {}}, found)
    assert found == ["expected a list @ taxonomy.json:$.categories"]
    assert taxonomy.keys == frozenset()
    assert not taxonomy.is_known("user")
    assert taxonomy.special_for("user.health") is None


def test_an_installed_package_reads_its_own_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a wheel the data is ``transfer_assess/data``; a checkout uses ``data/``."""
    packaged = tmp_path / "data"
    packaged.mkdir()
    (packaged / "adequacy.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(
        refdata, "resources", SimpleNamespace(files={"transfer_assess": tmp_path}.get)
    )
    assert data_dir() == packaged
    (packaged / "adequacy.json").unlink()
    assert data_dir() == Path(refdata.__file__).resolve().parent.parent / "data"


def test_files_are_read_as_utf8_whatever_the_locale() -> None:
    """A machine whose locale is not UTF-8 (plain ASCII here) reads the same data."""
    path = data_dir() / "regimes.json"
    text = path.read_bytes().decode("utf-8")
    assert not text.isascii()  # the file has characters an ASCII locale lacks
    expected = json.loads(text)
    assert read_json(path) == expected
    env = {
        **os.environ,
        "LC_ALL": "C",
        "PYTHONUTF8": "0",
        "PYTHONCOERCECLOCALE": "0",
        "PYTHONPATH": str(Path(refdata.__file__).resolve().parent.parent),
    }
    script = (
        "import json, sys; from pathlib import Path; "
        "from transfer_assess.refdata import read_json; "
        "print(json.dumps(read_json(Path(sys.argv[1]))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == expected
