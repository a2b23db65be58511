"""
Word output of the report and the SCC packs, for counsel who edit in Word.

The one module that imports python-docx. It turns the Markdown this package renders
(a small, known subset: headings, paragraphs, bullet and numbered lists, quotes,
tables, bold and italic text, links) into a Word document with real headings and
tables. Relative links between report pages become links to bookmarks inside the one
document. Empty table cells (the sign-off block) and the packs' "[to be completed: …]"
blanks become Word content controls, so that they are fields to fill in. Every page's
footer carries the provenance record and "Page N of M". The file is reproducible: zip
entries carry the generation time, which honours ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import docx
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from transfer_assess.report.document import render_report
from transfer_assess.report.provenance import provenance as make_provenance

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from docx.document import Document
    from docx.text.paragraph import Paragraph

    from transfer_assess.findings import Assessment
    from transfer_assess.model import DataMap
    from transfer_assess.profiles import CountryProfile
    from transfer_assess.refdata import ReferenceData
    from transfer_assess.report.provenance import Provenance

_HEADING = re.compile(r"^(#{1,4}) (.*)$")
_BULLET = re.compile(r"^( *)[-*] (.*)$")
_NUMBER = re.compile(r"^( *)\d+\. (.*)$")
# Markup counts only where it is not escaped: values from the map arrive with every
# Markdown character backslash-escaped, so they can never open a link or a field.
_INLINE = re.compile(
    r"((?<!\\)\*\*\[to be completed: (?P<blank>.*?)\]\*\*)"
    r"|((?<!\\)\*\*(?P<bold>.+?)(?<!\\)\*\*)"
    r"|(?<![\\*])\*(?P<italic>[^*]+?)(?<!\\)\*"
    r"|((?<!\\)\[(?P<label>(?:[^\]\\]|\\.)*)\]\((?:<(?P<angle>[^>]*)>|(?P<url>[^)\s]*))\))"
)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ESCAPE = re.compile(r"\\([\\`*_\[\]|~#>!-])")
_GREY = RGBColor(0x57, 0x60, 0x6A)
_LINK = RGBColor(0x0B, 0x57, 0xD0)


def _plain(text: str) -> str:
    """Markdown text without escapes or entities, in characters XML allows."""
    return _NOT_XML.sub("\ufffd", html.unescape(_ESCAPE.sub(r"\1", text)))


def _bookmark_name(page: str) -> str:
    """A Word bookmark name for a report page (letters, digits, '_', ≤ 40 chars)."""
    return re.sub(r"[^A-Za-z0-9]", "_", page.rsplit(".", 1)[0])[:40]


class _Writer:
    """Appends Markdown blocks to a python-docx document."""

    def __init__(self, document: Document, pages: Sequence[str]) -> None:
        self.document = document
        self.pages = set(pages)
        self.bookmarks = 0

    # -- inline -----------------------------------------------------------------

    def inline(self, paragraph: Paragraph, text: str, *, bold: bool = False) -> None:
        """Add Markdown inline text (bold, italic, links, blanks) to a paragraph."""
        position = 0
        for match in _INLINE.finditer(text):
            self.run(paragraph, text[position : match.start()], bold=bold)
            if match.group("blank") is not None:
                self.field(paragraph, _plain(match.group("blank")))
            elif match.group("bold") is not None:
                self.inline(paragraph, match.group("bold"), bold=True)
            elif match.group("italic") is not None:
                self.run(paragraph, match.group("italic"), bold=bold, italic=True)
            else:
                target = match.group("angle") or match.group("url") or ""
                self.link(paragraph, _plain(match.group("label")), target)
            position = match.end()
        self.run(paragraph, text[position:], bold=bold)

    @staticmethod
    def run(
        paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False
    ) -> None:
        """A plain run; nothing for empty text."""
        if text:
            run = paragraph.add_run(_plain(text))
            run.bold = bold or None
            run.italic = italic or None

    def link(self, paragraph: Paragraph, label: str, target: str) -> None:
        """A hyperlink: to a bookmark for another report page, else to the address."""
        element = OxmlElement("w:hyperlink")
        if target in self.pages:
            element.set(qn("w:anchor"), _bookmark_name(target))
        else:
            relation = paragraph.part.relate_to(
                target,
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                "hyperlink",
                is_external=True,
            )
            element.set(qn("r:id"), relation)
        run = OxmlElement("w:r")
        properties = OxmlElement("w:rPr")
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), str(_LINK))
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        properties.extend([colour, underline])
        text = OxmlElement("w:t")
        text.text = label
        text.set(qn("xml:space"), "preserve")
        run.extend([properties, text])
        element.append(run)
        paragraph._p.append(element)  # noqa: SLF001 - python-docx has no hyperlink API

    @staticmethod
    def field(paragraph: Paragraph, prompt: str) -> None:
        """A plain-text content control showing `prompt` until it is filled in."""
        sdt = OxmlElement("w:sdt")
        properties = OxmlElement("w:sdtPr")
        alias = OxmlElement("w:alias")
        alias.set(qn("w:val"), prompt)
        placeholder = OxmlElement("w:showingPlcHdr")
        plain = OxmlElement("w:text")
        properties.extend([alias, placeholder, plain])
        content = OxmlElement("w:sdtContent")
        run = OxmlElement("w:r")
        run_properties = OxmlElement("w:rPr")
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), str(_GREY))
        run_properties.append(colour)
        text = OxmlElement("w:t")
        text.text = f"[{prompt}]"
        text.set(qn("xml:space"), "preserve")
        run.extend([run_properties, text])
        content.append(run)
        sdt.extend([properties, content])
        paragraph._p.append(sdt)  # noqa: SLF001 - python-docx has no content-control API

    def bookmark(self, paragraph: Paragraph, name: str) -> None:
        """Mark a paragraph as the target of links to `name`."""
        self.bookmarks += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.bookmarks))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.bookmarks))
        paragraph._p.insert(0, start)  # noqa: SLF001 - no bookmark API either
        paragraph._p.append(end)  # noqa: SLF001

    # -- blocks -------------------------------------------------------------------

    def page(self, text: str, *, bookmark: str | None = None) -> None:
        """Append one Markdown page."""
        lines = text.splitlines()
        index = 0
        first_heading = True
        paragraph: list[str] = []

        def flush() -> None:
            if paragraph:
                self.inline(self.document.add_paragraph(), " ".join(paragraph))
                paragraph.clear()

        while index < len(lines):
            line = lines[index]
            stripped = line.strip()
            heading = _HEADING.match(line)
            if stripped.startswith("```"):
                flush()
                index += 1
                while index < len(lines) and not lines[index].startswith("```"):
                    index += 1
                note = self.document.add_paragraph(
                    "The flow graph is drawn in the HTML report (transfer-assess "
                    "report --format html) and by transfer-assess graph."
                )
                note.runs[0].italic = True
            elif heading:
                flush()
                level = len(heading.group(1))
                element = self.document.add_heading(level=level)
                self.inline(element, heading.group(2))
                if bookmark and first_heading:
                    self.bookmark(element, bookmark)
                first_heading = False
            elif stripped.startswith("|"):
                flush()
                rows = []
                while index < len(lines) and lines[index].strip().startswith("|"):
                    rows.append(lines[index].strip())
                    index += 1
                self.table(rows)
                continue
            elif stripped.startswith(">"):
                flush()
                quoted = []
                while index < len(lines) and lines[index].strip().startswith(">"):
                    quoted.append(lines[index].strip()[1:].removeprefix(" "))
                    index += 1
                self.quote(quoted)
                continue
            elif _BULLET.match(line) or _NUMBER.match(line):
                flush()
                self.item(line)
            elif stripped in {"", "---"}:
                flush()
            else:
                paragraph.append(stripped)
            index += 1
        flush()

    def item(self, line: str) -> None:
        """One list item, bulleted or numbered, indented by its leading spaces."""
        bullet = _BULLET.match(line)
        match = bullet or _NUMBER.match(line)
        if match is None:  # pragma: no cover - callers check first
            return
        depth = min(len(match.group(1)) // 2, 2)
        base = "List Bullet" if bullet else "List Number"
        style = base if depth == 0 else f"{base} {depth + 1}"
        self.inline(self.document.add_paragraph(style=style), match.group(2))

    def quote(self, lines: list[str]) -> None:
        """A quoted box: its paragraphs and list items in the Quote style."""
        buffer: list[str] = []

        def flush() -> None:
            if buffer:
                self.inline(
                    self.document.add_paragraph(style="Quote"), " ".join(buffer)
                )
                buffer.clear()

        for line in lines:
            if not line.strip():
                flush()
            elif bullet := _BULLET.match(line):
                flush()
                paragraph = self.document.add_paragraph(style="Quote")
                self.inline(paragraph, "• " + bullet.group(2))
            else:
                buffer.append(line.strip())
        flush()

    def table(self, rows: list[str]) -> None:
        """A Markdown table; the first row is its header."""
        cells = [
            [cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]]
            for row in rows
            if not re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", row.replace(" ", ""))
        ]
        if not cells:
            return
        width = max(len(row) for row in cells)
        table = self.document.add_table(rows=len(cells), cols=width)
        table.style = "Table Grid"
        for number, row in enumerate(cells):
            for column in range(width):
                value = row[column] if column < len(row) else ""
                paragraph = table.cell(number, column).paragraphs[0]
                if number == 0:
                    self.inline(paragraph, value, bold=True)
                elif value:
                    self.inline(paragraph, value)
                elif column > 0:
                    label = _plain(row[0]) if row else "value"
                    self.field(paragraph, label or "to be completed")
        self.document.add_paragraph()


def _footer(document: Document, record: Provenance) -> None:
    """Provenance and "Page N of M" in every page's footer."""
    paragraph = document.sections[0].footer.paragraphs[0]
    digest = (record.map_sha256 or "not recorded")[:16]
    text = (
        f"transfer-assess {record.tool_version} · map {digest} · reference data "
        f"{record.reference_version} · {record.generated} · Page "
    )
    run = paragraph.add_run(text)
    run.font.size = Pt(7)
    run.font.color.rgb = _GREY
    for name, after in (("PAGE", " of "), ("NUMPAGES", "")):
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), name)
        inner = OxmlElement("w:r")
        value = OxmlElement("w:t")
        value.text = "1"
        inner.append(value)
        field.append(inner)
        paragraph._p.append(field)  # noqa: SLF001 - python-docx has no field API
        if after:
            tail = paragraph.add_run(after)
            tail.font.size = Pt(7)
            tail.font.color.rgb = _GREY


def _reproducible(blob: bytes, moment: datetime) -> bytes:
    """The same package with every zip entry dated `moment` (for equal bytes)."""
    stamp = (max(moment.year, 1980), *moment.timetuple()[1:6])
    source = zipfile.ZipFile(io.BytesIO(blob))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return output.getvalue()


def markdown_to_docx(
    pages: Sequence[tuple[str, str]], *, title: str, record: Provenance
) -> bytes:
    """
    A Word document from Markdown pages, each page after a page break.

    Args:
        pages: ``(file name, Markdown)`` pairs; links to another page's file name
            become links inside the document.
        title: The document's title property.
        record: The provenance shown in the footer; its time dates the document.

    Returns:
        The ``.docx`` file's bytes.
    """
    document = docx.Document()
    moment = datetime.strptime(record.generated, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=UTC
    )
    properties = document.core_properties
    properties.title = _NOT_XML.sub("\ufffd", title)
    properties.author = "transfer-assess"
    properties.created = moment
    properties.modified = moment
    properties.last_modified_by = "transfer-assess"
    properties.revision = 1
    _footer(document, record)
    writer = _Writer(document, [name for name, _ in pages])
    for number, (name, text) in enumerate(pages):
        if number:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        writer.page(text, bookmark=_bookmark_name(name))
    buffer = io.BytesIO()
    document.save(buffer)
    return _reproducible(buffer.getvalue(), moment)


def render_report_docx(
    datamap: DataMap,
    assessment: Assessment,
    refdata: ReferenceData,
    *,
    profiles: Mapping[str, CountryProfile] | None = None,
    provenance: Provenance | None = None,
) -> bytes:
    """
    The whole report as one Word document: the index, then each transfer's page.

    Raises:
        InputError: ``SOURCE_DATE_EPOCH`` is malformed (when `provenance` is omitted).
    """
    record = provenance or make_provenance(datamap, assessment)
    files = render_report(
        datamap,
        assessment,
        refdata,
        format="markdown",
        profiles=profiles,
        provenance=record,
    )
    pages = [("index.md", files.pop("index.md")), *sorted(files.items())]
    title = f"Transfer assessment: {datamap.organisation} on {assessment.as_of}"
    return markdown_to_docx(pages, title=title, record=record)


def render_scc_docx(text: str, flow_id: str, record: Provenance) -> bytes:
    """An SCC pack (rendered Markdown) as a Word document."""
    return markdown_to_docx(
        [(f"scc-{flow_id}.md", text)],
        title=f"SCC pack for flow {flow_id}",
        record=record,
    )
