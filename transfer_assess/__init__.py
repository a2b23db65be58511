"""
transfer-assess: may each personal-data flow leave the EU, and what to do where not.

The public API: `load_map` reads and validates a data map (YAML, JSON or a CSV
folder) into a `DataMap`; `assess` judges every flow of it on a date against GDPR
Chapter V and returns an `Assessment` (findings with reasons, recommendations and a
stable JSON form); `load_reference_data` gives the dated, sourced adequacy decisions
and EEA membership it uses. The tool gives information, not legal advice.

Names are imported on first use (PEP 562), so that importing the package, or running
``transfer-assess --help``, does not load networkx, Jinja2 or requests.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transfer_assess.engine import AssessmentStream, assess, assess_stream
    from transfer_assess.errors import (
        ArgumentTypeError,
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
    from transfer_assess.refdata import Decision, ReferenceData, load_reference_data
    from transfer_assess.rules import Settings

#: The version, defined here once: the build reads it from this line
#: (``[tool.hatch.version]`` in pyproject.toml), and ``--version`` prints it without
#: the cost of importlib.metadata.
__version__ = "0.1.0"

_WHERE = {
    "assess": "transfer_assess.engine",
    "assess_stream": "transfer_assess.engine",
    "AssessmentStream": "transfer_assess.engine",
    "ArgumentTypeError": "transfer_assess.errors",
    "DataMapError": "transfer_assess.errors",
    "InputError": "transfer_assess.errors",
    "Problem": "transfer_assess.errors",
    "ReferenceDataError": "transfer_assess.errors",
    "TransferAssessError": "transfer_assess.errors",
    "Action": "transfer_assess.findings",
    "Assessment": "transfer_assess.findings",
    "Basis": "transfer_assess.findings",
    "Finding": "transfer_assess.findings",
    "Reason": "transfer_assess.findings",
    "Recommendation": "transfer_assess.findings",
    "Status": "transfer_assess.findings",
    "Summary": "transfer_assess.findings",
    "Limits": "transfer_assess.load",
    "load_map": "transfer_assess.load",
    "parse_map": "transfer_assess.load",
    "Category": "transfer_assess.model",
    "DataMap": "transfer_assess.model",
    "Entity": "transfer_assess.model",
    "EntityKind": "transfer_assess.model",
    "Flow": "transfer_assess.model",
    "Frequency": "transfer_assess.model",
    "Group": "transfer_assess.model",
    "ImporterAccess": "transfer_assess.model",
    "LegalBasis": "transfer_assess.model",
    "Measure": "transfer_assess.model",
    "Mechanism": "transfer_assess.model",
    "Role": "transfer_assess.model",
    "Sector": "transfer_assess.model",
    "SpecialCategory": "transfer_assess.model",
    "Decision": "transfer_assess.refdata",
    "ReferenceData": "transfer_assess.refdata",
    "load_reference_data": "transfer_assess.refdata",
    "Settings": "transfer_assess.rules",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'transfer_assess' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, for completion and `dir()`."""
    return sorted([*_WHERE, "__version__"])


__all__ = [
    "Action",
    "ArgumentTypeError",
    "Assessment",
    "AssessmentStream",
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
    "assess_stream",
    "load_map",
    "load_reference_data",
    "parse_map",
]
