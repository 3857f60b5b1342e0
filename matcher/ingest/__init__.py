"""Reading what users bring: the one table reader, ranking lists, profiles, Excel sheets, history files.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "tables": ["FIELD_ALIASES", "alias_index", "Table", "read_table"],
        "lists": ["OWNERSHIP_ALIASES", "parse_list", "parse_profiles"],
        "sheet_fields": ["SHEET_KINDS", "SHEET_TITLES", "Field", "sheet_fields", "sheet_aliases"],
        "sheet_rows": ["RowProblems", "merged_cell_problems"],
        "sheets": ["resolve_enterprises", "read_sheet", "SheetImport", "import_sheet"],
    },
)
