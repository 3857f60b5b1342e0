"""matcher: which enterprises Guangxi's resident investment-promotion teams should visit.

The package is laid out as the pipeline it runs:

ingest (:mod:`matcher.ingest`) → resolve (:mod:`matcher.names`, :mod:`matcher.geo`,
:mod:`matcher.resolve`) → featurise (:mod:`matcher.taxonomy`, :mod:`matcher.featurise`)
→ score (:mod:`matcher.score`) → plan (:mod:`matcher.plan`) → store/report
(:mod:`matcher.store`, :mod:`matcher.report`).
"""

from .config import Config, load_config
from .errors import ConfigError, InputError, MatcherError, NotFoundError, StoreError
from .featurise import IndustryVectorizer, RegionEncoder, TierFeaturizer
from .ingest import parse_list, parse_profiles, read_table
from .names import normalize_name
from .plan import parse_week, team_list, weekly_plan
from .resolve import Resolver, build_universe
from .score import RuleScorer, Scores
from .store import Store, open_store
from .taxonomy import IndustryMapper

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
]

__version__ = "0.1.0"
