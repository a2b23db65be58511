"""
The JSON report (``transfer-assess/report@1``): the stable contract for tooling.

The dictionary is written by hand, key by key, so that the format is designed rather
than derived from the classes; the text is byte-stable (sorted findings, fixed key
order, two-space indent, trailing newline). Its JSON Schema ships with the package
(`schema_text`) and in ``docs/report.schema.json``.
"""

from __future__ import annotations

import codecs
import functools
import io
import json
import shutil
import tempfile
from importlib import resources
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

import attrs

from transfer_assess.findings import Tally
from transfer_assess.report.jsonline import encode_line

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from transfer_assess.engine import AssessmentStream
    from transfer_assess.findings import Assessment, Finding
    from transfer_assess.tia import TiaResult

SCHEMA_ID = "transfer-assess/report@1"
DISCLAIMER = (
    "This report gives information, not legal advice; it rests on the reference data "
    "named in it."
)


def report_dict(
    assessment: Assessment, *, findings: bool = True, tally: Tally | None = None
) -> dict[str, Any]:
    """
    The report as plain values, keys in their documented order.

    Args:
        assessment: The assessment.
        findings: Include the findings (`write_json` streams them instead).
        tally: The counts of findings written elsewhere (`write_json_stream`);
            by default those of the assessment's findings.
    """
    if tally is None:
        tally = Tally.of(assessment.findings)
    summary = tally.summary(inactive=len(assessment.inactive))
    report: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "organisation": assessment.organisation,
        "as_of": assessment.as_of.isoformat(),
        "regime": assessment.regime,
        "regimes": list(assessment.regimes),
        "reference_data": {
            "version": assessment.reference_version,
            "sha256": assessment.reference_sha256,
        },
        "summary": {
            **attrs.asdict(summary),
            "by_regime": tally.by_regime(assessment.regimes),
        },
        "findings": [],
        "inactive": list(assessment.inactive),
        "disclaimer": DISCLAIMER,
    }
    if findings:
        report["findings"] = [_finding(finding) for finding in assessment.findings]
    else:
        del report["findings"]
    return report


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "flow": finding.flow,
        "regime": finding.regime,
        "exporter": finding.exporter,
        "importer": finding.importer,
        "exporter_country": finding.exporter_country,
        "importer_country": finding.importer_country,
        "importer_organisation": finding.importer_organisation,
        "transfer": finding.transfer,
        "onward": finding.onward,
        "basis": finding.basis.value,
        "status": finding.status.value,
        "scc_module": finding.scc_module,
        "chain": list(finding.chain),
        **({"chain_omitted": finding.chain_omitted} if finding.chain_omitted else {}),
        "recommendations": [
            {
                "action": item.action.value,
                "detail": item.detail,
                "citations": list(item.citations),
            }
            for item in finding.recommendations
        ],
        "reasons": [
            {"rule": item.rule, "text": item.text, "citations": list(item.citations)}
            for item in finding.reasons
        ],
        **({"tia": tia_dict(finding.tia)} if finding.tia is not None else {}),
    }


def _probability(value: float) -> float:
    """A probability rounded to six places (the bytes stay the same everywhere)."""
    return round(value, 6)


def tia_dict(result: TiaResult) -> dict[str, Any]:
    """The conclusion of a transfer impact assessment with answers, and its factors."""
    from transfer_assess.interchange.tables import answers_document  # noqa: PLC0415

    return {
        "date": result.date.isoformat(),
        "assessor": result.assessor,
        "answers_file": result.answers_file,
        "conclusion": result.conclusion.value,
        "rule": result.rule,
        "researched": result.researched,
        "answers": answers_document(result.answers),
        "laws": [
            {
                "id": item.law.id,
                "citation": item.law.citation,
                "url": item.law.url,
                "guarantees": item.law.assessment,
                "reached": item.reached,
                "established": item.definite,
                "factors": [
                    {
                        "name": factor.name,
                        "value": _probability(factor.value),
                        "source": factor.source,
                    }
                    for factor in item.factors
                ],
                "yearly": _probability(item.yearly),
            }
            for item in result.laws
        ],
        "years": result.years,
        "years_source": result.years_source,
        "yearly": _probability(result.yearly),
        "combination": result.combination,
        "probability": _probability(result.probability),
        "threshold": result.threshold,
        "above_threshold": result.above_threshold,
    }


def write_json(assessment: Assessment, stream: TextIO) -> None:
    """
    Write the report as JSON to a stream, one finding per line.

    The header is indented; each finding is one compact line, so that large reports
    stream out (no second copy in memory) through a C encoder (`encode_line`), and
    still diff line by line. The bytes are the same for the same input.
    """
    report = report_dict(assessment, findings=False)
    _write_head(report, stream)
    empty = True
    for text in _batches(assessment.findings):
        stream.write(text)
        empty = False
    _write_tail(report, stream, empty=empty)


def write_json_stream(findings: AssessmentStream, stream: TextIO) -> None:
    """
    Write the report while its findings are made: the same bytes as `write_json`.

    The summary comes before the findings, so their lines go first, encoded, to an
    unnamed temporary file (gone when closed, or when the process ends), then
    follow the header; no finding is kept in memory once its line is made.
    """
    with tempfile.TemporaryFile() as spool:
        for text in _batches(findings):
            spool.write(text.encode("utf-8"))
        empty = spool.tell() == 0
        report = report_dict(
            findings.assessment(), findings=False, tally=findings.tally
        )
        spool.seek(0)
        _write_head(report, stream)
        _copy(spool, stream)
        _write_tail(report, stream, empty=empty)


def _copy(spool: BinaryIO, stream: TextIO) -> None:
    """The spooled UTF-8 lines into a text stream: as bytes where it is UTF-8 too."""
    buffer = getattr(stream, "buffer", None)
    encoding = getattr(stream, "encoding", None)
    if buffer is not None and encoding and codecs.lookup(encoding).name == "utf-8":
        stream.flush()
        shutil.copyfileobj(spool, buffer, _CHUNK)
        return
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    try:
        stream.writelines(iter(functools.partial(text.read, _CHUNK), ""))
    finally:
        text.detach()


def _batches(findings: Iterable[Finding]) -> Iterator[str]:
    """The finding lines, `_BATCH` at a time, each line after its separator."""
    encode = _finding_line
    separator = "\n    "
    batch: list[str] = []
    for finding in findings:
        batch.append(separator)
        batch.append(encode(_finding(finding)))
        separator = ",\n    "
        if len(batch) == 2 * _BATCH:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


def _write_head(report: dict[str, Any], stream: TextIO) -> None:
    """The report's keys before its findings, and the opening of their list."""
    head = list(report.items())
    stream.write("{\n")
    stream.writelines(
        f"  {_dumps(key)}: {_indented(value)},\n" for key, value in head[:-2]
    )
    stream.write('  "findings": [')


def _write_tail(report: dict[str, Any], stream: TextIO, *, empty: bool) -> None:
    """The end of the findings' list and the report's last two keys."""
    stream.write("]," if empty else "\n  ],")
    for index, (key, value) in enumerate(list(report.items())[-2:]):
        separator = "," if index == 0 else ""
        stream.write(f"\n  {_dumps(key)}: {_indented(value)}{separator}")
    stream.write("\n}\n")


#: One encoder for the header's values (``json.dumps`` with options builds one per
#: call); the findings go through `encode_line`.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))

#: Findings encoded and written at a time: few writes, memory bounded.
_BATCH = 1_000
#: Bytes (or characters) copied at a time from the spooled finding lines.
_CHUNK = 1 << 20


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def _finding_line(item: dict[str, Any]) -> str:
    """
    One finding as one line, through the C encoder where its bytes are the same.

    Floats occur only in a concluded transfer impact assessment (``tia``), and there
    the encoders differ (msgspec writes ``0.00001`` where the standard library writes
    ``1e-05``), so such a finding keeps the standard library's bytes.
    """
    return _dumps(item) if "tia" in item else encode_line(item)


def _indented(value: Any) -> str:
    if isinstance(value, dict) and value:
        return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
    return _dumps(value)


def render_json(assessment: Assessment) -> str:
    """The report as JSON text (see `write_json`), byte-identical for the same input."""
    buffer = io.StringIO()
    write_json(assessment, buffer)
    return buffer.getvalue()


def schema_text() -> str:
    """The JSON Schema of the report, as shipped in the package."""
    return (
        resources.files("transfer_assess")
        .joinpath("schemas", "report-1.schema.json")
        .read_text(encoding="utf-8")
    )
