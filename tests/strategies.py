"""Hypothesis strategies: valid data maps as plain values, and mutations of them.

The maps reach the cases the rules decide on: flows with ``start``/``end``, ``origin``
(member states, EEA-EFTA states, third countries), corporate groups with BCR approval
dates and accessions, international organisations, dated certifications, and TIA and
approval dates near the assessment dates the properties draw (2018-2030).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from transfer_assess.model import (
    EntityKind,
    Frequency,
    ImporterAccess,
    Mechanism,
    Role,
    Sector,
)
from transfer_assess.safetext import unsafe_character

COUNTRIES = ["DE", "FR", "IE", "NO", "GB", "US", "IN", "JP", "CA", "BR", "CH", "CN"]
CATEGORIES = [
    "user.contact.email",
    "user.account",
    "user.device.ip_address",
    "user.health",
    "user.behavior.browsing_history",
]
SUBJECTS = ["customers", "employees", "prospects", "job_applicants"]

#: Origins of records: member states, EEA-EFTA states and third countries.
ORIGINS = ["EEA", "DE", "FR", "IE", "NO", "IS", "LI", "GB", "CH", "JP", "US", "IN"]
#: International organisations: one with an adequacy decision, one without.
ORGANISATIONS = ["european-patent-organisation", "world-health-organization"]

ids = st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True)
#: Days around the span the properties assess (2018-05-25 to 2030-01-01), so that
#: TIA ages, approvals, accessions, starts and ends fall on either side of the
#: assessment date.
near_days = st.dates(min_value=date(2017, 1, 1), max_value=date(2030, 12, 31))
dates = near_days.map(lambda day: day.isoformat())
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda text: text.strip() != "" and unsafe_character(text) is None)


@st.composite
def entities(
    draw: st.DrawFn, entity_id: str, group_ids: list[str] | None = None
) -> dict[str, Any]:
    """One valid entity mapping with the given id, perhaps in one of `group_ids`."""
    value: dict[str, Any] = {
        "id": entity_id,
        "name": draw(texts),
        "kind": draw(st.sampled_from(EntityKind)).value,
    }
    if draw(st.integers(0, 7)) == 0:
        value["international_organisation"] = draw(st.sampled_from(ORGANISATIONS))
    else:
        value["country"] = draw(st.sampled_from(COUNTRIES))
    if group_ids and draw(st.booleans()):
        value["group"] = draw(st.sampled_from(group_ids))
        if draw(st.booleans()):
            value["bcr_accession"] = draw(dates)
    if draw(st.booleans()):
        value["sector"] = draw(st.sampled_from(Sector)).value
    if draw(st.booleans()):
        value["certifications"] = draw(
            st.lists(
                st.sampled_from(
                    ["dpf", "dpf-hr", "dpf-uk", "dpf-uk-hr", "dpf-ch", "iso27001"]
                ),
                unique=True,
            )
        )
    if draw(st.integers(0, 3)) == 0:
        # A dated certification, in the text form every format reads.
        start, until = sorted([draw(near_days), draw(near_days)])
        value.setdefault("certifications", []).append(
            f"dpf@{start.isoformat()}..{until.isoformat()}"
        )
        if "dpf" in value["certifications"]:
            value["certifications"].remove("dpf")
    if draw(st.booleans()):
        value["subject_to_gdpr"] = draw(st.booleans())
    if draw(st.integers(0, 4)) == 0:
        value["subject_to"] = draw(
            st.lists(st.sampled_from(["EU", "UK", "CH"]), unique=True)
        )
    return value


@st.composite
def flows(draw: st.DrawFn, flow_id: str, entity_ids: list[str]) -> dict[str, Any]:
    """One valid flow mapping between two different entities."""
    source, target = draw(st.permutations(entity_ids))[:2]
    mechanism = draw(st.sampled_from(Mechanism))
    value: dict[str, Any] = {
        "id": flow_id,
        "from": source,
        "to": target,
        "exporter_role": draw(st.sampled_from(Role)).value,
        "importer_role": draw(st.sampled_from(Role)).value,
        "data_subjects": draw(
            st.lists(st.sampled_from(SUBJECTS), min_size=1, unique=True)
        ),
        "data_categories": draw(
            st.lists(st.sampled_from(CATEGORIES), min_size=1, unique=True)
        ),
        "purposes": draw(
            st.lists(st.sampled_from(["support", "analytics"]), min_size=1)
        ),
        "frequency": draw(st.sampled_from(Frequency)).value,
        "mechanism": mechanism.value,
    }
    if mechanism.takes_scc_module:
        value["scc_module"] = draw(st.integers(1, 4))
        if draw(st.booleans()):
            value["scc_adaptations"] = ["CH"]
    if draw(st.booleans()):
        value["tia"] = draw(dates)
    if draw(st.booleans()):
        value["importer_access"] = draw(st.sampled_from(ImporterAccess)).value
    if draw(st.booleans()):
        value["anonymised"] = draw(st.booleans())
    if draw(st.booleans()):
        value["volume"] = draw(st.integers(0, 10**9))
    if draw(st.booleans()):
        value["start"] = draw(dates)
    if draw(st.booleans()):
        end = draw(near_days)
        if "start" in value:  # end may equal start: a flow of one day
            end = max(end, date.fromisoformat(value["start"]))
        value["end"] = end.isoformat()
    if draw(st.integers(0, 2)) == 0:
        value["origin"] = draw(
            st.lists(st.sampled_from(ORIGINS), min_size=1, unique=True)
        )
    return value


@st.composite
def groups(draw: st.DrawFn, group_id: str) -> dict[str, Any]:
    """One valid corporate group, perhaps with BCRs and their approval dates."""
    value: dict[str, Any] = {"id": group_id}
    if draw(st.booleans()):
        value["bcr"] = draw(
            st.lists(
                st.sampled_from(["controller", "processor"]), min_size=1, unique=True
            )
        )
        for key in ("bcr_approved", "bcr_approved_uk", "bcr_approved_ch"):
            if draw(st.booleans()):
                value[key] = draw(dates)
    return value


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid data map as plain values."""
    entity_ids = draw(st.lists(ids, min_size=2, max_size=6, unique=True))
    flow_ids = draw(st.lists(ids, max_size=8, unique=True))
    group_ids = draw(st.lists(ids, max_size=2, unique=True))
    value: dict[str, Any] = {
        "version": 1,
        "organisation": draw(texts),
        "entities": [draw(entities(entity_id, group_ids)) for entity_id in entity_ids],
        "flows": [draw(flows(flow_id, entity_ids)) for flow_id in flow_ids],
    }
    if group_ids:
        value["groups"] = [draw(groups(group_id)) for group_id in group_ids]
    return value


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    # JSON has no infinity: a map that holds one cannot be written in both formats,
    # which TestNeverCrashes compares.
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=10),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A valid map with one value somewhere replaced by junk, or one key removed."""
    value = draw(documents())
    containers: list[Any] = [value, *value["entities"], *value["flows"]]
    target = draw(st.sampled_from(containers))
    key = draw(st.sampled_from(sorted(target)))
    if draw(st.booleans()):
        del target[key]
    else:
        target[key] = draw(JUNK)
    return value
