"""
Interchange with other privacy tooling: Fides manifests and a record of processing.

`import_fides` turns a folder of Fides (fideslang) manifests into a draft data map and
the questions the user must answer before it is valid; `write_draft_map` writes that
draft with the questions on top (`draft_map_text` returns the same text);
`export_fides` writes a data map as a Fides manifest; `ropa_csv` writes the transfers
part of a record of processing activities (GDPR Art. 30(1)(e)) as CSV.
``docs/interchange.md`` says what each carries and what is lost.
"""

from __future__ import annotations

from transfer_assess.interchange.fides import (
    draft_map_text,
    export_fides,
    import_fides,
    write_draft_map,
)
from transfer_assess.interchange.ropa import ROPA_COLUMNS, ropa_csv

__all__ = [
    "ROPA_COLUMNS",
    "draft_map_text",
    "export_fides",
    "import_fides",
    "ropa_csv",
    "write_draft_map",
]
