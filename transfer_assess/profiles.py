"""
Destination profiles and supervisory authorities: reference data for the documents.

Country profiles describe a destination's law and practice on public-authority access,
oversight and redress (EDPB Recommendations 01/2020, step 3); the supervisory
authorities file names the competent authority of each EEA country (SCC Annex I.C).
Both are read from ``data/`` like the rest of the reference data, validated, and
cached; every item must name its source.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pycountry

from transfer_assess.errors import ReferenceDataError
from transfer_assess.model import to_tuple
from transfer_assess.refdata import active_dir, read_json

if TYPE_CHECKING:
    from collections.abc import Mapping

_CONCERNS = frozenset({"none_found", "found", "unassessed"})


@attrs.frozen
class Item:
    """One sourced statement: a law, a body, a mechanism or an assessment."""

    title: str
    """What it is (the law, body or mechanism; for assessments, the reference)."""
    summary: str
    """What it says or does, in a sentence or two."""
    sources: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Where this is stated."""
    day: date | None = None
    """For EU assessments: when."""
    by: str | None = None
    """For EU assessments: which body (CJEU, Commission, EDPB)."""


@attrs.frozen
class CountryProfile:
    """What a transfer impact assessment needs to know about a destination."""

    country: str
    """ISO alpha-2 code."""
    name: str
    """Country name."""
    reviewed: date
    """When the profile was last checked."""
    data_protection_law: tuple[Item, ...] = attrs.field(converter=to_tuple)
    """The general data protection law(s)."""
    authority: Item | None
    """The data protection authority."""
    authority_url: str | None
    """Its website."""
    public_authority_access: tuple[Item, ...] = attrs.field(converter=to_tuple)
    """Laws that let public authorities access data."""
    oversight: tuple[Item, ...] = attrs.field(converter=to_tuple)
    """Bodies overseeing that access."""
    redress: tuple[Item, ...] = attrs.field(converter=to_tuple)
    """Remedies open to individuals."""
    eu_assessments: tuple[Item, ...] = attrs.field(converter=to_tuple)
    """What EU bodies found about the destination."""
    access_concerns: str
    """``found``, ``none_found`` or ``unassessed`` (by EU bodies)."""
    access_concerns_basis: str
    """Which EU assessment, or its absence, that rests on."""
    unconfirmed: tuple[str, ...] = attrs.field(converter=to_tuple)
    """What could not be confirmed."""
    sources: tuple[str, ...] = attrs.field(converter=to_tuple)
    """General sources."""


@attrs.frozen
class SupervisoryAuthority:
    """The competent supervisory authority of an EEA country."""

    country: str
    """ISO alpha-2 code."""
    name: str
    """Official name."""
    url: str | None
    """Website."""
    note: str | None
    """E.g. federal structure."""
    sources: tuple[str, ...] = attrs.field(converter=to_tuple)
    """Where this is stated."""


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[str] = []

    def text(
        self, obj: Any, key: str, where: str, *, required: bool = True
    ) -> str | None:
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problems.append(
                f"expected a non-empty string @ {self.file}:{where}.{key}"
            )
            return None
        return value

    def sources(self, obj: Any, where: str) -> tuple[str, ...]:
        value = obj.get("sources") if isinstance(obj, dict) else None
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(item, str) and item.strip() for item in value)
        ):
            self.problems.append(
                f"every fact needs a source @ {self.file}:{where}.sources"
            )
            return ()
        return tuple(value)

    def day(self, obj: Any, key: str, where: str) -> date | None:
        value = obj.get(key) if isinstance(obj, dict) else None
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            pass
        self.problems.append(f"expected an ISO date @ {self.file}:{where}.{key}")
        return None

    def country(self, obj: Any, where: str) -> str | None:
        code = self.text(obj, "country", where)
        if code is not None and pycountry.countries.get(alpha_2=code) is None:
            self.problems.append(f"unknown ISO country {code!r} @ {self.file}:{where}")
            return None
        return code

    def entries(self, raw: Any, schema: str) -> list[Any]:
        if not isinstance(raw, dict) or raw.get("schema") != schema:
            self.problems.append(f"expected schema {schema!r} @ {self.file}:$.schema")
            return []
        entries = raw.get("entries")
        if not isinstance(entries, list):
            self.problems.append(f"expected a list @ {self.file}:$.entries")
            return []
        return entries

    def items(
        self, obj: Any, key: str, where: str, title_key: str, summary_key: str
    ) -> tuple[Item, ...]:
        value = obj.get(key, []) if isinstance(obj, dict) else []
        if not isinstance(value, list):
            self.problems.append(f"expected a list @ {self.file}:{where}.{key}")
            return ()
        result = []
        for index, raw in enumerate(value):
            item_where = f"{where}.{key}[{index}]"
            title = self.text(raw, title_key, item_where)
            summary = self.text(raw, summary_key, item_where)
            sources = self.sources(raw, item_where)
            day = self.day(raw, "date", item_where) if "date" in raw else None
            if title is not None and summary is not None:
                result.append(Item(title, summary, sources, day, raw.get("by")))
        return tuple(result)


def load_country_profiles(folder: Path | None = None) -> Mapping[str, CountryProfile]:
    """
    Country profiles by ISO code (cached per folder; the data in use when omitted).

    Raises:
        ReferenceDataError: The file is missing or invalid; every problem is listed.
    """
    return _load_country_profiles(Path(folder) if folder else active_dir())


@functools.cache
def _load_country_profiles(base: Path) -> Mapping[str, CountryProfile]:
    collector = _Collector("country_profiles.json")
    raw = read_json(base / "country_profiles.json")
    profiles: dict[str, CountryProfile] = {}
    for index, entry in enumerate(
        collector.entries(raw, "transfer-assess/country-profiles@1")
    ):
        where = f"$.entries[{index}]"
        code = collector.country(entry, where)
        name = collector.text(entry, "name", where)
        reviewed = collector.day(entry, "reviewed", where)
        concerns = collector.text(entry, "access_concerns", where)
        if concerns is not None and concerns not in _CONCERNS:
            collector.problems.append(
                f"unknown access_concerns {concerns!r} @ country_profiles.json:{where}"
            )
        basis = collector.text(entry, "access_concerns_basis", where)
        authority_raw = entry.get("data_protection_authority")
        authority = None
        if authority_raw is not None:
            authority_name = collector.text(authority_raw, "name", f"{where}.authority")
            authority_summary = collector.text(
                authority_raw, "summary", f"{where}.authority"
            )
            authority_sources = collector.sources(authority_raw, f"{where}.authority")
            if authority_name and authority_summary:
                authority = Item(authority_name, authority_summary, authority_sources)
        profile_sources = collector.sources(entry, where)
        items = {
            "data_protection_law": collector.items(
                entry, "data_protection_law", where, "name", "summary"
            ),
            "public_authority_access": collector.items(
                entry, "public_authority_access", where, "law", "summary"
            ),
            "oversight": collector.items(entry, "oversight", where, "body", "summary"),
            "redress": collector.items(entry, "redress", where, "mechanism", "summary"),
            "eu_assessments": collector.items(
                entry, "eu_assessments", where, "reference", "finding"
            ),
        }
        if None in (code, name, reviewed, concerns, basis):
            continue
        assert code is not None  # noqa: S101 - narrowed above
        if code in profiles:
            collector.problems.append(
                f"duplicate country {code!r} @ country_profiles.json:{where}"
            )
        profiles[code] = CountryProfile(
            country=code,
            name=str(name),
            reviewed=reviewed,  # type: ignore[arg-type]
            authority=authority,
            authority_url=(
                authority_raw.get("url") if isinstance(authority_raw, dict) else None
            ),
            access_concerns=str(concerns),
            access_concerns_basis=str(basis),
            unconfirmed=tuple(
                item for item in entry.get("unconfirmed", []) if isinstance(item, str)
            ),
            sources=profile_sources,
            **items,
        )
    if collector.problems:
        raise ReferenceDataError(collector.problems)
    return profiles


def load_supervisory_authorities(
    folder: Path | None = None,
) -> Mapping[str, SupervisoryAuthority]:
    """
    Supervisory authorities by ISO code of their EEA country (cached per folder).

    The data in use is read when `folder` is omitted.

    Raises:
        ReferenceDataError: The file is missing or invalid; every problem is listed.
    """
    return _load_supervisory_authorities(Path(folder) if folder else active_dir())


@functools.cache
def _load_supervisory_authorities(base: Path) -> Mapping[str, SupervisoryAuthority]:
    collector = _Collector("supervisory_authorities.json")
    raw = read_json(base / "supervisory_authorities.json")
    result: dict[str, SupervisoryAuthority] = {}
    for index, entry in enumerate(
        collector.entries(raw, "transfer-assess/supervisory-authorities@1")
    ):
        where = f"$.entries[{index}]"
        code = collector.country(entry, where)
        name = collector.text(entry, "name", where)
        url = collector.text(entry, "url", where, required=False)
        note = collector.text(entry, "note", where, required=False)
        sources = collector.sources(entry, where)
        if code is None or name is None:
            continue
        result[code] = SupervisoryAuthority(code, name, url, note, sources)
    if collector.problems:
        raise ReferenceDataError(collector.problems)
    return result
