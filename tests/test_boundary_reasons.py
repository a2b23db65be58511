"""What the reasons say on the days around a decision's end and start.

The verdicts on those days are in the scenarios; these tests check the sentence
that tells the reader why no decision applies, which names the day the decision
stopped applying (from the day it ended) or the day it will apply from.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.mapfactory import document, entity, flow
from transfer_assess import assess, parse_map
from transfer_assess.refdata import load_reference_data

MAP = document(
    [
        entity("hq-de"),
        entity("us-co", "US", kind="service_provider"),
        entity("jp-co", "JP", kind="service_provider", sector="private"),
    ],
    [
        flow("f-us", "hq-de", "us-co", mechanism="adequacy"),
        flow("f-jp", "hq-de", "jp-co", mechanism="adequacy"),
    ],
)


def no_decision(flow_id: str, day: date) -> str:
    """The text of the EU.ADEQUACY.NONE reason for a flow on a day."""
    result = assess(parse_map(json.dumps(MAP), format="json"), as_of=day)
    texts = [
        reason.text
        for reason in result.finding(flow_id, "EU").reasons
        if reason.rule == "EU.ADEQUACY.NONE"
    ]
    assert len(texts) == 1, texts
    return texts[0]


@pytest.mark.parametrize("day", [date(2020, 7, 16), date(2020, 7, 17)])
def test_ended_decision_is_named_from_its_end_day(day: date) -> None:
    # The Privacy Shield decision ended on 2020-07-16 (the judgment's day).
    text = no_decision("f-us", day)
    assert "Implementing Decision (EU) 2016/1250 stopped applying on 2020-07-16" in (
        text
    )


def test_decision_still_to_come_is_named_the_day_before() -> None:
    # The Japan decision applies from 2019-01-23.
    text = no_decision("f-jp", date(2019, 1, 22))
    assert "Implementing Decision (EU) 2019/419 applies only from 2019-01-23," in text


def scc_advice(
    day: date, *, art3_2: bool = False, role: str = "processor"
) -> tuple[str, tuple[str, ...]]:
    """The SCC recommendation for a German controller's processor (`role`) in India."""
    importer = entity("in-co", "IN", kind="service_provider")
    if art3_2:
        importer["subject_to_gdpr"] = True
    datamap = document(
        [entity("hq-de"), importer],
        [flow("f-in", "hq-de", "in-co", mechanism="none", importer_role=role)],
    )
    result = assess(parse_map(json.dumps(datamap), format="json"), as_of=day)
    finding = result.finding("f-in", "EU")
    advice = [item for item in finding.recommendations if item.action.value == "scc"]
    assert len(advice) == 1, finding.recommendations
    return advice[0].detail, advice[0].citations


def test_scc_advice_before_the_2021_clauses() -> None:
    # On 2021-06-26 only the older sets exist: for C->P, the 2010 set.
    detail, citations = scc_advice(date(2021, 6, 26))
    assert detail.startswith("Sign the Commission's standard contractual clauses")
    assert detail.endswith("(controller to processor: the 2010 set).")
    assert "Commission Decision 2010/87/EU" in citations


def test_controller_to_controller_advice_before_the_2021_clauses() -> None:
    # For C->C, the 2001 and 2004 sets: each decision cited on its own, as the
    # rules cite them (one citation each, so each is dated and linked alone).
    _, citations = scc_advice(date(2021, 6, 26), role="controller")
    assert citations == (
        "GDPR Art. 46(2)(c)",
        "Commission Implementing Decision (EU) 2021/914",
        "Commission Decision 2001/497/EC",
        "Commission Decision 2004/915/EC",
    )


@pytest.mark.parametrize("day", [date(2021, 6, 27), date(2021, 6, 28)])
def test_scc_advice_from_the_2021_clauses(day: date) -> None:
    detail, citations = scc_advice(day)
    assert detail == (
        "Sign the 2021 SCCs, module 2 (controller to processor), for flow f-in."
    )
    assert "Commission Decision 2010/87/EU" not in citations


@pytest.mark.parametrize(
    ("day", "clauses"),
    [
        (date(2021, 6, 26), " SCCs are not designed"),
        (date(2021, 6, 27), " the 2021 SCCs are not designed"),
    ],
)
def test_art3_2_importer_advice_names_the_clauses_of_the_day(
    day: date, clauses: str
) -> None:
    detail, _ = scc_advice(day, art3_2=True)
    assert f"under Art. 3(2), and{clauses} for such importers" in detail


@pytest.mark.parametrize(
    ("day", "article"),
    [
        (date(2021, 1, 1), "UK GDPR Art. 44"),
        (date(2021, 1, 2), "UK GDPR Art. 44"),
        (date(2026, 2, 3), "UK GDPR Art. 44"),
        (date(2026, 2, 4), "UK GDPR Art. 44"),
        (date(2026, 2, 5), "UK GDPR Art. 44A"),
    ],
)
def test_uk_article_numbers_of_the_day(day: date, article: str) -> None:
    # The Data (Use and Access) Act 2025 renumbered the UK transfer articles from
    # 2026-02-05; the history in regimes.json runs 2021-01-01 to 2026-02-04.
    spec = load_reference_data().regimes["UK"]
    assert spec.on(day).article("transfers") == article
