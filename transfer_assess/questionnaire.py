"""
The questions of a transfer impact assessment for one flow, to send to the importer.

`questionnaire` picks what matters for the flow's destination and importer: for each
class of importer that an access law of the destination reaches, whether the
importer is in it (laws that reach every organisation, or reach data in transit,
need no answer and are only named); then the questions on requests received, the
form of the data, keys, transit, remote access, the transfer period and measures.
It renders as Markdown (a document to send), as a YAML answer sheet that a flow's
``tia: {answers_file: …}`` accepts as it is, and as Word through the report's
Markdown-to-Word writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from transfer_assess.model import Measure, to_tuple
from transfer_assess.refdata import country_name
from transfer_assess.report.document import markdown_text

if TYPE_CHECKING:
    from datetime import date

    from transfer_assess.access_laws import AccessLaw
    from transfer_assess.model import DataMap
    from transfer_assess.refdata import ReferenceData


@attrs.frozen
class Question:
    """One question and the answer key it fills."""

    key: str
    """The answer's key in the sheet (``classes.ecsp``, ``data_form``)."""
    text: str
    """The question."""
    choices: str
    """What an answer may be."""


@attrs.frozen
class Questionnaire:
    """The questions for one flow, with what they rest on."""

    flow: str
    """The flow's id."""
    importer: str
    """The importer's name."""
    exporter: str
    """The exporter's name."""
    country: str | None
    """The destination's code."""
    day: date
    """The date the laws are taken on."""
    laws: tuple[AccessLaw, ...] = attrs.field(converter=to_tuple)
    """The destination's access laws in force on the date."""
    classes: tuple[Question, ...] = attrs.field(converter=to_tuple)
    """One question per importer class a law reaches."""
    general: tuple[Question, ...] = attrs.field(converter=to_tuple)
    """The questions every transfer needs."""


_MEASURES = ", ".join(measure.value for measure in Measure)
GENERAL = (
    Question(
        "requests_received",
        "How many requests for personal data did you receive from public "
        "authorities of your country (including orders you were not allowed to "
        "disclose, as far as you may say), over the period given below?",
        "a whole number, 0 or more",
    ),
    Question(
        "requests_years",
        "Over how many years does that count run?",
        "a whole number of years, 1 to 100",
    ),
    Question(
        "data_form",
        "In what form do you hold or see the data: in clear, pseudonymised, or "
        "encrypted?",
        "clear, pseudonymised or encrypted",
    ),
    Question(
        "keys_held_by",
        "If the data is encrypted: who holds the keys, the exporter (in the EEA) "
        "or you?",
        "exporter or importer (only with encrypted)",
    ),
    Question(
        "pseudonymisation_key_in_eea",
        "If the data is pseudonymised: does the information that re-identifies it "
        "stay with the exporter in the EEA?",
        "true or false (only with pseudonymised)",
    ),
    Question(
        "transit_only",
        "Does the data only pass through your country on its way elsewhere?",
        "true or false",
    ),
    Question(
        "remote_access_only",
        "Does the data stay in the EEA, with you reaching it only remotely?",
        "true or false",
    ),
    Question(
        "transfer_years",
        "For how many years will the transfer run?",
        "a number of years above 0",
    ),
    Question(
        "measures",
        "Which of these measures are in place for this data?",
        f"a list of: {_MEASURES}",
    ),
)


def questionnaire(
    datamap: DataMap, flow_id: str, refdata: ReferenceData, day: date
) -> Questionnaire:
    """
    The questions for one flow on a date.

    Raises:
        KeyError: No flow has that id.
    """
    flow = datamap.flow(flow_id)
    importer = datamap.entity(flow.importer)
    exporter = datamap.entity(flow.exporter)
    laws = refdata.access_laws(importer.country, day)
    keys: list[str] = []
    for law in laws:
        keys.extend(
            key for key in law.reaches if key != "any_organisation" and key not in keys
        )
    classes = []
    for key in keys:
        known = refdata.laws.classes.get(key)
        text = known.question if known is not None else f"Are you in the class {key}?"
        classes.append(Question(f"classes.{key}", text, "yes, no or unknown"))
    return Questionnaire(
        flow=flow.id,
        importer=importer.name,
        exporter=exporter.name,
        country=importer.country,
        day=day,
        laws=laws,
        classes=classes,
        general=GENERAL,
    )


def _where(item: Questionnaire) -> str:
    if item.country is None:
        return "an international organisation"
    return f"{country_name(item.country)} ({item.country})"


def to_markdown(item: Questionnaire) -> str:
    """The questionnaire as a Markdown document to send to the importer."""
    lines = [
        f"# Transfer impact assessment: questions for {markdown_text(item.importer)}",
        "",
        (
            f"Flow {markdown_text(item.flow)}, from {markdown_text(item.exporter)} to "
            f"{markdown_text(item.importer)} in {markdown_text(_where(item))}, as of "
            f"{item.day.isoformat()}."
        ),
        (
            "Your answers let the exporter assess whether the laws below reach the "
            "data and whether the measures in place keep it from public authorities "
            "(EDPB Recommendations 01/2020, steps 3 and 4)."
        ),
        "",
        "## The laws concerned",
        "",
    ]
    if not item.laws:
        lines.append("- The reference data lists no access law of the destination.")
    for law in item.laws:
        how = (
            "reaches every organisation in the country"
            if law.reaches_everyone
            else "reaches data in transit, without the importer"
            if law.access_in_transit
            else "reaches the classes asked about below"
            if law.reaches
            else "compels no importer"
        )
        lines.append(
            f"- {markdown_text(law.name)} ([{markdown_text(law.citation)}]"
            f"(<{law.url}>)): {how}."
        )
    lines += ["", "## Questions", ""]
    for number, question in enumerate((*item.classes, *item.general), start=1):
        lines.append(
            f"{number}. {markdown_text(question.text)} *Answer: "
            f"{markdown_text(question.choices)}.*"
        )
    lines += [
        "",
        (
            "Please answer in the YAML answer sheet the exporter sends with these "
            "questions, or give the answers in the same order."
        ),
        "",
        "*Information, not legal advice.*",
    ]
    return "\n".join(lines) + "\n"


def _comment(text: str) -> list[str]:
    """A text as YAML comment lines (one line each, no control characters)."""
    words = " ".join(text.split())
    lines: list[str] = []
    line = "#"
    for word in words.split(" "):
        if len(line) + len(word) + 1 > 88 and line != "#":  # noqa: PLR2004 - width
            lines.append(line)
            line = "#"
        line += " " + word
    lines.append(line)
    return lines


def to_yaml(item: Questionnaire) -> str:
    """
    The answer sheet: every question as a comment, every answer empty or unknown.

    The sheet is what a flow's ``answers_file`` reads: fill it in and name it there.
    """
    lines = [
        *_comment(
            f"Transfer impact assessment: answer sheet for flow {item.flow}, from "
            f"{item.exporter} to {item.importer} in {_where(item)}, as of "
            f"{item.day.isoformat()}."
        ),
        *_comment(
            "Answer what you can; leave 'unknown' or an empty value where you "
            "cannot. The map names this file in the flow's tia record: "
            "tia: {date: ..., answers_file: <this file>}."
        ),
        "",
    ]
    if item.classes:
        lines.append("classes:")
        for question in item.classes:
            lines += [
                "  " + text
                for text in _comment(f"{question.text} ({question.choices})")
            ]
            lines.append(f"  {question.key.partition('.')[2]}: unknown")
        lines.append("")
    for question in item.general:
        lines += _comment(f"{question.text} ({question.choices})")
        empty = "[]" if question.key == "measures" else ""
        lines.append(f"{question.key}: {empty}".rstrip())
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


__all__ = [
    "GENERAL",
    "Question",
    "Questionnaire",
    "questionnaire",
    "to_markdown",
    "to_yaml",
]
