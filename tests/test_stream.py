"""
The JSON report written while its findings are made (``assess --format json``).

`engine.assess_stream` makes the findings one flow at a time and keeps none of them;
`report.json.write_json_stream` encodes each as it comes and counts the summary on
the way. The report must be the same bytes as that of a finished assessment
(`write_json`), the counts the same as `Assessment.summary`, and a failure half-way
must leave nothing written.
"""

from __future__ import annotations

import gc
import io
import json
import weakref
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.mapfactory import as_json, document, flow
from tests.strategies import documents
from tests.test_assess import one_scc_flow
from transfer_assess import engine, load_map, parse_map
from transfer_assess.cli import app
from transfer_assess.engine import assess, assess_stream
from transfer_assess.errors import ArgumentTypeError, InputError
from transfer_assess.findings import Finding, Status, Tally
from transfer_assess.report.json import write_json, write_json_stream
from transfer_assess.rules import Settings, evaluate

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DAY = date(2026, 11, 28)
runner = CliRunner()

days = st.dates(min_value=date(2018, 5, 25), max_value=date(2027, 12, 31))
regimes = st.sampled_from([None, "all", "EU", "UK", "CH", ["UK", "CH"], ["EU", "CH"]])


def finished(datamap: Any, day: date, regime: Any = None) -> str:
    out = io.StringIO()
    write_json(assess(datamap, day, regime=regime), out)
    return out.getvalue()


def streamed(datamap: Any, day: date, regime: Any = None) -> str:
    out = io.StringIO()
    write_json_stream(assess_stream(datamap, day, regime=regime), out)
    return out.getvalue()


@settings(max_examples=60, deadline=None)
@given(documents(), days, regimes)
def test_the_streamed_report_is_the_report(
    value: dict[str, Any], day: date, regime: Any
) -> None:
    datamap = parse_map(as_json(value), format="json")
    assert streamed(datamap, day, regime) == finished(datamap, day, regime)


@pytest.mark.parametrize("regime", [None, "EU", "UK", "CH"])
def test_the_example(regime: str | None) -> None:
    datamap = load_map(EXAMPLES / "global-group.yaml")
    text = streamed(datamap, DAY, regime)
    assert text == finished(datamap, DAY, regime)
    assert json.loads(text)["summary"]["findings"] > 0


@pytest.mark.parametrize("encoding", ["utf-8", "UTF8", "utf-16", "utf-8-sig"])
def test_a_stream_with_a_buffer(encoding: str) -> None:
    # The spooled lines are copied as bytes into a UTF-8 stream's buffer, and
    # decoded for a stream in another encoding: the text is the same either way.
    datamap = load_map(EXAMPLES / "global-group.yaml")
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding=encoding, newline="")
    out.write("before ")
    assess_stream(datamap, DAY).write_json(out)
    out.write(" after")
    out.flush()
    expected = "before " + finished(datamap, DAY) + " after"
    assert raw.getvalue() == expected.encode(encoding)


def test_no_finding_at_all() -> None:
    # Every flow ended before the date: an empty list, written as `[]`.
    datamap = parse_map(
        as_json(document(flows=[flow("f", "hq-de", "us-cloud", end="2020-01-01")]))
    )
    text = streamed(datamap, DAY)
    assert text == finished(datamap, DAY)
    assert '  "findings": [],\n  "inactive": ["f"],' in text


def test_the_tally_is_the_summary() -> None:
    datamap = load_map(EXAMPLES / "global-group.yaml")
    stream = assess_stream(datamap, DAY)
    findings = list(stream)
    whole = assess(datamap, DAY)
    assert tuple(findings) == whole.findings
    assert stream.tally.summary(inactive=len(stream.inactive)) == whole.summary
    assert stream.tally == Tally.of(whole.findings)
    assert stream.assessment(findings) == whole
    assert stream.assessment().regimes == ("EU", "UK", "CH")


def test_settings_and_progress_are_passed_on() -> None:
    # A TIA of 2026-10-01 is current under the default 365 days and too old under
    # 30: the stream applies the caller's thresholds, and reports its progress.
    datamap = parse_map(as_json(one_scc_flow()))
    strict = Settings(tia_max_age_days=30)
    calls: list[tuple[int, int]] = []
    stream = assess_stream(
        datamap,
        DAY,
        settings=strict,
        regime="EU",
        progress=lambda done, total: calls.append((done, total)),
    )
    findings = list(stream)
    assert [item.status for item in findings] == [Status.ATTENTION]
    assert findings == list(assess(datamap, DAY, settings=strict, regime="EU").findings)
    assert [item.status for item in assess(datamap, DAY).findings] == [Status.OK]
    assert calls == [(1, 1)]


def test_read_once() -> None:
    # A second pass would give a report whose summary counts findings it does not
    # list: it is refused, whichever way the first pass read them.
    stream = assess_stream(load_map(EXAMPLES / "small.yaml"), DAY)
    first = list(stream)
    counts = stream.tally.summary(inactive=0)
    assert first
    message = (
        "the findings of this assessment were already read; call assess_stream "
        "again to make them again"
    )
    with pytest.raises(RuntimeError) as raised:
        list(stream)
    assert str(raised.value) == message
    with pytest.raises(RuntimeError) as raised:
        stream.write_json(io.StringIO())
    assert str(raised.value) == message
    assert stream.tally.summary(inactive=0) == counts
    written = assess_stream(load_map(EXAMPLES / "small.yaml"), DAY)
    written.write_json(io.StringIO())
    with pytest.raises(RuntimeError) as raised:
        next(iter(written))
    assert str(raised.value) == message


def test_no_finding_is_kept() -> None:
    # Each finding is free once the reader drops it: the stream holds none.
    datamap = load_map(EXAMPLES / "global-group.yaml")
    stream = assess_stream(datamap, DAY)
    refs: list[weakref.ref[Finding]] = [weakref.ref(item) for item in stream]
    gc.collect()
    assert len(refs) == len(assess(datamap, DAY).findings)
    assert [ref for ref in refs if ref() is not None] == []


@settings(max_examples=60, deadline=None)
@given(documents(), days, regimes, st.data())
def test_some_flows_get_the_findings_of_the_whole_map(
    value: dict[str, Any], day: date, regime: Any, data: st.DataObject
) -> None:
    # The rules still read the rest of the map (origins, the flows that brought
    # the data): a flow assessed alone gets what the whole assessment gives it.
    datamap = parse_map(as_json(value), format="json")
    ids = [flow.id for flow in datamap.flows]
    chosen = data.draw(
        st.lists(st.sampled_from(ids), max_size=4) if ids else st.just([])
    )
    whole = assess(datamap, day, regime=regime)
    some = assess(datamap, day, regime=regime, flows=chosen)
    assert some.findings == tuple(
        finding for finding in whole.findings if finding.flow in chosen
    )
    assert some.inactive == tuple(item for item in whole.inactive if item in chosen)


def test_some_flows_each_once_in_id_order() -> None:
    datamap = load_map(EXAMPLES / "global-group.yaml")
    calls: list[tuple[int, int]] = []
    stream = assess_stream(
        datamap,
        DAY,
        flows=[
            "in-support-to-ph-overflow",
            "de-to-us-cloud",
            "fr-to-br",
            "de-to-us-cloud",
        ],
        progress=lambda done, total: calls.append((done, total)),
    )
    found = [(finding.flow, finding.regime) for finding in stream]
    assert found == [
        ("de-to-us-cloud", "EU"),
        ("in-support-to-ph-overflow", "EU"),
        ("in-support-to-ph-overflow", "UK"),
        ("in-support-to-ph-overflow", "CH"),
    ]
    # fr-to-br has not started on the date; only the three flows were counted.
    assert stream.inactive == ["fr-to-br"]
    assert calls == [(3, 3)]
    assert stream.tally.summary(inactive=1).flows == 2


def test_an_empty_list_of_flows_assesses_none() -> None:
    stream = assess_stream(load_map(EXAMPLES / "small.yaml"), DAY, flows=[])
    assert list(stream) == []
    assert stream.inactive == []


@pytest.mark.parametrize(
    ("flows", "error", "message"),
    [
        (
            "de-to-us-cloud",
            ArgumentTypeError,
            "flows must be a list of flow ids, got str",
        ),
        (7, ArgumentTypeError, "flows must be a list of flow ids, got int"),
        (
            ["de-to-us-cloud", 7],
            ArgumentTypeError,
            "flows must hold flow ids (strings), got int",
        ),
        (["de-to-us-clod"], KeyError, "\"no flow 'de-to-us-clod' in the map\""),
    ],
)
def test_flows_are_checked_at_once(flows: Any, error: type, message: str) -> None:
    datamap = load_map(EXAMPLES / "global-group.yaml")
    with pytest.raises(error) as raised:
        assess_stream(datamap, DAY, flows=flows)
    assert str(raised.value) == message
    with pytest.raises(error):
        assess(datamap, DAY, flows=flows)


def test_arguments_are_checked_at_once() -> None:
    # Before any flow is read, as `assess` does.
    with pytest.raises(InputError, match="unknown regime 'XX'"):
        assess_stream(load_map(EXAMPLES / "small.yaml"), DAY, regime="XX")


class TestCommand:
    """``assess --format json`` writes the streamed report."""

    def test_the_command_writes_the_report(self, tmp_path: Path) -> None:
        path = EXAMPLES / "global-group.yaml"
        target = tmp_path / "report.json"
        args = ["assess", str(path), "--as-of", "2026-11-28", "--format", "json"]
        result = runner.invoke(app, [*args, "--output", str(target)])
        assert result.exit_code == 0, result.output
        expected = finished(load_map(path), DAY)
        assert target.read_text(encoding="utf-8") == expected
        assert runner.invoke(app, args).stdout == expected

    @pytest.mark.parametrize("to_file", [False, True])
    def test_a_failure_half_way_writes_nothing(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, to_file: bool
    ) -> None:
        real = evaluate
        made: list[str] = []

        def failing(context: Any, trace: Any) -> Any:
            # The EU rules of the fourth flow fail, after three findings were made.
            made.append(context.flow.id)
            if len(made) > 3:
                raise InputError("the reference data has no regime 'XX'")
            return real(context, trace)

        monkeypatch.setattr(engine, "evaluate", failing)
        target = tmp_path / "report.json"
        args = ["assess", str(EXAMPLES / "global-group.yaml"), "--format", "json"]
        result = runner.invoke(
            app, [*args, "--output", str(target)] if to_file else args
        )
        assert result.exit_code == 2
        assert result.stdout == ""
        assert "the reference data has no regime 'XX'" in result.stderr
        assert "Traceback" not in result.stderr
        assert not target.exists()
        assert list(tmp_path.iterdir()) == []


def test_tally_reaches() -> None:
    # The --fail-on test, status by status: gap reaches every threshold, ok none.
    some = assess(load_map(EXAMPLES / "small.yaml"), DAY).findings[0]

    def tally(*statuses: Status) -> Tally:
        return Tally.of(attrs.evolve(some, status=status) for status in statuses)

    assert tally(Status.GAP).reaches(Status.GAP)
    assert tally(Status.GAP).reaches(Status.ATTENTION)
    assert tally(Status.GAP).reaches(Status.OK)
    assert not tally(Status.ATTENTION).reaches(Status.GAP)
    assert tally(Status.ATTENTION).reaches(Status.ATTENTION)
    assert not tally(Status.OK).reaches(Status.ATTENTION)
    assert tally(Status.OK).reaches(Status.OK)
    assert not tally().reaches(Status.OK)
    assert tally(Status.OK, Status.GAP).by_regime(["EU", "UK"]) == {
        "EU": {
            "findings": 2,
            "transfers": 2 * some.transfer,
            "ok": 1,
            "attention": 0,
            "gap": 1,
        },
        "UK": {"findings": 0, "transfers": 0, "ok": 0, "attention": 0, "gap": 0},
    }
