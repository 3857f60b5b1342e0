"""Configuration: the schema of the TOML files, loading with cross-references, lookups by name.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "checks": ["check_config", "check_taxonomy", "check_chains", "check_regions", "chain_links", "check_cities", "check_teams", "check_all"],
        "document": ["read_toml", "Document", "read_document"],
        "load": ["FILE_SCHEMAS", "data_file", "default_config_path", "load_config", "file_digest", "build_config"],
        "messages": ["unwrap_annotation", "annotation_at", "field_info_at", "key_path", "describe_error"],
        "model": ["STAGES", "STAGE_ZH", "LINK_STATUSES", "OWNERSHIPS", "REVENUE_UNITS", "MODEL_FEATURE_SETS", "Industry", "Link", "Chain", "Priority", "Region", "CityChain", "City", "Team", "Tier", "TargetGroup", "Scoring", "MoneyTarget", "Planner", "ModelSettings", "Config", "fold_label"],
        "schema": ["IDENT_PATTERN", "Table", "Ident", "Share", "Weight", "Texts", "FileName", "Stage", "LinkStatus", "Ownership", "RevenueUnit", "FeatureSet", "MetaTable", "FilesTable", "StatusWeightsTable", "ScoringTable", "PlannerTable", "MoneyTable", "ModelTable", "TierTable", "TargetGroupTable", "ConfigFile", "IndustryTable", "TaxonomyFile", "LinkTable", "ChainTable", "ChainsFile", "PriorityTable", "RegionTable", "RegionsFile", "CityChainTable", "CityTable", "CitiesFile", "TeamTable", "TeamsFile"],
    },
)
