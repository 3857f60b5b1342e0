"""matcher: which enterprises Guangxi's resident investment-promotion teams should visit.

The package is laid out as the pipeline it runs; each subpackage imports only those to its left:

``errors, columns, _text`` → :mod:`~matcher.config` → :mod:`~matcher.ingest` → :mod:`~matcher.store`
→ :mod:`~matcher.resolve` → :mod:`~matcher.featurise` → :mod:`~matcher.score`
→ :mod:`~matcher.plan` / :mod:`~matcher.learn` / :mod:`~matcher.sim` → :mod:`~matcher.report`
→ :mod:`~matcher.demo` → :mod:`~matcher.cli`.

Public names are imported on first use (PEP 562), so that ``matcher --help`` does not pay for
pandas, scikit-learn and SQLAlchemy.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "config.model": ["Config"],
        "config.load": ["load_config"],
        "errors": ["MatcherError", "ConfigError", "InputError", "NotFoundError", "StoreError", "SheetError"],
        "ingest.tables": ["read_table"],
        "ingest.lists": ["parse_list", "parse_profiles"],
        "store.core": ["Store", "open_store"],
        "resolve.imports": ["import_list", "import_lists", "import_profiles"],
        "featurise.universe": ["build_universe"],
        "resolve.resolver": ["Resolver"],
        "featurise.taxonomy": ["IndustryMapper"],
        "featurise.transformers": ["IndustryVectorizer", "TierFeaturizer", "RegionEncoder"],
        "score.rule": ["RuleScorer"],
        "score.scores": ["Scores"],
        "_text": ["normalize_name", "parse_week"],
        "plan.values": ["team_list"],
        "plan.week": ["weekly_plan", "plan_week"],
        "plan.issue": ["issue_week"],
        "report.weekly": ["write_weekly"],
        "report.templates": ["write_template"],
        "ingest.sheets": ["import_sheet"],
        "report.scorecard": ["compute_scorecard", "write_scorecard"],
    },
)

__version__ = "0.1.0"
