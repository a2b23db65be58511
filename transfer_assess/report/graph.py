"""
The flow graph as a picture or an interchange file: DOT, Mermaid, GraphML and SVG.

`graph_view` turns a map and its assessment into a small view model: entities grouped
by jurisdiction (EEA first, then countries with an adequacy decision, then the rest),
and flows coloured by the status of their finding. The writers render that model; every
value from the map is escaped for the target syntax, and the output is deterministic.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as _escape

import attrs
import networkx as nx

from transfer_assess.model import to_tuple
from transfer_assess.refdata import country_name
from transfer_assess.safetext import inert

if TYPE_CHECKING:
    from collections.abc import Mapping

    from transfer_assess.findings import Assessment
    from transfer_assess.model import DataMap
    from transfer_assess.refdata import ReferenceData

#: Colours of edge statuses (ok, attention, gap, no transfer, inactive).
COLOURS = {
    "ok": "#2e7d32",
    "attention": "#8a4b00",
    "gap": "#c62828",
    "none": "#616161",
    "inactive": "#8a8a8a",
}
_REGION_TITLES = {
    "eea": "EEA",
    "adequate": "adequacy decision",
    "third": "third country",
    "io": "international organisation",
}
_REGION_ORDER = {"eea": 0, "adequate": 1, "third": 2, "io": 3}


@attrs.frozen
class Node:
    """An entity in the picture."""

    id: str
    """Entity id."""
    name: str
    """Legal name."""
    kind: str
    """Kind of entity."""


@attrs.frozen
class Cluster:
    """The entities of one jurisdiction."""

    key: str
    """Country code or organisation slug."""
    title: str
    """Heading, e.g. ``DE Germany (EEA)``."""
    region: str
    """``eea``, ``adequate``, ``third`` or ``io``."""
    nodes: tuple[Node, ...] = attrs.field(converter=to_tuple)
    """Its entities, sorted by id."""


@attrs.frozen
class Edge:
    """A flow in the picture."""

    flow: str
    """Flow id."""
    source: str
    """Exporter id."""
    target: str
    """Importer id."""
    status: str
    """``ok``, ``attention``, ``gap``, ``none`` (not a transfer) or ``inactive``."""
    basis: str
    """The finding's basis, or ``inactive``."""


@attrs.frozen
class GraphView:
    """What the writers draw."""

    title: str
    """The organisation and date."""
    clusters: tuple[Cluster, ...] = attrs.field(converter=to_tuple)
    """Jurisdictions, EEA first."""
    edges: tuple[Edge, ...] = attrs.field(converter=to_tuple)
    """Flows, sorted by id."""


def graph_view(
    datamap: DataMap, assessment: Assessment, refdata: ReferenceData
) -> GraphView:
    """
    Build the picture's model from a map and its assessment.

    Ids and names pass through `transfer_assess.safetext.inert`: a map built in code,
    which the loader has not checked, cannot put control, bidirectional or
    zero-width characters into any graph format either.

    Args:
        datamap: The map.
        assessment: Its assessment (for edge statuses and the date).
        refdata: For grouping jurisdictions (EEA, adequate, other) on the date.
    """
    day = assessment.as_of
    members: dict[str, list[Node]] = {}
    regions: dict[str, str] = {}
    for entity in datamap.entities:
        key = entity.jurisdiction
        members.setdefault(key, []).append(
            Node(inert(entity.id), inert(entity.name), entity.kind.value)
        )
        if entity.country is None:
            regions[key] = "io"
        elif refdata.is_eea(entity.country, day, as_importer=True):
            regions[key] = "eea"
        elif refdata.decisions_for(entity.country, day):
            regions[key] = "adequate"
        else:
            regions[key] = "third"
    clusters = []
    for key in sorted(members, key=lambda key: (_REGION_ORDER[regions[key]], key)):
        region = regions[key]
        name = key if region == "io" else f"{key} {country_name(key)}"
        clusters.append(
            Cluster(
                key=key,
                title=f"{name} ({_REGION_TITLES[region]})",
                region=region,
                nodes=sorted(members[key], key=lambda node: node.id),
            )
        )
    findings = assessment.findings_by_flow()
    edges = []
    for flow in sorted(datamap.flows, key=lambda flow: flow.id):
        finding = findings.get(flow.id)
        if finding is None:
            status, basis = "inactive", "inactive"
        else:
            status = finding.status.value if finding.transfer else "none"
            basis = finding.basis.value
        edges.append(
            Edge(
                inert(flow.id),
                inert(flow.exporter),
                inert(flow.importer),
                status,
                basis,
            )
        )
    return GraphView(
        title=f"{inert(datamap.organisation)} on {day.isoformat()}",
        clusters=clusters,
        edges=edges,
    )


# -- DOT ----------------------------------------------------------------------------


def _dot_string(text: str) -> str:
    cleaned = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + cleaned.replace("\r", " ").replace("\n", "\\n") + '"'


_DOT_STYLES = {
    "ok": "solid",
    "attention": "dashed",
    "gap": '"dotted,bold"',
    "none": '"dashed"',
    "inactive": "dotted",
}


def to_dot(view: GraphView) -> str:
    """The graph in Graphviz DOT, one cluster per jurisdiction."""
    lines = [
        f"digraph {_dot_string(view.title)} {{",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for index, cluster in enumerate(view.clusters):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={_dot_string(cluster.title)};")
        for node in cluster.nodes:
            label = f"{node.name}\n({node.id})"
            lines.append(f"    {_dot_string(node.id)} [label={_dot_string(label)}];")
        lines.append("  }")
    for edge in view.edges:
        style = _DOT_STYLES[edge.status]
        lines.append(
            f"  {_dot_string(edge.source)} -> {_dot_string(edge.target)} "
            f"[label={_dot_string(edge.flow)}, "
            f"color={_dot_string(COLOURS[edge.status])}, "
            f"tooltip={_dot_string(f'{edge.flow}: {edge.status} ({edge.basis})')}"
            f", style={style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- Mermaid ------------------------------------------------------------------------

_MERMAID_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,_-:/()"
)


def mermaid_text(text: str) -> str:
    """Escape a label for Mermaid: every other character becomes ``#code;``."""
    return "".join(char if char in _MERMAID_SAFE else f"#{ord(char)};" for char in text)


def to_mermaid(view: GraphView) -> str:
    """The graph as a Mermaid flowchart (renders on GitHub and GitLab)."""
    lines = ["flowchart LR"]
    ids: dict[str, str] = {}
    for index, cluster in enumerate(view.clusters):
        lines.append(f'  subgraph c{index}["{mermaid_text(cluster.title)}"]')
        for node in cluster.nodes:
            ids[node.id] = f"n{len(ids)}"
            label = f"{node.name} ({node.id})"
            lines.append(f'    {ids[node.id]}["{mermaid_text(label)}"]')
        lines.append("  end")
    styles = []
    for index, edge in enumerate(view.edges):
        arrow = {"gap": "==>", "none": "-.->", "inactive": "-.->"}.get(
            edge.status, "-->"
        )
        lines.append(
            f'  {ids[edge.source]} {arrow}|"{mermaid_text(edge.flow)}"| '
            f"{ids[edge.target]}"
        )
        dash = LINE_STYLES[edge.status][1]
        styles.append(
            f"  linkStyle {index} stroke:{COLOURS[edge.status]},color:"
            f"{COLOURS[edge.status]}"
            + (
                f",stroke-dasharray:{dash}"
                if dash and edge.status == "attention"
                else ""
            )
        )
    return "\n".join(lines + styles) + "\n"


# -- GraphML ------------------------------------------------------------------------


def to_graphml(view: GraphView) -> str:
    """The graph as GraphML, with jurisdiction, region and status attributes."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(name=view.title)
    for cluster in view.clusters:
        for node in cluster.nodes:
            graph.add_node(
                node.id,
                name=node.name,
                kind=node.kind,
                jurisdiction=cluster.key,
                region=cluster.region,
            )
    for edge in view.edges:
        graph.add_edge(
            edge.source,
            edge.target,
            key=edge.flow,
            flow=edge.flow,
            status=edge.status,
            basis=edge.basis,
        )
    buffer = io.BytesIO()
    # NOTE: the plain writer, not the lxml one networkx picks when lxml is installed
    # (python-docx brings it): the two format differently, and output must not vary.
    nx.write_graphml_xml(graph, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue().decode("utf-8")


# -- SVG ----------------------------------------------------------------------------

#: Above this many entities, or `AGGREGATE_FLOWS_ABOVE` flows, the SVG shows one box
#: per jurisdiction, not per entity: more would not be legible on a page.
AGGREGATE_ABOVE = 60
AGGREGATE_FLOWS_ABOVE = 150
#: Line style of each status, so that status never rests on colour alone.
LINE_STYLES = {
    "ok": ("2", None, "solid"),
    "attention": ("2", "8 4", "dashed"),
    "gap": ("3.2", "2 3", "dotted, thick"),
    "none": ("1.2", "10 3 2 3", "dash-dot, thin"),
    "inactive": ("1", "1 4", "faint dots"),
}
_STATUS_WORDS = {
    "ok": "✓ ok",
    "attention": "! attention",
    "gap": "✗ gap",
    "none": "not a restricted transfer",
    "inactive": "inactive on the date",
}
_STATUS_RANK = {"inactive": 0, "none": 1, "ok": 2, "attention": 3, "gap": 4}
_NODE_W, _LINE, _GAP = 210, 15, 10
_PAD, _COL_GAP, _ROW_GAP = 10, 130, 26
_CLUSTER_W = _NODE_W + 2 * _PAD
_CHARS = 30
_COLUMNS = 3
_QUOTES = {'"': "&quot;", "'": "&#39;"}
_FILLS = {"eea": "#e8f1fb", "adequate": "#eef7ee", "third": "#fbeeee", "io": "#f3eefa"}


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def escape(text: str) -> str:
    """
    Escape text for XML, quotes included (safe in text and in attributes).

    Characters XML 1.0 does not allow, and bidirectional overrides, become U+FFFD, so
    that a name from the map can neither break the document nor reorder what is shown.
    """
    text = _BIDI.sub("\ufffd", _NOT_XML.sub("\ufffd", text))
    return _escape(text, _QUOTES)


def quoteattr(text: str) -> str:
    """An XML attribute value in double quotes, fully escaped."""
    return f'"{escape(text)}"'


def wrap(text: str, width: int = _CHARS) -> list[str]:
    """
    Break text into lines of at most `width` characters, at spaces where possible.

    Nothing is cut: a word longer than a line is split across lines.
    """
    lines: list[str] = []
    current = ""
    for whole in text.split():
        word = whole
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    return lines


def aggregate(view: GraphView) -> GraphView:
    """
    One node per jurisdiction, one edge per pair of jurisdictions (for large maps).

    An aggregated edge has the worst status of its flows and says how many it stands
    for; flows inside one jurisdiction are counted on its node.
    """
    clusters = []
    where = {}
    for cluster in view.clusters:
        for node in cluster.nodes:
            where[node.id] = cluster.key
    inside: dict[str, int] = {}
    pairs: dict[tuple[str, str], list[Edge]] = {}
    for edge in view.edges:
        source, target = where[edge.source], where[edge.target]
        if source == target:
            inside[source] = inside.get(source, 0) + 1
        else:
            pairs.setdefault((source, target), []).append(edge)
    for cluster in view.clusters:
        count = len(cluster.nodes)
        name = f"{count} {'entity' if count == 1 else 'entities'}"
        if inside.get(cluster.key):
            name += f", {inside[cluster.key]} flows inside"
        clusters.append(
            attrs.evolve(cluster, nodes=(Node(cluster.key, name, "jurisdiction"),))
        )
    edges = []
    for (source, target), members in sorted(pairs.items()):
        worst = max(members, key=lambda edge: _STATUS_RANK[edge.status]).status
        edges.append(
            Edge(
                flow=f"{len(members)} {'flow' if len(members) == 1 else 'flows'}",
                source=source,
                target=target,
                status=worst,
                basis="aggregated",
            )
        )
    return GraphView(title=view.title, clusters=clusters, edges=edges)


@attrs.frozen
class _Box:
    """Where one node is drawn."""

    x: float
    y: float
    height: float
    lines: tuple[str, ...]


def _layout(
    view: GraphView,
) -> tuple[
    dict[str, _Box], list[tuple[Cluster, float, float, float, list[str]]], float, float
]:
    """Clusters in columns, each placed under the shortest column so far (EEA first)."""
    tops = [40.0] * _COLUMNS
    boxes: dict[str, _Box] = {}
    placed: list[tuple[Cluster, float, float, float, list[str]]] = []
    for cluster in view.clusters:
        column = min(range(_COLUMNS), key=lambda index: (tops[index], index))
        x = 20.0 + column * (_CLUSTER_W + _COL_GAP)
        y = tops[column]
        title = wrap(cluster.title, _CHARS + 2)
        cursor = y + 8 + _LINE * len(title) + 6
        for node in cluster.nodes:
            lines = (*wrap(node.name), *wrap(f"({node.id})"))
            box_height = 10.0 + _LINE * len(lines)
            boxes[node.id] = _Box(x + _PAD, cursor, box_height, lines)
            cursor += box_height + _GAP
        height = cursor - _GAP + _PAD - y
        placed.append((cluster, x, y, height, title))
        tops[column] = y + height + _ROW_GAP
    # the right margin leaves room for the loops of edges within the last column
    width = 20.0 + _COLUMNS * _CLUSTER_W + (_COLUMNS - 1) * _COL_GAP + 120
    return boxes, placed, width, max(tops)


def to_svg(view: GraphView, links: Mapping[str, str] | None = None) -> str:
    """
    The graph as a self-contained SVG that prints legibly on A4.

    Jurisdictions are boxes in three columns, EEA first; entity names are wrapped,
    never cut. Edges are drawn beneath the boxes, each labelled with its flow id (a
    link to its page when `links` names one), with status shown by line style as well
    as colour, and a legend at the foot. Maps with more than `AGGREGATE_ABOVE`
    entities or `AGGREGATE_FLOWS_ABOVE` flows are drawn by jurisdiction
    (`aggregate`). Every text is escaped.
    """
    entities = sum(len(cluster.nodes) for cluster in view.clusters)
    flows = len(view.edges)
    aggregated = entities > AGGREGATE_ABOVE or len(view.edges) > AGGREGATE_FLOWS_ABOVE
    if aggregated:
        view = aggregate(view)
        links = None
    links = links or {}
    boxes, placed, width, bottom = _layout(view)
    legend_top = bottom + 10
    total_height = legend_top + 30 + 18 * ((len(LINE_STYLES) + 2) // 3)
    title = f"Flow graph: {view.title}"
    if aggregated:
        title += f" ({entities} entities, {flows} flows, drawn by jurisdiction)"
    out: list[str] = [
        (
            '<svg xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {width:.0f} {total_height:.0f}" '
            f'width="{width:.0f}" height="{total_height:.0f}" role="img" '
            f"aria-label={quoteattr(title)} "
            'font-family="Helvetica, Arial, sans-serif" font-size="12">'
        ),
        f"<title>{escape(title)}</title>",
        "<defs>",
    ]
    for status, colour in COLOURS.items():
        out.append(
            f'<marker id="arrow-{status}" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" '
            'orient="auto-start-reverse">'
            f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    out.append(
        f'<rect width="{width:.0f}" height="{total_height:.0f}" fill="#ffffff"/>'
    )
    out.append(
        f'<text x="20" y="24" font-size="15" font-weight="bold">{escape(title)}</text>'
    )
    for cluster, x, y, height, _ in placed:
        out.append(
            f'<g class="cluster region-{cluster.region}">'
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{_CLUSTER_W}" height="{height:.0f}" '
            f'rx="8" fill="{_FILLS[cluster.region]}" stroke="#9e9e9e"/></g>'
        )
    curves = [_curve(edge, boxes) for edge in view.edges]
    out.extend(
        _svg_edge(edge, path)
        for edge, (path, _) in zip(view.edges, curves, strict=True)
    )
    for cluster, x, y, _, lines in placed:
        out.append(
            f'<g class="cluster-title">'
            f'<rect x="{x + 2:.0f}" y="{y + 2:.0f}" width="{_CLUSTER_W - 4}" '
            f'height="{_LINE * len(lines) + 6:.0f}" rx="6" '
            f'fill="{_FILLS[cluster.region]}"/>'
            + _text_lines(x + _PAD, y + 8 + 11, lines, bold=True)
            + "</g>"
        )
    for cluster in view.clusters:
        for node in cluster.nodes:
            box = boxes[node.id]
            names = len(wrap(node.name))
            out.append(
                f'<g class="node" data-id={quoteattr(node.id)}>'
                f"<title>{escape(f'{node.name} ({node.id}, {node.kind})')}</title>"
                f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{_NODE_W}" '
                f'height="{box.height:.0f}" rx="5" fill="#ffffff" stroke="#616161"/>'
                + _text_lines(box.x + 8, box.y + 5 + 11, box.lines[:names])
                + _text_lines(
                    box.x + 8,
                    box.y + 5 + 11 + _LINE * names,
                    box.lines[names:],
                    muted=True,
                )
                + "</g>"
            )
    placed_labels = _Occupied()
    for box in boxes.values():
        placed_labels.add((box.x, box.y, _NODE_W, box.height))
    for _, x, y, _, lines in placed:
        placed_labels.add((x, y, _CLUSTER_W, 8 + _LINE * len(lines)))
    for edge, (_, points) in zip(view.edges, curves, strict=True):
        out.append(
            _edge_label(edge, points, placed_labels, links.get(edge.flow), width)
        )
    out.append(_legend(legend_top))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _text_lines(
    x: float,
    y: float,
    lines: tuple[str, ...] | list[str],
    *,
    bold: bool = False,
    muted: bool = False,
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    colour = ' fill="#57606a" font-size="11"' if muted else ""
    spans = "".join(
        f'<tspan x="{x:.0f}" dy="{0 if index == 0 else _LINE}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text x="{x:.0f}" y="{y:.0f}"{weight}{colour}>{spans}</text>'


Point = tuple[float, float]


def _curve(
    edge: Edge, boxes: Mapping[str, _Box]
) -> tuple[str, tuple[Point, Point, Point, Point]]:
    """The path of an edge, and its four Bézier control points."""
    source, target = boxes[edge.source], boxes[edge.target]
    sy = source.y + source.height / 2
    ty = target.y + target.height / 2
    if abs(source.x - target.x) < 1:  # same column: loop out to the right
        start = (source.x + _NODE_W, sy)
        end = (target.x + _NODE_W, ty)
        bend = 40 + min(abs(sy - ty) / 5, 70)
        points = (start, (start[0] + bend, sy), (end[0] + bend, ty), end)
    else:
        if target.x > source.x:
            start, end = (source.x + _NODE_W, sy), (target.x, ty)
        else:
            start, end = (source.x, sy), (target.x + _NODE_W, ty)
        middle = (start[0] + end[0]) / 2
        points = (start, (middle, sy), (middle, ty), end)
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    path = (
        f"M {x0:.0f} {y0:.0f} C {x1:.0f} {y1:.0f}, {x2:.0f} {y2:.0f}, {x3:.0f} {y3:.0f}"
    )
    return path, points


def _bezier(points: tuple[Point, Point, Point, Point], t: float) -> Point:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    u = 1 - t
    x = u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3
    y = u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3
    return x, y


def _svg_edge(edge: Edge, path: str) -> str:
    stroke, dash, _ = LINE_STYLES[edge.status]
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    colour = COLOURS[edge.status]
    return (
        f'<g class="edge status-{edge.status}" data-flow={quoteattr(edge.flow)}>'
        f"<title>{escape(f'{edge.flow}: {_STATUS_WORDS[edge.status]} ({edge.basis})')}"
        f'</title><path d="{path}" fill="none" stroke="{colour}" '
        f'stroke-width="{stroke}"{dashes} marker-end="url(#arrow-{edge.status})"/></g>'
    )


Rect = tuple[float, float, float, float]


class _Occupied:
    """Rectangles already drawn, bucketed by a coarse grid so that checks stay local."""

    cell = 64.0

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[Rect]] = {}

    def _keys(self, rect: Rect) -> list[tuple[int, int]]:
        x, y, width, height = rect
        columns = range(int(x // self.cell), int((x + width) // self.cell) + 1)
        rows = range(int(y // self.cell), int((y + height) // self.cell) + 1)
        return [(column, row) for column in columns for row in rows]

    def add(self, rect: Rect) -> None:
        """Mark a rectangle as taken."""
        for key in self._keys(rect):
            self.cells.setdefault(key, []).append(rect)

    def free(self, rect: Rect) -> bool:
        """Whether a rectangle overlaps nothing taken."""
        return not any(
            _overlaps(rect, other)
            for key in self._keys(rect)
            for other in self.cells.get(key, ())
        )


def _edge_label(
    edge: Edge,
    points: tuple[Point, Point, Point, Point],
    placed: _Occupied,
    href: str | None,
    limit: float,
) -> str:
    """The flow id on its edge, at the first free spot along it inside the picture."""
    width = 6.2 * len(edge.flow) + 8
    height = 14.0
    x, y = _bezier(points, 0.5)
    x = min(max(x, width / 2), limit - width / 2)
    for t in _SPOTS:
        for shift in (0.0, -height, height):
            cx, cy = _bezier(points, t)
            box = (cx - width / 2, cy - height / 2 + shift, width, height)
            inside = box[0] >= 0 and box[0] + width <= limit
            if inside and placed.free(box):
                x, y = cx, cy + shift
                break
        else:
            continue
        break
    placed.add((x - width / 2, y - height / 2, width, height))
    colour = COLOURS[edge.status]
    label = (
        f'<rect x="{x - width / 2:.0f}" y="{y - height / 2:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" rx="3" fill="#ffffff" fill-opacity="0.92" '
        f'stroke="{colour}" stroke-width="0.8"/>'
        f'<text x="{x:.0f}" y="{y + 4:.0f}" text-anchor="middle" font-size="10.5" '
        f'fill="#1f2328">{escape(edge.flow)}</text>'
    )
    if href is not None:
        label = f"<a href={quoteattr(href)}>{label}</a>"
    return (
        f'<g class="edge-label status-{edge.status}" '
        f"data-flow={quoteattr(edge.flow)}>{label}</g>"
    )


_SPOTS = (
    0.5,
    0.45,
    0.55,
    0.4,
    0.6,
    0.35,
    0.65,
    0.3,
    0.7,
    0.25,
    0.75,
    0.2,
    0.8,
    0.15,
    0.85,
    0.1,
    0.9,
)


def _overlaps(first: Rect, second: Rect) -> bool:
    ax, ay, aw, ah = first
    bx, by, bw, bh = second
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def _legend(top: float) -> str:
    """Status by line style and colour, three to a row."""
    parts = [
        (
            f'<g class="legend"><text x="20" y="{top + 14:.0f}" font-weight="bold">'
            "Legend</text>"
        )
    ]
    for index, (status, (stroke, dash, style)) in enumerate(LINE_STYLES.items()):
        row, column = divmod(index, 3)
        x = 90 + column * 300
        y = top + 10 + row * 18
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{x}" y1="{y:.0f}" x2="{x + 40}" y2="{y:.0f}" '
            f'stroke="{COLOURS[status]}" stroke-width="{stroke}"{dashes}/>'
            f'<text x="{x + 48}" y="{y + 4:.0f}">'
            f"{escape(f'{_STATUS_WORDS[status]} ({style})')}</text>"
        )
    parts.append("</g>")
    return "".join(parts)
