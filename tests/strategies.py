"""Hypothesis strategies: valid data maps as plain values, and mutations of them."""

from __future__ import annotations

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

ids = st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True)
dates = st.dates().map(lambda day: day.isoformat())
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda text: text.strip() != "" and unsafe_character(text) is None)


@st.composite
def entities(draw: st.DrawFn, entity_id: str) -> dict[str, Any]:
    """One valid entity mapping with the given id."""
    value: dict[str, Any] = {
        "id": entity_id,
        "name": draw(texts),
        "kind": draw(st.sampled_from(EntityKind)).value,
        "country": draw(st.sampled_from(COUNTRIES)),
    }
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
    return value


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid data map as plain values."""
    entity_ids = draw(st.lists(ids, min_size=2, max_size=6, unique=True))
    flow_ids = draw(st.lists(ids, max_size=8, unique=True))
    return {
        "version": 1,
        "organisation": draw(texts),
        "entities": [draw(entities(entity_id)) for entity_id in entity_ids],
        "flows": [draw(flows(flow_id, entity_ids)) for flow_id in flow_ids],
    }


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
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
