"""Outputs: CSV/XLSX/HTML writers, charts, the scorecard, weekly files.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "backtest": ["write_report", "markdown_table"],
        "charts": ["CJK_FONT", "use_cjk_font", "new_figure", "save_figure"],
        "scorecard": ["CADENCE_RULES", "CITY_PROJECT_TARGET", "STATIONED_DAYS_TARGET", "Scorecard", "visit_chains", "compute_scorecard", "scorecard_from_frames", "write_scorecard"],
        "templates": ["write_template", "history_to_sheet"],
        "validation": ["PAIR_HEADERS", "SUMMARY_HEADERS", "pairs_table", "summary_table", "percentile_chart", "write_validation"],
        "headers": ["column_ids", "localised"],
        "weekly": ["write_weekly", "history_is_synthetic", "team_names"],
        "writers": ["write_csv", "write_xlsx", "write_table", "labelled"],
    },
)
