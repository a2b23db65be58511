"""
The legal reference data: adequacy decisions, EEA membership and the category taxonomy.

This module is the only reader of ``data/``. It parses the JSON files into frozen
values, validates them (collecting every problem into one `ReferenceDataError`) and
answers the questions the engine asks: which decisions are in force for a jurisdiction
on a date, which of them cover a given importer, and whether a country counts as inside
the EEA on a date. Nothing is read at import time; `load_reference_data` caches.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pycountry

from transfer_assess.access_laws import (
    NO_LAWS,
    AccessLaw,
    AccessLaws,
    parse_access_laws,
)
from transfer_assess.errors import InputError, ReferenceDataError
from transfer_assess.model import (
    GDPR_APPLIES_FROM,
    Entity,
    Sector,
    SpecialCategory,
    to_tuple,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


#: Regimes a decision can belong to.
REGIMES = frozenset({"EU-GDPR", "EU-LED", "UK-GDPR", "CH-FADP"})

#: The certifications a decision's scope may require (names used in data maps).
SCOPE_CERTIFICATIONS = frozenset(
    {
        "dpf",
        "dpf-hr",
        "dpf-uk",
        "dpf-uk-hr",
        "dpf-ch",
        "dpf-ch-hr",
        "privacy-shield",
        "safe-harbor",
    }
)

#: Every file of a reference-data set (what updates download and hashes cover).
REFERENCE_FILES = (
    "adequacy.json",
    "eea.json",
    "taxonomy.json",
    "country_profiles.json",
    "supervisory_authorities.json",
    "regimes.json",
    "access_laws.json",
)
_END_KINDS = frozenset({"judgment", "expiry", "repeal"})
_EEA_EFTA_STATUSES = frozenset({"incorporated", "unknown", "not_applicable"})
_ADEQUACY_PRACTICES = frozenset({"follows_eu", "needs_incorporation"})
_MEMBER_STATUSES = frozenset(
    {"eu_member", "eea_efta", "withdrawal_transition", "tca_bridge"}
)


@attrs.frozen
class EndReason:
    """Why and how a decision stopped applying."""

    kind: str
    """``judgment``, ``expiry`` or ``repeal``."""
    text: str
    """A plain sentence."""
    reference: str | None
    """The judgment or act, e.g. ``CJEU C-311/18 (Schrems II)``."""
    sources: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Where this is stated."""


@attrs.frozen
class Validity:
    """A sunset clause: the decision applies until a day, as set by an act."""

    until: date
    """Last day of validity."""
    set_by: str
    """The act or article that sets it."""
    adopted: date
    """When that act was adopted; before that day the sunset was not known."""
    sources: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Where this is stated."""


@attrs.frozen
class Scope:
    """What part of a jurisdiction a decision covers, as far as a map can express it."""

    kind: str
    """``whole`` or ``partial``."""
    summary: str
    """One or two plain sentences."""
    sectors: frozenset[Sector] | None
    """Sectors of importers covered; ``None`` covers any."""
    certifications: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Certifications the importer must all hold (``dpf``; ``dpf`` and ``dpf-uk``)."""
    hr_certifications: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Certifications also needed for HR data (``dpf-hr``)."""
    hr_data: str | None
    """``legal_review`` where HR data is only partly covered (Canada)."""
    conditions: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Conditions a map cannot express; the user must confirm them."""

    @property
    def certification(self) -> str | None:
        """The first certification required (the framework's own), if any."""
        return self.certifications[0] if self.certifications else None

    def missing(self, importer: Entity, *, hr_data: bool) -> tuple[str, ...]:
        """The required certifications the importer does not hold."""
        needed = self.certifications + (self.hr_certifications if hr_data else ())
        return tuple(name for name in needed if not importer.has_certification(name))


@attrs.frozen
class Note:
    """A dated remark on a decision: a review or a pending challenge."""

    date: date
    """When the review happened or since when the matter is pending."""
    text: str
    """A plain sentence."""
    reference: str | None
    """The document, if any."""
    sources: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Where this is stated."""


@attrs.frozen
class OnwardRules:
    """The destination framework's own rules for onward transfers of EU data."""

    reference: str
    """Where the rules are (e.g. the decision's Supplementary Rule (4))."""
    text: str
    """A plain summary (not the rules' text)."""
    sources: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Where this is stated."""


@attrs.frozen
class Decision:
    """An adequacy decision (GDPR Art. 45, Directive 95/46 Art. 25(6), LED Art. 36)."""

    id: str
    """Stable slug, e.g. ``us-dpf``."""
    regime: str
    """``EU-GDPR`` or ``EU-LED``."""
    title: str
    """Human name."""
    country: str | None
    """ISO alpha-2 code of a single-country decision, else ``None``."""
    international_organisation: str | None
    """Slug of the international organisation covered."""
    reference: str
    """Official short reference."""
    document: str | None
    """Commission document number (``C(2023) 4745 final``)."""
    celex: str | None
    """CELEX number."""
    legal_basis: str
    """The article it is adopted under."""
    adopted: date
    """Adoption date."""
    applies_from: date | None
    """First day it applies, when later than adoption."""
    ended: date | None
    """First day it no longer applies, if it has ended."""
    end_reason: EndReason | None
    """Why it ended."""
    validity: tuple[Validity, ...] = attrs.field(converter=to_tuple)
    """Sunset clauses; `known_until` takes the latest adopted by a date."""
    successor: str | None
    """Id of the decision that takes over when this one expires."""
    scope: Scope
    """What it covers."""
    eea_efta_status: str
    """``incorporated`` or ``unknown``: may Iceland, Liechtenstein, Norway use it."""
    eea_efta_from: date | None
    """Since when the EEA EFTA states may rely on it, where known."""
    reviews: tuple[Note, ...] = attrs.field(converter=to_tuple)
    """Periodic reviews."""
    watch: tuple[Note, ...] = attrs.field(converter=to_tuple)
    """Pending challenges and other matters to watch."""
    sources: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Where the decision and its dates are stated."""
    unconfirmed: tuple[str, ...] = attrs.field(converter=to_tuple)
    """What could not be confirmed about it."""
    countries: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    """Every country code covered, for a decision on a list of countries (UK
    adequacy regulations for the EEA states, Annex 1 of the Swiss DPO)."""
    onward_rules: OnwardRules | None = None
    """The destination framework's own onward-transfer rules, where recorded."""

    @property
    def jurisdiction(self) -> str:
        """The country code or organisation slug (a list's first country)."""
        return self.jurisdictions[0] if self.jurisdictions else ""

    @property
    def jurisdictions(self) -> tuple[str, ...]:
        """Every country code or organisation slug the decision covers."""
        if self.countries:
            return self.countries
        return (self.country or self.international_organisation or "",)

    @property
    def starts(self) -> date:
        """First day the decision applies."""
        return self.applies_from or self.adopted

    def in_force(self, day: date) -> bool:
        """
        Whether the decision applies on `day`.

        It applies from `starts` up to the day before `ended`, and not after the
        last sunset known from acts adopted on or before `day`.
        """
        if day < self.starts:
            return False
        if self.ended is not None and day >= self.ended:
            return False
        known = self.known_until(day)
        return known is None or day <= known

    def known_until(self, day: date) -> date | None:
        """
        The last day of validity as known from acts adopted on or before `day`.

        Returns ``None`` when no sunset is known on that day.
        """
        known = [entry for entry in self.validity if entry.adopted <= day]
        if not known:
            return None
        return max(known, key=lambda entry: entry.adopted).until

    def active_watch(self, day: date) -> tuple[Note, ...]:
        """Watch notes that were already pending on `day`."""
        return tuple(note for note in self.watch if note.date <= day)


@attrs.frozen
class MembershipPeriod:
    """A period in which a country counts as inside the EEA for Chapter V."""

    status: str
    """``eu_member``, ``eea_efta``, ``withdrawal_transition`` or ``tca_bridge``."""
    start: date
    """First day."""
    until: date | None
    """Last day, or ``None`` while it lasts."""
    inside_as_exporter: bool
    """Whether an exporter there is subject to the GDPR in that period."""
    inside_as_importer: bool
    """Whether sending data there is not a transfer in that period."""
    citation: str
    """The legal source of the status."""

    def covers(self, day: date) -> bool:
        """Whether `day` falls in the period."""
        return self.start <= day and (self.until is None or day <= self.until)


@attrs.frozen
class ReferenceData:
    """All reference data, validated; pass your own for what-ifs and tests."""

    version: str
    """Version of the data set (``YYYY-MM-DD[.N]``)."""
    as_of: date
    """Date up to which the facts were checked."""
    sha256: str
    """Hash of the files the data was read from."""
    decisions: tuple[Decision, ...] = attrs.field(converter=to_tuple)
    """All adequacy decisions, ended ones included."""
    membership: Mapping[str, tuple[MembershipPeriod, ...]] = attrs.field(
        eq=False, hash=False
    )
    """EEA membership periods per country code."""
    origin: str = "packaged"
    """Where the data came from (``packaged`` or a folder)."""
    regimes: Mapping[str, RegimeSpec] = attrs.field(factory=dict, eq=False, hash=False)
    """The regimes by id (``EU``, ``UK``, ``CH``), from ``regimes.json``."""
    practices: Mapping[str, str] = attrs.field(factory=dict, eq=False, hash=False)
    """For EEA EFTA states: ``follows_eu`` (apply each EU decision from its EU
    date) or ``needs_incorporation`` (only once the EEA Agreement takes it in)."""
    laws: AccessLaws = attrs.field(default=NO_LAWS, eq=False, hash=False)
    """The destination laws that let public authorities reach data
    (``access_laws.json``)."""

    def access_laws(self, country: str | None, day: date) -> tuple[AccessLaw, ...]:
        """The access laws of a country in force on `day`, in file order."""
        return self.laws.for_country(country, day)

    def regime(self, regime_id: str) -> RegimeSpec:
        """
        The reference data of a regime.

        Raises:
            KeyError: No such regime.
        """
        return self.regimes[regime_id]

    def decision(self, decision_id: str) -> Decision:
        """
        Return the decision with the given id.

        Raises:
            KeyError: No such decision.
        """
        for decision in self.decisions:
            if decision.id == decision_id:
                return decision
        raise KeyError(decision_id)

    def membership_on(self, country: str, day: date) -> MembershipPeriod | None:
        """The EEA membership period of `country` on `day`, if any."""
        for period in self.membership.get(country, ()):
            if period.covers(day):
                return period
        return None

    def is_eea(self, country: str | None, day: date, *, as_importer: bool) -> bool:
        """
        Whether `country` counts as inside the EEA on `day`.

        Args:
            country: ISO alpha-2 code (``None`` for an international organisation).
            day: The assessment date.
            as_importer: The United Kingdom counted as inside for importers until
                the bridge ended (2021-06-27), for exporters only until 2020-12-31.
        """
        if country is None:
            return False
        period = self.membership_on(country, day)
        if period is None:
            return False
        return period.inside_as_importer if as_importer else period.inside_as_exporter

    def eea_countries(self, day: date) -> tuple[str, ...]:
        """Country codes inside the EEA (for importers) on `day`, sorted."""
        return tuple(
            sorted(
                country
                for country in self.membership
                if self.is_eea(country, day, as_importer=True)
            )
        )

    def decisions_for(
        self, jurisdiction: str, day: date, *, regime: str = "EU-GDPR"
    ) -> tuple[Decision, ...]:
        """
        Decisions of `regime` in force on `day` for a country or organisation.

        Args:
            jurisdiction: ISO alpha-2 code or international organisation slug.
            day: The assessment date.
            regime: ``EU-GDPR`` (default) or ``EU-LED``.
        """
        candidates = self._by_jurisdiction.get((regime, jurisdiction), ())
        return tuple(decision for decision in candidates if decision.in_force(day))

    @functools.cached_property
    def _by_jurisdiction(self) -> dict[tuple[str, str], tuple[Decision, ...]]:
        index: dict[tuple[str, str], list[Decision]] = {}
        for decision in self.decisions:
            for jurisdiction in decision.jurisdictions:
                index.setdefault((decision.regime, jurisdiction), []).append(decision)
        return {key: tuple(value) for key, value in index.items()}

    def in_force(self, day: date, *, regime: str | None = None) -> tuple[Decision, ...]:
        """All decisions in force on `day`, of one regime or all, sorted by id."""
        return tuple(
            decision
            for decision in self.decisions
            if decision.in_force(day) and (regime is None or decision.regime == regime)
        )

    def covering(
        self,
        importer: Entity,
        day: date,
        *,
        hr_data: bool = False,
        regime: str = "EU-GDPR",
    ) -> tuple[Decision, ...]:
        """
        Decisions in force on `day` whose machine-readable scope admits `importer`.

        Sector and certification conditions are checked; conditions the map cannot
        express are not (the engine reports them for the user to confirm).

        Args:
            importer: The receiving entity.
            day: The assessment date.
            hr_data: Whether the flow carries HR data (employees, applicants).
            regime: The reference-data regime of the decisions (``EU-GDPR``).
        """
        return tuple(
            decision
            for decision in self.decisions_for(
                importer.jurisdiction, day, regime=regime
            )
            if scope_admits(decision.scope, importer, hr_data=hr_data)
        )


def scope_admits(scope: Scope, importer: Entity, *, hr_data: bool) -> bool:
    """
    Whether a decision's machine-readable scope admits an importer.

    Args:
        scope: The decision's scope.
        importer: The receiving entity.
        hr_data: Whether the flow carries HR data.
    """
    if scope.sectors is not None and importer.sector not in scope.sectors:
        return False
    return not scope.missing(importer, hr_data=hr_data)


@attrs.frozen
class Taxonomy:
    """The built-in data category keys and their special categories."""

    keys: frozenset[str]
    """All built-in keys."""
    special: Mapping[str, SpecialCategory] = attrs.field(eq=False, hash=False)
    """Keys that are special-category data; their descendants are too."""
    extension: frozenset[str] = frozenset()
    """Keys this project adds to fideslang's defaults (declared in Fides exports)."""
    data_uses: frozenset[str] = frozenset()
    """fideslang's default data uses."""
    data_subjects: frozenset[str] = frozenset()
    """fideslang's default data subjects."""

    def is_known(self, key: str) -> bool:
        """Whether `key` is a built-in key."""
        return key in self.keys

    def special_for(
        self, key: str, declared: Mapping[str, Any] | None = None
    ) -> SpecialCategory | None:
        """
        The special category of `key`, from itself or its nearest ancestor.

        Args:
            key: A dotted category key.
            declared: Categories declared by a map (objects with a ``special``
                attribute); they take precedence over built-in keys.
        """
        for prefix in _ancestry(key):
            if declared and prefix in declared:
                special: SpecialCategory | None = declared[prefix].special
                if special is not None:
                    return special
            found = self.special.get(prefix)
            if found is not None:
                return found
        return None


@functools.lru_cache(maxsize=4096)
def _ancestry(key: str) -> tuple[str, ...]:
    """A dotted key and its ancestors, nearest first (``a.b.c``, ``a.b``, ``a``)."""
    parts = key.split(".")
    return tuple(".".join(parts[:size]) for size in range(len(parts), 0, -1))


@functools.cache
def country_name(code: str) -> str:
    """
    The common English name of an ISO alpha-2 code (the code itself if unknown).

    Args:
        code: ISO 3166-1 alpha-2 code.
    """
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def data_dir() -> Path:
    """
    The folder holding the packaged reference data.

    In an installed wheel it is ``transfer_assess/data``; in a checkout, the
    repository's top-level ``data/``.
    """
    packaged = Path(str(resources.files("transfer_assess").joinpath("data")))
    if (packaged / "adequacy.json").is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def active_dir() -> Path:
    """
    The reference-data folder in use.

    It is the downloaded set made current by ``transfer-assess data update``, else
    the packaged data.
    """
    from transfer_assess.store import current_folder  # noqa: PLC0415

    return current_folder() or data_dir()


def load_reference_data(folder: Path | None = None) -> ReferenceData:
    """
    Load and validate the reference data (cached per folder).

    Args:
        folder: A folder holding the set's files (`REFERENCE_FILES`); the data in
            use (`active_dir`: downloaded, else packaged) when omitted.

    Raises:
        ReferenceDataError: A file is missing or invalid; every problem is listed.
    """
    return _load_reference_data(Path(folder) if folder else active_dir())


@functools.cache
def _load_reference_data(base: Path) -> ReferenceData:
    raw = _read_files(base)
    problems: list[str] = []
    reader = _Reader(problems)
    adequacy = raw["adequacy.json"]
    eea = raw["eea.json"]
    reader.header(adequacy, "adequacy.json", "transfer-assess/adequacy@1")
    reader.header(eea, "eea.json", "transfer-assess/eea@1")
    membership = _membership(eea, reader)
    decisions = tuple(
        decision
        for index, entry in enumerate(_entries(adequacy, "adequacy.json", reader))
        if (decision := _decision(entry, f"adequacy.json:$.entries[{index}]", reader))
        is not None
    )
    _check_decisions(decisions, membership, problems)
    load_taxonomy_from(raw["taxonomy.json"], problems)
    regimes = load_regimes(raw["regimes.json"], problems)
    practices = _practices(eea, reader)
    laws = NO_LAWS
    try:
        laws = parse_access_laws(raw["access_laws.json"])
    except ReferenceDataError as error:
        problems.extend(error.problems)
    if problems:
        raise ReferenceDataError(problems)
    return ReferenceData(
        version=str(adequacy.get("version")),
        as_of=date.fromisoformat(str(adequacy.get("as_of"))),
        sha256=digest(base),
        decisions=sorted(decisions, key=lambda decision: decision.id),
        membership=membership,
        origin="packaged" if base == data_dir() else str(base),
        regimes=regimes,
        practices=practices,
        laws=laws,
    )


def load_taxonomy(folder: Path | None = None) -> Taxonomy:
    """
    Load the category taxonomy (cached per folder; the data in use when omitted).

    Raises:
        ReferenceDataError: The file is missing or invalid.
    """
    return _load_taxonomy(Path(folder) if folder else active_dir())


@functools.cache
def _load_taxonomy(base: Path) -> Taxonomy:
    problems: list[str] = []
    taxonomy = load_taxonomy_from(read_json(base / "taxonomy.json"), problems)
    if problems:
        raise ReferenceDataError(problems)
    return taxonomy


def load_taxonomy_from(raw: Any, problems: list[str]) -> Taxonomy:
    """Build a `Taxonomy` from the parsed ``taxonomy.json``, recording problems."""
    keys: set[str] = set()
    extension: set[str] = set()
    special: dict[str, SpecialCategory] = {}
    entries = raw.get("categories") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        problems.append("expected a list @ taxonomy.json:$.categories")
        return Taxonomy(frozenset(), {})
    for index, entry in enumerate(entries):
        where = f"taxonomy.json:$.categories[{index}]"
        key = entry.get("key") if isinstance(entry, dict) else None
        if not isinstance(key, str) or not key:
            problems.append(f"missing key @ {where}.key")
            continue
        keys.add(key)
        if entry.get("extension") is True:
            extension.add(key)
        value = entry.get("special")
        if value is not None:
            try:
                special[key] = SpecialCategory(value)
            except ValueError:
                problems.append(f"unknown special category {value!r} @ {where}.special")
    return Taxonomy(
        frozenset(keys),
        special,
        extension=frozenset(extension),
        data_uses=_key_list(raw, "data_uses", problems),
        data_subjects=_key_list(raw, "data_subjects", problems),
    )


def _key_list(raw: dict[str, Any], name: str, problems: list[str]) -> frozenset[str]:
    """An optional list of Fides keys in ``taxonomy.json``."""
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(key, str) for key in value):
        problems.append(f"expected a list of strings @ taxonomy.json:$.{name}")
        return frozenset()
    return frozenset(value)


def _read_files(base: Path) -> dict[str, Any]:
    result: dict[str, Any] = {}
    problems: list[str] = []
    for name in REFERENCE_FILES:
        try:
            result[name] = read_json(base / name)
        except ReferenceDataError as error:
            problems.extend(error.problems)
    if problems:
        raise ReferenceDataError(problems)
    return result


def read_json(path: Path) -> Any:
    """
    Parse one reference-data file.

    Raises:
        ReferenceDataError: The file is missing, unreadable or not JSON.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReferenceDataError([f"missing file @ {path}"]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReferenceDataError([f"unreadable: {error} @ {path}"]) from None


def digest(base: Path) -> str:
    """
    SHA-256 of a reference-data set.

    It is taken over each file's name and bytes, in the fixed order of
    `REFERENCE_FILES`, each followed by a NUL byte.
    """
    total = hashlib.sha256()
    for name in REFERENCE_FILES:
        total.update(name.encode() + b"\0")
        total.update((base / name).read_bytes())
        total.update(b"\0")
    return total.hexdigest()


def _entries(raw: Any, file: str, reader: _Reader) -> list[Any]:
    entries = raw.get("entries") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        reader.problems.append(f"expected a list @ {file}:$.entries")
        return []
    return entries


class _Reader:
    """Typed access to JSON values that records every problem with its path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def header(self, raw: Any, file: str, schema: str) -> None:
        if not isinstance(raw, dict):
            self.problems.append(f"expected an object @ {file}:$")
            return
        if raw.get("schema") != schema:
            self.problems.append(f"expected schema {schema!r} @ {file}:$.schema")
        self.day(raw, "as_of", f"{file}:$", required=True)
        if not isinstance(raw.get("version"), str):
            self.problems.append(f"missing version @ {file}:$.version")

    def text(
        self, obj: dict[str, Any], key: str, where: str, *, required: bool = True
    ) -> str | None:
        value = obj.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problems.append(f"expected a non-empty string @ {where}.{key}")
            return None
        return value

    def day(
        self, obj: dict[str, Any], key: str, where: str, *, required: bool = False
    ) -> date | None:
        value = obj.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not _is_iso_date(value):
            self.problems.append(f"expected an ISO date @ {where}.{key}")
            return None
        return date.fromisoformat(value)

    def texts(self, obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = obj.get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            self.problems.append(f"expected a list of strings @ {where}.{key}")
            return ()
        return tuple(value)

    def sources(self, obj: dict[str, Any], where: str) -> tuple[str, ...]:
        sources = self.texts(obj, "sources", where)
        if not sources:
            self.problems.append(f"every fact needs a source @ {where}.sources")
        return sources

    def note(self, obj: Any, where: str, date_key: str) -> Note | None:
        if not isinstance(obj, dict):
            self.problems.append(f"expected an object @ {where}")
            return None
        day = self.day(obj, date_key, where, required=True)
        text = self.text(obj, "text", where)
        reference = self.text(obj, "reference", where, required=False)
        sources = self.sources(obj, where)
        if day is None or text is None:
            return None
        return Note(day, text, reference, sources)


def _is_iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == len("2026-11-28")


def _decision(entry: Any, where: str, reader: _Reader) -> Decision | None:
    if not isinstance(entry, dict):
        reader.problems.append(f"expected an object @ {where}")
        return None
    decision_id = reader.text(entry, "id", where)
    regime = reader.text(entry, "regime", where)
    if regime is not None and regime not in REGIMES:
        reader.problems.append(f"unknown regime {regime!r} @ {where}.regime")
    country = reader.text(entry, "country", where, required=False)
    organisation = reader.text(
        entry, "international_organisation", where, required=False
    )
    countries = reader.texts(entry, "countries", where)
    if sum(1 for item in (country, organisation, countries or None) if item) != 1:
        reader.problems.append(
            f"exactly one of country, countries and international_organisation "
            f"@ {where}"
        )
    for code in (country, *countries):
        if code is not None and pycountry.countries.get(alpha_2=code) is None:
            reader.problems.append(f"unknown ISO country {code!r} @ {where}.country")
    adopted = reader.day(entry, "adopted", where, required=True)
    ended = reader.day(entry, "ended", where)
    end_reason = _end_reason(entry.get("end_reason"), f"{where}.end_reason", reader)
    if (ended is None) != (end_reason is None):
        reader.problems.append(f"ended and end_reason go together @ {where}.end_reason")
    validity = []
    for index, item in enumerate(_list(entry, "validity", where, reader)):
        item_where = f"{where}.validity[{index}]"
        if not isinstance(item, dict):
            reader.problems.append(f"expected an object @ {item_where}")
            continue
        until = reader.day(item, "until", item_where, required=True)
        set_by = reader.text(item, "set_by", item_where)
        act = reader.day(item, "adopted", item_where, required=True)
        sources = reader.sources(item, item_where)
        if until is not None and set_by is not None and act is not None:
            validity.append(Validity(until, set_by, act, sources))
    scope = _scope(entry.get("scope"), f"{where}.scope", reader)
    eea_efta = entry.get("eea_efta")
    status = "unknown"
    efta_from = None
    if (
        not isinstance(eea_efta, dict)
        or eea_efta.get("status") not in _EEA_EFTA_STATUSES
    ):
        reader.problems.append(
            "expected status 'incorporated', 'unknown' or 'not_applicable' "
            f"@ {where}.eea_efta.status"
        )
    else:
        status = eea_efta["status"]
        efta_from = reader.day(eea_efta, "from", f"{where}.eea_efta")
        if status == "incorporated":
            reader.sources(eea_efta, f"{where}.eea_efta")
    reviews = [
        note
        for index, item in enumerate(_list(entry, "reviews", where, reader))
        if (note := reader.note(item, f"{where}.reviews[{index}]", "date")) is not None
    ]
    watch = [
        note
        for index, item in enumerate(_list(entry, "watch", where, reader))
        if (note := reader.note(item, f"{where}.watch[{index}]", "since")) is not None
    ]
    onward_rules = _onward_rules(entry.get("onward_rules"), where, reader)
    values = (
        decision_id,
        regime,
        reader.text(entry, "title", where),
        reader.text(entry, "reference", where),
        reader.text(entry, "legal_basis", where),
        adopted,
        scope,
    )
    sources = reader.sources(entry, where)
    unconfirmed = reader.texts(entry, "unconfirmed", where)
    if any(value is None for value in values):
        return None
    assert decision_id is not None  # noqa: S101 - narrowed by the check above
    assert regime is not None  # noqa: S101
    assert adopted is not None  # noqa: S101
    assert scope is not None  # noqa: S101
    return Decision(
        id=decision_id,
        regime=regime,
        title=str(entry["title"]),
        country=country,
        international_organisation=organisation,
        reference=str(entry["reference"]),
        document=reader.text(entry, "document", where, required=False),
        celex=reader.text(entry, "celex", where, required=False),
        legal_basis=str(entry["legal_basis"]),
        adopted=adopted,
        applies_from=reader.day(entry, "applies_from", where),
        ended=ended,
        end_reason=end_reason,
        validity=validity,
        successor=reader.text(entry, "successor", where, required=False),
        scope=scope,
        eea_efta_status=status,
        eea_efta_from=efta_from,
        reviews=reviews,
        watch=watch,
        sources=sources,
        unconfirmed=unconfirmed,
        countries=countries,
        onward_rules=onward_rules,
    )


def _onward_rules(raw: Any, where: str, reader: _Reader) -> OnwardRules | None:
    if raw is None:
        return None
    where = f"{where}.onward_rules"
    if not isinstance(raw, dict):
        reader.problems.append(f"expected an object or null @ {where}")
        return None
    reference = reader.text(raw, "reference", where)
    text = reader.text(raw, "text", where)
    sources = reader.sources(raw, where)
    if reference is None or text is None:
        return None
    return OnwardRules(reference=reference, text=text, sources=sources)


def _list(entry: dict[str, Any], key: str, where: str, reader: _Reader) -> list[Any]:
    value = entry.get(key, [])
    if not isinstance(value, list):
        reader.problems.append(f"expected a list @ {where}.{key}")
        return []
    return value


def _end_reason(raw: Any, where: str, reader: _Reader) -> EndReason | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        reader.problems.append(f"expected an object @ {where}")
        return None
    kind = reader.text(raw, "kind", where)
    if kind is not None and kind not in _END_KINDS:
        reader.problems.append(f"unknown kind {kind!r} @ {where}.kind")
    text = reader.text(raw, "text", where)
    reference = reader.text(raw, "reference", where, required=False)
    sources = reader.sources(raw, where)
    if kind is None or text is None:
        return None
    return EndReason(kind, text, reference, sources)


def _scope(raw: Any, where: str, reader: _Reader) -> Scope | None:
    if not isinstance(raw, dict):
        reader.problems.append(f"expected an object @ {where}")
        return None
    kind = reader.text(raw, "kind", where)
    if kind is not None and kind not in {"whole", "partial"}:
        reader.problems.append(f"expected 'whole' or 'partial' @ {where}.kind")
    summary = reader.text(raw, "summary", where)
    sectors: frozenset[Sector] | None = None
    if raw.get("sectors") is not None:
        try:
            sectors = frozenset(Sector(item) for item in raw["sectors"])
        except (TypeError, ValueError):
            reader.problems.append(f"expected a list of sectors @ {where}.sectors")
    certifications = _certifications(raw, "certification", where, reader)
    hr_certifications = _certifications(raw, "hr_certification", where, reader)
    hr_data = reader.text(raw, "hr_data", where, required=False)
    if hr_data is not None and hr_data != "legal_review":
        reader.problems.append(f"expected 'legal_review' or null @ {where}.hr_data")
    conditions = reader.texts(raw, "conditions", where)
    if kind is None or summary is None:
        return None
    return Scope(
        kind=kind,
        summary=summary,
        sectors=sectors,
        certifications=certifications,
        hr_certifications=hr_certifications,
        hr_data=hr_data,
        conditions=conditions,
    )


def _certifications(
    raw: dict[str, Any], key: str, where: str, reader: _Reader
) -> tuple[str, ...]:
    """A scope's certification(s): null, one name, or a list all required."""
    value = raw.get(key)
    if value is None:
        return ()
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        reader.problems.append(f"expected a name or a list of names @ {where}.{key}")
        return ()
    for name in names:
        if name not in SCOPE_CERTIFICATIONS:
            reader.problems.append(f"unknown certification {name!r} @ {where}.{key}")
    return tuple(names)


def _membership(raw: Any, reader: _Reader) -> dict[str, tuple[MembershipPeriod, ...]]:
    result: dict[str, tuple[MembershipPeriod, ...]] = {}
    for index, entry in enumerate(_entries(raw, "eea.json", reader)):
        where = f"eea.json:$.entries[{index}]"
        if not isinstance(entry, dict):
            reader.problems.append(f"expected an object @ {where}")
            continue
        country = reader.text(entry, "country", where)
        if country is None:
            continue
        if pycountry.countries.get(alpha_2=country) is None:
            reader.problems.append(f"unknown ISO country {country!r} @ {where}.country")
        if country in result:
            reader.problems.append(f"duplicate country {country!r} @ {where}.country")
        reader.sources(entry, where)
        periods = []
        for number, item in enumerate(_list(entry, "periods", where, reader)):
            period = _period(item, f"{where}.periods[{number}]", reader)
            if period is not None:
                periods.append(period)
        periods.sort(key=lambda period: period.start)
        for earlier, later in itertools.pairwise(periods):
            if earlier.until is None or earlier.until >= later.start:
                reader.problems.append(f"overlapping periods @ {where}.periods")
        result[country] = tuple(periods)
    return result


def _practices(raw: Any, reader: _Reader) -> dict[str, str]:
    """The EEA EFTA states' ``adequacy_practice`` from ``eea.json``."""
    result: dict[str, str] = {}
    for index, entry in enumerate(_entries(raw, "eea.json", reader)):
        if not isinstance(entry, dict) or "adequacy_practice" not in entry:
            continue
        where = f"eea.json:$.entries[{index}]"
        practice = entry.get("adequacy_practice")
        if practice not in _ADEQUACY_PRACTICES:
            reader.problems.append(
                f"expected 'follows_eu' or 'needs_incorporation' @ "
                f"{where}.adequacy_practice"
            )
            continue
        if not reader.texts(entry, "adequacy_practice_sources", where):
            reader.problems.append(
                f"every fact needs a source @ {where}.adequacy_practice_sources"
            )
        result[str(entry.get("country"))] = str(practice)
    return result


def _period(item: Any, where: str, reader: _Reader) -> MembershipPeriod | None:
    if not isinstance(item, dict):
        reader.problems.append(f"expected an object @ {where}")
        return None
    status = reader.text(item, "status", where)
    if status is not None and status not in _MEMBER_STATUSES:
        reader.problems.append(f"unknown status {status!r} @ {where}.status")
    start = reader.day(item, "from", where, required=True)
    until = reader.day(item, "until", where)
    citation = reader.text(item, "citation", where)
    flags = [item.get("inside_as_exporter"), item.get("inside_as_importer")]
    if not all(isinstance(flag, bool) for flag in flags):
        reader.problems.append(
            f"expected booleans inside_as_exporter/importer @ {where}"
        )
        return None
    if start is not None and until is not None and until < start:
        reader.problems.append(f"until before from @ {where}.until")
    if status is None or start is None or citation is None:
        return None
    return MembershipPeriod(
        status=status,
        start=start,
        until=until,
        inside_as_exporter=bool(flags[0]),
        inside_as_importer=bool(flags[1]),
        citation=citation,
    )


def _check_decisions(
    decisions: Iterable[Decision],
    membership: Mapping[str, tuple[MembershipPeriod, ...]],
    problems: list[str],
) -> None:
    """Cross-entry checks: unique ids, date order, successors, no EEA member."""
    by_id: dict[str, Decision] = {}
    for decision in decisions:
        where = f"adequacy.json:{decision.id}"
        if decision.id in by_id:
            problems.append(f"duplicate id @ {where}")
        by_id[decision.id] = decision
    for decision in by_id.values():
        where = f"adequacy.json:{decision.id}"
        if decision.ended is not None and decision.ended <= decision.adopted:
            problems.append(f"ended not after adopted @ {where}.ended")
        if (
            decision.applies_from is not None
            and decision.applies_from < decision.adopted
        ):
            problems.append(f"applies_from before adopted @ {where}.applies_from")
        if any(entry.until < decision.adopted for entry in decision.validity):
            problems.append(f"validity ends before adoption @ {where}.validity")
        if decision.successor is not None and decision.successor not in by_id:
            problems.append(f"unknown successor {decision.successor!r} @ {where}")
        if decision.regime not in {"EU-GDPR", "EU-LED"}:
            continue
        if decision.country is not None:
            for period in membership.get(decision.country, ()):
                if period.inside_as_importer and period.covers(decision.starts):
                    problems.append(  # noqa: PERF401 - one problem per overlap
                        f"{decision.country} is inside the EEA when the decision "
                        f"starts @ {where}.country"
                    )


def check_as_of(day: date) -> date:
    """
    Refuse assessment dates before the GDPR applies.

    Args:
        day: The assessment date.

    Returns:
        `day` unchanged.

    Raises:
        InputError: `day` is before 2018-05-25.
    """
    if day < GDPR_APPLIES_FROM:
        raise InputError(
            f"--as-of {day.isoformat()} is before {GDPR_APPLIES_FROM.isoformat()}, "
            "the day the GDPR applies (Art. 99(2)); Chapter V cannot be assessed "
            "earlier"
        )
    return day


@attrs.frozen
class Tool:
    """A transfer tool of a regime, with the dates it may be relied on."""

    mechanism: str
    """The map's mechanism value (``idta``, ``uk_addendum``, ``scc``)."""
    start: date | None
    """First day it may be relied on, if later than the regime."""
    until: date | None
    """Last day it may be relied on, if it has an end."""
    new_contracts_until: date | None
    """Last day a new contract on it may be concluded, if limited."""
    adaptation: str | None
    """The regime whose adaptations the EU SCCs must carry (``CH``)."""
    reference: str
    """The instrument."""
    text: str
    """A plain sentence."""
    sources: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Where this is stated."""


@attrs.frozen
class Instrument:
    """A legal instrument that reasons cite, with the day it was adopted."""

    citation: str
    """The start of every citation of it (``EDPB Recommendations 01/2020``)."""
    start: date
    """The day it was adopted (or, for a judgment, delivered)."""
    text: str
    """A plain sentence."""
    sources: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Where this is stated."""


@attrs.frozen
class RegimeSpec:
    """The reference data of one regime: its territory, law and transfer tools."""

    id: str
    """``EU``, ``UK`` or ``CH``."""
    name: str
    """Short name, e.g. ``UK GDPR``."""
    law: str
    """The law's full citation."""
    decisions: str
    """The regime of its adequacy decisions in ``adequacy.json``."""
    territory: tuple[str, ...] | None
    """Country codes of its territory; ``None`` for the EEA (from ``eea.json``)."""
    applies_from: date
    """First day the modelled law applies."""
    former_law: str | None
    """The law before `applies_from` that the rules do not model, if any."""
    former_law_until: date | None
    """Last day of the former law."""
    origin_code: str
    """The region code of its data in a flow's ``origin``."""
    authority: str
    """Its supervisory authority."""
    risk_assessment: str
    """What the transfer impact assessment is called under it."""
    articles: Mapping[str, str] = attrs.field(eq=False, hash=False)
    """Citations by topic: transfers, adequacy, safeguards, scc, bcr, ad_hoc,
    public_body."""
    derogations: Mapping[str, str] = attrs.field(eq=False, hash=False)
    """The article of each derogation the law has, by mechanism value
    (``derogation_articles``)."""
    tools: tuple[Tool, ...] = attrs.field(converter=to_tuple)
    """Its own transfer tools and dated conditions on shared ones."""
    bcr_foreign_approval: bool = False
    """Whether BCRs approved by the data protection authority of a state with
    adequate protection count too (FADP Art. 16(2)(e)): then the EU approval
    (``bcr_approved``) serves as well."""
    history: tuple[tuple[date, date, Mapping[str, str]], ...] = attrs.field(
        default=(), converter=to_tuple, eq=False, hash=False
    )
    instruments: tuple[Instrument, ...] = attrs.field(
        default=(), converter=to_tuple, eq=False, hash=False
    )
    """Instruments cited by the rules, with the day each was adopted: nothing may
    cite one before that day (``instruments``)."""
    """Earlier citations: ``(from, until, articles)`` periods where the law's
    article numbers differed (the UK GDPR before the Data (Use and Access) Act
    2025)."""

    def on(self, day: date) -> RegimeSpec:
        """The regime with the citations that were in force on `day`."""
        dated = self._dated.get(day)
        if dated is None:
            dated = self
            for start, until, articles in self.history:
                if start <= day <= until:
                    dated = attrs.evolve(self, articles={**self.articles, **articles})
                    break
            self._dated[day] = dated
        return dated

    @functools.cached_property
    def _dated(self) -> dict[date, RegimeSpec]:
        """`on` answers already given: the rules ask for every flow."""
        return {}

    def exists(self, citation: str, day: date) -> bool:
        """Whether the instrument a citation names had been adopted by `day`."""
        known = self._adopted.get((citation, day))
        if known is None:
            known = all(
                item.start <= day
                for item in self.instruments
                if citation.startswith(item.citation)
            )
            self._adopted[citation, day] = known
        return known

    def existing(self, citations: tuple[str, ...], day: date) -> tuple[str, ...]:
        """
        The citations of instruments adopted by `day`, in order.

        `citations` itself when all are (each distinct question is answered once:
        every finding of a run asks about a few of the same tuples).
        """
        kept = self._kept.get((citations, day))
        if kept is None:
            kept = tuple(item for item in citations if self.exists(item, day))
            self._kept[citations, day] = kept
        # Only instruments are left out: as long, the answer is `citations` itself.
        return citations if len(kept) == len(citations) else kept

    @functools.cached_property
    def _kept(self) -> dict[tuple[tuple[str, ...], date], tuple[str, ...]]:
        """`existing` answers already given."""
        return {}

    @functools.cached_property
    def _adopted(self) -> dict[tuple[str, date], bool]:
        """`exists` answers already given: a run asks the same few many times."""
        return {}

    def tool(self, mechanism: str) -> Tool | None:
        """The regime's entry for a mechanism, if it has one."""
        return next((tool for tool in self.tools if tool.mechanism == mechanism), None)

    def article(self, topic: str) -> str:
        """The citation for a topic (``adequacy``, ``safeguards``, …)."""
        return self.articles.get(topic, self.law)


def load_regimes(raw: Any, problems: list[str]) -> dict[str, RegimeSpec]:
    """Build the regimes from the parsed ``regimes.json``, recording problems."""
    reader = _Reader(problems)
    reader.header(raw, "regimes.json", "transfer-assess/regimes@1")
    entries = raw.get("regimes") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        problems.append("expected a list @ regimes.json:$.regimes")
        return {}
    result: dict[str, RegimeSpec] = {}
    for index, entry in enumerate(entries):
        where = f"regimes.json:$.regimes[{index}]"
        spec = _regime(entry, where, reader)
        if spec is None:
            continue
        if spec.id in result:
            problems.append(f"duplicate regime {spec.id!r} @ {where}.id")
        result[spec.id] = spec
    return result


def _regime(entry: Any, where: str, reader: _Reader) -> RegimeSpec | None:
    if not isinstance(entry, dict):
        reader.problems.append(f"expected an object @ {where}")
        return None
    texts = {
        key: reader.text(entry, key, where)
        for key in (
            "id",
            "name",
            "law",
            "decisions",
            "origin_code",
            "authority",
            "risk_assessment",
        )
    }
    if texts["decisions"] is not None and texts["decisions"] not in REGIMES:
        reader.problems.append(f"unknown decision regime @ {where}.decisions")
    applies_from = reader.day(entry, "applies_from", where, required=True)
    territory_raw = entry.get("territory")
    territory: tuple[str, ...] | None = None
    if not isinstance(territory_raw, dict) or territory_raw.get("kind") not in {
        "eea",
        "countries",
    }:
        reader.problems.append(
            f"expected kind 'eea' or 'countries' @ {where}.territory"
        )
    elif territory_raw["kind"] == "countries":
        territory = reader.texts(territory_raw, "countries", f"{where}.territory")
        if not territory:
            reader.problems.append(f"expected countries @ {where}.territory.countries")
    former = entry.get("former_law")
    former_name = former_until = None
    if former is not None:
        if not isinstance(former, dict):
            reader.problems.append(f"expected an object or null @ {where}.former_law")
        else:
            former_name = reader.text(former, "name", f"{where}.former_law")
            former_until = reader.day(
                former, "until", f"{where}.former_law", required=True
            )
            reader.sources(former, f"{where}.former_law")
    plain = _citations(entry, "articles", where, reader)
    derogations = _citations(entry, "derogation_articles", where, reader)
    history = []
    for number, item in enumerate(_list(entry, "articles_history", where, reader)):
        item_where = f"{where}.articles_history[{number}]"
        if not isinstance(item, dict):
            reader.problems.append(f"expected an object @ {item_where}")
            continue
        start = reader.day(item, "from", item_where, required=True)
        until = reader.day(item, "until", item_where, required=True)
        cited = _citations(item, "articles", item_where, reader)
        reader.sources(item, item_where)
        if start is not None and until is not None:
            history.append((start, until, cited))
    tools = []
    for number, item in enumerate(_list(entry, "tools", where, reader)):
        tool = _tool(item, f"{where}.tools[{number}]", reader)
        if tool is not None:
            tools.append(tool)
    instruments = [
        instrument
        for number, item in enumerate(_list(entry, "instruments", where, reader))
        if (instrument := _instrument(item, f"{where}.instruments[{number}]", reader))
        is not None
    ]
    _field_sources(entry, where, reader)
    if any(value is None for value in texts.values()) or applies_from is None:
        return None
    return RegimeSpec(
        id=str(texts["id"]),
        name=str(texts["name"]),
        law=str(texts["law"]),
        decisions=str(texts["decisions"]),
        territory=territory,
        applies_from=applies_from,
        former_law=former_name,
        former_law_until=former_until,
        origin_code=str(texts["origin_code"]),
        authority=str(texts["authority"]),
        risk_assessment=str(texts["risk_assessment"]),
        articles=plain,
        derogations=derogations,
        tools=tools,
        history=history,
        instruments=instruments,
        bcr_foreign_approval=entry.get("bcr_adequate_state_authority_counts") is True,
    )


def _citations(
    entry: dict[str, Any], key: str, where: str, reader: _Reader
) -> dict[str, str]:
    """A mapping of citations (topic or mechanism to article), every value a text."""
    raw = entry.get(key, {})
    if not isinstance(raw, dict):
        reader.problems.append(f"expected an object @ {where}.{key}")
        return {}
    result = {}
    for name, value in raw.items():
        if isinstance(value, str) and value.strip():
            result[str(name)] = value
        else:
            reader.problems.append(f"expected a citation @ {where}.{key}.{name}")
    return result


#: The facts of a regime entry that its ``sources`` mapping must source.
_SOURCED = ("law", "applies_from", "authority", "articles")


def _field_sources(entry: dict[str, Any], where: str, reader: _Reader) -> None:
    """A regime's ``sources``: per field, a non-empty list of sources."""
    sources = entry.get("sources")
    if not isinstance(sources, dict):
        reader.problems.append(f"expected sources per field @ {where}.sources")
        return
    for field in (*_SOURCED, *(key for key in sources if key not in _SOURCED)):
        if field not in sources:
            reader.problems.append(
                f"every fact needs a source @ {where}.sources.{field}"
            )
            continue
        listed = reader.texts(sources, field, f"{where}.sources")
        if not listed:
            reader.problems.append(
                f"every fact needs a source @ {where}.sources.{field}"
            )


def _instrument(item: Any, where: str, reader: _Reader) -> Instrument | None:
    if not isinstance(item, dict):
        reader.problems.append(f"expected an object @ {where}")
        return None
    citation = reader.text(item, "citation", where)
    text = reader.text(item, "text", where)
    start = reader.day(item, "from", where, required=True)
    sources = reader.sources(item, where)
    if citation is None or text is None or start is None:
        return None
    return Instrument(citation=citation, start=start, text=text, sources=sources)


def _tool(item: Any, where: str, reader: _Reader) -> Tool | None:
    if not isinstance(item, dict):
        reader.problems.append(f"expected an object @ {where}")
        return None
    mechanism = reader.text(item, "mechanism", where)
    reference = reader.text(item, "reference", where)
    text = reader.text(item, "text", where)
    sources = reader.sources(item, where)
    # Every field is read before any is found missing, so each problem is listed.
    start = reader.day(item, "from", where)
    until = reader.day(item, "until", where)
    new_contracts_until = reader.day(item, "new_contracts_until", where)
    adaptation = reader.text(item, "adaptation", where, required=False)
    if mechanism is None or reference is None or text is None:
        return None
    return Tool(
        mechanism=mechanism,
        start=start,
        until=until,
        new_contracts_until=new_contracts_until,
        adaptation=adaptation,
        reference=reference,
        text=text,
        sources=sources,
    )
