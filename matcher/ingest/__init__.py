"""Reading what users bring: the one table reader, ranking lists, profiles, Excel sheets, history files.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "editions": ["split_editions"],
        "history_files": ["read_history"],
        "lists": ["FIELD_ALIASES", "OWNERSHIP_ALIASES", "alias_index", "Table", "read_table", "parse_list", "parse_profiles"],
        "sheets": ["SHEET_KINDS", "Field", "sheet_fields", "write_template", "history_to_sheet", "resolve_enterprises", "read_sheet", "SheetImport", "import_sheet"],
    },
)
