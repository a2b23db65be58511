"""
The data map as immutable values: groups, categories, entities, flows.

These classes mirror the data-map format (version 1) documented in
``docs/datamap.md``. They hold already validated values; parsing and validation of
files live in `transfer_assess.load`, which is the only place that builds them from
user input.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

import attrs

from transfer_assess.errors import Problem


class EntityKind(enum.Enum):
    """Role of an entity in the organisation's ecosystem."""

    AFFILIATE = "affiliate"
    SERVICE_PROVIDER = "service_provider"
    PARTNER = "partner"
    PUBLIC_AUTHORITY = "public_authority"
    OTHER = "other"


class Sector(enum.Enum):
    """Sector of an entity; partial adequacy decisions depend on it."""

    PRIVATE = "private"
    PUBLIC = "public"


class Role(enum.Enum):
    """GDPR role of a party for one flow (Art. 4(7), 4(8))."""

    CONTROLLER = "controller"
    PROCESSOR = "processor"


class Frequency(enum.Enum):
    """How often a flow moves data; Art. 49 derogations depend on it."""

    ONE_OFF = "one_off"
    OCCASIONAL = "occasional"
    REGULAR = "regular"
    CONTINUOUS = "continuous"

    @property
    def text(self) -> str:
        """The value in words (``one-off``)."""
        return self.value.replace("_", "-")


class Mechanism(enum.Enum):
    """The transfer tool the organisation relies on today for a flow."""

    NONE = "none"
    ADEQUACY = "adequacy"
    SCC = "scc"
    BCR = "bcr"
    DPF = "dpf"
    DEROGATION_CONSENT = "derogation:consent"
    DEROGATION_CONTRACT = "derogation:contract"
    DEROGATION_CONTRACT_IN_INTEREST = "derogation:contract_in_interest"
    DEROGATION_PUBLIC_INTEREST = "derogation:public_interest"
    DEROGATION_LEGAL_CLAIMS = "derogation:legal_claims"
    DEROGATION_VITAL_INTERESTS = "derogation:vital_interests"
    DEROGATION_PUBLIC_REGISTER = "derogation:public_register"
    DEROGATION_COMPELLING_LEGITIMATE_INTERESTS = (
        "derogation:compelling_legitimate_interests"
    )
    AD_HOC_CLAUSES = "ad_hoc_clauses"
    CODE_OF_CONDUCT = "code_of_conduct"
    CERTIFICATION = "certification"
    PUBLIC_BODY_INSTRUMENT = "public_body_instrument"
    IDTA = "idta"
    UK_ADDENDUM = "uk_addendum"

    @property
    def takes_scc_module(self) -> bool:
        """Whether the tool is built on the EU SCCs and names their module."""
        return self in _SCC_BUILT

    @property
    def is_derogation(self) -> bool:
        """Whether this is one of the Art. 49 derogations."""
        return self.value.startswith("derogation:")


#: The tools built on the EU SCCs (read for every flow: one set, not one per call).
_SCC_BUILT = frozenset({Mechanism.SCC, Mechanism.UK_ADDENDUM})


class ImporterAccess(enum.Enum):
    """What the importer can actually see of the data."""

    CLEARTEXT = "cleartext"
    PSEUDONYMISED = "pseudonymised"
    ENCRYPTED = "encrypted"
    NONE = "none"


class LegalBasis(enum.Enum):
    """GDPR Art. 6(1) basis of the processing."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


class SpecialCategory(enum.Enum):
    """Special categories of data (GDPR Art. 9(1)) and criminal data (Art. 10)."""

    RACIAL_OR_ETHNIC_ORIGIN = "racial_or_ethnic_origin"
    POLITICAL_OPINIONS = "political_opinions"
    RELIGIOUS_OR_PHILOSOPHICAL_BELIEFS = "religious_or_philosophical_beliefs"
    TRADE_UNION_MEMBERSHIP = "trade_union_membership"
    GENETIC = "genetic"
    BIOMETRIC = "biometric"
    HEALTH = "health"
    SEX_LIFE_OR_SEXUAL_ORIENTATION = "sex_life_or_sexual_orientation"
    CRIMINAL_CONVICTIONS = "criminal_convictions"


class Measure(enum.Enum):
    """Technical and organisational measures that carry legal weight in assessments."""

    ENCRYPTION_IN_TRANSIT = "encryption_in_transit"
    ENCRYPTION_AT_REST = "encryption_at_rest"
    EXPORTER_HELD_KEYS = "exporter_held_keys"
    PSEUDONYMISATION = "pseudonymisation"
    SPLIT_PROCESSING = "split_processing"
    ACCESS_CONTROLS = "access_controls"
    DATA_MINIMISATION = "data_minimisation"
    TRANSPARENCY_REPORTING = "transparency_reporting"
    CHALLENGE_ORDERS_POLICY = "challenge_orders_policy"


#: The first day the GDPR applies (Art. 99(2)); earlier assessment dates are refused.
GDPR_APPLIES_FROM = date(2018, 5, 25)

#: Data subjects whose data is human-resources data for the DPF's HR scope.
HR_DATA_SUBJECTS = frozenset({"employees", "job_applicants"})

#: The region code that stands for the whole European Economic Area in ``origin``.
EEA = "EEA"


def to_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    """Convert any iterable to a tuple (an attrs converter that mypy can follow)."""
    return tuple(values)


def to_frozenset(values: Iterable[Any]) -> frozenset[Any]:
    """Convert any iterable to a frozenset (an attrs converter that mypy can follow)."""
    return frozenset(values)


def _within(period: tuple[date | None, date | None], day: date) -> bool:
    start, until = period
    return (start is None or start <= day) and (until is None or day <= until)


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def _extensions() -> Any:
    """A field for ``x-`` keys: kept, read-only, and ignored by equality."""
    return attrs.field(
        factory=dict,
        converter=_frozen_mapping,
        eq=False,
        hash=False,
        repr=False,
        kw_only=True,
    )


@attrs.frozen
class Group:
    """A corporate group, for binding corporate rules (GDPR Art. 47)."""

    id: str
    """Identifier, unique among groups."""
    name: str | None = None
    """Display name."""
    bcr: frozenset[Role] = attrs.field(default=frozenset(), converter=to_frozenset)
    """Role types for which the group holds approved BCRs (BCR-C, BCR-P)."""
    bcr_approved: date | None = None
    """Date the lead supervisory authority approved the BCRs."""
    bcr_approved_uk: date | None = None
    """Date the UK Information Commissioner approved the BCRs (UK GDPR Art. 47)."""
    bcr_approved_ch: date | None = None
    """Date the Swiss FDPIC approved the BCRs (FADP Art. 16(2)(e))."""

    def bcr_approval(self, regime: str) -> date | None:
        """The approval of the group's BCRs under a regime (``EU``, ``UK``, ``CH``)."""
        return {
            "EU": self.bcr_approved,
            "UK": self.bcr_approved_uk,
            "CH": self.bcr_approved_ch,
        }.get(regime)

    extensions: Mapping[str, Any] = _extensions()
    """The ``x-`` keys of the group, kept and otherwise ignored."""


@attrs.frozen
class Category:
    """A data category declared by the map, beyond the built-in taxonomy."""

    key: str
    """Dotted key, e.g. ``crm.call_recording``."""
    description: str | None = None
    """What the category holds."""
    special: SpecialCategory | None = None
    """The special category (Art. 9/10) the data belongs to, if any."""
    extensions: Mapping[str, Any] = _extensions()
    """The ``x-`` keys of the category, kept and otherwise ignored."""


@attrs.frozen
class Entity:
    """A party that holds personal data: a node of the flow graph."""

    id: str
    """Identifier, unique among entities."""
    name: str
    """Legal name."""
    kind: EntityKind
    """Role in the organisation's ecosystem."""
    country: str | None
    """ISO 3166-1 alpha-2 code of where it processes the data; ``None`` for an IO."""
    international_organisation: str | None = None
    """Slug of the international organisation, when the entity is one."""
    sector: Sector = Sector.PRIVATE
    """Private or public sector."""
    group: str | None = None
    """Id of the corporate group it belongs to."""
    certifications: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    """Certifications held, e.g. ``dpf``, ``dpf-hr``, ``iso27001``."""
    certification_periods: Mapping[str, tuple[date | None, date | None]] = attrs.field(
        factory=dict, converter=_frozen_mapping, eq=False, hash=False
    )
    """For a certification given with dates: its first and last day (``None``:
    open); a certification not listed here holds for the whole period."""
    bcr_accession: date | None = None
    """The day the entity acceded to its group's BCRs (``None``: for the whole
    period)."""
    subject_to_gdpr: bool | None = None
    """For entities outside the EEA: subject to the GDPR under Art. 3(2)."""
    subject_to: frozenset[str] = attrs.field(
        default=frozenset(), converter=to_frozenset
    )
    """Regimes (``EU``, ``UK``, ``CH``) the entity is subject to besides the one of
    its country (extraterritorial scope, e.g. UK GDPR Art. 3(2)); ``EU`` here means
    the same as `subject_to_gdpr`."""
    address: str | None = None
    """Postal address (SCC Annex I.A)."""
    contact: str | None = None
    """Contact person, position and details (SCC Annex I.A)."""
    extensions: Mapping[str, Any] = _extensions()
    """The ``x-`` keys of the entity, kept and otherwise ignored."""

    @property
    def jurisdiction(self) -> str:
        """The country code, or the international organisation's slug."""
        if self.country is not None:
            return self.country
        return self.international_organisation or ""

    def has_certification(self, name: str) -> bool:
        """Whether the entity holds the named certification."""
        return name in self.certifications

    def on(self, day: date) -> Entity:
        """The entity with only the certifications it holds on `day`."""
        if not self.certification_periods:
            return self
        held = tuple(
            name
            for name in self.certifications
            if _within(self.certification_periods.get(name, (None, None)), day)
        )
        if held == self.certifications:
            return self
        return attrs.evolve(self, certifications=held)

    def declared_subject(self, regime: str) -> bool:
        """Whether the map declares the entity subject to a regime it is not in."""
        if regime == "EU" and self.subject_to_gdpr:
            return True
        return regime in self.subject_to


def _sorted_pairs(
    values: Mapping[str, Any] | Iterable[tuple[str, Any]],
) -> tuple[tuple[str, Any], ...]:
    """Key-value pairs sorted by key (a mapping or pairs; hashable)."""
    items = values.items() if isinstance(values, Mapping) else values
    return tuple(sorted(items, key=lambda pair: pair[0]))


class Reach(enum.Enum):
    """The importer's answer to whether a law reaches it (it is in a reached class)."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class DataForm(enum.Enum):
    """What the importer sees of the data, by its own answer."""

    CLEAR = "clear"
    PSEUDONYMISED = "pseudonymised"
    ENCRYPTED = "encrypted"


class KeyHolder(enum.Enum):
    """Who holds the keys of encrypted data."""

    EXPORTER = "exporter"
    IMPORTER = "importer"


@attrs.frozen
class TiaAnswers:
    """
    The importer's answers to a transfer impact assessment's questions.

    Every answer is optional: one left out is shown as unanswered and the
    calculation uses a documented default instead.
    """

    reached: tuple[tuple[str, Reach], ...] = attrs.field(
        default=(), converter=_sorted_pairs
    )
    """Per access-law id: whether the importer is in a class the law reaches
    (pairs sorted by id; `reach` looks one up). It overrides `classes`."""
    classes: tuple[tuple[str, Reach], ...] = attrs.field(
        default=(), converter=_sorted_pairs
    )
    """Per importer class (``ecsp``, ``telecom_operator``, …): whether the importer
    is in it; it answers for every law that reaches the class."""
    requests_received: int | None = None
    """Requests for the data from public authorities of the destination received
    in the last `requests_years` years."""
    requests_years: int | None = None
    """The years `requests_received` counts over."""
    data_form: DataForm | None = None
    """What the importer sees: the data in clear, pseudonymised or encrypted."""
    keys_held_by: KeyHolder | None = None
    """For encrypted data: who holds the keys (the exporter means in the EEA)."""
    pseudonymisation_key_in_eea: bool | None = None
    """For pseudonymised data: whether the key stays with the exporter in the EEA."""
    transit_only: bool | None = None
    """The data only passes through the country, encrypted, on its way."""
    remote_access_only: bool | None = None
    """The data stays in the EEA; the importer only reaches it from afar."""
    transfer_years: float | None = None
    """How many years the transfer runs (the calculation's period)."""
    measures: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    """Measures the importer confirms are in place (the map's measure words)."""

    def reach(self, law_id: str) -> Reach | None:
        """The answer for one law; ``None`` when it was not answered."""
        return dict(self.reached).get(law_id)

    def in_class(self, key: str) -> Reach | None:
        """The answer for one importer class; ``None`` when it was not answered."""
        return dict(self.classes).get(key)


@attrs.frozen
class TiaRecord:
    """A documented transfer impact assessment: its date, who made it, the answers."""

    date: date
    """The day it was documented."""
    assessor: str | None = None
    """Who made it."""
    answers: TiaAnswers | None = None
    """The importer's answers; ``None`` for a record without answers."""
    answers_file: str | None = attrs.field(default=None, eq=False, hash=False)
    """The file the answers were read from, relative to the map (where they came
    from, not what they say: records with the same answers are equal)."""


@attrs.frozen
class Flow:
    """One recurring movement of personal data between two entities."""

    id: str
    """Identifier, unique among flows."""
    exporter: str
    """Entity id of the sender (``from`` in the file)."""
    importer: str
    """Entity id of the recipient (``to`` in the file)."""
    exporter_role: Role
    """Role of the exporter for this flow."""
    importer_role: Role
    """Role of the importer for this flow."""
    data_subjects: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Whose data moves, e.g. ``customers``, ``employees``."""
    data_categories: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Category keys the flow carries (hierarchical)."""
    purposes: tuple[str, ...] = attrs.field(converter=to_tuple)
    """What the data is used for."""
    frequency: Frequency
    """How often data moves."""
    special_categories: frozenset[SpecialCategory] = attrs.field(
        default=frozenset(), converter=to_frozenset
    )
    """Art. 9/10 data carried, declared or inferred from the category keys."""
    volume: int | None = None
    """Number of data subjects affected per year."""
    mechanism: Mechanism = Mechanism.NONE
    """The transfer tool relied on today."""
    scc_module: int | None = None
    """The SCC module signed, when the mechanism is ``scc`` or ``uk_addendum``."""
    scc_adaptations: frozenset[str] = attrs.field(
        default=frozenset(), converter=to_frozenset
    )
    """Regimes whose adaptations the signed EU SCCs carry (``CH``: the FDPIC's)."""
    tia: date | None = None
    """Date the transfer impact assessment was last documented."""
    tia_record: TiaRecord | None = None
    """The assessment as a record (``tia: {date, assessor, answers}``); ``None``
    when the map gives a date alone. Its date is `tia`."""
    scc_signed: date | None = None
    """Date the SCCs relied on were signed (from 2021-06-27: the 2021 clauses)."""
    measures: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    """Technical and organisational measures in place (known and free ones)."""
    importer_access: ImporterAccess = ImporterAccess.CLEARTEXT
    """What the importer can actually see."""
    anonymised: bool = False
    """The data is anonymous in the importer's hands (Recital 26)."""
    origin: tuple[str, ...] | None = attrs.field(
        default=None, converter=attrs.converters.optional(to_tuple)
    )
    """Regions the records come from (``EEA`` or country codes); ``None``: any."""
    start: date | None = None
    """First day of the flow."""
    end: date | None = None
    """Last day of the flow."""
    legal_basis: LegalBasis | None = None
    """Art. 6(1) basis of the processing."""
    nature: str | None = None
    """The processing operations (SCC Annex I.B)."""
    retention: str | None = None
    """Retention period or the criteria for it."""
    description: str | None = None
    """Free description."""
    extensions: Mapping[str, Any] = _extensions()
    """The ``x-`` keys of the flow, kept and otherwise ignored."""

    def exists_on(self, day: date) -> bool:
        """Whether the flow exists on `day` (``start <= day <= end``, open bounds)."""
        if self.start is not None and day < self.start:
            return False
        return self.end is None or day <= self.end

    def has_measure(self, measure: Measure) -> bool:
        """Whether the named measure is in place."""
        return measure.value in self.measures

    @property
    def is_hr_data(self) -> bool:
        """Whether the flow carries human-resources data (employees, applicants)."""
        return not HR_DATA_SUBJECTS.isdisjoint(self.data_subjects)


@attrs.frozen
class DataMap:
    """A validated data map: entities (nodes) and flows (edges) of one organisation."""

    organisation: str
    """The group the map describes."""
    entities: tuple[Entity, ...] = attrs.field(converter=to_tuple)
    """All entities, in file order."""
    flows: tuple[Flow, ...] = attrs.field(converter=to_tuple)
    """All flows, in file order."""
    groups: tuple[Group, ...] = attrs.field(default=(), converter=to_tuple)
    """Corporate groups."""
    categories: tuple[Category, ...] = attrs.field(default=(), converter=to_tuple)
    """Categories declared beyond the built-in taxonomy."""
    as_of: date | None = None
    """Default assessment date."""
    controller: str | None = None
    """Name and contact details of the controller (Art. 30(1)(a))."""
    dpo: str | None = None
    """Name and contact details of the data protection officer (Art. 30(1)(a))."""
    version: int = 1
    """Format version; always 1."""
    source: str | None = attrs.field(default=None, eq=False)
    """The file or folder the map was read from, if any."""
    warnings: tuple[Problem, ...] = attrs.field(
        default=(), converter=to_tuple, eq=False
    )
    """Non-fatal remarks found while loading (e.g. unknown category keys)."""
    extensions: Mapping[str, Any] = _extensions()
    """The top-level ``x-`` keys, kept and otherwise ignored."""

    def on(self, day: date) -> DataMap:
        """The map as it stands on `day`: dated certifications held on that day."""
        entities = tuple(entity.on(day) for entity in self.entities)
        if all(new is old for new, old in zip(entities, self.entities, strict=True)):
            return self
        return attrs.evolve(self, entities=entities)

    def entity(self, entity_id: str) -> Entity:
        """
        Return the entity with the given id.

        Raises:
            KeyError: No entity has that id.
        """
        return self._entities_by_id[entity_id]

    def flow(self, flow_id: str) -> Flow:
        """
        Return the flow with the given id.

        Raises:
            KeyError: No flow has that id.
        """
        return self._flows_by_id[flow_id]

    def inbound(self, entity_id: str) -> tuple[Flow, ...]:
        """The flows whose importer is the entity, in file order (none if unknown)."""
        return self._inbound.get(entity_id, ())

    def scc_senders(self, entity_id: str) -> tuple[frozenset[str], frozenset[str]]:
        """
        Who sends the entity data under a tool built on the EU SCCs.

        Returns:
            The ids of the exporters of its inbound flows whose mechanism names an
            SCC module, and the groups those exporters belong to.
        """
        return self._scc_senders.get(entity_id, (frozenset(), frozenset()))

    def group(self, group_id: str) -> Group:
        """
        Return the group with the given id.

        Raises:
            KeyError: No group has that id.
        """
        return self._groups_by_id[group_id]

    @functools.cached_property
    def _entities_by_id(self) -> Mapping[str, Entity]:
        return {entity.id: entity for entity in self.entities}

    @functools.cached_property
    def _flows_by_id(self) -> Mapping[str, Flow]:
        return {flow.id: flow for flow in self.flows}

    @functools.cached_property
    def _scc_senders(self) -> Mapping[str, tuple[frozenset[str], frozenset[str]]]:
        ids: dict[str, set[str]] = {}
        groups: dict[str, set[str]] = {}
        for flow in self.flows:
            if not flow.mechanism.takes_scc_module:
                continue
            ids.setdefault(flow.importer, set()).add(flow.exporter)
            group = self.entity(flow.exporter).group
            if group is not None:
                groups.setdefault(flow.importer, set()).add(group)
        return {
            importer: (frozenset(senders), frozenset(groups.get(importer, ())))
            for importer, senders in ids.items()
        }

    @functools.cached_property
    def _inbound(self) -> Mapping[str, tuple[Flow, ...]]:
        found: dict[str, list[Flow]] = {}
        for flow in self.flows:
            found.setdefault(flow.importer, []).append(flow)
        return {entity_id: tuple(flows) for entity_id, flows in found.items()}

    @functools.cached_property
    def _groups_by_id(self) -> Mapping[str, Group]:
        return {group.id: group for group in self.groups}
