"""
Fides (fideslang) manifests: a draft data map in, a Fides manifest out.

Fides describes *systems* (applications and vendors) with privacy declarations (data
categories, one data use, data subjects) and the systems they send data to
(``egress``) or receive it from (``ingress``). It has no field for where a system
processes data, for the GDPR roles of a movement, for how often data moves or for the
transfer tool relied on. `import_fides` therefore builds a *draft* data map, one entity
per system and one flow per movement, and a list of questions for what Fides lacks;
the draft is valid once they are answered. `export_fides` writes a data map as a Fides
manifest and keeps what Fides has no field for under ``meta.transfer_assess`` of each
system (``meta`` is the free mapping fideslang allows on systems), so that a manifest
exported here imports back without questions.

Manifests are read with the project's YAML 1.2 reader (`read_yaml`), never with
PyYAML's constructors; YAML is written with a safe dumper that also quotes strings a
YAML 1.2 reader would take for numbers, booleans or nulls.
"""

from __future__ import annotations

import os
import re
import textwrap
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import pycountry
import yaml

from transfer_assess.errors import DataMapError, InputError, Problem
from transfer_assess.interchange.tables import GROUP_ORDER, entity_record, flow_record
from transfer_assess.load import read_text
from transfer_assess.load.document import DocPath, RawDocument, RawProblem, format_path
from transfer_assess.load.limits import Limits
from transfer_assess.load.validate import ENTITY_KEY_ORDER, FLOW_KEY_ORDER, ID_PATTERN
from transfer_assess.load.yaml_reader import read_yaml, resolve_plain
from transfer_assess.model import (
    Category,
    DataMap,
    Entity,
    EntityKind,
    Flow,
    LegalBasis,
    Mechanism,
    Role,
)
from transfer_assess.output import write_atomically

__all__ = ["draft_map_text", "export_fides", "import_fides", "write_draft_map"]

#: Key under a system's ``meta`` that holds what Fides has no field for.
META_KEY = "transfer_assess"
#: Version of the layout under ``meta.transfer_assess``.
META_FORMAT = 1
#: Tag on data categories written only because Fides needs their parents declared.
GENERATED_TAG = "transfer-assess:generated"
#: The map's header keys and the fields of a Fides organisation that carry them.
_CONTACT_FIELDS = {"controller": "controller", "dpo": "data_protection_officer"}
#: The parts of Fides contact details, in the order they are joined.
_CONTACT_PARTS = ("name", "address", "email", "phone")
#: The fideslang data use for sharing data with third parties.
SHARING_USE = "third_party_sharing"
#: Key of the ``x-`` mark on flows and entities the import inferred.
INFERRED_KEY = "x-inferred"
#: Description of the extension categories an export declares (``taxonomy.json``).
EXTENSION_DESCRIPTION = (
    "Part of transfer-assess's extension of the Fides taxonomy (not a fideslang "
    "default)."
)
#: Prefix of the tag that carries a declared category's special category.
SPECIAL_TAG = "special:"

_YAML_SUFFIXES = frozenset({".yaml", ".yml"})
_MANIFEST_KEYS = ("organization", "system", "dataset", "data_category")
_CATEGORY_KEY = re.compile(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*")
_NOT_FIDES_KEY = re.compile(r"[^A-Za-z0-9_.<>-]+")
_NOT_ID = re.compile(r"[^A-Za-z0-9._-]+")
_ID_STEM = 120

#: Fides data-subject keys and the data map's words for them (the data map's HR
#: checks look for ``employees`` and ``job_applicants``).
FIDES_SUBJECTS = {
    "customer": "customers",
    "employee": "employees",
    "job_applicant": "job_applicants",
    "prospect": "prospects",
}
_MAP_SUBJECTS = {word: key for key, word in FIDES_SUBJECTS.items()}

#: Art. 6(1) bases and fideslang's ``legal_basis_for_processing`` values.
FIDES_LEGAL_BASES = {
    LegalBasis.CONSENT: "Consent",
    LegalBasis.CONTRACT: "Contract",
    LegalBasis.LEGAL_OBLIGATION: "Legal obligations",
    LegalBasis.VITAL_INTERESTS: "Vital interests",
    LegalBasis.PUBLIC_TASK: "Public interest",
    LegalBasis.LEGITIMATE_INTERESTS: "Legitimate interests",
}
# Read back case-insensitively, also in the singular forms of fideslang's deprecated
# data-use field and in the data map's own words.
_LEGAL_BASIS_WORDS = {
    **{text.lower(): basis for basis, text in FIDES_LEGAL_BASES.items()},
    **{basis.value.replace("_", " "): basis for basis in LegalBasis},
    "legal obligation": LegalBasis.LEGAL_OBLIGATION,
    "vital interest": LegalBasis.VITAL_INTERESTS,
    "legitimate interest": LegalBasis.LEGITIMATE_INTERESTS,
}

#: Transfer tools and fideslang's ``legal_basis_for_transfers`` labels (fideslang 3:
#: ``LegalBasisForTransfersEnum``); every other tool is written as ``Other``.
FIDES_TRANSFER_BASES = {
    Mechanism.ADEQUACY: "Adequacy Decision",
    Mechanism.SCC: "SCCs",
    Mechanism.BCR: "BCRs",
}
#: The label fideslang 3 uses for every other transfer tool.
FIDES_OTHER_TRANSFER_BASIS = "Other"
# Read back case-insensitively, also in the words of manifests written before
# fideslang 2.0.3 made the field a list of the labels above.
_TRANSFER_BASIS_WORDS = {
    **{text.lower(): mechanism for mechanism, text in FIDES_TRANSFER_BASES.items()},
    "adequacy decision": Mechanism.ADEQUACY,
    "standard contractual clauses": Mechanism.SCC,
    "binding corporate rules": Mechanism.BCR,
}

#: Entity keys Fides has a field for (``fides_key``, ``name``, ``legal_address``,
#: ``dpo``); the others travel in ``meta.transfer_assess``.
_ENTITY_FIDES_FIELDS = frozenset({"id", "name", "address", "contact"})
_ENTITY_META_KEYS = tuple(
    key for key in ENTITY_KEY_ORDER if key not in _ENTITY_FIDES_FIELDS
)
#: Flow keys Fides has a field for; the others travel in ``meta.transfer_assess``.
_FIDES_FLOW_FIELDS = frozenset(
    {"id", "from", "to", "data_subjects", "data_categories", "purposes"}
    | {"legal_basis", "retention"}
)
_FLOW_META_KEYS = tuple(key for key in FLOW_KEY_ORDER if key not in _FIDES_FLOW_FIELDS)


# --- Writing YAML ---------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """
    PyYAML's safe dumper, quoting every string a YAML 1.2 reader would not read back.

    PyYAML quotes what YAML 1.1 would misread (``NO``, ``2026-11-28``) but leaves
    ``1e5`` or ``0o17`` plain, which the YAML 1.2 core schema reads as numbers. It
    never writes anchors and aliases: a value shared in memory is written out twice.
    """

    def ignore_aliases(self, data: Any) -> bool:  # noqa: ARG002 - PyYAML's signature
        """Write every value in full."""
        return True


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    try:
        plain_is_text = isinstance(resolve_plain(text), str)
    except ValueError:  # an integer too long to convert is not a string either
        plain_is_text = False
    if not plain_is_text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="'")
    return dumper.represent_str(text)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(value: Any) -> str:
    """Plain values as YAML that reads back the same in YAML 1.1 and 1.2."""
    text: str = yaml.dump(
        value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88
    )
    return text


def _inert(text: str) -> str:
    """One line of text: line breaks, controls and format characters made visible."""
    return "".join(
        "\N{REPLACEMENT CHARACTER}"
        if unicodedata.category(char)[0] == "C"
        or unicodedata.category(char) in {"Zl", "Zp"}
        else char
        for char in text
    )


def _q(text: str) -> str:
    """A name quoted for a question."""
    return f"'{_inert(text)}'"


def _comment(lines: list[str]) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


# --- Reading manifests ----------------------------------------------------------------


@attrs.frozen
class _DataFlow:
    """An ``egress`` or ``ingress`` entry of a system."""

    key: str
    type: str
    categories: tuple[str, ...]


@attrs.frozen
class _Declaration:
    """A privacy declaration of a system."""

    name: str
    data_use: str | None
    categories: tuple[str, ...]
    subjects: tuple[str, ...]
    egress: frozenset[str]
    ingress: frozenset[str]
    datasets: tuple[str, ...]
    legal_basis: str | None
    retention: str | None
    special: bool
    shared: bool

    @property
    def shares_with_third_parties(self) -> bool:
        """Whether the declaration says data goes to third parties."""
        use = self.data_use or ""
        return self.shared or use == SHARING_USE or use.startswith(f"{SHARING_USE}.")


@attrs.frozen
class _System:
    """What the import uses of one Fides system."""

    key: str
    name: str | None
    legal_name: str | None
    system_type: str | None
    vendor: bool
    responsibility: frozenset[str]
    address: str | None
    contact: str | None
    egress: tuple[_DataFlow, ...]
    ingress: tuple[_DataFlow, ...]
    declarations: tuple[_Declaration, ...]
    datasets: tuple[str, ...]
    third_countries: tuple[str, ...]
    transfer_bases: tuple[str, ...]
    meta: dict[str, Any]


@attrs.frozen
class _CustomCategory:
    key: str
    description: str | None
    special: str | None


class _Reader:
    """Checks the parts of one manifest that the import uses, collecting problems."""

    def __init__(self, document: RawDocument) -> None:
        self.document = document
        self.problems: list[RawProblem] = list(document.problems)

    def problem(self, path: DocPath, message: str) -> None:
        self.problems.append(RawProblem(self.document.file, path, message))

    def located(self) -> list[Problem]:
        locator = self.document.locators.get(self.document.file)
        wanted = [item.path for item in self.problems if item.line is None]
        lines = locator.lines(wanted) if locator is not None and wanted else {}
        return [
            Problem(
                item.file,
                item.line if item.line is not None else lines.get(item.path),
                format_path(item.path),
                item.message,
            )
            for item in self.problems
        ]

    def items(self, value: Any, path: DocPath, what: str) -> list[tuple[DocPath, Any]]:
        """The entries of a list (a lone mapping counts as a list of one)."""
        if value is None:
            return []
        if isinstance(value, dict):
            return [(path, value)]
        if not isinstance(value, list):
            self.problem(path, f"expected a list of {what}")
            return []
        return [((*path, index), item) for index, item in enumerate(value)]

    def mapping(self, value: Any, path: DocPath, what: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem(path, f"expected {what} (a mapping)")
        return None

    def key(self, obj: dict[str, Any], path: DocPath, what: str) -> str | None:
        value = obj.get("fides_key")
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.problem((*path, "fides_key"), f"expected the fides_key of the {what}")
        return None

    def text(self, obj: dict[str, Any], key: str, path: DocPath) -> str | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem((*path, key), "expected a string")
            return None
        return value.strip() or None

    def strings(self, obj: dict[str, Any], key: str, path: DocPath) -> tuple[str, ...]:
        value = obj.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem((*path, key), "expected a list of strings")
            return ()
        found: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                found.append(item.strip())
            else:
                self.problem((*path, key, index), "expected a non-empty string")
        return tuple(found)

    def contact(self, obj: dict[str, Any], key: str, path: DocPath) -> str | None:
        """Fides contact details (name, address, e-mail, phone) as one line."""
        value = obj.get(key)
        if value is None:
            return None
        details = self.mapping(value, (*path, key), "contact details")
        if details is None:
            return None
        parts = [self.text(details, part, (*path, key)) for part in _CONTACT_PARTS]
        return ", ".join(part for part in parts if part) or None

    def text_or_strings(
        self, obj: dict[str, Any], key: str, path: DocPath
    ) -> tuple[str, ...]:
        """A list of strings, or one string (the form before fideslang 2.0.3)."""
        if isinstance(obj.get(key), str):
            text = self.text(obj, key, path)
            return (text,) if text else ()
        return self.strings(obj, key, path)

    def data_flows(
        self, obj: dict[str, Any], key: str, path: DocPath
    ) -> tuple[_DataFlow, ...]:
        found: list[_DataFlow] = []
        for item_path, item in self.items(obj.get(key), (*path, key), "data flows"):
            entry = self.mapping(item, item_path, "a data flow")
            if entry is None:
                continue
            target = self.key(entry, item_path, "data flow")
            kind = self.text(entry, "type", item_path) or "system"
            if target is not None:
                categories = self.strings(entry, "data_categories", item_path)
                found.append(_DataFlow(target, kind.lower(), categories))
        return tuple(found)

    def declaration(self, value: Any, path: DocPath, index: int) -> _Declaration | None:
        obj = self.mapping(value, path, "a privacy declaration")
        if obj is None:
            return None
        return _Declaration(
            name=self.text(obj, "name", path) or f"declaration {index + 1}",
            data_use=self.text(obj, "data_use", path),
            categories=self.strings(obj, "data_categories", path),
            subjects=self.strings(obj, "data_subjects", path),
            egress=frozenset(self.strings(obj, "egress", path)),
            ingress=frozenset(self.strings(obj, "ingress", path)),
            datasets=self.strings(obj, "dataset_references", path),
            legal_basis=self.text(obj, "legal_basis_for_processing", path),
            retention=self.text(obj, "retention_period", path),
            special=obj.get("processes_special_category_data") is True,
            shared=obj.get("data_shared_with_third_parties") is True,
        )

    def system(self, value: Any, path: DocPath) -> _System | None:
        obj = self.mapping(value, path, "a system")
        if obj is None:
            return None
        key = self.key(obj, path, "system")
        if key is None:
            return None
        system_type = self.text(obj, "system_type", path)
        squashed = re.sub(r"[^a-z]", "", (system_type or "").lower())
        responsibility = {
            item.lower()
            for item in self.strings(obj, "responsibility", path)
            + tuple(filter(None, [self.text(obj, "data_responsibility_title", path)]))
        }
        declarations = [
            self.declaration(item, item_path, index)
            for index, (item_path, item) in enumerate(
                self.items(
                    obj.get("privacy_declarations"),
                    (*path, "privacy_declarations"),
                    "privacy declarations",
                )
            )
        ]
        meta = obj.get("meta")
        own = meta.get(META_KEY) if isinstance(meta, dict) else None
        return _System(
            key=key,
            name=self.text(obj, "name", path),
            legal_name=self.text(obj, "legal_name", path),
            system_type=system_type,
            vendor="thirdparty" in squashed
            or "vendor" in squashed
            or bool(obj.get("vendor_id")),
            responsibility=frozenset(responsibility),
            address=self.text(obj, "legal_address", path),
            contact=self.text(obj, "dpo", path),
            egress=self.data_flows(obj, "egress", path),
            ingress=self.data_flows(obj, "ingress", path),
            declarations=tuple(item for item in declarations if item is not None),
            datasets=self.strings(obj, "dataset_references", path),
            third_countries=self.strings(obj, "third_country_transfers", path),
            transfer_bases=self.text_or_strings(obj, "legal_basis_for_transfers", path),
            meta=own if isinstance(own, dict) else {},
        )

    def dataset_categories(self, value: dict[str, Any]) -> tuple[str, ...]:
        """Every data category named anywhere in a dataset (collections, fields)."""
        found: dict[str, None] = {}
        stack: list[Any] = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                categories = node.get("data_categories")
                if isinstance(categories, list):
                    found.update(
                        dict.fromkeys(
                            item for item in categories if isinstance(item, str)
                        )
                    )
                stack.extend(reversed([node.get("collections"), node.get("fields")]))
            elif isinstance(node, list):
                stack.extend(reversed(node))
        return tuple(found)


@attrs.define
class _Manifests:
    """Everything the import uses from a folder of manifests."""

    organisation: str | None = None
    contacts: dict[str, str] = attrs.field(factory=dict)
    """The map's ``controller`` and ``dpo`` from the organisation's contacts."""
    systems: dict[str, _System] = attrs.field(factory=dict)
    datasets: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    categories: dict[str, _CustomCategory] = attrs.field(factory=dict)

    def add(self, reader: _Reader) -> None:
        top = reader.document.value
        if not isinstance(top, dict) or not any(key in top for key in _MANIFEST_KEYS):
            return  # not a Fides manifest (another tool's YAML): left alone
        for path, item in reader.items(
            top.get("organization"), ("organization",), "organizations"
        ):
            obj = reader.mapping(item, path, "an organization")
            if obj is not None and self.organisation is None:
                self.organisation = reader.text(obj, "name", path) or reader.text(
                    obj, "fides_key", path
                )
                for header, field in _CONTACT_FIELDS.items():
                    if contact := reader.contact(obj, field, path):
                        self.contacts[header] = contact
        for path, item in reader.items(top.get("dataset"), ("dataset",), "datasets"):
            obj = reader.mapping(item, path, "a dataset")
            key = None if obj is None else reader.key(obj, path, "dataset")
            if obj is not None and key is not None:
                self.datasets[key] = reader.dataset_categories(obj)
        for path, item in reader.items(
            top.get("data_category"), ("data_category",), "data categories"
        ):
            self.add_category(reader, path, item)
        for path, item in reader.items(top.get("system"), ("system",), "systems"):
            system = reader.system(item, path)
            if system is None:
                continue
            if system.key in self.systems:
                reader.problem(
                    (*path, "fides_key"), f"duplicate system fides_key {system.key!r}"
                )
                continue
            self.systems[system.key] = system

    def add_category(self, reader: _Reader, path: DocPath, item: Any) -> None:
        obj = reader.mapping(item, path, "a data category")
        key = None if obj is None else reader.key(obj, path, "data category")
        if obj is None or key is None:
            return
        tags = reader.strings(obj, "tags", path)
        if GENERATED_TAG in tags or key in self.categories:
            return
        special = next(
            (
                tag.removeprefix(SPECIAL_TAG)
                for tag in tags
                if tag.startswith(SPECIAL_TAG)
            ),
            None,
        )
        self.categories[key] = _CustomCategory(
            key, reader.text(obj, "description", path), special
        )


def _manifest_files(location: Path) -> list[Path]:
    if location.is_file():
        return [location]
    if not location.is_dir():
        raise InputError(f"{location}: no such file or folder")
    return sorted(
        path
        for path in location.rglob("*")
        if path.suffix.lower() in _YAML_SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(location).parts)
        and path.is_file()
    )


def _read(path: Path, limits: Limits) -> RawDocument:
    label = os.fspath(path)
    problems: list[RawProblem] = []
    text = read_text(path, label, limits, problems)
    if text is None:
        return RawDocument(None, label, problems=problems, fatal=True)
    return read_yaml(text, label, limits)


def _read_manifests(location: Path, limits: Limits) -> _Manifests:
    manifests = _Manifests()
    problems: list[Problem] = []
    for path in _manifest_files(location):
        document = _read(path, limits)
        reader = _Reader(document)
        if not document.fatal and not document.problems:
            manifests.add(reader)
        problems.extend(reader.located())
    if problems:
        raise DataMapError(problems[: limits.max_problems])
    if not manifests.systems:
        raise DataMapError(
            [
                Problem(
                    os.fspath(location),
                    None,
                    "",
                    "no Fides system found: expected YAML manifests with a "
                    "'system:' list",
                )
            ]
        )
    return manifests


# --- Building the draft ---------------------------------------------------------------


def _new_id(text: str, used: set[str]) -> str:
    """A valid, unused identifier made from `text` (kept as is when it already is)."""
    if ID_PATTERN.fullmatch(text) and text not in used:
        used.add(text)
        return text
    stem = _NOT_ID.sub("-", text).lstrip("._-")[:_ID_STEM] or "item"
    candidate, number = stem, 2
    while candidate in used or not ID_PATTERN.fullmatch(candidate):
        candidate = f"{stem}-{number}"
        number += 1
    used.add(candidate)
    return candidate


def _union(groups: Iterable[Iterable[str]]) -> list[str]:
    found: dict[str, None] = {}
    for group in groups:
        found.update(dict.fromkeys(group))
    return list(found)


def _overlaps(first: str, second: str) -> bool:
    """Whether two category keys share data (one is the other or its ancestor)."""
    return (
        first == second
        or first.startswith(f"{second}.")
        or second.startswith(f"{first}.")
    )


def _narrow(declared: list[str], moving: list[str]) -> list[str]:
    """
    The categories of a flow: what its declarations name, within what moves.

    A declared key that an egress or ingress entry lists, or lists an ancestor of,
    is kept; a declared key broader than the entry keys it overlaps is replaced by
    those narrower keys; a declared key no entry key overlaps is dropped. Without
    entry categories, or without any overlap at all, the declared keys stand.
    """
    if not moving:
        return declared
    kept: dict[str, None] = {}
    for key in declared:
        if any(key == item or key.startswith(f"{item}.") for item in moving):
            kept[key] = None
        else:
            kept.update(dict.fromkeys(k for k in moving if k.startswith(f"{key}.")))
    return list(kept) or declared


def _country_names(codes: tuple[str, ...]) -> list[str]:
    names = []
    for code in codes:
        country = pycountry.countries.get(alpha_3=code.upper())
        names.append(
            _inert(code) if country is None else f"{country.name} ({country.alpha_2})"
        )
    return names


@attrs.define
class _Edge:
    """Data moving from one system to another, as egress and ingress entries say."""

    egress_refs: set[str] = attrs.field(factory=set)
    ingress_refs: set[str] = attrs.field(factory=set)
    categories: list[str] = attrs.field(factory=list)
    inferred: bool = False
    """Made from a third-party system's declarations, no movement being declared."""


class _DraftBuilder:
    """Turns the manifests into a draft data map and the questions about it."""

    def __init__(self, manifests: _Manifests, fallback_name: str) -> None:
        self.manifests = manifests
        self.systems = manifests.systems
        self.organisation = manifests.organisation or fallback_name
        self.ids: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self.flow_ids: set[str] = set()
        self.groups: dict[str, dict[str, Any]] = {}
        self.owners: dict[str, list[str]] = defaultdict(list)
        self.hints: dict[str, list[str]] = defaultdict(list)
        self.synthetic: set[str] = set()
        self.notices: list[str] = []
        self.entity_questions: list[str] = []
        self.flow_questions: list[str] = []
        self.other_questions: list[str] = []

    def build(self) -> tuple[dict[str, Any], list[str]]:
        for system in self.systems.values():
            for dataset in (
                *system.datasets,
                *(key for item in system.declarations for key in item.datasets),
            ):
                if system.key not in self.owners[dataset]:
                    self.owners[dataset].append(system.key)
        edges = self.edges() or self.inferred_edges()
        for source, target in edges:
            self.hints[target].extend(self.systems[source].third_countries)
        used: set[str] = set()
        for key in self.systems:
            self.ids[key] = _new_id(key, used)
        self.ask_about_sharing()
        entities = [self.entity(system) for system in self.systems.values()]
        flows: list[dict[str, Any]] = []
        for (source, target), edge in edges.items():
            flows.extend(self.flows(self.systems[source], self.systems[target], edge))
        self.check_categories(flows)
        draft: dict[str, Any] = {"version": 1, "organisation": self.organisation}
        draft.update(self.manifests.contacts)
        if self.groups:
            draft["groups"] = list(self.groups.values())
        if self.manifests.categories:
            draft["categories"] = [
                {
                    "key": item.key,
                    **({"description": item.description} if item.description else {}),
                    **({"special": item.special} if item.special else {}),
                }
                for item in self.manifests.categories.values()
            ]
        draft["entities"] = entities
        draft["flows"] = flows
        questions = (
            self.notices
            + self.entity_questions
            + self.flow_questions
            + self.other_questions
        )
        return draft, questions

    # Edges ------------------------------------------------------------------------

    def edges(self) -> dict[tuple[str, str], _Edge]:
        edges: dict[tuple[str, str], _Edge] = {}
        for system in self.systems.values():
            for entry in system.egress:
                target = self.resolve(system, entry, "sends data to")
                if target is not None:
                    edge = edges.setdefault((system.key, target), _Edge())
                    edge.egress_refs.add(entry.key)
                    edge.categories = _union(
                        [edge.categories, self.entry_categories(entry)]
                    )
        for system in self.systems.values():
            for entry in system.ingress:
                source = self.resolve(system, entry, "receives data from")
                if source is not None:
                    edge = edges.setdefault((source, system.key), _Edge())
                    edge.ingress_refs.add(entry.key)
                    edge.categories = _union(
                        [edge.categories, self.entry_categories(entry)]
                    )
        return edges

    def inferred_edges(self) -> dict[tuple[str, str], _Edge]:
        """
        Movements to third-party systems, where the manifests declare none at all.

        Vendors described as systems receive data from the organisation's one own
        system, or from an entity standing for the organisation when it has none or
        several; each such movement is a flow marked ``x-inferred``.
        """
        if all(system.meta for system in self.systems.values()):
            return {}  # exported by transfer-assess from a map without flows
        vendors = [
            item for item in self.systems.values() if item.declarations and item.vendor
        ]
        own = [item for item in self.systems.values() if not item.vendor]
        if not vendors:
            self.notices.append(
                "The manifests declare no movement of data between systems (no "
                "egress or ingress) and no third-party system, so the draft has no "
                "flows: add the flows by hand, or add egress entries to the manifests."
            )
            return {}
        sender = own[0] if len(own) == 1 else self.organisation_system()
        self.notices.append(
            "The manifests declare no movement of data between systems (no egress "
            f"or ingress), so {len(vendors)} flow{'s' if len(vendors) != 1 else ''} "
            f"from {_q(sender.key)} to third-party systems "
            f"{'was' if len(vendors) == 1 else 'were'} inferred from their privacy "
            f"declarations and marked {INFERRED_KEY}: check each one, and remove the "
            "mark once it is right."
        )
        return {(sender.key, vendor.key): _Edge(inferred=True) for vendor in vendors}

    def organisation_system(self) -> _System:
        """A system standing for the organisation itself, as the sender of data."""
        key = _new_id("organisation", set(self.systems))
        system = _System(
            key=key,
            name=self.organisation,
            legal_name=None,
            system_type=None,
            vendor=False,
            responsibility=frozenset({"controller"}),
            address=None,
            contact=None,
            egress=(),
            ingress=(),
            declarations=(),
            datasets=(),
            third_countries=(),
            transfer_bases=(),
            meta={},
        )
        self.systems[key] = system
        self.synthetic.add(key)
        return system

    def ask_about_sharing(self) -> None:
        """
        Ask about data sent to recipients nobody names.

        A declaration of one of the organisation's own systems that shares data with
        third parties without an egress, and a system that declares third-country
        transfers without any egress, imply flows the manifests do not describe.
        """
        for system in self.systems.values():
            if system.vendor:
                continue
            names = ", ".join(_country_names(system.third_countries))
            sharing = [
                item
                for item in system.declarations
                if item.shares_with_third_parties and not item.egress
            ]
            for item in sharing:
                where = (
                    f" The system declares third-country transfers to {names}."
                    if names
                    else ""
                )
                self.other_questions.append(
                    f"System {_q(system.key)} shares data with third parties "
                    f"(declaration {_q(item.name)}, data use "
                    f"{_q(item.data_use or '')}), but no egress names the "
                    "recipient: add the recipient as an entity and a flow from "
                    f"{_q(self.ids[system.key])} to it?{where}"
                )
            if names and not sharing and not system.egress:
                self.other_questions.append(
                    f"System {_q(system.key)} declares third-country transfers to "
                    f"{names}, but no egress names a recipient: add each recipient "
                    f"as an entity and a flow from {_q(self.ids[system.key])} to it?"
                )

    def entry_categories(self, entry: _DataFlow) -> tuple[str, ...]:
        if entry.categories or entry.type != "dataset":
            return entry.categories
        return self.manifests.datasets.get(entry.key, ())

    def resolve(self, system: _System, entry: _DataFlow, verb: str) -> str | None:
        """The other system of an egress or ingress entry, or None (with a question)."""
        where = f"System {_q(system.key)} {verb}"
        if entry.type == "user":
            return None  # the data subjects themselves, not another party
        if entry.type == "system":
            if entry.key == system.key:
                return None
            if entry.key in self.systems:
                return entry.key
            self.other_questions.append(
                f"{where} {_q(entry.key)}, which no manifest in the folder defines, "
                "so that flow was left out: add a manifest for that system, or add "
                "the entity and the flow to the map by hand?"
            )
            return None
        if entry.type == "dataset":
            users = self.owners.get(entry.key, [])
            others = [key for key in users if key != system.key]
            if len(others) == 1:
                return others[0]
            if not others and system.key in users:
                return None  # the system's own storage
            if others:
                named = ", ".join(_q(key) for key in others)
                self.other_questions.append(
                    f"{where} dataset {_q(entry.key)}, which several systems use "
                    f"({named}), so that flow was left out: which of them holds "
                    "it? Add that flow by hand."
                )
            else:
                self.other_questions.append(
                    f"{where} dataset {_q(entry.key)}, which no system uses, so "
                    "that flow was left out: if another legal entity holds the "
                    "dataset, add it as an entity with a flow?"
                )
            return None
        self.other_questions.append(
            f"{where} {_q(entry.key)} of type {_q(entry.type)}, which Fides does not "
            "define (system, dataset or user), so that flow was left out: what is it?"
        )
        return None

    # Entities ---------------------------------------------------------------------

    def entity(self, system: _System) -> dict[str, Any]:
        entity_id = self.ids[system.key]
        record = system.meta.get("entity")
        record = record if isinstance(record, dict) else {}
        given = record.get("kind")
        guessed_kind = not isinstance(given, str)
        kind: str = (
            given
            if isinstance(given, str)
            else EntityKind.SERVICE_PROVIDER.value
            if system.vendor
            else EntityKind.AFFILIATE.value
        )
        self.kinds[system.key] = kind
        entity: dict[str, Any] = {
            "id": entity_id,
            "name": system.legal_name or system.name or system.key,
            "kind": kind,
        }
        for key in _ENTITY_META_KEYS[1:]:
            if record.get(key) is not None:
                entity[key] = record[key]
        if system.address:
            entity["address"] = system.address
        if system.contact:
            entity["contact"] = system.contact
        entity.update(
            {key: value for key, value in record.items() if key.startswith("x-")}
        )
        if system.key in self.synthetic:
            entity[INFERRED_KEY] = "stands for the organisation's own systems"
        elif entity_id != system.key:
            entity["x-fides-key"] = system.key
        group = system.meta.get("group")
        if isinstance(group, dict) and isinstance(group.get("id"), str):
            self.groups.setdefault(
                group["id"], {key: group[key] for key in GROUP_ORDER if key in group}
            )
        if "country" not in entity and "international_organisation" not in entity:
            self.entity_questions.append(
                self.country_question(system, entity, kind if guessed_kind else None)
            )
        elif guessed_kind:
            self.entity_questions.append(self.kind_question(system, entity_id, kind))
        return entity

    def country_question(
        self, system: _System, entity: dict[str, Any], guessed_kind: str | None
    ) -> str:
        question = (
            f"Entity {_q(entity['id'])} ({_inert(entity['name'])}): in which country "
            "does it process the data? Set its country (ISO 3166-1 alpha-2, e.g. DE), "
            "or international_organisation if it is one; Fides has no field for it."
        )
        hints = _union([self.hints.get(system.key, [])])
        if hints:
            question += (
                " Systems that send it data declare third-country transfers to "
                f"{', '.join(_country_names(tuple(hints)))}."
            )
        if system.third_countries:
            question += (
                " It declares third-country transfers of its own (onward, if it is "
                f"outside them) to {', '.join(_country_names(system.third_countries))}."
            )
        if guessed_kind is not None:
            question += " " + self.kind_note(system, guessed_kind)
        return question

    def kind_question(self, system: _System, entity_id: str, kind: str) -> str:
        return f"Entity {_q(entity_id)}: is its kind right? " + self.kind_note(
            system, kind
        )

    @staticmethod
    def kind_note(system: _System, kind: str) -> str:
        source = (
            f"from its system_type {_q(system.system_type)}"
            if system.system_type
            else "because it has no system_type"
        )
        return (
            f"Its kind was taken as {kind} {source}; change it to affiliate, "
            "service_provider, partner, public_authority or other if that is wrong."
        )

    # Flows ------------------------------------------------------------------------

    def flows(
        self, source: _System, target: _System, edge: _Edge
    ) -> list[dict[str, Any]]:
        if edge.inferred:
            return [self.inferred_flow(source, target)]
        # The sender's declarations that name the movement in their own egress come
        # first, then the receiver's that name it in their ingress (whichever side
        # declared the movement at system level).
        declarations = [
            item
            for item in source.declarations
            if item.egress & (edge.egress_refs | {target.key})
        ] or [
            item
            for item in target.declarations
            if item.ingress & (edge.ingress_refs | {source.key})
        ]
        if not declarations:
            return [self.guessed_flow(source, target, edge)]
        groups: dict[str, list[_Declaration]] = {}
        for item in declarations:
            groups.setdefault(item.name, []).append(item)
        return [
            self.flow(
                source,
                target,
                name,
                members,
                categories=_narrow(
                    _union([item.categories for item in members]), edge.categories
                ),
            )
            for name, members in groups.items()
        ]

    def guessed_flow(
        self, source: _System, target: _System, edge: _Edge
    ) -> dict[str, Any]:
        # Declarations that name other movements in their egress are about those.
        free = [item for item in source.declarations if not item.egress] or [
            item for item in target.declarations if not item.ingress
        ]
        categories = edge.categories or _union([item.categories for item in free])
        pool = [
            item
            for item in free
            if any(_overlaps(a, b) for a in item.categories for b in categories)
        ] or free
        flow = self.flow(source, target, "", pool, categories=categories)
        self.flow_questions.append(
            f"{self.flow_label(flow)}: no privacy declaration names this flow, so its "
            f"purposes and data_subjects were taken from the declarations of system "
            f"{_q(source.key)} that share its data categories; are they right?"
        )
        return flow

    def inferred_flow(self, source: _System, target: _System) -> dict[str, Any]:
        declarations = list(target.declarations)
        flow = self.flow(
            source,
            target,
            "",
            declarations,
            categories=_union([item.categories for item in declarations]),
        )
        why = (
            f"the privacy declarations of third-party system {_q(target.key)}, "
            "no egress or ingress being declared"
        )
        flow[INFERRED_KEY] = f"from {why}"
        self.flow_questions.append(
            f"{self.flow_label(flow)}: inferred from {why}; does "
            f"{_q(self.ids[source.key])} send it this data? Correct the flow or "
            f"remove it, then remove {INFERRED_KEY}."
        )
        return flow

    def flow(
        self,
        source: _System,
        target: _System,
        name: str,
        declarations: list[_Declaration],
        *,
        categories: list[str],
    ) -> dict[str, Any]:
        flow_id = self.flow_id(source, target, name)
        records = source.meta.get("flows")
        record = records.get(flow_id) if isinstance(records, dict) else None
        if not isinstance(record, dict) or record.get("to") not in (
            target.key,
            self.ids[target.key],
        ):
            record = None
        flow: dict[str, Any] = {
            "id": flow_id,
            "from": self.ids[source.key],
            "to": self.ids[target.key],
            "data_subjects": _union(
                [
                    [FIDES_SUBJECTS.get(subject, subject) for subject in item.subjects]
                    for item in declarations
                ]
            ),
            "data_categories": categories,
            "purposes": _union(
                [[item.data_use] for item in declarations if item.data_use]
            ),
        }
        bases = {item.legal_basis for item in declarations}
        if len(bases) == 1 and (text := bases.pop()) is not None:
            basis = _LEGAL_BASIS_WORDS.get(text.lower())
            if basis is not None:
                flow["legal_basis"] = basis.value
        retentions = {item.retention for item in declarations}
        if len(retentions) == 1 and (retention := retentions.pop()) is not None:
            flow["retention"] = retention
        if record is not None:
            flow.update(
                {
                    key: record[key]
                    for key in _FLOW_META_KEYS
                    if record.get(key) is not None
                }
            )
        else:
            self.ask_about(flow, source, target, declarations)
        for key in ("data_subjects", "data_categories", "purposes"):
            if not flow[key]:
                self.flow_questions.append(
                    f"{self.flow_label(flow)}: Fides names no {key.replace('_', ' ')} "
                    f"for it; what are they? Set {key}."
                )
        ordered = {key: flow[key] for key in FLOW_KEY_ORDER if key in flow}
        if record is not None:
            ordered.update(
                {key: value for key, value in record.items() if key.startswith("x-")}
            )
        return ordered

    def flow_id(self, source: _System, target: _System, name: str) -> str:
        if name and ID_PATTERN.fullmatch(name) and name not in self.flow_ids:
            self.flow_ids.add(name)
            return name
        return _new_id(
            f"{self.ids[source.key]}-to-{self.ids[target.key]}", self.flow_ids
        )

    def flow_label(self, flow: dict[str, Any]) -> str:
        return f"Flow {_q(flow['id'])} ({_inert(flow['from'])} → {_inert(flow['to'])})"

    def ask_about(
        self,
        flow: dict[str, Any],
        source: _System,
        target: _System,
        declarations: list[_Declaration],
    ) -> None:
        """Fill what Fides lacks with the usual values, and ask about each."""
        label = self.flow_label(flow)
        exporter, importer, why = self.guess_roles(source, target)
        flow["exporter_role"] = exporter.value
        flow["importer_role"] = importer.value
        flow["frequency"] = "continuous"
        roles = f"{exporter.value} → {importer.value}"
        self.flow_questions.extend(
            [
                (
                    f"{label}: the roles {roles} were guessed ({why}); are they "
                    "right? Set exporter_role and importer_role."
                ),
                (
                    f"{label}: how often does data move? frequency was set to "
                    "continuous; change it to one_off, occasional or regular if "
                    "that is wrong (Art. 49 derogations are only for occasional "
                    "transfers)."
                ),
                self.mechanism_question(label, source),
                (
                    f"{label}: when was its transfer impact assessment last "
                    "documented? Set tia (YYYY-MM-DD) if there is one."
                ),
            ]
        )
        if any(item.special for item in declarations):
            self.flow_questions.append(
                f"{label}: Fides marks special-category data; which kinds? Set "
                "special_categories (e.g. health, biometric)."
            )

    def guess_roles(self, source: _System, target: _System) -> tuple[Role, Role, str]:
        """
        The usual roles of a flow between two systems, and why.

        The exporter is a processor only where its Fides responsibility says so; the
        importer is a processor if it is a service provider or its responsibility
        says so, and otherwise a controller (one of the organisation's own systems).
        """
        if source.responsibility and "controller" not in source.responsibility:
            exporter = Role.PROCESSOR
        else:
            exporter = Role.CONTROLLER
        if self.kinds[target.key] == EntityKind.SERVICE_PROVIDER.value:
            return exporter, Role.PROCESSOR, f"{_q(target.key)} is a service provider"
        if target.responsibility and "controller" not in target.responsibility:
            named = ", ".join(sorted(target.responsibility))
            why = f"the responsibility of {_q(target.key)} in Fides is {named}"
            return exporter, Role.PROCESSOR, why
        why = f"{_q(target.key)} is taken as one of the organisation's own entities"
        return exporter, Role.CONTROLLER, why

    @staticmethod
    def mechanism_question(label: str, source: _System) -> str:
        question = (
            f"{label}: which transfer tool does the organisation rely on? Set "
            "mechanism (adequacy, scc with scc_module, bcr, dpf, a derogation, …); "
            "none was assumed. It matters only if the flow leaves the EEA."
        )
        if source.transfer_bases:
            named = ", ".join(
                _q(text)
                + (
                    f" (mechanism {mechanism.value})"
                    if (mechanism := _TRANSFER_BASIS_WORDS.get(text.lower()))
                    else ""
                )
                for text in source.transfer_bases
            )
            question += (
                f" System {_q(source.key)} declares the legal basis for transfers "
                f"{named}."
            )
        return question

    def check_categories(self, flows: list[dict[str, Any]]) -> None:
        bad: dict[str, str] = {}
        for flow in flows:
            for key in flow["data_categories"]:
                if not _CATEGORY_KEY.fullmatch(key):
                    bad.setdefault(key, flow["id"])
        self.other_questions.extend(
            f"Category {_q(key)} (flow {_q(flow_id)}) is not a valid data-map category "
            "key (dotted words of letters, digits and '_'); what should it be called?"
            for key, flow_id in bad.items()
        )


def import_fides(
    folder: Path, *, limits: Limits | None = None
) -> tuple[dict[str, Any], list[str]]:
    """
    Build a draft data map from Fides manifests, and the questions about it.

    Every ``.yml``/``.yaml`` file under `folder` (recursively, hidden ones skipped) is
    read with the YAML 1.2 reader; files without Fides resources are left alone.
    Each system becomes an entity (id from its ``fides_key``); each movement between
    two systems (an ``egress`` or ``ingress`` entry, also through a dataset another
    system uses) becomes a flow per privacy declaration that names it, with that
    declaration's data categories, data use (purpose) and data subjects.

    Args:
        folder: A folder of manifests, or one manifest file.
        limits: Size, depth and alias bounds; defaults apply when omitted.

    Returns:
        The draft (plain values in the data-map format) and the questions the user
        must answer before it is valid, as plain sentences: each entity's country,
        and each flow's roles, frequency, transfer tool and transfer impact
        assessment, where they were not exported by `export_fides`.

    Raises:
        DataMapError: A manifest cannot be read or is not valid Fides YAML, or the
            folder holds no system.
        InputError: `folder` does not exist.
    """
    limits = limits or Limits()
    location = Path(folder)
    manifests = _read_manifests(location, limits)
    name = location.name if location.is_dir() else location.stem
    return _DraftBuilder(manifests, name or "Organisation").build()


def draft_map_text(draft: dict[str, Any], questions: list[str]) -> str:
    """
    A draft data map as YAML text, the open questions in a comment on top.

    Args:
        draft: The draft from `import_fides` (possibly with some answers filled in).
        questions: The questions still open.

    Returns:
        The YAML document.
    """
    lines = [
        "Draft data map made by transfer-assess from Fides manifests.",
        "Check every value; Fides does not record where systems process data, the",
        "GDPR roles of each flow, how often data moves or the transfer tool relied on.",
        "",
    ]
    if questions:
        lines.append(
            "Open questions (the map is not valid until every country is answered;"
        )
        lines.append("check it with `transfer-assess validate`):")
        for number, question in enumerate(questions, start=1):
            prefix = f"{number:>3}. "
            wrapped = textwrap.wrap(
                _inert(question),
                width=84,
                initial_indent=prefix,
                subsequent_indent=" " * len(prefix),
                break_on_hyphens=False,
            )
            lines.extend(wrapped or [prefix])
    else:
        lines.append("No open questions.")
    return _comment(lines) + "\n" + dump_yaml(draft)


def write_draft_map(draft: dict[str, Any], questions: list[str], target: Path) -> None:
    """
    Write a draft data map as YAML, the open questions in a comment on top.

    Args:
        draft: The draft from `import_fides` (possibly with some answers filled in).
        questions: The questions still open.
        target: The file to create or replace (atomically).

    Raises:
        OSError: The folder is missing or not writable.
    """
    write_atomically(Path(target), draft_map_text(draft, questions))


# --- Export ---------------------------------------------------------------------------


def _fides_key(text: str) -> str:
    """`text` as a Fides key (letters, digits, ``_.<>-``)."""
    return _NOT_FIDES_KEY.sub("_", text) or "_"


def _ancestors(key: str) -> list[str]:
    parts = key.split(".")
    return [".".join(parts[:size]) for size in range(1, len(parts))]


def _parent(key: str) -> str | None:
    return key.rpartition(".")[0] or None


def _entity_record(entity: Entity) -> dict[str, Any]:
    """What Fides has no field for of an entity: its record under ``meta``."""
    return {
        key: value
        for key, value in entity_record(entity).items()
        if value is not None and key not in _ENTITY_FIDES_FIELDS
    }


def _flow_record(flow: Flow) -> dict[str, Any]:
    """What Fides has no field for of a flow: its record under ``meta``."""
    return {
        key: value
        for key, value in flow_record(flow).items()
        if value is not None and (key == "to" or key not in _FIDES_FLOW_FIELDS)
    }


def _declarations(flow: Flow, importer: Entity) -> list[dict[str, Any]]:
    subjects = _union(
        [[_fides_key(_MAP_SUBJECTS.get(item, item)) for item in flow.data_subjects]]
    )
    declarations = []
    for use in _union([[_fides_key(item) for item in flow.purposes]]):
        declaration: dict[str, Any] = {
            "name": flow.id,
            "data_use": use,
            "data_categories": list(flow.data_categories),
            "data_subjects": subjects,
            "egress": [flow.importer],
        }
        if flow.legal_basis is not None:
            declaration["legal_basis_for_processing"] = FIDES_LEGAL_BASES[
                flow.legal_basis
            ]
        if flow.retention is not None:
            declaration["retention_period"] = flow.retention
        if flow.special_categories:
            declaration["processes_special_category_data"] = True
        declaration["data_shared_with_third_parties"] = (
            importer.kind is not EntityKind.AFFILIATE
        )
        declarations.append(declaration)
    return declarations


def _data_flows(flows: list[Flow], other: str) -> list[dict[str, Any]]:
    """One Fides data flow per other party, with the union of the categories."""
    categories: dict[str, list[str]] = {}
    for flow in flows:
        party = flow.importer if other == "importer" else flow.exporter
        categories[party] = _union([categories.get(party, []), flow.data_categories])
    return [
        {"fides_key": party, "type": "system", "data_categories": keys}
        for party, keys in categories.items()
    ]


def _system(
    entity: Entity,
    outgoing: list[Flow],
    incoming: list[Flow],
    datamap: DataMap,
    organisation_key: str,
) -> dict[str, Any]:
    system: dict[str, Any] = {
        "fides_key": entity.id,
        "organization_fides_key": organisation_key,
        "name": entity.name,
        "system_type": "Service"
        if entity.kind is EntityKind.AFFILIATE
        else "Third Party",
        "legal_name": entity.name,
    }
    if entity.address:
        system["legal_address"] = entity.address
    if entity.contact:
        system["dpo"] = entity.contact
    roles = {flow.exporter_role for flow in outgoing} | {
        flow.importer_role for flow in incoming
    }
    if roles:
        system["responsibility"] = [
            role.value.capitalize() for role in Role if role in roles
        ]
    crossing = [
        flow
        for flow in outgoing
        if datamap.entity(flow.importer).jurisdiction != entity.jurisdiction
    ]
    system["does_international_transfers"] = bool(crossing)
    bases = {
        FIDES_TRANSFER_BASES.get(flow.mechanism, FIDES_OTHER_TRANSFER_BASIS)
        for flow in crossing
        if flow.mechanism is not Mechanism.NONE
    }
    system["legal_basis_for_transfers"] = [
        label
        for label in (*FIDES_TRANSFER_BASES.values(), FIDES_OTHER_TRANSFER_BASIS)
        if label in bases
    ]
    if outgoing:
        system["egress"] = _data_flows(outgoing, "importer")
    if incoming:
        system["ingress"] = _data_flows(incoming, "exporter")
    system["privacy_declarations"] = [
        declaration
        for flow in outgoing
        for declaration in _declarations(flow, datamap.entity(flow.importer))
    ]
    meta: dict[str, Any] = {"format": META_FORMAT, "entity": _entity_record(entity)}
    if entity.group is not None:
        group = datamap.group(entity.group)
        meta["group"] = {
            "id": group.id,
            **({"name": group.name} if group.name else {}),
            **(
                {"bcr": [role.value for role in Role if role in group.bcr]}
                if group.bcr
                else {}
            ),
            **{
                key: day.isoformat()
                for key, day in (
                    ("bcr_approved", group.bcr_approved),
                    ("bcr_approved_uk", group.bcr_approved_uk),
                    ("bcr_approved_ch", group.bcr_approved_ch),
                )
                if day is not None
            },
        }
    if outgoing:
        meta["flows"] = {flow.id: _flow_record(flow) for flow in outgoing}
    system["meta"] = {META_KEY: meta}
    return system


def _category_resources(
    datamap: DataMap, organisation_key: str
) -> list[dict[str, Any]]:
    from transfer_assess.refdata import load_taxonomy  # noqa: PLC0415 - data file

    taxonomy = load_taxonomy()
    declared: dict[str, Category] = {item.key: item for item in datamap.categories}
    resources: list[dict[str, Any]] = []
    for category in datamap.categories:
        resource: dict[str, Any] = {
            "fides_key": category.key,
            "organization_fides_key": organisation_key,
            "name": category.key,
        }
        if category.description:
            resource["description"] = category.description
        if (parent := _parent(category.key)) is not None:
            resource["parent_key"] = parent
        if category.special is not None:
            resource["tags"] = [f"{SPECIAL_TAG}{category.special.value}"]
        resources.append(resource)
    used = _union(
        [
            *(_ancestors(key) for key in declared),
            *(
                [*_ancestors(key), key]
                for flow in datamap.flows
                for key in flow.data_categories
            ),
        ]
    )
    fides_defaults = taxonomy.keys - taxonomy.extension
    missing = sorted(
        key for key in used if key not in declared and key not in fides_defaults
    )
    resources.extend(
        {
            "fides_key": key,
            "organization_fides_key": organisation_key,
            "name": key,
            "description": EXTENSION_DESCRIPTION
            if key in taxonomy.extension
            else "Declared for a data category used in the data map.",
            **({"parent_key": parent} if (parent := _parent(key)) else {}),
            "tags": [GENERATED_TAG],
        }
        for key in missing
    )
    return resources


def _taxonomy_resources(
    keys: list[str], defaults: frozenset[str], organisation_key: str, *, tree: bool
) -> list[dict[str, Any]]:
    """Custom Fides data uses or subjects for the keys the default taxonomy lacks."""
    wanted = _union([[*(_ancestors(key) if tree else []), key] for key in keys])
    resources = []
    for key in sorted(item for item in wanted if item not in defaults):
        resource: dict[str, Any] = {
            "fides_key": key,
            "organization_fides_key": organisation_key,
            "name": key,
        }
        if tree and (parent := _parent(key)) is not None:
            resource["parent_key"] = parent
        resources.append(resource)
    return resources


def export_fides(datamap: DataMap) -> str:
    """
    Write a data map as a Fides manifest (YAML).

    One Fides system per entity, with ``egress`` and ``ingress`` entries for the
    entities it sends data to and receives it from, and one privacy declaration per
    outgoing flow and purpose (named after the flow, with its data categories and
    data subjects). The organisation becomes an ``organization`` resource; declared
    categories, and purposes and data subjects outside fideslang's default taxonomy,
    become ``data_category``, ``data_use`` and ``data_subject`` resources. What Fides
    has no field for (country, kind, group, roles, frequency, transfer tool, TIA,
    measures, dates) is kept under each system's ``meta.transfer_assess``.

    Args:
        datamap: A validated data map.

    Returns:
        The manifest: a YAML document readable by fideslang and by `import_fides`.
    """
    organisation_key = _fides_key(
        re.sub(r"[^a-z0-9]+", "_", datamap.organisation.lower()).strip("_")
    )
    if organisation_key == "_":
        organisation_key = "organization"
    outgoing: dict[str, list[Flow]] = defaultdict(list)
    incoming: dict[str, list[Flow]] = defaultdict(list)
    for flow in datamap.flows:
        outgoing[flow.exporter].append(flow)
        incoming[flow.importer].append(flow)
    organisation: dict[str, Any] = {
        "fides_key": organisation_key,
        "name": datamap.organisation,
    }
    for key, field in _CONTACT_FIELDS.items():
        if (text := getattr(datamap, key)) is not None:
            organisation[field] = {"name": text}
    document: dict[str, Any] = {"organization": [organisation]}
    categories = _category_resources(datamap, organisation_key)
    if categories:
        document["data_category"] = categories
    from transfer_assess.refdata import load_taxonomy  # noqa: PLC0415 - data file

    taxonomy = load_taxonomy()
    subjects = _taxonomy_resources(
        [
            _fides_key(_MAP_SUBJECTS.get(item, item))
            for flow in datamap.flows
            for item in flow.data_subjects
        ],
        taxonomy.data_subjects,
        organisation_key,
        tree=False,
    )
    if subjects:
        document["data_subject"] = subjects
    uses = _taxonomy_resources(
        [_fides_key(item) for flow in datamap.flows for item in flow.purposes],
        taxonomy.data_uses,
        organisation_key,
        tree=True,
    )
    if uses:
        document["data_use"] = uses
    document["system"] = [
        _system(
            entity, outgoing[entity.id], incoming[entity.id], datamap, organisation_key
        )
        for entity in datamap.entities
    ]
    header = _comment(
        [
            "Fides manifest (fideslang) exported by transfer-assess.",
            f"meta.{META_KEY} on each system keeps what Fides has no field for",
            "(countries, kinds, roles, frequencies, transfer tools, TIAs, measures);",
            "keep it to import this file back into transfer-assess without questions.",
        ]
    )
    return header + dump_yaml(document)
