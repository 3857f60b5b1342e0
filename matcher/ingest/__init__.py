"""Reading what users bring: the one table reader, ranking lists, profiles, Excel sheets, history files.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "editions": ["split_editions"],
        "history_files": ["read_history"],
        "lists": ["OWNERSHIP_ALIASES", "parse_list", "parse_profiles"],
        "sheet_fields": ["SHEET_KINDS", "Field", "SHEET_TITLES", "sheet_fields", "sheet_aliases"],
        "sheet_rows": ["YES", "NO", "EARLIEST", "RowProblems", "column_text", "choose", "vocabulary", "names_of", "check_dates", "check_amount", "check_bools", "check_duplicates", "row_key", "derived_id", "merged_cell_problems"],
        "sheets": ["resolve_enterprises", "read_sheet", "read_history_file", "SheetImport", "import_sheet", "NameResolver"],
        "tables": ["FIELD_ALIASES", "alias_index", "Table", "read_table"],
    },
)
