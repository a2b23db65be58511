"""
Validation of a parsed data map into model values, collecting every problem.

Every rule of the data-map format (version 1) is checked here. Problems are gathered
with the path of the offending value and turned into located `Problem` values at the
end, so that one run reports everything that is wrong, not just the first thing.
"""

from __future__ import annotations

import difflib
import functools
import re
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import pycountry

from transfer_assess.errors import DataMapError, Problem
from transfer_assess.load.document import REFUSED, DocPath, RawDocument, format_path
from transfer_assess.model import (
    EEA,
    GDPR_APPLIES_FROM,
    Category,
    DataForm,
    DataMap,
    Entity,
    EntityKind,
    Flow,
    Frequency,
    Group,
    ImporterAccess,
    KeyHolder,
    LegalBasis,
    Measure,
    Mechanism,
    Reach,
    Role,
    Sector,
    SpecialCategory,
    TiaAnswers,
    TiaRecord,
)
from transfer_assess.refdata import SCOPE_CERTIFICATIONS
from transfer_assess.safetext import unsafe_character

if TYPE_CHECKING:
    import enum
    from collections.abc import Collection, Iterable, Iterator, Mapping

    from transfer_assess.load.answers import AnswerFiles
    from transfer_assess.load.limits import Limits
    from transfer_assess.refdata import Taxonomy

E = TypeVar("E", bound="enum.Enum")

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_CATEGORY_KEY = re.compile(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_IO_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,127}")

#: Common mistakes for country codes, with the right code.
COUNTRY_MISTAKES: Mapping[str, tuple[str, str]] = {
    "UK": ("GB", "the ISO code of the United Kingdom is 'GB'"),
    "EL": ("GR", "'EL' is the EU's protocol code; the ISO code of Greece is 'GR'"),
}
_REGIONS_NOT_COUNTRIES = frozenset({"EU", "EEA", "EFTA"})
#: Regime ids a map may name (``subject_to``), in the engine's order.
REGIME_IDS = ("EU", "UK", "CH")
#: Regimes whose adaptations of the EU SCCs a flow can declare (``scc_adaptations``).
SCC_ADAPTATION_REGIMES = ("CH",)

#: The map's header: keys of the top level that are not lists of records.
HEADER_KEYS = ("version", "organisation", "as_of", "controller", "dpo")
_TOP_KEYS = frozenset(HEADER_KEYS) | {"groups", "categories", "entities", "flows"}
#: Keys of each section of the format (also the CSV columns).
GROUP_KEYS = frozenset(
    {"id", "name", "bcr", "bcr_approved", "bcr_approved_uk", "bcr_approved_ch"}
)
CATEGORY_KEYS = frozenset({"key", "description", "special"})
#: The keys of an entity, in the order of the format's documentation.
ENTITY_KEY_ORDER = (
    "id",
    "name",
    "kind",
    "country",
    "international_organisation",
    "sector",
    "group",
    "certifications",
    "bcr_accession",
    "subject_to_gdpr",
    "subject_to",
    "address",
    "contact",
)
ENTITY_KEYS = frozenset(ENTITY_KEY_ORDER)
#: The keys of a flow, in the order of the format's documentation.
FLOW_KEY_ORDER = (
    "id",
    "from",
    "to",
    "exporter_role",
    "importer_role",
    "data_subjects",
    "data_categories",
    "special_categories",
    "purposes",
    "frequency",
    "volume",
    "mechanism",
    "scc_module",
    "scc_adaptations",
    "tia",
    "scc_signed",
    "measures",
    "importer_access",
    "anonymised",
    "origin",
    "start",
    "end",
    "legal_basis",
    "nature",
    "retention",
    "description",
)
FLOW_KEYS = frozenset(FLOW_KEY_ORDER)
#: Keys of a flow's ``tia`` record.
TIA_KEYS = frozenset({"date", "assessor", "answers", "answers_file"})
#: The answers of a ``tia`` record, in the order of the documentation.
ANSWER_KEY_ORDER = (
    "classes",
    "reached",
    "requests_received",
    "requests_years",
    "data_form",
    "keys_held_by",
    "pseudonymisation_key_in_eea",
    "transit_only",
    "remote_access_only",
    "transfer_years",
    "measures",
)
ANSWER_KEYS = frozenset(ANSWER_KEY_ORDER)
_LAW_ID = re.compile(r"[a-z]{2}-[a-z0-9-]{1,100}")
_CLASS_KEY = re.compile(r"[a-z][a-z0-9_]{0,100}")
#: Longest period in years an answer may give (requests counted, transfer period).
MAX_ANSWER_YEARS = 100
#: Keys whose text may span lines (newlines and tabs allowed).
_MULTILINE_KEYS = frozenset({"description", "address", "nature", "retention"})
_MISSING: Any = object()
_MEASURES = frozenset(measure.value for measure in Measure)
_MAX_SUGGESTION_POOL = 20_000
#: Problems past the limit are counted up to this many times the limit, then the
#: checking stops (a map of empty flows would otherwise cost seconds per MB).
_COUNT_FACTOR = 100
_SUGGESTION_BUDGET = 30_000


@functools.cache
def _is_iso_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


@functools.cache
def _country_hint(text: str) -> str | None:
    """Suggest the ISO alpha-2 code for a near miss (case, alpha-3, name)."""
    upper = text.upper()
    if upper in COUNTRY_MISTAKES:
        return COUNTRY_MISTAKES[upper][0]
    if len(text) == 2 and _is_iso_country(upper):  # noqa: PLR2004 - alpha-2 length
        return upper
    try:
        country = pycountry.countries.lookup(text)
    except LookupError:
        return None
    code: str = country.alpha_2
    return code


def suggest(word: str, candidates: Iterable[str], *, most: int = 1) -> str:
    """
    Return a ``" (did you mean 'x'?)"`` suffix for a near miss, or ``""``.

    A candidate that differs only in case comes first.

    Args:
        word: What the user wrote.
        candidates: The valid choices.
        most: How many suggestions at most (``'a', 'b' or 'c'``).
    """
    pool = list(candidates)
    if len(pool) > _MAX_SUGGESTION_POOL:
        return ""
    folded = word.casefold()
    matches = [item for item in pool if item.casefold() == folded][:most]
    matches += [item for item in _nearest(word, pool, most) if item not in matches][
        : most - len(matches)
    ]
    if not matches:
        return ""
    quoted = [repr(item) for item in matches]
    listed = (
        quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    )
    return f" (did you mean {listed}?)"


def _nearest(word: str, pool: list[str], most: int) -> list[str]:
    """The closest candidates: the best, and others about as close as it."""
    matches = difflib.get_close_matches(word, pool, n=most, cutoff=0.6)
    if len(matches) < 2:  # noqa: PLR2004 - one match needs no comparison
        return matches
    scored = sorted(
        (-difflib.SequenceMatcher(None, word, item).ratio(), item) for item in matches
    )
    best = -scored[0][0]
    return [item for score, item in scored if -score >= best - 0.05]


class _Checker:
    """Collects problems while reading one document into model values."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        limits: Limits,
        answer_files: AnswerFiles | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.limits = limits
        self.answer_files = answer_files
        self.problems: list[tuple[DocPath, str]] = []
        # Problems past the limit are counted, not kept: a map of a million empty
        # flows has ten million problems, and keeping them all cost gigabytes.
        self.dropped = 0
        self.stopped_at: DocPath | None = None
        self.warnings: list[tuple[DocPath, str]] = []
        # "Did you mean" compares strings; cap the total work on large broken maps.
        self.suggestion_budget = _SUGGESTION_BUDGET

    def until_full(self, items: list[Any], section: str) -> Iterator[tuple[int, Any]]:
        """
        Enumerate `items` until the problems counted pass `_COUNT_FACTOR` x the limit.

        Checking then stops where it stands (`stopped_at`), so that the cost of a
        broken map is bounded by the limit, not by its size.
        """
        for index, item in enumerate(items):
            if self.dropped >= _COUNT_FACTOR * self.limits.max_problems:
                self.stopped_at = (section, index)
                return
            yield index, item

    def problem(self, path: DocPath, message: str) -> None:
        if len(self.problems) < self.limits.max_problems:
            self.problems.append((path, message))
        else:
            self.dropped += 1

    def suggest(self, word: str, candidates: Collection[str], *, most: int = 1) -> str:
        """`suggest` within a budget of comparisons shared by the whole document."""
        if len(candidates) > self.suggestion_budget:
            self.suggestion_budget = 0
            return ""
        self.suggestion_budget -= len(candidates)
        pool = [
            candidate
            for candidate in candidates
            if abs(len(candidate) - len(word)) <= max(2, len(word) // 3)
        ]
        return suggest(word, pool, most=most)

    # -- generic fields -------------------------------------------------------------

    def mapping(self, value: Any, path: DocPath, what: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        if value is REFUSED:
            return None
        self.problem(path, f"expected {what} (a mapping), got {_describe(value)}")
        return None

    def keys(
        self, obj: dict[str, Any], allowed: frozenset[str], path: DocPath
    ) -> dict[str, Any]:
        """Report unknown keys; return the ``x-`` keys (checked for depth)."""
        extensions: dict[str, Any] = {}
        depth = self.limits.max_depth
        for key, value in obj.items():
            if key.startswith("x-"):
                if _depth(value) > depth:
                    self.problem(
                        (*path, key), f"nesting deeper than {depth} levels is refused"
                    )
                else:
                    extensions[key] = value
            elif key not in allowed:
                self.problem(
                    (*path, key),
                    f"unknown key {key!r}{suggest(key, allowed)}; "
                    "keys of your own must start with 'x-'",
                )
        return extensions

    def fetch(
        self, obj: dict[str, Any], key: str, path: DocPath, *, required: bool
    ) -> Any:
        """
        The value under `key`, or `_MISSING` when there is none to check.

        Absent and null values are missing (a problem when `required`); values a
        reader refused are missing too, their problem being reported already.
        """
        value = obj.get(key, _MISSING)
        if value is REFUSED:
            return _MISSING
        if value is _MISSING or value is None:
            if required:
                self.problem((*path, key), "required key is missing")
            return _MISSING
        return value

    def string(
        self, obj: dict[str, Any], key: str, path: DocPath, *, required: bool = False
    ) -> str | None:
        value = self.fetch(obj, key, path, required=required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.problem((*path, key), f"expected a string, got {_describe(value)}")
            return None
        if not self.safe_text(value, (*path, key), multiline=key in _MULTILINE_KEYS):
            return None
        if required and not value.strip():
            self.problem((*path, key), "must not be empty")
            return None
        return value

    def safe_text(self, value: str, path: DocPath, *, multiline: bool = False) -> bool:
        """Report a string over the length limit or with a disguising character."""
        limit = self.limits.max_text_chars
        if len(value) > limit:
            self.problem(
                path,
                f"text of {len(value):,} characters is over the limit of {limit:,}",
            )
            return False
        unsafe = unsafe_character(value, multiline=multiline)
        if unsafe is not None:
            self.problem(
                path,
                f"contains {unsafe}; control, bidirectional and zero-width characters "
                "and unpaired surrogates are refused (they can disguise, forge or "
                "break text)",
            )
            return False
        return True

    def identifier(self, obj: dict[str, Any], key: str, path: DocPath) -> str | None:
        value = self.string(obj, key, path, required=True)
        if value is not None and not ID_PATTERN.fullmatch(value):
            self.problem(
                (*path, key),
                f"invalid id {value!r}: expected letters, digits, '.', '_' or '-', "
                "starting with a letter or digit, at most 128 characters",
            )
            return None
        return value

    def choice(
        self,
        obj: dict[str, Any],
        key: str,
        path: DocPath,
        enum_type: type[E],
        *,
        required: bool = False,
    ) -> E | None:
        value = self.fetch(obj, key, path, required=required)
        if value is _MISSING:
            return None
        return self.enum_value(value, (*path, key), enum_type)

    def enum_value(self, value: Any, path: DocPath, enum_type: type[E]) -> E | None:
        if type(value) is str:
            member: E | None = _members(enum_type).get(value)
            if member is None:
                # Closed lists are lower case; other case is the same value.
                member = _members_folded(enum_type).get(value.casefold())
            if member is not None:
                return member
        allowed = [member.value for member in enum_type]
        if not isinstance(value, str):
            self.problem(
                path, f"expected one of {', '.join(allowed)}, got {_describe(value)}"
            )
            return None
        self.problem(
            path,
            f"invalid value {value!r}{suggest(value, allowed)}; expected one of "
            + ", ".join(allowed),
        )
        return None

    def day(
        self, obj: dict[str, Any], key: str, path: DocPath, *, required: bool = False
    ) -> date | None:
        value = self.fetch(obj, key, path, required=required)
        if value is _MISSING:
            return None
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                self.problem((*path, key), f"no such date {value!r}")
                return None
        hint = date_hint(value) if isinstance(value, str) else ""
        self.problem(
            (*path, key),
            f"expected an ISO 8601 date like 2026-11-28, got {_describe(value)}{hint}",
        )
        return None

    def boolean(self, obj: dict[str, Any], key: str, path: DocPath) -> bool | None:
        value = self.fetch(obj, key, path, required=False)
        if value is _MISSING:
            return None
        if isinstance(value, bool):
            return value
        self.problem((*path, key), f"expected true or false, got {_describe(value)}")
        return None

    def integer(
        self,
        obj: dict[str, Any],
        key: str,
        path: DocPath,
        *,
        required: bool = False,
        minimum: int | None = None,
    ) -> int | None:
        value = self.fetch(obj, key, path, required=required)
        if value is _MISSING:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem((*path, key), f"expected an integer, got {_describe(value)}")
            return None
        if minimum is not None and value < minimum:
            self.problem((*path, key), f"must be at least {minimum}, got {value}")
            return None
        return value

    def strings(
        self,
        obj: dict[str, Any],
        key: str,
        path: DocPath,
        *,
        required: bool = False,
    ) -> list[tuple[int, str]] | None:
        """
        A list of non-empty strings with their indexes; ``None`` when absent.

        The path of item ``index`` is ``(*path, key, index)``, built by callers only
        when they report a problem (this runs for every list of every flow).
        """
        value = self.fetch(obj, key, path, required=required)
        if value is _MISSING:
            return None
        if type(value) is not list:
            self.problem((*path, key), f"expected a list, got {_describe(value)}")
            return None
        if not value:
            if required:
                self.problem((*path, key), "must list at least one value")
            return []
        if (
            all(type(item) is str and item.strip() for item in value)
            and max(map(len, value)) <= self.limits.max_text_chars
            and unsafe_character(" ".join(value)) is None
        ):
            return list(enumerate(value))
        result: list[tuple[int, str]] = []
        for index, item in enumerate(value):
            if item is REFUSED:
                continue
            if not isinstance(item, str) or not item.strip():
                self.problem(
                    (*path, key, index),
                    f"expected a non-empty string, got {_describe(item)}",
                )
                continue
            if self.safe_text(item, (*path, key, index)):
                result.append((index, item))
        return result

    def known_words(
        self,
        obj: dict[str, Any],
        key: str,
        path: DocPath,
        known: frozenset[str],
        what: str,
    ) -> list[str]:
        """
        A free list whose known values matter: case normalised, near misses warned.

        A value that differs from a known one only in case is that value (``DPF`` is
        ``dpf``); a value close to a known one is kept as written, with a warning,
        since a free value carries no weight in the assessment.
        """
        return [
            self.known_word(item, (*path, key, index), known, what)
            for index, item in self.strings(obj, key, path) or []
        ]

    def known_word(
        self, item: str, where: DocPath, known: frozenset[str], what: str
    ) -> str:
        """One value of a free list whose known values matter (see `known_words`)."""
        if item in known:
            return item
        folded = _folded(known).get(item.casefold())
        if folded is not None:
            return folded
        hint = self.suggest(item, known)
        if hint:
            self.warnings.append(
                (
                    where,
                    (
                        f"{what} {item!r} is not one the assessment knows{hint}; "
                        "it is kept for information only"
                    ),
                )
            )
        return item

    def unique(
        self, seen: dict[str, DocPath], value: str, path: DocPath, what: str
    ) -> bool:
        first = seen.get(value)
        if first is not None:
            self.problem(
                path, f"duplicate {what} {value!r} (first at {format_path(first)})"
            )
            return False
        seen[value] = path
        return True


@functools.cache
def _members(enum_type: type[E]) -> dict[str, E]:
    """Members of a closed vocabulary by value (a dict lookup beats ``Enum(value)``)."""
    return {member.value: member for member in enum_type}


@functools.cache
def _folded(words: frozenset[str]) -> dict[str, str]:
    """Known words by their folded case."""
    return {word.casefold(): word for word in words}


@functools.cache
def _members_folded(enum_type: type[E]) -> dict[str, E]:
    """Members of a closed vocabulary by their value in folded case."""
    return {member.value.casefold(): member for member in enum_type}


_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{4})")
_YEAR_MONTH_DAY = re.compile(r"([0-9]{4})[./-]([0-9]{1,2})[./-]([0-9]{1,2})")
_DATE_AND_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ][0-9:.]+Z?")


def _iso(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def date_hint(text: str) -> str:
    """
    A hint showing the ISO form of a date a spreadsheet or a person wrote otherwise.

    ``15/01/2026`` can only be day-first; ``03/04/2026`` could be either, and both
    readings are shown. The date is never guessed: the value is still refused.
    """
    if match := _DATE_AND_TIME.fullmatch(text):
        return f" (write the date alone: {match.group(1)})"
    if match := _YEAR_MONTH_DAY.fullmatch(text):
        iso = _iso(*match.groups())
        return f" (write {iso})" if iso and iso != text else ""
    match = _DAY_MONTH_YEAR.fullmatch(text)
    if match is None:
        return ""
    first, second, year = match.groups()
    day_first = _iso(year, second, first)
    month_first = _iso(year, first, second)
    if day_first and month_first and day_first != month_first:
        return (
            f" (ambiguous: write {day_first} if the day comes first, {month_first} "
            "if the month does)"
        )
    iso = day_first or month_first
    return f" (write {iso})" if iso else ""


def _describe(value: Any) -> str:
    """Name a value's type for a message, with the value when it is short."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value[:60]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _depth(value: Any) -> int:
    """Nesting depth of a plain value, computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
        deepest = max(deepest, level)
    return deepest


def build_datamap(
    document: RawDocument,
    taxonomy: Taxonomy,
    limits: Limits,
    source: str,
    answer_files: AnswerFiles | None = None,
) -> DataMap:
    """
    Validate a parsed document and build the data map.

    Args:
        document: The reader's result.
        taxonomy: Built-in category keys and their special categories.
        limits: Size bounds.
        source: The file or folder name for `DataMap.source`.
        answer_files: Reads the answer sheets flows name (``answers_file``);
            ``None`` for a map that was not read from a file, where naming one is
            a problem.

    Returns:
        The data map.

    Raises:
        DataMapError: With every problem found, located.
    """
    checker = _Checker(taxonomy, limits, answer_files)
    datamap = None
    if not document.fatal:
        datamap = _build(document.value, checker, source)
    warnings = _locate(document, checker.warnings, [])
    problems = _locate(document, checker.problems, document.problems)
    if problems or datamap is None:
        shown = problems[: limits.max_problems]
        more = len(problems) - len(shown) + checker.dropped
        if more:
            message = (
                f"{more:,} more problems not shown (limit {limits.max_problems:,})"
            )
            if checker.stopped_at is not None:
                message = (
                    f"at least {message}; checking stopped at "
                    f"{format_path(checker.stopped_at)}: fix these first"
                )
            shown.append(Problem(document.file, None, "", message))
        raise DataMapError(shown)
    return _with_warnings(datamap, warnings)


def _with_warnings(datamap: DataMap, warnings: list[Problem]) -> DataMap:
    if not warnings:
        return datamap
    import attrs  # noqa: PLC0415 - only needed on this rare path

    return attrs.evolve(datamap, warnings=tuple(warnings))


def _locate(
    document: RawDocument,
    found: list[tuple[DocPath, str]],
    raw: Iterable[Any],
) -> list[Problem]:
    """Turn path problems into located ones, in file and line order."""
    located: list[Problem] = [
        Problem(item.file, item.line, format_path(item.path), item.message)
        for item in raw
    ]
    by_file: dict[str, list[tuple[DocPath, str]]] = {}
    for path, message in found:
        by_file.setdefault(document.file_for(path), []).append((path, message))
    for file, items in by_file.items():
        locator = document.locators.get(file)
        lines = locator.lines(path for path, _ in items) if locator else {}
        located.extend(
            Problem(file, lines.get(path), format_path(path), message)
            for path, message in items
        )
    located.sort(key=lambda problem: (problem.file, problem.line or 0))
    return located


def _build(value: Any, checker: _Checker, source: str) -> DataMap | None:
    top = checker.mapping(value, (), "a data map")
    if top is None:
        return None
    extensions = checker.keys(top, _TOP_KEYS, ())
    version = checker.integer(top, "version", (), required=True)
    if version is not None and version != 1:
        checker.problem(("version",), f"unsupported version {version}; expected 1")
    organisation = checker.string(top, "organisation", (), required=True)
    controller = checker.string(top, "controller", ())
    dpo = checker.string(top, "dpo", ())
    as_of = checker.day(top, "as_of", ())
    if as_of is not None and as_of < GDPR_APPLIES_FROM:
        checker.problem(
            ("as_of",),
            f"{as_of.isoformat()} is before {GDPR_APPLIES_FROM.isoformat()}, the day "
            "the GDPR applies; Chapter V cannot be assessed earlier",
        )

    seen_groups: dict[str, DocPath] = {}
    groups: list[Group] = []
    for index, item in enumerate(_section(top, "groups", checker, required=False)):
        group = _group(item, ("groups", index), checker)
        if group is not None and checker.unique(
            seen_groups, group.id, ("groups", index, "id"), "group id"
        ):
            groups.append(group)
    seen_keys: dict[str, DocPath] = {}
    categories: list[Category] = []
    for index, item in enumerate(_section(top, "categories", checker, required=False)):
        category = _category(item, ("categories", index), checker)
        if category is not None and checker.unique(
            seen_keys, category.key, ("categories", index, "key"), "category"
        ):
            categories.append(category)

    group_ids = {group.id for group in groups}
    raw_entities = _section(top, "entities", checker, required=True)
    if "entities" in top and isinstance(top["entities"], list) and not raw_entities:
        checker.problem(("entities",), "must list at least one entity")
    if len(raw_entities) > checker.limits.max_entities:
        checker.problem(
            ("entities",),
            f"{len(raw_entities):,} entities exceed the limit of "
            f"{checker.limits.max_entities:,}",
        )
        return None
    entities = [
        _entity(item, ("entities", index), checker, group_ids)
        for index, item in checker.until_full(raw_entities, "entities")
    ]
    entity_ids: dict[str, DocPath] = {}
    for index, entity in enumerate(entities):
        if entity is not None:
            checker.unique(
                entity_ids, entity.id, ("entities", index, "id"), "entity id"
            )
    # References are checked only against a usable entities section, so that one
    # broken section does not make every flow look wrong. Ids that are present but
    # invalid still match (their own problem is reported once) but are never
    # suggested.
    entities_usable = isinstance(top.get("entities"), list)
    known_ids = {
        item.get("id")
        for item in raw_entities
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    }
    valid_ids = {
        entity_id
        for entity_id in known_ids
        if isinstance(entity_id, str) and ID_PATTERN.fullmatch(entity_id)
    }

    raw_flows = _section(top, "flows", checker, required=True)
    if len(raw_flows) > checker.limits.max_flows:
        checker.problem(
            ("flows",),
            f"{len(raw_flows):,} flows exceed the limit of "
            f"{checker.limits.max_flows:,}",
        )
        return None
    declared = {category.key: category for category in categories}
    flow_checker = _FlowChecker(
        checker, known_ids if entities_usable else None, valid_ids, declared
    )
    flows = [
        flow_checker.flow(item, ("flows", index))
        for index, item in checker.until_full(raw_flows, "flows")
    ]
    flow_ids: dict[str, DocPath] = {}
    for index, flow in enumerate(flows):
        if flow is not None:
            checker.unique(flow_ids, flow.id, ("flows", index, "id"), "flow id")

    if checker.problems or organisation is None:
        return None
    return DataMap(
        organisation=organisation,
        entities=[entity for entity in entities if entity is not None],
        flows=[flow for flow in flows if flow is not None],
        groups=groups,
        categories=categories,
        as_of=as_of,
        controller=controller,
        dpo=dpo,
        source=source,
        extensions=extensions,
    )


def _section(
    top: dict[str, Any], key: str, checker: _Checker, *, required: bool
) -> list[Any]:
    value = top.get(key, _MISSING)
    if value is REFUSED:
        return []
    if value is _MISSING or (value is None and not required):
        if required:
            checker.problem((key,), "required key is missing")
        return []
    if not isinstance(value, list):
        checker.problem((key,), f"expected a list, got {_describe(value)}")
        return []
    return value


def _regime_ids(
    obj: dict[str, Any],
    key: str,
    path: DocPath,
    checker: _Checker,
    allowed: tuple[str, ...],
) -> list[str]:
    """A list of regime ids (``EU``, ``UK``, ``CH``), each checked against `allowed`."""
    result: list[str] = []
    for index, item in checker.strings(obj, key, path) or []:
        if item in allowed:
            result.append(item)
            continue
        hint = f" (did you mean {item.upper()!r}?)" if item.upper() in allowed else ""
        checker.problem(
            (*path, key, index),
            f"unknown regime {item!r}{hint}; expected one of {', '.join(allowed)}",
        )
    return result


def _group(value: Any, path: DocPath, checker: _Checker) -> Group | None:
    obj = checker.mapping(value, path, "a group")
    if obj is None:
        return None
    extensions = checker.keys(obj, GROUP_KEYS, path)
    group_id = checker.identifier(obj, "id", path)
    name = checker.string(obj, "name", path)
    roles: list[Role] = []
    for index, item in checker.strings(obj, "bcr", path) or []:
        role = checker.enum_value(item, (*path, "bcr", index), Role)
        if role is not None:
            roles.append(role)
    approved = checker.day(obj, "bcr_approved", path)
    approved_uk = checker.day(obj, "bcr_approved_uk", path)
    approved_ch = checker.day(obj, "bcr_approved_ch", path)
    if group_id is None:
        return None
    return Group(
        id=group_id,
        name=name,
        bcr=frozenset(roles),
        bcr_approved=approved,
        bcr_approved_uk=approved_uk,
        bcr_approved_ch=approved_ch,
        extensions=extensions,
    )


def _category(value: Any, path: DocPath, checker: _Checker) -> Category | None:
    obj = checker.mapping(value, path, "a category")
    if obj is None:
        return None
    extensions = checker.keys(obj, CATEGORY_KEYS, path)
    key = checker.string(obj, "key", path, required=True)
    if key is not None and not _CATEGORY_KEY.fullmatch(key):
        checker.problem(
            (*path, "key"),
            f"invalid category key {key!r}: expected dotted words like "
            "'crm.call_recording'",
        )
        key = None
    description = checker.string(obj, "description", path)
    special = checker.choice(obj, "special", path, SpecialCategory)
    if key is None:
        return None
    return Category(
        key=key, description=description, special=special, extensions=extensions
    )


def _entity(
    value: Any, path: DocPath, checker: _Checker, group_ids: set[str]
) -> Entity | None:
    obj = checker.mapping(value, path, "an entity")
    if obj is None:
        return None
    extensions = checker.keys(obj, ENTITY_KEYS, path)
    entity_id = checker.identifier(obj, "id", path)
    name = checker.string(obj, "name", path, required=True)
    kind = checker.choice(obj, "kind", path, EntityKind, required=True)
    organisation = checker.string(obj, "international_organisation", path)
    if organisation is not None and not _IO_SLUG.fullmatch(organisation):
        checker.problem(
            (*path, "international_organisation"),
            f"invalid organisation {organisation!r}: expected a lower-case slug like "
            "'european-patent-organisation'",
        )
    country = _country(obj, path, checker, has_organisation=organisation is not None)
    sector = checker.choice(obj, "sector", path, Sector) or Sector.PRIVATE
    group = checker.string(obj, "group", path)
    if group is not None and group not in group_ids:
        checker.problem(
            (*path, "group"),
            f"unknown group {group!r}{checker.suggest(group, group_ids)}",
        )
    certifications, periods = _certifications(obj, path, checker)
    accession = checker.day(obj, "bcr_accession", path)
    if accession is not None and group is None:
        checker.problem(
            (*path, "bcr_accession"), "bcr_accession needs the entity's group"
        )
    subject = checker.boolean(obj, "subject_to_gdpr", path)
    subject_to = _regime_ids(obj, "subject_to", path, checker, REGIME_IDS)
    address = checker.string(obj, "address", path)
    contact = checker.string(obj, "contact", path)
    if entity_id is None or name is None or kind is None:
        return None
    return Entity(
        id=entity_id,
        name=name,
        kind=kind,
        country=country,
        international_organisation=organisation,
        sector=sector,
        group=group,
        certifications=certifications,
        certification_periods=periods,
        bcr_accession=accession,
        subject_to_gdpr=subject,
        subject_to=subject_to,
        address=address,
        contact=contact,
        extensions=extensions,
    )


#: The cell form of a dated certification: ``dpf@2023-08-01..2026-12-31`` (either
#: date may be left out: ``dpf@2023-08-01..``).
_DATED_CERTIFICATION = re.compile(r"(?P<type>[^@]+)@(?P<start>[^.]*)\.\.(?P<until>.*)")
_CERTIFICATION_KEYS = frozenset({"type", "from", "until"})


def _certifications(
    obj: dict[str, Any], path: DocPath, checker: _Checker
) -> tuple[list[str], dict[str, tuple[date | None, date | None]]]:
    """
    An entity's certifications: names, and the period of each dated one.

    An item is a name (held for the whole period), a mapping ``{type, from,
    until}``, or the text ``type@FROM..UNTIL`` (the cell form of CSV maps).
    """
    raw = checker.fetch(obj, "certifications", path, required=False)
    if raw is _MISSING:
        return [], {}
    if type(raw) is not list:
        checker.problem(
            (*path, "certifications"), f"expected a list, got {_describe(raw)}"
        )
        return [], {}
    names: list[str] = []
    periods: dict[str, tuple[date | None, date | None]] = {}
    for index, given in enumerate(raw):
        where = (*path, "certifications", index)
        item = given
        if isinstance(given, str) and (match := _DATED_CERTIFICATION.fullmatch(given)):
            item = {
                key: value.strip()
                for key, value in (
                    ("type", match["type"]),
                    ("from", match["start"]),
                    ("until", match["until"]),
                )
                if value.strip()
            }
        if isinstance(item, str) and item.strip():
            names.append(
                checker.known_word(
                    item.strip(), where, SCOPE_CERTIFICATIONS, "certification"
                )
            )
            continue
        entry = checker.mapping(
            item, where, "a certification name or {type, from, until}"
        )
        if entry is None:
            continue
        checker.keys(entry, _CERTIFICATION_KEYS, where)
        name = checker.string(entry, "type", where, required=True)
        start = checker.day(entry, "from", where)
        until = checker.day(entry, "until", where)
        if start is not None and until is not None and until < start:
            checker.problem(
                (*where, "until"),
                f"until {until.isoformat()} is before from {start.isoformat()}",
            )
        if name is None:
            continue
        name = checker.known_word(
            name, (*where, "type"), SCOPE_CERTIFICATIONS, "certification"
        )
        if name in periods:
            checker.problem(
                (*where, "type"), f"certification {name!r} is given twice with dates"
            )
            continue
        names.append(name)
        periods[name] = (start, until)
    return names, periods


def _country(
    obj: dict[str, Any], path: DocPath, checker: _Checker, *, has_organisation: bool
) -> str | None:
    value = obj.get("country")
    where = (*path, "country")
    if value is REFUSED:
        return None
    if value is None:
        if not has_organisation:
            checker.problem(
                where,
                "required key is missing (an ISO 3166-1 alpha-2 code such as 'DE'; "
                "or set international_organisation instead)",
            )
        return None
    if has_organisation:
        checker.problem(
            where, "an international organisation has no country; remove one of the two"
        )
        return None
    if not isinstance(value, str):
        # YAML 1.1 tools write Norway as the boolean false; say so.
        hint = " (write Norway as 'NO')" if value is False else ""
        checker.problem(where, f"expected a country code, got {_describe(value)}{hint}")
        return None
    checker_message = country_problem(value)
    if checker_message is not None:
        checker.problem(where, checker_message)
        return None
    return value


def loop_problem(entity_id: str) -> str:
    """
    Say why a flow cannot go from an entity to itself.

    Args:
        entity_id: The entity both ends name.
    """
    return (
        f"a flow cannot go from {entity_id!r} to itself (an entity's own staff "
        "abroad is not a second entity)"
    )


def country_problem(code: str) -> str | None:
    """
    Say what is wrong with a country code, or return ``None`` when it is valid.

    Args:
        code: What the user wrote.
    """
    if len(code) == 2 and code.isupper() and code.isascii() and _is_iso_country(code):  # noqa: PLR2004
        return None
    if code.upper() in _REGIONS_NOT_COUNTRIES:
        return f"{code!r} is a region, not a country; give the member state's code"
    if code.upper() in COUNTRY_MISTAKES:
        right, why = COUNTRY_MISTAKES[code.upper()]
        return f"invalid country {code!r}: {why} (did you mean {right!r}?)"
    hint = _country_hint(code)
    if hint is not None:
        return (
            f"invalid country {code!r}: expected an upper-case ISO 3166-1 alpha-2 code "
            f"(did you mean {hint!r}?)"
        )
    return f"unknown country {code!r}: expected an ISO 3166-1 alpha-2 code such as 'DE'"


class _FlowChecker:
    """Checks flows against the map's entities and categories."""

    def __init__(
        self,
        checker: _Checker,
        entity_ids: set[Any] | None,
        valid_ids: set[str],
        declared: dict[str, Category],
    ) -> None:
        self.checker = checker
        self.entity_ids = entity_ids
        self.valid_ids = valid_ids
        self.declared = declared

    def reference(self, obj: dict[str, Any], key: str, path: DocPath) -> str | None:
        value = self.checker.string(obj, key, path, required=True)
        if value is None or self.entity_ids is None:
            return value
        if value not in self.entity_ids:
            hint = self.checker.suggest(value, self.valid_ids, most=3)
            self.checker.problem((*path, key), f"unknown entity {value!r}{hint}")
            return None
        return value

    def flow(self, value: Any, path: DocPath) -> Flow | None:
        checker = self.checker
        obj = checker.mapping(value, path, "a flow")
        if obj is None:
            return None
        extensions = checker.keys(obj, FLOW_KEYS, path)
        flow_id = checker.identifier(obj, "id", path)
        exporter = self.reference(obj, "from", path)
        importer = self.reference(obj, "to", path)
        if exporter is not None and exporter == importer:
            checker.problem((*path, "to"), loop_problem(exporter))
        exporter_role = checker.choice(obj, "exporter_role", path, Role, required=True)
        importer_role = checker.choice(obj, "importer_role", path, Role, required=True)
        subjects = checker.strings(obj, "data_subjects", path, required=True)
        categories = self.categories(obj, path)
        special = self.special(obj, path, categories)
        purposes = checker.strings(obj, "purposes", path, required=True)
        frequency = checker.choice(obj, "frequency", path, Frequency, required=True)
        volume = checker.integer(obj, "volume", path, minimum=0)
        mechanism = checker.choice(obj, "mechanism", path, Mechanism) or Mechanism.NONE
        module = self.module(obj, path, mechanism)
        adaptations = _regime_ids(
            obj, "scc_adaptations", path, checker, SCC_ADAPTATION_REGIMES
        )
        tia, tia_record = self.tia(obj, path)
        scc_signed = checker.day(obj, "scc_signed", path)
        measures = checker.known_words(obj, "measures", path, _MEASURES, "measure")
        access = (
            checker.choice(obj, "importer_access", path, ImporterAccess)
            or ImporterAccess.CLEARTEXT
        )
        anonymised = checker.boolean(obj, "anonymised", path) or False
        origin = self.origin(obj, path)
        start = checker.day(obj, "start", path)
        end = checker.day(obj, "end", path)
        if start is not None and end is not None and end < start:
            checker.problem(
                (*path, "end"),
                f"end {end.isoformat()} is before start {start.isoformat()}",
            )
        legal_basis = checker.choice(obj, "legal_basis", path, LegalBasis)
        nature = checker.string(obj, "nature", path)
        retention = checker.string(obj, "retention", path)
        description = checker.string(obj, "description", path)
        if (
            flow_id is None
            or exporter is None
            or importer is None
            or exporter_role is None
            or importer_role is None
            or not subjects
            or not categories
            or not purposes
            or frequency is None
        ):
            return None
        return Flow(
            id=flow_id,
            exporter=exporter,
            importer=importer,
            exporter_role=exporter_role,
            importer_role=importer_role,
            data_subjects=[item for _, item in subjects],
            data_categories=categories,
            purposes=[item for _, item in purposes],
            frequency=frequency,
            special_categories=special,
            volume=volume,
            mechanism=mechanism,
            scc_module=module,
            scc_adaptations=adaptations,
            tia=tia,
            tia_record=tia_record,
            scc_signed=scc_signed,
            measures=measures,
            importer_access=access,
            anonymised=anonymised,
            origin=origin,
            start=start,
            end=end,
            legal_basis=legal_basis,
            nature=nature,
            retention=retention,
            description=description,
            extensions=extensions,
        )

    def tia(
        self, obj: dict[str, Any], path: DocPath
    ) -> tuple[date | None, TiaRecord | None]:
        """The ``tia`` of a flow: a date alone, or a record with answers."""
        checker = self.checker
        value = obj.get("tia")
        if not isinstance(value, dict):
            return checker.day(obj, "tia", path), None
        where = (*path, "tia")
        checker.keys(value, TIA_KEYS, where)
        day = checker.day(value, "date", where, required=True)
        assessor = checker.string(value, "assessor", where)
        name = checker.string(value, "answers_file", where)
        raw = value.get("answers", _MISSING)
        answers_path = (*where, "answers")
        if name is not None:
            if raw is not _MISSING:
                checker.problem(
                    (*where, "answers_file"),
                    "give the answers in the map or in a file, not both",
                )
                return None, None
            raw = self.answer_file(name, (*where, "answers_file"), answers_path)
        answers = None
        if raw is not _MISSING and raw is not None:
            answers = self.answers(raw, answers_path)
        if day is None:
            return None, None
        return day, TiaRecord(
            date=day, assessor=assessor, answers=answers, answers_file=name
        )

    def answer_file(self, name: str, where: DocPath, at: DocPath) -> Any:
        """The content of an answer sheet, or `_MISSING` after a problem."""
        files = self.checker.answer_files
        if files is None:
            self.checker.problem(
                where,
                "answers_file can only be used in a map read from a file (the sheet "
                "is found relative to the map's folder)",
            )
            return _MISSING
        value, problem = files.read(name, at)
        if problem is not None:
            self.checker.problem(where, problem)
            return _MISSING
        return _MISSING if value is REFUSED else value

    def answers(self, value: Any, path: DocPath) -> TiaAnswers | None:
        """The importer's answers (see ``docs/tia.md``)."""
        checker = self.checker
        obj = checker.mapping(value, path, "the importer's answers")
        if obj is None:
            return None
        count = len(checker.problems) + checker.dropped
        checker.keys(obj, ANSWER_KEYS, path)
        reached = self.reached(obj, path, "reached", _LAW_ID, "law id")
        classes = self.reached(obj, path, "classes", _CLASS_KEY, "importer class")
        received = checker.integer(obj, "requests_received", path, minimum=0)
        years = self.years(obj, "requests_years", path, whole=True)
        if years is not None and received is None:
            checker.problem(
                (*path, "requests_years"),
                "give requests_received too (the requests counted over these years)",
            )
        form = checker.choice(obj, "data_form", path, DataForm)
        keys = checker.choice(obj, "keys_held_by", path, KeyHolder)
        if keys is not None and form is not DataForm.ENCRYPTED:
            checker.problem(
                (*path, "keys_held_by"),
                "applies only when data_form is 'encrypted'",
            )
        key_in_eea = checker.boolean(obj, "pseudonymisation_key_in_eea", path)
        if key_in_eea is not None and form is not DataForm.PSEUDONYMISED:
            checker.problem(
                (*path, "pseudonymisation_key_in_eea"),
                "applies only when data_form is 'pseudonymised'",
            )
        transit = checker.boolean(obj, "transit_only", path)
        remote = checker.boolean(obj, "remote_access_only", path)
        period = self.years(obj, "transfer_years", path, whole=False)
        measures = checker.known_words(obj, "measures", path, _MEASURES, "measure")
        if len(checker.problems) + checker.dropped > count:
            return None
        return TiaAnswers(
            reached=reached,
            classes=classes,
            requests_received=received,
            requests_years=int(years) if years is not None else None,
            data_form=form,
            keys_held_by=keys,
            pseudonymisation_key_in_eea=key_in_eea,
            transit_only=transit,
            remote_access_only=remote,
            transfer_years=period,
            measures=measures,
        )

    def reached(
        self,
        obj: dict[str, Any],
        path: DocPath,
        key_name: str,
        pattern: re.Pattern[str],
        what: str,
    ) -> dict[str, Reach]:
        """Per law id or class: yes, no or unknown (true and false: yes and no)."""
        checker = self.checker
        value = checker.fetch(obj, key_name, path, required=False)
        if value is _MISSING:
            return {}
        mapping = checker.mapping(value, (*path, key_name), f"answers by {what}")
        result: dict[str, Reach] = {}
        for key, answer in (mapping or {}).items():
            where = (*path, key_name, key)
            if not pattern.fullmatch(key):
                example = "'us-fisa-702'" if what == "law id" else "'ecsp'"
                checker.problem(
                    where,
                    f"invalid {what} {key!r}: expected one of access_laws.json, "
                    f"such as {example}",
                )
                continue
            if isinstance(answer, bool):
                result[key] = Reach.YES if answer else Reach.NO
                continue
            member = checker.enum_value(answer, where, Reach)
            if member is not None:
                result[key] = member
        return result

    def years(
        self, obj: dict[str, Any], key: str, path: DocPath, *, whole: bool
    ) -> float | None:
        """A number of years above 0 and at most `MAX_ANSWER_YEARS`."""
        value = self.checker.fetch(obj, key, path, required=False)
        if value is _MISSING:
            return None
        kinds = "a whole number" if whole else "a number"
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (whole and not isinstance(value, int))
            or not 0 < value <= MAX_ANSWER_YEARS
        ):
            self.checker.problem(
                (*path, key),
                f"expected {kinds} of years above 0 and at most {MAX_ANSWER_YEARS}, "
                f"got {_describe(value)}",
            )
            return None
        return float(value)

    def categories(self, obj: dict[str, Any], path: DocPath) -> list[str]:
        keys: list[str] = []
        for index, key in (
            self.checker.strings(obj, "data_categories", path, required=True) or []
        ):
            item_path = (*path, "data_categories", index)
            if not _CATEGORY_KEY.fullmatch(key):
                self.checker.problem(
                    item_path,
                    f"invalid category key {key!r}: expected dotted words like "
                    "'user.contact.email'",
                )
                continue
            if key not in self.declared and not self.checker.taxonomy.is_known(key):
                pool = list(self.declared) + list(self.checker.taxonomy.keys)
                self.checker.warnings.append(
                    (
                        item_path,
                        (
                            f"category {key!r} is neither built in nor declared under "
                            f"'categories'{self.checker.suggest(key, pool)}"
                        ),
                    )
                )
            keys.append(key)
        return keys

    def special(
        self, obj: dict[str, Any], path: DocPath, categories: list[str]
    ) -> set[SpecialCategory]:
        result: set[SpecialCategory] = set()
        for index, item in self.checker.strings(obj, "special_categories", path) or []:
            member = self.checker.enum_value(
                item, (*path, "special_categories", index), SpecialCategory
            )
            if member is not None:
                result.add(member)
        for key in categories:
            inferred = self.checker.taxonomy.special_for(key, self.declared)
            if inferred is not None:
                result.add(inferred)
        return result

    def module(
        self, obj: dict[str, Any], path: DocPath, mechanism: Mechanism
    ) -> int | None:
        module = self.checker.integer(obj, "scc_module", path)
        if module is not None and not 1 <= module <= 4:  # noqa: PLR2004 - four modules
            self.checker.problem(
                (*path, "scc_module"),
                f"invalid SCC module {module}; expected 1, 2, 3 or 4",
            )
            return None
        if mechanism.takes_scc_module and obj.get("scc_module") is None:
            self.checker.problem(
                (*path, "scc_module"),
                f"required when mechanism is {mechanism.value!r}: the module signed "
                "(1, 2, 3 or 4)",
            )
        return module

    def origin(self, obj: dict[str, Any], path: DocPath) -> list[str] | None:
        items = self.checker.strings(obj, "origin", path)
        if items is None:
            return None
        if not items and obj.get("origin") == []:
            self.checker.problem(
                (*path, "origin"),
                "must list at least one region ('EEA' or a country code); leave "
                "origin out when the records may come from anywhere",
            )
            return None
        regions: list[str] = []
        for index, item in items:
            item_path = (*path, "origin", index)
            if item == EEA:
                regions.append(item)
                continue
            if item.upper() == EEA:
                self.checker.problem(
                    item_path, f"invalid region {item!r} (did you mean {EEA!r}?)"
                )
                continue
            message = country_problem(item)
            if message is not None:
                self.checker.problem(item_path, f"{message}, or 'EEA'")
                continue
            regions.append(item)
        return regions
