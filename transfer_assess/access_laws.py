"""
Destination law as data: the laws that let public authorities reach transferred data.

``data/access_laws.json`` lists, per country, the laws a transfer impact assessment
must weigh (EDPB Recommendations 01/2020, step 3): whom each reaches (importer
classes), what data, and its standing against the four European Essential Guarantees
(EDPB Recommendations 02/2020). This module reads and validates the file strictly,
naming the path of every problem. Whether a law *fails*, is *unclear* or *meets* the
guarantees is derived here from the four standings, never stored in the data.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs

from transfer_assess.errors import ReferenceDataError
from transfer_assess.model import to_tuple

if TYPE_CHECKING:
    from collections.abc import Mapping

#: The file's name in a reference-data set.
FILE = "access_laws.json"
#: The schema number the file must carry.
SCHEMA = 1
#: The guarantees, in order (EDPB Recommendations 02/2020).
GUARANTEES = ("A", "B", "C", "D")
#: Standings a law can have against one guarantee.
STANDINGS = frozenset({"met", "partly", "not_met", "unconfirmed"})
#: Kinds of law.
KINDS = frozenset(
    {"intelligence", "law_enforcement", "national_security_general", "other"}
)
#: What data a law can reach.
DATA_KINDS = frozenset({"content", "metadata", "stored", "in_transit"})
#: Importer classes every file must define (tests and the questionnaire rely on them).
REQUIRED_CLASSES = frozenset(
    {"ecsp", "us_person_with_control", "any_organisation", "telecom_operator"}
)
#: The class that stands for every organisation in the country.
ANY_ORGANISATION = "any_organisation"
_ID = re.compile(r"[a-z]{2}-[a-z0-9-]+")
_COUNTRY = re.compile(r"[A-Z]{2}")


@attrs.frozen
class Standing:
    """A law's standing against one guarantee, with why and where it says so."""

    standing: str
    """``met``, ``partly``, ``not_met`` or ``unconfirmed``."""
    note: str
    """Why, in the data's own words."""
    sources: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Where it says so."""


@attrs.frozen
class AccessLaw:
    """One law that lets public authorities of a country reach data."""

    id: str
    """Stable id, ``<country>-<slug>`` (``us-fisa-702``)."""
    country: str
    """ISO 3166-1 alpha-2 code."""
    name: str
    """The law's name."""
    citation: str
    """Its citation."""
    url: str
    """A link to the primary text."""
    in_force_from: date
    """First day in force."""
    in_force_until: date | None
    """Last day in force; ``None`` while in force."""
    kind: str
    """``intelligence``, ``law_enforcement``, ``national_security_general`` or
    ``other``."""
    compelled_disclosure: bool
    """Whether it compels the importer to hand data over."""
    access_in_transit: bool
    """Whether authorities reach data without the importer (e.g. on cables)."""
    reaches: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Importer classes it reaches (``any_organisation``: everyone)."""
    reaches_summary: str
    """Whom it reaches, in words."""
    data: tuple[str, ...] = attrs.field(converter=to_tuple)
    """What data it reaches."""
    data_summary: str
    """What data, in words."""
    guarantees: Mapping[str, Standing] = attrs.field(eq=False, hash=False)
    """Standing against each guarantee ``A`` to ``D``."""
    requests_per_year: float | None
    """A documented yearly probability of a request, where the data gives one."""
    sources: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Sources, primary first; ``[2nd]`` marks secondary ones."""
    unconfirmed: tuple[str, ...] = attrs.field(converter=to_tuple)
    """What could not be confirmed."""

    def in_force(self, day: date) -> bool:
        """Whether the law is in force on `day`."""
        return self.in_force_from <= day and (
            self.in_force_until is None or day <= self.in_force_until
        )

    @property
    def assessment(self) -> str:
        """
        ``fails`` (a guarantee ``not_met``), ``unclear`` or ``meets`` the guarantees.

        A law is unclear when no guarantee is ``not_met`` but one is ``partly`` or
        ``unconfirmed``; it meets them when all four are ``met``.
        """
        standings = {item.standing for item in self.guarantees.values()}
        if "not_met" in standings:
            return "fails"
        if standings - {"met"}:
            return "unclear"
        return "meets"

    @property
    def problematic(self) -> bool:
        """Whether the law does not meet the guarantees (it fails or is unclear)."""
        return self.assessment != "meets"

    @property
    def reaches_everyone(self) -> bool:
        """Whether the law reaches every organisation in the country."""
        return ANY_ORGANISATION in self.reaches


@attrs.frozen
class ImporterClass:
    """A class of importer a law reaches, with the question that finds it out."""

    label: str
    """Its name, with the provision that defines it."""
    question: str
    """The question to ask the importer."""


@attrs.frozen
class AccessLaws:
    """The whole file, validated."""

    version: str
    """Version of the file."""
    as_of: date
    """Date up to which the facts were checked."""
    guarantees: Mapping[str, tuple[str, str]] = attrs.field(eq=False, hash=False)
    """Title and source of each guarantee."""
    classes: Mapping[str, ImporterClass] = attrs.field(eq=False, hash=False)
    """Importer classes by key."""
    entries: tuple[AccessLaw, ...] = attrs.field(converter=to_tuple)
    """Every law, in file order."""

    def for_country(self, country: str | None, day: date) -> tuple[AccessLaw, ...]:
        """The laws of a country in force on `day`, in file order."""
        return tuple(
            law for law in self._by_country.get(country or "", ()) if law.in_force(day)
        )

    def law(self, law_id: str) -> AccessLaw:
        """
        The law with this id.

        Raises:
            KeyError: No law has that id.
        """
        return self._by_id[law_id]

    @functools.cached_property
    def _by_country(self) -> dict[str, tuple[AccessLaw, ...]]:
        found: dict[str, list[AccessLaw]] = {}
        for law in self.entries:
            found.setdefault(law.country, []).append(law)
        return {key: tuple(value) for key, value in found.items()}

    @functools.cached_property
    def _by_id(self) -> dict[str, AccessLaw]:
        return {law.id: law for law in self.entries}


#: An empty set of laws, for reference data built without the file.
NO_LAWS = AccessLaws(
    version="", as_of=date(2018, 5, 25), guarantees={}, classes={}, entries=()
)


class _Checker:
    """Typed reads that record every problem with its path in the file."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{message} @ {FILE}:{where}")

    def mapping(self, value: Any, where: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem(where, "expected an object")
        return None

    def keys(self, obj: dict[str, Any], allowed: frozenset[str], where: str) -> None:
        for key in obj:
            if key not in allowed:
                self.problem(f"{where}.{key}", f"unknown key {key!r}")

    def text(self, obj: dict[str, Any], key: str, where: str) -> str | None:
        value = obj.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{where}.{key}", "expected a non-empty string")
            return None
        return value

    def flag(self, obj: dict[str, Any], key: str, where: str) -> bool | None:
        value = obj.get(key)
        if not isinstance(value, bool):
            self.problem(f"{where}.{key}", "expected true or false")
            return None
        return value

    def day(
        self, obj: dict[str, Any], key: str, where: str, *, nullable: bool = False
    ) -> tuple[bool, date | None]:
        value = obj.get(key)
        if value is None and nullable and key in obj:
            return True, None
        if isinstance(value, str) and len(value) == len("2026-11-28"):
            try:
                return True, date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(
            f"{where}.{key}", "expected an ISO date" + (" or null" if nullable else "")
        )
        return False, None

    def texts(
        self, obj: dict[str, Any], key: str, where: str, *, nonempty: bool
    ) -> tuple[str, ...]:
        value = obj.get(key)
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            self.problem(f"{where}.{key}", "expected a list of non-empty strings")
            return ()
        if nonempty and not value:
            self.problem(f"{where}.{key}", "every fact needs a source")
        return tuple(value)

    def words(
        self, obj: dict[str, Any], key: str, where: str, allowed: frozenset[str]
    ) -> tuple[str, ...]:
        value = obj.get(key)
        if not isinstance(value, list) or not all(
            isinstance(item, str) for item in value
        ):
            self.problem(f"{where}.{key}", "expected a list of strings")
            return ()
        for index, item in enumerate(value):
            if item not in allowed:
                self.problem(
                    f"{where}.{key}[{index}]",
                    f"unknown value {item!r}; expected one of "
                    + ", ".join(sorted(allowed)),
                )
        return tuple(value)


_ENTRY_KEYS = frozenset(
    {
        "id",
        "country",
        "name",
        "citation",
        "url",
        "in_force",
        "kind",
        "compelled_disclosure",
        "access_in_transit",
        "reaches",
        "reaches_summary",
        "data",
        "data_summary",
        "guarantees",
        "requests_per_year",
        "sources",
        "unconfirmed",
    }
)


def parse_access_laws(raw: Any) -> AccessLaws:
    """
    Validate the parsed file and build `AccessLaws`.

    Raises:
        ReferenceDataError: Every problem found, each with its path.
    """
    check = _Checker()
    top = check.mapping(raw, "$") or {}
    check.keys(
        top,
        frozenset(
            {"schema", "as_of", "version", "guarantees", "importer_classes", "entries"}
        ),
        "$",
    )
    if top.get("schema") != SCHEMA:
        check.problem("$.schema", f"expected schema {SCHEMA}")
    _, as_of = check.day(top, "as_of", "$")
    version = check.text(top, "version", "$")
    guarantees = _guarantees(top.get("guarantees"), check)
    classes = _classes(top.get("importer_classes"), check)
    entries: list[AccessLaw] = []
    seen: set[str] = set()
    raw_entries = top.get("entries")
    if not isinstance(raw_entries, list):
        check.problem("$.entries", "expected a list")
        raw_entries = []
    for index, item in enumerate(raw_entries):
        law = _entry(item, f"$.entries[{index}]", check, classes)
        if law is None:
            continue
        if law.id in seen:
            check.problem(f"$.entries[{index}].id", f"duplicate id {law.id!r}")
            continue
        seen.add(law.id)
        entries.append(law)
    if check.problems:
        raise ReferenceDataError(check.problems)
    assert as_of is not None  # noqa: S101 - a missing date is a problem above
    return AccessLaws(
        version=str(version),
        as_of=as_of,
        guarantees=guarantees,
        classes=classes,
        entries=entries,
    )


def _guarantees(raw: Any, check: _Checker) -> dict[str, tuple[str, str]]:
    obj = check.mapping(raw, "$.guarantees") or {}
    check.keys(obj, frozenset(GUARANTEES), "$.guarantees")
    result: dict[str, tuple[str, str]] = {}
    for key in GUARANTEES:
        where = f"$.guarantees.{key}"
        item = check.mapping(obj.get(key), where)
        if item is None:
            continue
        title = check.text(item, "title", where)
        source = check.text(item, "source", where)
        if title is not None and source is not None:
            result[key] = (title, source)
    return result


def _classes(raw: Any, check: _Checker) -> dict[str, ImporterClass]:
    obj = check.mapping(raw, "$.importer_classes") or {}
    result: dict[str, ImporterClass] = {}
    for key, value in obj.items():
        where = f"$.importer_classes.{key}"
        item = check.mapping(value, where)
        if item is None:
            continue
        check.keys(item, frozenset({"label", "question"}), where)
        label = check.text(item, "label", where)
        question = check.text(item, "question", where)
        if label is not None and question is not None:
            result[key] = ImporterClass(label, question)
    for key in sorted(REQUIRED_CLASSES - set(obj)):
        check.problem("$.importer_classes", f"missing required class {key!r}")
    return result


def _entry(
    raw: Any, where: str, check: _Checker, classes: Mapping[str, ImporterClass]
) -> AccessLaw | None:
    obj = check.mapping(raw, where)
    if obj is None:
        return None
    count = len(check.problems)
    check.keys(obj, _ENTRY_KEYS, where)
    law_id = check.text(obj, "id", where)
    country = check.text(obj, "country", where)
    if country is not None and not _COUNTRY.fullmatch(country):
        check.problem(
            f"{where}.country", f"expected an ISO 3166-1 alpha-2 code, got {country!r}"
        )
    if law_id is not None and (
        not _ID.fullmatch(law_id)
        or (country is not None and not law_id.startswith(country.lower() + "-"))
    ):
        check.problem(
            f"{where}.id",
            f"invalid id {law_id!r}: expected '<country lower>-<slug>' of [a-z0-9-]",
        )
    texts = {
        key: check.text(obj, key, where)
        for key in ("name", "citation", "url", "reaches_summary", "data_summary")
    }
    url = texts["url"]
    if (
        url is not None
        and not url.startswith("https://")
        and not url.startswith("http://")
    ):
        check.problem(f"{where}.url", "expected a web address")
    period = check.mapping(obj.get("in_force"), f"{where}.in_force") or {}
    _, start = check.day(period, "from", f"{where}.in_force")
    _, until = check.day(period, "until", f"{where}.in_force", nullable=True)
    if start is not None and until is not None and until < start:
        check.problem(f"{where}.in_force.until", "is before in_force.from")
    kind = obj.get("kind")
    if kind not in KINDS:
        check.problem(f"{where}.kind", f"expected one of {', '.join(sorted(KINDS))}")
    compelled = check.flag(obj, "compelled_disclosure", where)
    transit = check.flag(obj, "access_in_transit", where)
    reaches = check.words(obj, "reaches", where, frozenset(classes) | REQUIRED_CLASSES)
    data = check.words(obj, "data", where, DATA_KINDS)
    guarantees: dict[str, Standing] = {}
    raw_guarantees = check.mapping(obj.get("guarantees"), f"{where}.guarantees") or {}
    check.keys(raw_guarantees, frozenset(GUARANTEES), f"{where}.guarantees")
    for key in GUARANTEES:
        item_where = f"{where}.guarantees.{key}"
        item = check.mapping(raw_guarantees.get(key), item_where)
        if item is None:
            continue
        check.keys(item, frozenset({"standing", "note", "sources"}), item_where)
        standing = item.get("standing")
        if standing not in STANDINGS:
            check.problem(
                f"{item_where}.standing",
                f"expected one of {', '.join(sorted(STANDINGS))}",
            )
            continue
        note = check.text(item, "note", item_where)
        sources = check.texts(item, "sources", item_where, nonempty=True)
        if note is not None:
            guarantees[key] = Standing(standing, note, sources)
    rate = obj.get("requests_per_year")
    if rate is not None and (
        isinstance(rate, bool)
        or not isinstance(rate, int | float)
        or not 0 <= rate <= 1
    ):
        check.problem(
            f"{where}.requests_per_year", "expected null or a probability from 0 to 1"
        )
    sources = check.texts(obj, "sources", where, nonempty=True)
    unconfirmed = check.texts(obj, "unconfirmed", where, nonempty=False)
    if len(check.problems) > count:
        return None
    return AccessLaw(
        id=str(law_id),
        country=str(country),
        name=str(texts["name"]),
        citation=str(texts["citation"]),
        url=str(url),
        in_force_from=start,  # type: ignore[arg-type]
        in_force_until=until,
        kind=str(kind),
        compelled_disclosure=bool(compelled),
        access_in_transit=bool(transit),
        reaches=reaches,
        reaches_summary=str(texts["reaches_summary"]),
        data=data,
        data_summary=str(texts["data_summary"]),
        guarantees=guarantees,
        requests_per_year=None if rate is None else float(rate),
        sources=sources,
        unconfirmed=unconfirmed,
    )


__all__ = [
    "ANY_ORGANISATION",
    "FILE",
    "GUARANTEES",
    "NO_LAWS",
    "AccessLaw",
    "AccessLaws",
    "ImporterClass",
    "Standing",
    "parse_access_laws",
]
