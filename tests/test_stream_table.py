"""
The terminal report made while the findings are read (``assess``'s table).

`console.stream_table` reads an `AssessmentStream` once and keeps only the findings
the table will list; `console.Selection` decides which. The table must be the one
`assessment_table` makes of the whole assessment, and what is kept must stay bounded
when the table shows the summary only or the first ``--limit`` findings.
"""

from __future__ import annotations

import heapq
import io
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from tests.mapfactory import as_json
from tests.strategies import documents
from transfer_assess import load_map, parse_map
from transfer_assess.console import (
    SUMMARY_FROM,
    THEME,
    TREE_CHAINS,
    RowSpool,
    Selection,
    _action_cell,
    _row,
    _shown,
    assessment_table,
    stream_table,
)
from transfer_assess.engine import assess, assess_stream
from transfer_assess.findings import Action, Finding, Status, Tally
from transfer_assess.labels import action_label

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DAY = date(2026, 11, 28)
WORST_FIRST = (Status.GAP, Status.ATTENTION, Status.OK)

#: Every finding of the example under every regime: all three statuses, many actions.
POOL = assess(load_map(EXAMPLES / "global-group.yaml"), as_of=DAY).findings


def rendered(renderable: object, width: int = 120) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, theme=THEME)
    console.print(renderable, crop=False)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def reference(
    findings: list[Finding],
    statuses: list[Status] | None,
    limit: int | None,
    *,
    show_all: bool,
    codes: bool,
) -> tuple[list[Finding], int, dict[Status, dict[str, int]] | None]:
    """What the table lists, how many it selects and the first actions it counts,
    worked out from every finding at once (the terminal report before it streamed)."""
    wanted = set(statuses) if statuses is not None else set(Status)
    selected = [
        finding
        for status in WORST_FIRST
        if status in wanted
        for finding in findings
        if finding.status is status
    ]
    if limit is not None:
        listed = selected[:limit]
    elif show_all or len(selected) <= SUMMARY_FROM:
        listed = selected
    else:
        listed = []
    if listed or not selected:
        return listed, len(selected), None
    actions: dict[Status, dict[str, int]] = {status: {} for status in Status}
    for finding in selected:
        action = _action_cell(finding, codes=codes) or (
            Action.NONE.value if codes else action_label(Action.NONE)
        )
        counts = actions[finding.status]
        counts[action] = counts.get(action, 0) + 1
    return listed, len(selected), actions


statuses_chosen = st.one_of(
    st.none(), st.lists(st.sampled_from(list(Status)), max_size=3, unique=True)
)
# Limits around the summary threshold and small ones; `None` most often.
limits = st.one_of(
    st.none(), st.integers(1, 5), st.integers(SUMMARY_FROM - 2, SUMMARY_FROM + 2)
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(POOL), max_size=3 * SUMMARY_FROM),
    statuses_chosen,
    limits,
    st.booleans(),
    st.booleans(),
)
def test_the_selection_is_that_of_every_finding_at_once(
    findings: list[Finding],
    statuses: list[Status] | None,
    limit: int | None,
    show_all: bool,
    codes: bool,
) -> None:
    show_all = show_all and limit is None  # the command refuses both
    selection = Selection(statuses, limit=limit, show_all=show_all, codes=codes)
    for finding in findings:
        selection.add(finding)
    listed, count, actions = reference(
        findings, statuses, limit, show_all=show_all, codes=codes
    )
    assert selection.count == count
    assert selection.actions == actions
    if selection.spool is None:
        assert selection.listed() == listed
    else:
        # --all keeps rows, not findings: the same rows, and the same first chains.
        assert selection.listed() == []
        assert_spooled(selection.spool, listed, codes=codes)


def assert_spooled(spool: RowSpool, listed: list[Finding], *, codes: bool) -> None:
    """The spool holds the rows and the first chains of the findings listed."""
    rows = [row for status in WORST_FIRST for row in spool.rows(status)]
    assert rows == [_row(finding, codes=codes) for finding in listed]
    # Read again, the same rows: the table reads them twice.
    assert [row for status in WORST_FIRST for row in spool.rows(status)] == rows
    onward = [finding for finding in listed if finding.onward]
    assert spool.onward_total == len(onward)
    assert spool.first_chains() == heapq.nsmallest(TREE_CHAINS, onward, key=_shown)


@pytest.mark.parametrize(
    ("count", "listed"),
    [
        (SUMMARY_FROM - 1, SUMMARY_FROM - 1),
        (SUMMARY_FROM, SUMMARY_FROM),
        (SUMMARY_FROM + 1, 0),
    ],
)
def test_the_summary_threshold(count: int, listed: int) -> None:
    # The day before, on and after the threshold: up to SUMMARY_FROM findings are
    # listed; one more and the table turns into the summary of first actions.
    gaps = [finding for finding in POOL if finding.status is Status.GAP]
    findings = (gaps * count)[:count]
    selection = Selection(None, limit=None, show_all=False, codes=False)
    for finding in findings:
        selection.add(finding)
    assert len(selection.listed()) == listed
    assert (selection.actions is None) == (listed > 0)
    if selection.actions is not None:
        assert sum(selection.actions[Status.GAP].values()) == count


def test_what_is_kept_stays_bounded() -> None:
    many = list(POOL) * 40  # thousands of findings, every status
    summary = Selection(None, limit=None, show_all=False, codes=False)
    limited = Selection([Status.GAP, Status.OK], limit=7, show_all=False, codes=True)
    everything = Selection(None, limit=None, show_all=True, codes=False)
    for finding in many:
        summary.add(finding)
        limited.add(finding)
        everything.add(finding)
    # The summary keeps no finding, only the counts of first actions.
    assert all(not kept for kept in summary.kept.values())
    assert summary.actions is not None
    assert sum(sum(counts.values()) for counts in summary.actions.values()) == len(many)
    # --limit keeps at most that many of each status, and none of another status.
    assert [len(limited.kept[status]) for status in WORST_FIRST] == [7, 0, 7]
    assert limited.count == sum(
        finding.status in {Status.GAP, Status.OK} for finding in many
    )
    # --all keeps no finding: their rows wait on disk, with the first chains.
    assert all(not kept for kept in everything.kept.values())
    assert everything.spool is not None
    assert sum(everything.spool.counts.values()) == len(many)
    assert len(everything.spool.onward) < 2 * TREE_CHAINS


@pytest.mark.parametrize("step", [1, 5, 11])
def test_the_first_chains_of_many(step: int) -> None:
    # More onward findings than the tree draws, in orders where findings with the
    # same chain but another status come before and after each other (every
    # `step`-th finding of the pool, forwards and backwards in turn): the tree draws
    # those `heapq.nsmallest` finds in the listed (worst first) order.
    order = [POOL[index * step % len(POOL)] for index in range(len(POOL))]
    assert set(order) == set(POOL)  # a step prime to the pool's size
    many = [
        finding
        for turn in range(50)
        for finding in (order[::-1] if turn % 2 else order)
    ]
    selection = Selection(None, limit=None, show_all=True, codes=False)
    for finding in many:
        selection.add(finding)
    listed, _, _ = reference(many, None, None, show_all=True, codes=False)
    assert sum(finding.onward for finding in listed) > 2 * TREE_CHAINS
    assert selection.spool is not None
    assert_spooled(selection.spool, listed, codes=False)


def test_chains_that_tie_are_drawn_worst_status_first() -> None:
    # Two onward findings with one chain: an ok one made first, a gap one after.
    # The table lists the gap first, so of the two the tree ends the chain with the
    # ok one (the last drawn), as it did when it read the listed findings.
    onward = next(finding for finding in POOL if finding.onward)
    ok = attrs.evolve(onward, flow="f-ok", status=Status.OK)
    gap = attrs.evolve(onward, flow="f-gap", status=Status.GAP)
    selection = Selection(None, limit=None, show_all=True, codes=False)
    for finding in (ok, gap):
        selection.add(finding)
    assert selection.spool is not None
    assert selection.spool.first_chains() == [gap, ok]
    text = rendered(
        selection.table(
            assess(load_map(EXAMPLES / "small.yaml"), DAY), Tally.of([ok, gap])
        )
    )
    assert "f-ok: ok" in text
    assert "f-gap: gap" not in text


days = st.dates(min_value=date(2018, 5, 25), max_value=date(2027, 12, 31))


@settings(max_examples=60, deadline=None)
@given(documents(), days, statuses_chosen, limits, st.booleans(), st.booleans())
def test_the_streamed_table_is_the_table(
    value: dict[str, Any],
    day: date,
    statuses: list[Status] | None,
    limit: int | None,
    show_all: bool,
    codes: bool,
) -> None:
    show_all = show_all and limit is None
    datamap = parse_map(as_json(value), format="json")
    options: dict[str, Any] = {
        "statuses": statuses,
        "limit": limit,
        "show_all": show_all,
        "codes": codes,
    }
    whole = rendered(assessment_table(assess(datamap, day), **options))
    assert rendered(stream_table(assess_stream(datamap, day), **options)) == whole


@pytest.mark.parametrize("regime", [None, "EU", "UK", "CH"])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"show_all": True},
        {"statuses": [Status.GAP, Status.ATTENTION], "limit": 4},
        {"statuses": [Status.OK], "codes": True},
    ],
)
def test_the_example(regime: str | None, options: dict[str, Any]) -> None:
    datamap = load_map(EXAMPLES / "global-group.yaml")
    whole = rendered(assessment_table(assess(datamap, DAY, regime=regime), **options))
    stream = assess_stream(datamap, DAY, regime=regime)
    assert rendered(stream_table(stream, **options)) == whole
    # The stream's counts are those of every finding, listed or not.
    assert stream.tally.total("findings") == len(
        assess(datamap, DAY, regime=regime).findings
    )


def test_a_stream_is_read_once() -> None:
    stream = assess_stream(load_map(EXAMPLES / "small.yaml"), DAY)
    stream_table(stream)
    with pytest.raises(RuntimeError, match="already read"):
        stream_table(stream)
