"""
transfer-assess: may each personal-data flow leave the EU, and what to do where not.

The public API: `load_map` reads and validates a data map (YAML, JSON or a CSV
folder) into a `DataMap`; `assess` judges every flow of it on a date against GDPR
Chapter V and returns an `Assessment` (findings with reasons, recommendations and a
stable JSON form); `load_reference_data` gives the dated, sourced adequacy decisions
and EEA membership it uses. The tool gives information, not legal advice.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from transfer_assess.assess import assess
from transfer_assess.errors import (
    DataMapError,
    InputError,
    Problem,
    ReferenceDataError,
    TransferAssessError,
)
from transfer_assess.findings import (
    Action,
    Assessment,
    Basis,
    Finding,
    Reason,
    Recommendation,
    Status,
    Summary,
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
from transfer_assess.rules import Settings

try:
    __version__ = version("transfer-assess")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "Action",
    "Assessment",
    "Basis",
    "Category",
    "DataMap",
    "DataMapError",
    "Decision",
    "Entity",
    "EntityKind",
    "Finding",
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
    "Reason",
    "Recommendation",
    "ReferenceData",
    "ReferenceDataError",
    "Role",
    "Sector",
    "Settings",
    "SpecialCategory",
    "Status",
    "Summary",
    "TransferAssessError",
    "__version__",
    "assess",
    "load_map",
    "load_reference_data",
    "parse_map",
]
