"""
Valid maps on a fast path: msgspec type-checks the document, a few lines per value.

The locating validator (`transfer_assess.load.validate`) checks every value with
Python code written for messages: the path of each problem, a suggestion, a line. For
a valid map, the common and the large case, none of that is needed. Here msgspec
Structs that mirror the format decode a JSON text (or convert the values a YAML or CSV
reader parsed) and check their types in C; the rules a type cannot say (vocabulary
near misses, ids, references, dates, limits, duplicates, safe text) are checked
afterwards in a few plain passes, and the same model values are built.

Whenever anything is not exactly as a valid map would have it, the fast path gives
up and returns ``None``; the caller then runs the locating validator, which finds and
locates every problem. The fast path never reports a problem itself, so the messages
are the locating validator's alone. It also gives up on what it leaves to that
validator: ``x-`` keys, TIA records (``tia:`` as a mapping), values a reader refused,
and anything that would give a warning. This is the only module that uses msgspec
for reading.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

import msgspec

from transfer_assess.load.validate import (
    _CATEGORY_KEY,
    _DATE,
    _IO_SLUG,
    _MEASURES,
    _MULTILINE_KEYS,
    ID_PATTERN,
    REGIME_IDS,
    SCC_ADAPTATION_REGIMES,
    _certifications,
    _Checker,
    _FlowChecker,
    country_problem,
)
from transfer_assess.model import (
    GDPR_APPLIES_FROM,
    Category,
    DataMap,
    Entity,
    EntityKind,
    Flow,
    Frequency,
    Group,
    ImporterAccess,
    LegalBasis,
    Mechanism,
    Role,
    Sector,
    SpecialCategory,
)
from transfer_assess.safetext import unsafe_character

if TYPE_CHECKING:
    from transfer_assess.load.limits import Limits
    from transfer_assess.refdata import Taxonomy

#: The longest number the readers accept has 64 characters (`MAX_NUMBER_CHARS`);
#: msgspec reads longer integers, so a volume this large goes to the validator.
_NUMBER_BOUND = 10**64
#: Mechanisms that name the SCC module they rely on.
_SCC_BASED = frozenset(
    mechanism for mechanism in Mechanism if mechanism.takes_scc_module
)
_SCC_ADAPTATIONS = frozenset(SCC_ADAPTATION_REGIMES)


class _Strict(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """
    A record of the format: unknown keys (``x-`` keys too) fail the decoding.

    Written back (for the duplicate-key check of `decode_json`), a record has the
    keys it was read with; a key given as ``null`` is left out, so a JSON text with
    nulls takes the locating validator.
    """


class _Group(_Strict):
    """A corporate group as the format writes it."""

    id: str
    name: str | None = None
    bcr: list[Role] | None = None
    bcr_approved: str | None = None
    bcr_approved_uk: str | None = None
    bcr_approved_ch: str | None = None


class _Category(_Strict):
    """A declared category as the format writes it."""

    key: str
    description: str | None = None
    special: SpecialCategory | None = None


class _Entity(_Strict):
    """An entity as the format writes it."""

    id: str
    name: str
    kind: EntityKind
    country: str | None = None
    international_organisation: str | None = None
    sector: Sector | None = None
    group: str | None = None
    certifications: list[str] | None = None
    bcr_accession: str | None = None
    subject_to_gdpr: bool | None = None
    subject_to: list[str] | None = None
    address: str | None = None
    contact: str | None = None


class _Flow(_Strict):
    """A flow as the format writes it (``from`` and ``to`` renamed)."""

    id: str
    exporter: str = msgspec.field(name="from")
    importer: str = msgspec.field(name="to")
    exporter_role: Role
    importer_role: Role
    data_subjects: list[str]
    data_categories: list[str]
    purposes: list[str]
    frequency: Frequency
    special_categories: list[SpecialCategory] | None = None
    volume: int | None = None
    mechanism: Mechanism | None = None
    scc_module: int | None = None
    scc_adaptations: list[str] | None = None
    tia: str | None = None
    scc_signed: str | None = None
    measures: list[str] | None = None
    importer_access: ImporterAccess | None = None
    anonymised: bool | None = None
    origin: list[str] | None = None
    start: str | None = None
    end: str | None = None
    legal_basis: LegalBasis | None = None
    nature: str | None = None
    retention: str | None = None
    description: str | None = None


class _Map(_Strict):
    """The top level of a map."""

    version: int
    organisation: str
    entities: list[_Entity]
    flows: list[_Flow]
    as_of: str | None = None
    controller: str | None = None
    dpo: str | None = None
    groups: list[_Group] | None = None
    categories: list[_Category] | None = None


_JSON_DECODER = msgspec.json.Decoder(_Map)


#: A colon written as a JSON escape (``\u003a``): a backslash not itself escaped,
#: that is one after an even number of backslashes.
_ESCAPED_COLON = re.compile(r"(?<!\\)(?:\\\\)*\\u003[aA]")


class _GiveUpError(Exception):
    """The map is not plainly valid: the locating validator must read it."""


def decode_json(
    text: str, taxonomy: Taxonomy, limits: Limits, source: str
) -> DataMap | None:
    """
    Decode and check a JSON map on the fast path.

    Args:
        text: The decoded document.
        taxonomy: The built-in category taxonomy.
        limits: Size bounds.
        source: The file name for `DataMap.source`.

    Returns:
        The data map, equal to what the locating validator builds; ``None`` when the
        text is not plainly a valid map (the locating validator must then read it).
    """
    # A duplicate key would be decoded as its last value; JSON's reader refuses it.
    # Every key ends with a colon outside strings, so when the text has as many
    # colons as the values decoded from it written back (where each key kept has
    # one and the strings keep theirs, an escaped colon written plainly), no key
    # was dropped.
    try:
        parsed = _JSON_DECODER.decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    colons = text.count(":")
    if "\\u003" in text:  # the pattern's scan is slow; most maps have no escape
        colons += len(_ESCAPED_COLON.findall(text))
    if msgspec.json.encode(parsed).count(b":") != colons:
        return None
    return _build(parsed, taxonomy, limits, source)


def convert(
    value: Any, taxonomy: Taxonomy, limits: Limits, source: str
) -> DataMap | None:
    """
    Check values a reader parsed (YAML, CSV) on the fast path.

    Args:
        value: The parsed document (a reader's `RawDocument.value`, read without
            problems).
        taxonomy: The built-in category taxonomy.
        limits: Size bounds.
        source: The file or folder name for `DataMap.source`.

    Returns:
        The data map, or ``None`` when the locating validator must read the values.
    """
    try:
        parsed = msgspec.convert(value, _Map)
    except msgspec.ValidationError:
        return None
    return _build(parsed, taxonomy, limits, source)


def _build(
    parsed: _Map, taxonomy: Taxonomy, limits: Limits, source: str
) -> DataMap | None:
    try:
        return _Builder(taxonomy, limits).map(parsed, source)
    except _GiveUpError:
        return None


class _Builder:
    """Checks what the types do not say and builds the model values."""

    def __init__(self, taxonomy: Taxonomy, limits: Limits) -> None:
        self.taxonomy = taxonomy
        self.limits = limits
        # The locating validator's own checks, for the rare values that need them
        # (dated certifications, near-miss measures, origins): anything they report
        # sends the whole map to the locating validator.
        self.checker = _Checker(taxonomy, limits)
        # One-line texts and texts that may span lines, checked at the end at once.
        self.lines: list[str] = []
        self.texts: list[str] = []
        self.days: dict[str, date] = {}
        self.countries: dict[str, bool] = {}

    def require(self, condition: object) -> None:
        """Give up unless `condition` holds."""
        if not condition:
            raise _GiveUpError

    def text(self, value: str | None, key: str) -> str | None:
        """An optional text, kept for the check at the end."""
        if value is not None:
            (self.texts if key in _MULTILINE_KEYS else self.lines).append(value)
        return value

    def identifier(self, value: str) -> str:
        """An id: the pattern, and the text checks at the end."""
        self.require(ID_PATTERN.fullmatch(value))
        self.lines.append(value)
        return value

    def words(self, values: list[str] | None) -> list[str]:
        """An optional list of non-empty texts (one line each)."""
        if values is None:
            return []
        self.require(all(map(str.strip, values)))
        self.lines.extend(values)
        return values

    def day(self, value: str | None) -> date | None:
        """An ISO date ``YYYY-MM-DD`` that exists."""
        if value is None:
            return None
        known = self.days.get(value)
        if known is not None:
            return known
        self.require(_DATE.fullmatch(value))
        try:
            day = date.fromisoformat(value)
        except ValueError as error:
            raise _GiveUpError from error
        self.days[value] = day
        return day

    def unique(self, values: list[str]) -> set[str]:
        """The values as a set; they must all differ."""
        found = set(values)
        self.require(len(found) == len(values))
        return found

    def map(self, parsed: _Map, source: str) -> DataMap:
        """The whole map; gives up at the first thing that is not plainly valid."""
        self.require(parsed.version == 1)
        self.require(parsed.organisation.strip())
        self.text(parsed.organisation, "organisation")
        self.text(parsed.controller, "controller")
        self.text(parsed.dpo, "dpo")
        as_of = self.day(parsed.as_of)
        self.require(as_of is None or as_of >= GDPR_APPLIES_FROM)
        groups = [self.group(item) for item in parsed.groups or ()]
        group_ids = self.unique([group.id for group in groups])
        categories = [self.category(item) for item in parsed.categories or ()]
        declared = {category.key: category for category in categories}
        self.require(len(declared) == len(categories))
        self.require(0 < len(parsed.entities) <= self.limits.max_entities)
        entities = [self.entity(item, group_ids) for item in parsed.entities]
        entity_ids = self.unique([entity.id for entity in entities])
        self.require(len(parsed.flows) <= self.limits.max_flows)
        flows = _Flows(self, entity_ids, declared).build(parsed.flows)
        self.unique([flow.id for flow in flows])
        self.check_texts()
        self.require(not self.checker.problems and not self.checker.warnings)
        return DataMap(
            organisation=parsed.organisation,
            entities=entities,
            flows=flows,
            groups=groups,
            categories=categories,
            as_of=as_of,
            controller=parsed.controller,
            dpo=parsed.dpo,
            source=source,
        )

    def check_texts(self) -> None:
        """Every text within the length limit and free of disguising characters."""
        limit = self.limits.max_text_chars
        for texts, multiline in ((self.lines, False), (self.texts, True)):
            if texts:
                self.require(max(map(len, texts)) <= limit)
                self.require(
                    unsafe_character(" ".join(texts), multiline=multiline) is None
                )

    def group(self, item: _Group) -> Group:
        """One corporate group."""
        return Group(
            id=self.identifier(item.id),
            name=self.text(item.name, "name"),
            bcr=frozenset(item.bcr or ()),
            bcr_approved=self.day(item.bcr_approved),
            bcr_approved_uk=self.day(item.bcr_approved_uk),
            bcr_approved_ch=self.day(item.bcr_approved_ch),
        )

    def category(self, item: _Category) -> Category:
        """One declared category."""
        self.require(_CATEGORY_KEY.fullmatch(item.key))
        self.lines.append(item.key)
        return Category(
            key=item.key,
            description=self.text(item.description, "description"),
            special=item.special,
        )

    def country(self, code: str) -> bool:
        """Whether a country code is valid (remembered per code)."""
        known = self.countries.get(code)
        if known is None:
            known = self.countries[code] = country_problem(code) is None
        return known

    def entity(self, item: _Entity, group_ids: set[str]) -> Entity:
        """One entity."""
        self.require(item.name.strip())
        self.lines.append(item.name)
        organisation = item.international_organisation
        if organisation is not None:
            self.require(_IO_SLUG.fullmatch(organisation) and item.country is None)
            self.lines.append(organisation)
        else:
            self.require(item.country is not None and self.country(item.country))
        self.require(item.group is None or item.group in group_ids)
        self.text(item.group, "group")
        accession = self.day(item.bcr_accession)
        self.require(accession is None or item.group is not None)
        names: list[str] = []
        periods: dict[str, tuple[date | None, date | None]] = {}
        if item.certifications is not None:
            names, periods = _certifications(
                {"certifications": item.certifications}, (), self.checker
            )
        subject_to = self.words(item.subject_to)
        self.require(all(regime in REGIME_IDS for regime in subject_to))
        return Entity(
            id=self.identifier(item.id),
            name=item.name,
            kind=item.kind,
            country=item.country,
            international_organisation=organisation,
            sector=item.sector or Sector.PRIVATE,
            group=item.group,
            certifications=names,
            certification_periods=periods,
            bcr_accession=accession,
            subject_to_gdpr=item.subject_to_gdpr,
            subject_to=subject_to,
            address=self.text(item.address, "address"),
            contact=self.text(item.contact, "contact"),
        )


class _Flows:
    """The flows of a map, checked against its entities and categories."""

    def __init__(
        self, builder: _Builder, entity_ids: set[str], declared: dict[str, Category]
    ) -> None:
        self.builder = builder
        self.entity_ids = entity_ids
        self.declared = declared
        self.origins = _FlowChecker(builder.checker, entity_ids, entity_ids, declared)
        # Per category key: the special category it implies (``None``: none); a key
        # that is invalid, or neither built in nor declared (a warning), gives up.
        self.keys: dict[str, SpecialCategory | None] = {}

    def special_for(self, key: str) -> SpecialCategory | None:
        """The special category a key implies; gives up on a key that would warn."""
        taxonomy = self.builder.taxonomy
        self.builder.require(
            _CATEGORY_KEY.fullmatch(key)
            and (key in self.declared or taxonomy.is_known(key))
        )
        special = self.keys[key] = taxonomy.special_for(key, self.declared)
        return special

    def build(self, items: list[_Flow]) -> list[Flow]:
        """Every flow, in file order."""
        return [self.flow(item) for item in items]

    def flow(self, item: _Flow) -> Flow:
        """One flow (the checks written out: this runs for every flow)."""
        builder = self.builder
        entity_ids = self.entity_ids
        lines = builder.lines
        if (
            item.exporter not in entity_ids
            or item.importer not in entity_ids
            or item.exporter == item.importer
            or not ID_PATTERN.fullmatch(item.id)
        ):
            raise _GiveUpError
        lines.append(item.id)
        subjects = item.data_subjects
        categories = item.data_categories
        purposes = item.purposes
        for words in (subjects, categories, purposes):
            if not words or not all(map(str.strip, words)):
                raise _GiveUpError
            lines.extend(words)
        special = set(item.special_categories or ())
        keys = self.keys
        for key in categories:
            inferred = keys[key] if key in keys else self.special_for(key)
            if inferred is not None:
                special.add(inferred)
        volume = item.volume
        mechanism = item.mechanism or Mechanism.NONE
        module = item.scc_module
        if (
            (volume is not None and not 0 <= volume < _NUMBER_BOUND)
            or (module is None and mechanism in _SCC_BASED)
            or (module is not None and not 1 <= module <= 4)  # noqa: PLR2004 - modules
        ):
            raise _GiveUpError
        adaptations = builder.words(item.scc_adaptations)
        if not _SCC_ADAPTATIONS.issuperset(adaptations):
            raise _GiveUpError
        measures = [
            word if word in _MEASURES else self.measure(word)
            for word in builder.words(item.measures)
        ]
        origin = None
        if item.origin is not None:
            origin = self.origins.origin({"origin": item.origin}, ())
            builder.require(origin is not None)
        day = builder.day
        start = day(item.start)
        end = day(item.end)
        if start is not None and end is not None and end < start:
            raise _GiveUpError
        return Flow(
            id=item.id,
            exporter=item.exporter,
            importer=item.importer,
            exporter_role=item.exporter_role,
            importer_role=item.importer_role,
            data_subjects=subjects,
            data_categories=categories,
            purposes=purposes,
            frequency=item.frequency,
            special_categories=special,
            volume=volume,
            mechanism=mechanism,
            scc_module=module,
            scc_adaptations=adaptations,
            tia=day(item.tia),
            scc_signed=day(item.scc_signed),
            measures=measures,
            importer_access=item.importer_access or ImporterAccess.CLEARTEXT,
            anonymised=item.anonymised or False,
            origin=origin,
            start=start,
            end=end,
            legal_basis=item.legal_basis,
            nature=builder.text(item.nature, "nature"),
            retention=builder.text(item.retention, "retention"),
            description=builder.text(item.description, "description"),
        )

    def measure(self, word: str) -> str:
        """A measure the assessment does not know as written: the validator's rule."""
        return self.builder.checker.known_word(word, (), _MEASURES, "measure")
