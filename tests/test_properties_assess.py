"""Properties of the assessment that hold for every map and date (hypothesis).

Each class names the legal principle it checks.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from tests.mapfactory import as_json
from tests.strategies import documents
from transfer_assess import DataMap, Status, assess, parse_map
from transfer_assess.findings import Assessment
from transfer_assess.graph import FlowGraph
from transfer_assess.refdata import EndReason, load_reference_data
from transfer_assess.rules import scc_module_for

days = st.dates(min_value=date(2018, 5, 25), max_value=date(2027, 12, 31))
REFDATA = load_reference_data()
#: The days before, of and after each instrument's adoption in every regime: where a
#: citation starts being given.
around_instruments = st.sampled_from(
    sorted(
        {
            item.start + timedelta(days=offset)
            for spec in REFDATA.regimes.values()
            for item in spec.instruments
            for offset in (-1, 0, 1)
            if item.start + timedelta(days=offset) >= date(2018, 5, 25)
        }
    )
)


def build(value: dict[str, Any]) -> DataMap:
    return parse_map(as_json(value), format="json")


def verdicts(
    result: Assessment, rename: dict[str, str] | None = None
) -> dict[tuple[str, str], tuple]:  # type: ignore[type-arg]
    rename = rename or {}
    return {
        (rename.get(finding.flow, finding.flow), finding.regime): (
            finding.transfer,
            finding.onward,
            finding.basis,
            finding.status,
            finding.scc_module,
            tuple(item.action for item in finding.recommendations),
            finding.rules,
        )
        for finding in result.findings
    }


def eu_own(result: Assessment) -> dict[str, Any]:
    """
    The EU findings decided by the EU rules themselves, by flow.

    Left out: findings that take the UK or Swiss finding (``EU.ONWARD.REGIME``,
    issue 11 point 4), whose status follows that regime's law.
    """
    return {
        finding.flow: finding
        for finding in result.findings
        if finding.regime == "EU" and "EU.ONWARD.REGIME" not in finding.rules
    }


def paired(before: Assessment, after: Assessment) -> list[tuple[Any, Any]]:
    """The EU findings of both assessments that the EU rules decide in both."""
    old, new = eu_own(before), eu_own(after)
    return [(old[flow], new[flow]) for flow in sorted(set(old) & set(new))]


class TestInvariance:
    """A verdict depends on the law and the facts, not on order or names."""

    @given(documents(), days, st.randoms())
    def test_permuting_entities_and_flows(
        self, value: dict[str, Any], day: date, rng: random.Random
    ) -> None:
        shuffled = dict(value)
        shuffled["entities"] = rng.sample(value["entities"], len(value["entities"]))
        shuffled["flows"] = rng.sample(value["flows"], len(value["flows"]))
        first = assess(build(value), as_of=day)
        second = assess(build(shuffled), as_of=day)
        assert first.to_json() == second.to_json()

    @given(documents(), days)
    def test_renaming_ids(self, value: dict[str, Any], day: date) -> None:
        entity_names = {
            item["id"]: f"e{index}" for index, item in enumerate(value["entities"])
        }
        flow_names = {
            item["id"]: f"f{index}" for index, item in enumerate(value["flows"])
        }
        renamed = dict(value)
        renamed["entities"] = [
            {**item, "id": entity_names[item["id"]]} for item in value["entities"]
        ]
        renamed["flows"] = [
            {
                **item,
                "id": flow_names[item["id"]],
                "from": entity_names[item["from"]],
                "to": entity_names[item["to"]],
            }
            for item in value["flows"]
        ]
        original = verdicts(assess(build(value), as_of=day), flow_names)
        assert original == verdicts(assess(build(renamed), as_of=day))


class TestEeaInternal:
    """GDPR Art. 44: flows inside the EEA are not transfers."""

    @given(documents(), days)
    def test_intra_eea_flows_are_never_transfers(
        self, value: dict[str, Any], day: date
    ) -> None:
        datamap = build(value)
        result = assess(datamap, as_of=day, regime="EU")
        for finding in result.findings:
            exporter = datamap.entity(finding.exporter)
            importer = datamap.entity(finding.importer)
            if REFDATA.is_eea(
                exporter.country, day, as_importer=False
            ) and REFDATA.is_eea(importer.country, day, as_importer=True):
                assert not finding.transfer
                assert finding.status is Status.OK


class TestMonotonicity:
    """Safeguards help, losing adequacy hurts (GDPR Art. 45, 46)."""

    @given(documents(), days)
    def test_adding_a_fitting_safeguard_never_worsens(
        self, value: dict[str, Any], day: date
    ) -> None:
        before = assess(build(value), as_of=day)
        safeguarded = dict(value)
        safeguarded["flows"] = [
            {
                **item,
                "mechanism": "scc",
                "scc_module": scc_module_for(build_flow(value, item)),
                "tia": day.isoformat(),
            }
            for item in value["flows"]
        ]
        after = assess(build(safeguarded), as_of=day)
        for old, new in paired(before, after):
            assert new.status.rank <= old.status.rank, (old.reasons, new.reasons)

    @given(documents(), days, st.data())
    def test_ending_a_decision_never_improves(
        self, value: dict[str, Any], day: date, data: st.DataObject
    ) -> None:
        in_force = REFDATA.in_force(day, regime="EU-GDPR")
        decision = data.draw(st.sampled_from(in_force))
        ended = attrs.evolve(
            decision,
            ended=day - timedelta(days=data.draw(st.integers(0, 30))),
            end_reason=EndReason("repeal", "Ended for the test.", None, ("test",)),
        )
        if ended.ended is not None and ended.ended <= decision.starts:
            ended = attrs.evolve(ended, ended=day)
        changed = attrs.evolve(
            REFDATA,
            decisions=[
                ended if item.id == decision.id else item for item in REFDATA.decisions
            ],
        )
        datamap = build(value)
        before = assess(datamap, as_of=day)
        after = assess(datamap, as_of=day, refdata=changed)
        for old, new in paired(before, after):
            assert new.status.rank >= old.status.rank, (old.reasons, new.reasons)


class TestRecommendations:
    """Design section 6: every finding that is not ok says what to do."""

    @given(documents(), days)
    def test_every_non_ok_finding_has_a_recommendation(
        self, value: dict[str, Any], day: date
    ) -> None:
        for finding in assess(build(value), as_of=day).findings:
            if finding.status is not Status.OK:
                assert finding.recommendations
            assert finding.reasons

    @given(documents(), st.one_of(days, around_instruments))
    def test_every_reason_and_recommendation_names_a_source(
        self, value: dict[str, Any], day: date
    ) -> None:
        # Citations of instruments adopted after the day are dropped; what is left
        # must never be nothing (the brief: every recommendation with its citations).
        for finding in assess(build(value), as_of=day).findings:
            for reason in finding.reasons:
                assert reason.citations, (finding.flow, finding.regime, reason)
            for advice in finding.recommendations:
                assert advice.citations, (finding.flow, finding.regime, advice)


class TestAnonymisation:
    """GDPR Recital 26: anonymous data carries no protection onward."""

    @given(documents(), days, st.data())
    def test_anonymised_flows_carry_nothing(
        self, value: dict[str, Any], day: date, data: st.DataObject
    ) -> None:
        chosen = {
            item["id"]
            for item in value["flows"]
            if data.draw(st.booleans(), label=f"anonymise {item['id']}")
        }
        anonymous = dict(value)
        anonymous["flows"] = [
            {**item, "anonymised": True} if item["id"] in chosen else item
            for item in value["flows"]
        ]
        without = dict(value)
        without["flows"] = [item for item in value["flows"] if item["id"] not in chosen]
        with_anonymous = FlowGraph(build(anonymous)).propagate(day, REFDATA)
        removed = FlowGraph(build(without)).propagate(day, REFDATA)
        for entity in value["entities"]:
            assert with_anonymous.keys(entity["id"]) == removed.keys(entity["id"])
        result = assess(build(anonymous), as_of=day)
        for flow_id in chosen:
            finding = result.findings_by_flow().get(flow_id)
            if finding is not None:
                assert finding.basis.value == "not_personal_data"
                assert not finding.transfer


def build_flow(value: dict[str, Any], item: dict[str, Any]):  # type: ignore[no-untyped-def]
    datamap = build({**value, "flows": [item]})
    return datamap.flows[0]
