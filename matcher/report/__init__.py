"""Outputs: CSV/XLSX/HTML writers, charts, the scorecard, weekly files, fill-in templates.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "charts": ["CJK_FONT", "use_cjk_font", "new_figure", "save_figure"],
        "templates": ["write_template", "history_to_sheet"],
        "scorecard": ["CADENCE_RULES", "CITY_PROJECT_TARGET", "STATIONED_DAYS_TARGET", "Scorecard", "visit_chains", "compute_scorecard", "scorecard_from_frames", "write_scorecard"],
        "weekly": ["read_history", "write_weekly", "simulate_weeks"],
        "writers": ["atomic_write_bytes", "write_csv", "write_xlsx", "write_table"],
    },
)
