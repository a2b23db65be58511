"""
What an assessment finds: one `Finding` per flow, with reasons and recommendations.

The vocabularies (`Basis`, `Status`, `Action`) are the stable values of the JSON
report (``docs/report.md``); the classes are frozen values, built by
`transfer_assess.assess` and rendered by `transfer_assess.report`, except `Tally`,
the counts a report keeps while its findings are made.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING

import attrs

from transfer_assess.model import to_tuple

if TYPE_CHECKING:
    from collections.abc import Iterable

    from transfer_assess.tia import TiaResult


class Basis(enum.Enum):
    """The legal footing of a flow under Chapter V."""

    NOT_PERSONAL_DATA = "not_personal_data"
    NOT_IN_SCOPE = "not_in_scope"
    EEA = "eea"
    DOMESTIC = "domestic"
    ADEQUACY = "adequacy"
    BCR = "bcr"
    SCC = "scc"
    AD_HOC_CLAUSES = "ad_hoc_clauses"
    CODE_OF_CONDUCT = "code_of_conduct"
    CERTIFICATION = "certification"
    PUBLIC_BODY_INSTRUMENT = "public_body_instrument"
    IDTA = "idta"
    UK_ADDENDUM = "uk_addendum"
    DEROGATION = "derogation"
    NONE = "none"


class Status(enum.Enum):
    """What a finding asks of its reader, from nothing to do to no valid basis."""

    OK = "ok"
    ATTENTION = "attention"
    GAP = "gap"

    @property
    def rank(self) -> int:
        """0 for ok, 1 for attention, 2 for gap."""
        return _RANKS[self]

    def worst(self, other: Status) -> Status:
        """The more severe of two statuses."""
        return self if self.rank >= other.rank else other


_RANKS = {Status.OK: 0, Status.ATTENTION: 1, Status.GAP: 2}


class Action(enum.Enum):
    """What a recommendation asks to do."""

    NONE = "none"
    ANONYMISE = "anonymise"
    PSEUDONYMISE = "pseudonymise"
    CONSENT = "consent"
    SCC = "scc"
    BCR = "bcr"
    DPF = "dpf"
    PUBLIC_BODY_INSTRUMENT = "public_body_instrument"
    IDTA = "idta"
    UK_ADDENDUM = "uk_addendum"
    TIA = "tia"
    SUPPLEMENTARY_MEASURES = "supplementary_measures"
    FIX_MECHANISM = "fix_mechanism"
    STOP_TRANSFER = "stop_transfer"
    LEGAL_REVIEW = "legal_review"


@attrs.frozen
class Reason:
    """One step of the decision trace: which rule fired and why."""

    rule: str
    """Stable rule id, e.g. ``EU.ADEQUACY.SCOPE``."""
    text: str
    """A complete sentence naming the parties and the destination."""
    citations: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    """Legal sources: articles, decisions, judgments, guidelines."""


@attrs.frozen
class Recommendation:
    """One thing to do about a finding."""

    action: Action
    """What to do."""
    detail: str
    """One plain sentence."""
    citations: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    """Legal sources."""


@attrs.frozen
class Finding:
    """The verdict on one flow that exists on the assessment date."""

    flow: str
    """Flow id."""
    exporter: str
    """Exporter's entity id."""
    importer: str
    """Importer's entity id."""
    exporter_country: str | None
    """Exporter's country code (``None`` for an international organisation)."""
    importer_country: str | None
    """Importer's country code (``None`` for an international organisation)."""
    transfer: bool
    """Whether the flow is a Chapter V transfer."""
    onward: bool
    """Whether it is an onward transfer (the exporter is not subject to the GDPR)."""
    basis: Basis
    """The legal footing."""
    status: Status
    """What it asks of the reader."""
    scc_module: int | None
    """The SCC module that fits the roles, where SCCs are the basis or recommended."""
    recommendations: tuple[Recommendation, ...] = attrs.field(converter=to_tuple)
    """What to do, best first."""
    reasons: tuple[Reason, ...] = attrs.field(converter=to_tuple)
    """The decision trace, in the order the rules fired."""
    chain: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    """For a transfer: entity ids from the first entity subject to the GDPR through
    the exporter to the importer (``hq-de → us-cloud → in-support``). A chain of
    more than eight entities keeps its first three and last five ids."""
    chain_omitted: int = 0
    """How many entities of a long chain are left out after its first three."""
    importer_organisation: str | None = None
    """The importer's international organisation, when it is one."""
    regime: str = "EU"
    """The regime assessed."""
    tia: TiaResult | None = None
    """The conclusion of a transfer impact assessment with answers, with its
    calculation; ``None`` when the flow has none or none was needed."""

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule ids that fired, in order."""
        return tuple(reason.rule for reason in self.reasons)


@attrs.frozen
class Summary:
    """Counts over the findings."""

    flows: int
    """Flows that exist on the date."""
    transfers: int
    """Findings that are Chapter V transfers."""
    ok: int
    """Findings with status ok."""
    attention: int
    """Findings with status attention."""
    gap: int
    """Findings with status gap."""
    inactive: int
    """Flows left out because they do not exist on the date."""
    findings: int
    """Findings: one per flow that exists and regime that applies to it (the counts
    above are over findings; with the EU regime alone, one per flow)."""


@attrs.define
class Tally:
    """
    The counts of a report, kept while its findings are made one at a time.

    `Assessment.summary` counts its findings with it, and a report written while
    the findings are made (`transfer_assess.report.json.write_json_stream`) keeps
    one without holding them, so both give the same numbers.
    """

    flows: set[str] = attrs.field(factory=set)
    """Ids of the flows with a finding."""
    regimes: dict[str, dict[str, int]] = attrs.field(factory=dict)
    """Per regime, in the order first met: findings, transfers and the count of each
    status."""

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Tally:
        """The counts of findings already made."""
        tally = cls()
        for finding in findings:
            tally.add(finding)
        return tally

    def add(self, finding: Finding) -> None:
        """Count one more finding."""
        self.flows.add(finding.flow)
        counts = self.regimes.get(finding.regime)
        if counts is None:
            counts = self.regimes[finding.regime] = dict.fromkeys(_COUNTED, 0)
        counts["findings"] += 1
        counts["transfers"] += finding.transfer
        counts[finding.status.value] += 1

    def total(self, key: str) -> int:
        """One count over every regime (``findings``, ``transfers``, a status)."""
        return sum(counts[key] for counts in self.regimes.values())

    def summary(self, *, inactive: int) -> Summary:
        """The report's summary, with the count of flows that do not exist."""
        return Summary(
            flows=len(self.flows),
            transfers=self.total("transfers"),
            ok=self.total(Status.OK.value),
            attention=self.total(Status.ATTENTION.value),
            gap=self.total(Status.GAP.value),
            inactive=inactive,
            findings=self.total("findings"),
        )

    def by_regime(self, regimes: Iterable[str]) -> dict[str, dict[str, int]]:
        """The counts of each of `regimes`, in that order (zero where none)."""
        return {
            regime: dict(self.regimes.get(regime) or dict.fromkeys(_COUNTED, 0))
            for regime in regimes
        }

    def reaches(self, status: Status) -> bool:
        """Whether a finding has `status` or a worse one."""
        return any(
            self.total(item.value) for item in Status if item.rank >= status.rank
        )


#: The counts of each regime in the report, in its order (``docs/report.md``).
_COUNTED = ("findings", "transfers", *(status.value for status in Status))


@attrs.frozen
class Assessment:
    """The result of assessing a data map on one date."""

    organisation: str
    """The map's organisation."""
    as_of: date
    """The assessment date."""
    regime: str
    """The regime assessed: ``EU``, ``UK`` or ``CH`` where findings come from one
    regime only, else ``all``."""
    reference_version: str
    """Version of the reference data used."""
    reference_sha256: str
    """Hash of the reference data used."""
    findings: tuple[Finding, ...] = attrs.field(converter=to_tuple)
    """One finding per flow that exists on the date, sorted by flow id."""
    inactive: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    """Ids of the flows that do not exist on the date, sorted."""
    regimes: tuple[str, ...] = attrs.field(default=("EU",), converter=to_tuple)
    """The regimes whose findings the assessment holds, in report order."""

    def for_regime(self, regime: str) -> Assessment:
        """The same assessment with the findings of one regime only."""
        return attrs.evolve(
            self,
            regime=regime,
            regimes=(regime,) if regime in self.regimes else (),
            findings=[finding for finding in self.findings if finding.regime == regime],
        )

    def findings_for(self, flow_id: str) -> tuple[Finding, ...]:
        """Every finding of a flow, one per regime that applies, in report order."""
        return tuple(finding for finding in self.findings if finding.flow == flow_id)

    @property
    def summary(self) -> Summary:
        """Counts over the findings."""
        return Tally.of(self.findings).summary(inactive=len(self.inactive))

    def findings_by_flow(self) -> dict[str, Finding]:
        """The findings keyed by flow id: the first regime's (the EU's) of each flow."""
        result: dict[str, Finding] = {}
        for finding in self.findings:
            result.setdefault(finding.flow, finding)
        return result

    def finding(self, flow_id: str, regime: str | None = None) -> Finding:
        """
        The finding for a flow: under `regime`, or the first regime's (the EU's).

        Raises:
            KeyError: The flow has no finding (unknown, inactive on the date, or the
                regime does not apply to it).
        """
        for finding in self.findings:
            if finding.flow == flow_id and regime in {None, finding.regime}:
                return finding
        raise KeyError(flow_id if regime is None else f"{flow_id} ({regime})")

    def to_dict(self) -> dict[str, object]:
        """The JSON report (``transfer-assess/report@1``) as plain values."""
        from transfer_assess.report.json import report_dict  # noqa: PLC0415

        return report_dict(self)

    def to_json(self) -> str:
        """The JSON report as text: byte-identical for the same input."""
        from transfer_assess.report.json import render_json  # noqa: PLC0415

        return render_json(self)
