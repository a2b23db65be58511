"""Building blocks of the rules: `Rule` metadata, the per-flow `Context` and `Trace`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs

from transfer_assess.findings import Action, Basis, Reason, Status
from transfer_assess.model import Entity, Flow, Group, to_tuple

if TYPE_CHECKING:
    from transfer_assess.graph import Protection
    from transfer_assess.model import DataMap
    from transfer_assess.refdata import ReferenceData, RegimeSpec
    from transfer_assess.tia import TiaResult


@attrs.frozen
class Rule:
    """A rule of the procedure, documented under its id."""

    id: str
    """Stable id, e.g. ``EU.SCC.MODULE``."""
    title: str
    """A short title."""
    articles: tuple[str, ...] = attrs.field(converter=to_tuple)
    """The legal sources it applies."""
    logic: str
    """What it checks and what follows, in plain words."""
    example: str
    """A one-line example."""


@attrs.frozen
class Settings:
    """Policy thresholds (not law): defaults from the design, change them per run."""

    lapse_warning_days: int = 180
    """An adequacy decision ending within this many days after the date: attention."""
    tia_max_age_days: int = 365
    """A transfer impact assessment older than this many days: attention."""
    tia_probability_threshold: float = 0.1
    """The probability of a lawful-access event over the transfer period that a
    transfer impact assessment's calculation is compared with (evidence only)."""
    tia_default_transfer_years: float = 5.0
    """The transfer period of the calculation when the answers give none."""


@attrs.frozen
class Hint:
    """An action a rule asks for, with its detail; `recommend` orders them."""

    action: Action
    """What to do."""
    detail: str
    """One plain sentence."""
    citations: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    """Legal sources."""


@attrs.define
class Trace:
    """Collects what the rules found for one flow."""

    reasons: list[Reason] = attrs.field(factory=list)
    """Reasons, in the order the rules fired."""
    hints: list[Hint] = attrs.field(factory=list)
    """Actions the rules ask for (fix, TIA, legal review, fallback)."""
    tia: TiaResult | None = None
    """The conclusion of the flow's transfer impact assessment with answers."""

    def add(self, rule: Rule, text: str, *citations: str) -> None:
        """Record that `rule` fired, with a sentence and its citations."""
        self.reasons.append(Reason(rule.id, text, citations or rule.articles))

    def ask(self, action: Action, detail: str, *citations: str) -> None:
        """Record an action a rule asks for (once per action)."""
        if all(hint.action is not action for hint in self.hints):
            self.hints.append(Hint(action, detail, citations))

    def asks(self, action: Action) -> bool:
        """Whether a rule asked for `action`."""
        return any(hint.action is action for hint in self.hints)


@attrs.frozen
class Outcome:
    """The verdict of the procedure, before recommendations."""

    transfer: bool
    """Whether the flow is a Chapter V transfer."""
    basis: Basis
    """The legal footing."""
    status: Status
    """ok, attention or gap."""
    onward: bool = False
    """Whether it is an onward transfer."""
    scc_module: int | None = None
    """The module that fits, when the basis is ``scc``."""


@attrs.frozen
class Context:
    """Everything a rule may look at for one flow on one date."""

    flow: Flow
    """The flow assessed."""
    exporter: Entity
    """Its exporter."""
    importer: Entity
    """Its importer."""
    day: date
    """The assessment date."""
    refdata: ReferenceData
    """Reference data: decisions and EEA membership."""
    protection: Protection
    """What each entity holds of EEA origin on the date."""
    datamap: DataMap
    """The whole map (for groups)."""
    settings: Settings
    """Policy thresholds."""
    regime: str = "EU-GDPR"
    """The reference-data regime of the decisions that count."""
    law: RegimeSpec | None = None
    """The regime's reference data (territory, articles, tools)."""

    def exists(self, citation: str) -> bool:
        """
        Whether the instrument a citation names had been adopted by the date.

        Adoption dates are reference data (``regimes.json``, the EU entry's
        ``instruments``); an instrument not listed there is taken to exist.
        """
        spec = self.refdata.regimes.get("EU")
        return spec is None or spec.exists(citation, self.day)

    @property
    def exporter_subject(self) -> bool:
        """Whether the exporter is subject to the regime (the GDPR) on the date."""
        return self.exporter.id in self.protection.subject

    def group_of(self, entity: Entity) -> Group | None:
        """The corporate group an entity belongs to, if any."""
        if entity.group is None:
            return None
        return self.datamap.group(entity.group)

    @property
    def expected_module(self) -> int:
        """The SCC module that fits the roles (1 C-C, 2 C-P, 3 P-P, 4 P-C)."""
        return scc_module_for(self.flow)


def scc_module_for(flow: Flow) -> int:
    """The SCC module (Decision (EU) 2021/914) that fits a flow's roles."""
    controller_exporter = flow.exporter_role.value == "controller"
    controller_importer = flow.importer_role.value == "controller"
    if controller_exporter:
        return 1 if controller_importer else 2
    return 4 if controller_importer else 3


def party(entity: Entity) -> str:
    """An entity as named in reasons: its name, id and where it is."""
    where = entity.country or entity.international_organisation or "?"
    return f"{entity.name} ({entity.id}, {where})"
