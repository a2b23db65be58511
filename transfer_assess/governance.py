"""
Governance as code: compare two maps' assessments, and ask "what if".

`diff` compares the assessments of two versions of a map (flows added, removed and
changed; findings whose status got worse or better; new onward chains) so that a CI
job can fail a pull request that introduces an unlawful transfer. `what_if` re-assesses
a map with modified reference data (a decision ended on a date) or a modified map (an
entity certified, or moved to another country) and reports what changes.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs

from transfer_assess.engine import assess
from transfer_assess.errors import InputError
from transfer_assess.findings import Status
from transfer_assess.load.validate import country_problem
from transfer_assess.model import to_tuple
from transfer_assess.refdata import EndReason

if TYPE_CHECKING:
    from transfer_assess.findings import Assessment, Finding
    from transfer_assess.model import DataMap, Flow
    from transfer_assess.refdata import ReferenceData


@attrs.frozen
class Change:
    """One flow whose verdict or definition differs between two assessments."""

    flow: str
    """Flow id."""
    kind: str
    """``added``, ``removed``, ``worse``, ``better`` or ``changed``."""
    before: str | None
    """Status before (``None`` for an added flow or one inactive before)."""
    after: str | None
    """Status after (``None`` for a removed flow or one inactive after)."""
    basis_before: str | None
    """Basis before."""
    basis_after: str | None
    """Basis after."""
    detail: str
    """One sentence: what changed, and the first recommendation after."""
    regime: str = "EU"
    """The regime of the findings compared (``EU``, ``UK``, ``CH``)."""

    @property
    def label(self) -> str:
        """The flow id, with the regime for a UK or Swiss finding (``f1 [UK]``)."""
        return self.flow if self.regime == "EU" else f"{self.flow} [{self.regime}]"


@attrs.frozen
class Comparison:
    """The result of `diff` or `what_if`."""

    title: str
    """What was compared."""
    changes: tuple[Change, ...] = attrs.field(converter=to_tuple)
    """Changed flows, worst first, then by id."""
    new_chains: tuple[tuple[str, ...], ...] = attrs.field(converter=to_tuple)
    """Onward chains present after but not before."""

    @property
    def identical(self) -> bool:
        """Whether nothing changed."""
        return not self.changes and not self.new_chains

    def introduces(self, threshold: Status) -> bool:
        """Whether a flow reaches `threshold` (or worse) that did not before."""
        for change in self.changes:
            if change.after is None or change.kind not in {"added", "worse"}:
                continue
            if Status(change.after).rank >= threshold.rank:
                return True
        return False

    def to_dict(self) -> dict[str, Any]:
        """Plain values, for JSON."""
        return {
            "schema": "transfer-assess/comparison@1",
            "title": self.title,
            "identical": self.identical,
            "changes": [
                {
                    "flow": change.flow,
                    "regime": change.regime,
                    "kind": change.kind,
                    "before": change.before,
                    "after": change.after,
                    "basis_before": change.basis_before,
                    "basis_after": change.basis_after,
                    "detail": change.detail,
                }
                for change in self.changes
            ],
            "new_chains": [list(chain) for chain in self.new_chains],
        }


def _first(finding: Finding) -> str:
    return finding.recommendations[0].detail if finding.recommendations else ""


def compare(
    before: Assessment,
    after: Assessment,
    *,
    title: str,
    old_map: DataMap | None = None,
    new_map: DataMap | None = None,
) -> Comparison:
    """
    Compare two assessments flow by flow.

    Args:
        before: The assessment of the old map (or of the map before a what-if).
        after: The assessment of the new one.
        title: What is compared.
        old_map: The old map, to tell definition changes that keep the verdict.
        new_map: The new map.
    """
    old = {(item.flow, item.regime): item for item in before.findings}
    new = {(item.flow, item.regime): item for item in after.findings}
    old_flows = {flow.id: flow for flow in old_map.flows} if old_map else {}
    new_flows = {flow.id: flow for flow in new_map.flows} if new_map else {}
    keys = set(old) | set(new) | {(flow_id, "EU") for flow_id in old_flows}
    keys |= {(flow_id, "EU") for flow_id in new_flows}
    regimes = {"EU": 0, "UK": 1, "CH": 2}
    changes = []
    for key in sorted(keys, key=lambda item: (item[0], regimes.get(item[1], 3))):
        change = _change(key, old.get(key), new.get(key), old_flows, new_flows)
        if change is not None:
            changes.append(change)
    order = {"worse": 0, "added": 1, "changed": 2, "better": 3, "removed": 4}
    changes.sort(
        key=lambda change: (
            order[change.kind],
            change.flow,
            regimes.get(change.regime, 3),
        )
    )
    old_chains = {finding.chain for finding in before.findings if finding.onward}
    new_chains = sorted(
        {finding.chain for finding in after.findings if finding.onward} - old_chains
    )
    return Comparison(title, changes, new_chains)


def _change(
    key: tuple[str, str],
    was: Finding | None,
    now: Finding | None,
    old_flows: dict[str, Flow],
    new_flows: dict[str, Flow],
) -> Change | None:
    """How one flow's finding under one regime changed; ``None`` when it did not."""
    flow_id, regime = key
    if was is None and now is None:
        return None
    if was is None and now is not None:
        state = "now active" if flow_id in old_flows else "new flow"
        return Change(
            flow_id,
            "added",
            None,
            now.status.value,
            None,
            now.basis.value,
            f"{state}: {now.status.value} ({now.basis.value}). {_first(now)}".strip(),
            regime,
        )
    if now is None and was is not None:
        state = "no longer active" if flow_id in new_flows else "the flow is gone"
        return Change(
            flow_id,
            "removed",
            was.status.value,
            None,
            was.basis.value,
            None,
            f"{state} (was {was.status.value}).",
            regime,
        )
    assert was is not None  # noqa: S101 - both are set here
    assert now is not None  # noqa: S101
    if now.status.rank != was.status.rank:
        kind = "worse" if now.status.rank > was.status.rank else "better"
    elif now.basis != was.basis or old_flows.get(flow_id) != new_flows.get(flow_id):
        kind = "changed"
    else:
        return None
    detail = (
        f"{was.status.value} ({was.basis.value}) → {now.status.value} "
        f"({now.basis.value}). {now.reasons[-1].text} {_first(now)}"
    ).strip()
    return Change(
        flow_id,
        kind,
        was.status.value,
        now.status.value,
        was.basis.value,
        now.basis.value,
        detail,
        regime,
    )


def diff(
    old_map: DataMap,
    new_map: DataMap,
    *,
    as_of: date,
    refdata: ReferenceData,
) -> Comparison:
    """Compare the assessments of two versions of a map on one date."""
    return compare(
        assess(old_map, as_of=as_of, refdata=refdata),
        assess(new_map, as_of=as_of, refdata=refdata),
        title=f"{old_map.source} → {new_map.source} on {as_of.isoformat()}",
        old_map=old_map,
        new_map=new_map,
    )


def end_decision(refdata: ReferenceData, decision_id: str, on: date) -> ReferenceData:
    """
    Reference data in which a decision stops applying from `on`.

    Raises:
        InputError: No such decision, or `on` is before it applies.
    """
    try:
        decision = refdata.decision(decision_id)
    except KeyError:
        known = ", ".join(sorted(item.id for item in refdata.decisions))
        raise InputError(f"unknown decision {decision_id!r}; known: {known}") from None
    if on <= decision.starts:
        raise InputError(
            f"--on {on.isoformat()} is not after {decision_id} starts "
            f"({decision.starts.isoformat()})"
        )
    ended = attrs.evolve(
        decision,
        ended=on if decision.ended is None else min(on, decision.ended),
        end_reason=EndReason(
            "repeal", f"what-if: the decision ends on {on.isoformat()}", None,
            ("what-if",),
        ),
    )  # fmt: skip
    decisions = [
        ended if item.id == decision_id else item for item in refdata.decisions
    ]
    return attrs.evolve(refdata, decisions=decisions, sha256="what-if")


def modified_map(
    datamap: DataMap,
    *,
    certify: list[tuple[str, str]],
    move: list[tuple[str, str]],
) -> DataMap:
    """
    The map with entities certified or moved.

    Raises:
        InputError: An unknown entity or an invalid country code.
    """
    entities = {entity.id: entity for entity in datamap.entities}
    for entity_id, certification in certify:
        if entity_id not in entities:
            raise InputError(f"--certify: unknown entity {entity_id!r}")
        entity = entities[entity_id]
        # What if it held the certification for the whole period: a dated one's
        # period no longer limits it.
        entities[entity_id] = attrs.evolve(
            entity,
            certifications=(
                entity.certifications
                if certification in entity.certifications
                else (*entity.certifications, certification)
            ),
            certification_periods={
                name: period
                for name, period in entity.certification_periods.items()
                if name != certification
            },
        )
    for entity_id, country in move:
        if entity_id not in entities:
            raise InputError(f"--move: unknown entity {entity_id!r}")
        problem = country_problem(country)
        if problem is not None:
            raise InputError(f"--move {entity_id}={country}: {problem}")
        entities[entity_id] = attrs.evolve(
            entities[entity_id], country=country, international_organisation=None
        )
    return attrs.evolve(
        datamap, entities=[entities[entity.id] for entity in datamap.entities]
    )


def with_answers(datamap: DataMap, changes: list[tuple[str, str, str]]) -> DataMap:
    """
    The map with answers of flows' TIA records changed.

    Args:
        datamap: The map.
        changes: ``(flow id, key, value)``: a key of the answers (``data_form``),
            or ``reached.<law id>`` or ``classes.<class>``; the value as YAML would
            read it (``yes``, ``3``, ``true``; a list as ``a,b``). A flow whose
            ``tia`` is a date gets a record with that date.

    Raises:
        InputError: An unknown flow, a flow without a TIA, or an invalid answer
            (every problem of the changed map, by flow and key).
    """
    if not changes:
        return datamap
    from transfer_assess.errors import DataMapError  # noqa: PLC0415
    from transfer_assess.interchange.tables import map_document  # noqa: PLC0415
    from transfer_assess.load import parse_map  # noqa: PLC0415
    from transfer_assess.load.yaml_reader import resolve_plain  # noqa: PLC0415

    document = map_document(datamap)
    flows = {flow["id"]: flow for flow in document["flows"]}
    for flow_id, key, text in changes:
        flow = flows.get(flow_id)
        if flow is None:
            raise InputError(f"--tia-answer: unknown flow {flow_id!r}")
        tia = flow.get("tia")
        if tia is None:
            raise InputError(
                f"--tia-answer: flow {flow_id!r} has no tia to answer for; give it "
                "one in the map"
            )
        if not isinstance(tia, dict):
            tia = flow["tia"] = {"date": tia}
        answers = tia.setdefault("answers", {})
        value: Any = (
            [item.strip() for item in text.split(",") if item.strip()]
            if key == "measures"
            else resolve_plain(text)
        )
        group, dot, name = key.partition(".")
        if dot and group in {"reached", "classes"}:
            answers.setdefault(group, {})[name] = value
        else:
            answers[key] = value
    try:
        return parse_map(json.dumps(document, default=str), format="json")
    except DataMapError as error:
        raise InputError(
            "--tia-answer: "
            + "; ".join(f"{item.path}: {item.message}" for item in error.problems)
        ) from None


def what_if(
    datamap: DataMap,
    *,
    as_of: date,
    refdata: ReferenceData,
    end: list[tuple[str, date]],
    certify: list[tuple[str, str]],
    move: list[tuple[str, str]],
    answers: list[tuple[str, str, str]] | None = None,
) -> Comparison:
    """
    Re-assess a map with decisions ended, entities certified or moved, answers changed.

    Args:
        datamap: The map.
        as_of: The assessment date.
        refdata: The reference data to modify.
        end: Decision ids and the first day they no longer apply.
        certify: Entity ids and a certification they gain.
        move: Entity ids and their new country.
        answers: Changed answers of TIA records (see `with_answers`).
    """
    changed = refdata
    for decision_id, on in end:
        changed = end_decision(changed, decision_id, on)
    after_map = with_answers(
        modified_map(datamap, certify=certify, move=move), answers or []
    )
    parts = [f"end {decision_id} on {on.isoformat()}" for decision_id, on in end]
    parts += [f"certify {entity_id} {name}" for entity_id, name in certify]
    parts += [f"move {entity_id} to {country}" for entity_id, country in move]
    parts += [
        f"answer {key}={value} for flow {flow_id}"
        for flow_id, key, value in answers or []
    ]
    return compare(
        assess(datamap, as_of=as_of, refdata=refdata),
        assess(after_map, as_of=as_of, refdata=changed),
        title=f"What if: {'; '.join(parts) or 'nothing changes'} "
        f"(as of {as_of.isoformat()})",
        old_map=datamap,
        new_map=after_map,
    )


def comparison_markdown(comparison: Comparison) -> str:
    """The comparison as a Markdown page (values escaped)."""
    from transfer_assess.report.document import markdown_text  # noqa: PLC0415

    lines = [f"# {markdown_text(comparison.title)}", ""]
    if comparison.identical:
        lines.append("No change.")
        return "\n".join(lines) + "\n"
    lines += ["| flow | change | before | after | detail |", "|---|---|---|---|---|"]
    lines.extend(
        f"| {markdown_text(change.label)} | {change.kind} | {change.before or ''} | "
        f"{change.after or ''} | {markdown_text(change.detail)} |"
        for change in comparison.changes
    )
    if comparison.new_chains:
        lines += ["", "New onward chains:", ""]
        lines.extend(
            "- " + markdown_text(" → ".join(chain)) for chain in comparison.new_chains
        )
    lines += ["", "Information, not legal advice."]
    return "\n".join(lines) + "\n"
