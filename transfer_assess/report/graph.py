"""
The flow graph as a picture or an interchange file: DOT, Mermaid, GraphML and SVG.

`graph_view` turns a map and its assessment into a small view model: entities grouped
by jurisdiction (EEA first, then countries with an adequacy decision, then the rest),
and flows coloured by the status of their finding. The writers render that model; every
value from the map is escaped for the target syntax, and the output is deterministic.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as _escape

import attrs
import networkx as nx

from transfer_assess.model import to_tuple
from transfer_assess.refdata import country_name

if TYPE_CHECKING:
    from transfer_assess.findings import Assessment
    from transfer_assess.model import DataMap
    from transfer_assess.refdata import ReferenceData

#: Colours of edge statuses (ok, attention, gap, no transfer, inactive).
COLOURS = {
    "ok": "#2e7d32",
    "attention": "#b26a00",
    "gap": "#c62828",
    "none": "#757575",
    "inactive": "#bdbdbd",
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
            Node(entity.id, entity.name, entity.kind.value)
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
        edges.append(Edge(flow.id, flow.exporter, flow.importer, status, basis))
    return GraphView(
        title=f"{datamap.organisation} on {day.isoformat()}",
        clusters=clusters,
        edges=edges,
    )


# -- DOT ----------------------------------------------------------------------------


def _dot_string(text: str) -> str:
    cleaned = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + cleaned.replace("\r", " ").replace("\n", "\\n") + '"'


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
        style = ", style=dashed" if edge.status in {"inactive", "none"} else ""
        lines.append(
            f"  {_dot_string(edge.source)} -> {_dot_string(edge.target)} "
            f"[label={_dot_string(edge.flow)}, "
            f"color={_dot_string(COLOURS[edge.status])}, "
            f"tooltip={_dot_string(f'{edge.flow}: {edge.status} ({edge.basis})')}"
            f"{style}];"
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
        arrow = "-.->" if edge.status in {"inactive", "none"} else "-->"
        lines.append(
            f'  {ids[edge.source]} {arrow}|"{mermaid_text(edge.flow)}"| '
            f"{ids[edge.target]}"
        )
        styles.append(
            f"  linkStyle {index} stroke:{COLOURS[edge.status]},color:"
            f"{COLOURS[edge.status]}"
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

_NODE_W, _NODE_H, _GAP = 200, 34, 10
_PAD, _HEAD = 12, 26
_CLUSTER_W = _NODE_W + 2 * _PAD
_COL_GAP, _ROW_GAP = 90, 40


_QUOTES = {'"': "&quot;", "'": "&#39;"}


def escape(text: str) -> str:
    """Escape text for XML, quotes included (safe in text and in attributes)."""
    return _escape(text, _QUOTES)


def quoteattr(text: str) -> str:
    """An XML attribute value in double quotes, fully escaped."""
    return f'"{escape(text)}"'


def _truncate(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def to_svg(view: GraphView) -> str:
    """
    The graph as a self-contained SVG: jurisdictions as boxes, flows as coloured arrows.

    Jurisdictions are laid out in a grid, EEA first; every text is escaped.
    """
    columns = max(1, math.ceil(math.sqrt(len(view.clusters))))
    positions: dict[str, tuple[float, float]] = {}
    boxes = []
    row_heights: dict[int, float] = {}
    for index, cluster in enumerate(view.clusters):
        row = index // columns
        height = _HEAD + len(cluster.nodes) * (_NODE_H + _GAP) + _PAD - _GAP
        row_heights[row] = max(row_heights.get(row, 0.0), height)
    tops = {0: 40.0}
    for row in sorted(row_heights)[1:]:
        tops[row] = tops[row - 1] + row_heights[row - 1] + _ROW_GAP
    for index, cluster in enumerate(view.clusters):
        row, column = divmod(index, columns)
        x = 20 + column * (_CLUSTER_W + _COL_GAP)
        y = tops[row]
        box_height = _HEAD + len(cluster.nodes) * (_NODE_H + _GAP) + _PAD - _GAP
        boxes.append((cluster, x, y, box_height))
        for number, node in enumerate(cluster.nodes):
            positions[node.id] = (x + _PAD, y + _HEAD + number * (_NODE_H + _GAP))
    width = 40 + columns * _CLUSTER_W + (columns - 1) * _COL_GAP
    last = max(row_heights) if row_heights else 0
    total_height = tops.get(last, 40.0) + row_heights.get(last, 0.0) + 40
    out: list[str] = [
        (
            '<svg xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {width} {total_height:.0f}" '
            f'width="{width}" height="{total_height:.0f}" role="img" '
            f"aria-label={quoteattr('Flow graph: ' + view.title)} "
            'font-family="Helvetica, Arial, sans-serif" font-size="12">'
        ),
        f"<title>{escape('Flow graph: ' + view.title)}</title>",
        "<defs>",
    ]
    for status, colour in COLOURS.items():
        out.append(
            f'<marker id="arrow-{status}" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    out.append(
        f'<text x="20" y="24" font-size="15" font-weight="bold">'
        f"{escape(view.title)}</text>"
    )
    fills = {
        "eea": "#e8f1fb",
        "adequate": "#eef7ee",
        "third": "#fbeeee",
        "io": "#f3eefa",
    }
    for cluster, x, y, box_height in boxes:
        out.append(
            f'<g class="cluster region-{cluster.region}">'
            f'<rect x="{x}" y="{y}" width="{_CLUSTER_W}" height="{box_height}" rx="8" '
            f'fill="{fills[cluster.region]}" stroke="#9e9e9e"/>'
            f'<text x="{x + _PAD}" y="{y + 17}" font-weight="bold">'
            f"{escape(_truncate(cluster.title, 34))}</text></g>"
        )
        for node in cluster.nodes:
            nx_, ny = positions[node.id]
            out.append(
                f'<g class="node" data-id={quoteattr(node.id)}>'
                f"<title>{escape(f'{node.name} ({node.id}, {node.kind})')}</title>"
                f'<rect x="{nx_}" y="{ny}" width="{_NODE_W}" height="{_NODE_H}" rx="5" '
                'fill="#ffffff" stroke="#616161"/>'
                f'<text x="{nx_ + 8}" y="{ny + 14}">{escape(_truncate(node.name, 30))}'
                f'</text><text x="{nx_ + 8}" y="{ny + 28}" fill="#616161" '
                f'font-size="10">{escape(_truncate(node.id, 34))}</text></g>'
            )
    out.extend(_svg_edge(edge, positions) for edge in view.edges)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _svg_edge(edge: Edge, positions: dict[str, tuple[float, float]]) -> str:
    sx, sy = positions[edge.source]
    tx, ty = positions[edge.target]
    if tx >= sx:
        start = (sx + _NODE_W, sy + _NODE_H / 2)
        end = (tx, ty + _NODE_H / 2)
    else:
        start = (sx, sy + _NODE_H / 2)
        end = (tx + _NODE_W, ty + _NODE_H / 2)
    if abs(sx - tx) < 1:  # same column: loop out to the right
        start = (sx + _NODE_W, sy + _NODE_H / 2)
        end = (tx + _NODE_W, ty + _NODE_H / 2)
        bend = 60 + abs(sy - ty) / 4
        path = (
            f"M {start[0]:.0f} {start[1]:.0f} C {start[0] + bend:.0f} {start[1]:.0f}, "
            f"{end[0] + bend:.0f} {end[1]:.0f}, {end[0]:.0f} {end[1]:.0f}"
        )
    else:
        middle = (start[0] + end[0]) / 2
        path = (
            f"M {start[0]:.0f} {start[1]:.0f} C {middle:.0f} {start[1]:.0f}, "
            f"{middle:.0f} {end[1]:.0f}, {end[0]:.0f} {end[1]:.0f}"
        )
    dash = ' stroke-dasharray="5 4"' if edge.status in {"inactive", "none"} else ""
    colour = COLOURS[edge.status]
    return (
        f'<g class="edge status-{edge.status}" data-flow={quoteattr(edge.flow)}>'
        f"<title>{escape(f'{edge.flow}: {edge.status} ({edge.basis})')}</title>"
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.6"{dash} '
        f'marker-end="url(#arrow-{edge.status})"/></g>'
    )
