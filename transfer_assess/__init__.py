"""
transfer-assess: may each personal-data flow leave the EU, and what to do where not.

The public API: `load_map` reads and validates a data map (YAML, JSON or a CSV
folder) into a `DataMap`; `load_reference_data` gives the dated, sourced adequacy
decisions and EEA membership that assessments use. The tool gives information, not
legal advice.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from transfer_assess.errors import (
    DataMapError,
    InputError,
    Problem,
    ReferenceDataError,
    TransferAssessError,
)
from transfer_assess.load import Limits, load_map, parse_map
from transfer_assess.model import (
    Category,
    DataMap,
    Entity,
    EntityKind,
    Flow,
    Frequency,
    Group,
    ImporterAccess,
    LegalBasis,
    Measure,
    Mechanism,
    Role,
    Sector,
    SpecialCategory,
)
from transfer_assess.refdata import (
    Decision,
    ReferenceData,
    load_reference_data,
)

try:
    __version__ = version("transfer-assess")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "Category",
    "DataMap",
    "DataMapError",
    "Decision",
    "Entity",
    "EntityKind",
    "Flow",
    "Frequency",
    "Group",
    "ImporterAccess",
    "InputError",
    "LegalBasis",
    "Limits",
    "Measure",
    "Mechanism",
    "Problem",
    "ReferenceData",
    "ReferenceDataError",
    "Role",
    "Sector",
    "SpecialCategory",
    "TransferAssessError",
    "__version__",
    "load_map",
    "load_reference_data",
    "parse_map",
]
