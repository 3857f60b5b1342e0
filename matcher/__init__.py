"""matcher: which enterprises Guangxi's resident investment-promotion teams should visit.

The package is laid out as the pipeline it runs:

ingest (:mod:`matcher.ingest`) → resolve (:mod:`matcher.names`, :mod:`matcher.geo`,
:mod:`matcher.resolve`) → featurise (:mod:`matcher.taxonomy`, :mod:`matcher.featurise`)
→ score (:mod:`matcher.score`) → plan (:mod:`matcher.plan`) → store/report
(:mod:`matcher.store`, :mod:`matcher.report`).
"""

import importlib

# Where each public name lives. Imported on first use (PEP 562), so that
# `matcher --help` does not pay for pandas, scikit-learn and SQLAlchemy.
_EXPORTS = {
    "Config": "config",
    "load_config": "config",
    "MatcherError": "errors",
    "ConfigError": "errors",
    "InputError": "errors",
    "NotFoundError": "errors",
    "StoreError": "errors",
    "read_table": "ingest",
    "parse_list": "ingest",
    "parse_profiles": "ingest",
    "normalize_name": "names",
    "Store": "store",
    "open_store": "store",
    "build_universe": "resolve",
    "Resolver": "linkage",
    "IndustryMapper": "taxonomy",
    "IndustryVectorizer": "featurise",
    "TierFeaturizer": "featurise",
    "RegionEncoder": "featurise",
    "RuleScorer": "score",
    "Scores": "score",
    "parse_week": "plan",
    "team_list": "plan",
    "weekly_plan": "plan",
    "plan_week": "plan",
    "write_weekly": "weekly",
    "SheetError": "errors",
    "write_template": "sheets",
    "import_sheet": "sheets",
    "compute_scorecard": "scorecard",
    "write_scorecard": "scorecard",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = [
    "Config",
    "load_config",
    "MatcherError",
    "ConfigError",
    "InputError",
    "NotFoundError",
    "StoreError",
    "read_table",
    "parse_list",
    "parse_profiles",
    "normalize_name",
    "Store",
    "open_store",
    "build_universe",
    "Resolver",
    "IndustryMapper",
    "IndustryVectorizer",
    "TierFeaturizer",
    "RegionEncoder",
    "RuleScorer",
    "Scores",
    "parse_week",
    "team_list",
    "weekly_plan",
    "plan_week",
    "write_weekly",
    "SheetError",
    "write_template",
    "import_sheet",
    "compute_scorecard",
    "write_scorecard",
]

__version__ = "0.1.0"
