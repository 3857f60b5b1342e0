"""Features of enterprises: industry taxonomy, tiers, regions, geography, and the scoring universe.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "geography": ["REGION_CERTAINTY", "Place", "Gazetteer", "locate"],
        "reference": ["REFERENCE_COLUMNS", "load_reference", "match_reference", "apply_reference"],
        "taxonomy": ["METHOD_CONFIDENCE", "fold_label", "IndustryMapper", "find_keywords"],
        "transformers": ["rank_column", "on_column", "IndustryVectorizer", "spread_rows", "tier_values", "TierFeaturizer", "RegionEncoder"],
        "universe": ["GUANGXI", "EDITION_WINDOW_YEARS", "load_gazetteer", "edition_memberships", "build_universe"],
    },
)
