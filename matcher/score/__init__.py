"""Scoring: the rule scorer with its explanations, top-k and top lists, chunked and distributed scaling.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "chunked": ["score_chunks", "iter_chunks", "write_universe_csv", "restore_universe_dtypes", "read_universe_csv"],
        "distributed": ["score_dask"],
        "explain": ["STATUS_TEXT", "explain", "tier_text", "industry_text"],
        "rule": ["RuleScorer"],
        "scores": ["top_k", "group_max", "Scores"],
        "toplists": ["CANDIDATE_COLUMNS", "Query", "team_queries", "city_queries", "top_candidates", "merge_candidates", "team_lists"],
    },
)
