"""Configuration: the schema of the TOML files, loading with cross-references, lookups by name.

:mod:`~matcher.config.schema` holds the pydantic models of the TOML files,
:mod:`~matcher.config.document` reads and validates one file, leaving out what has problems,
:mod:`~matcher.config.messages` says each problem with its file and key as written in TOML,
:mod:`~matcher.config.checks` checks the ids that refer to other tables and files,
:mod:`~matcher.config.load` builds the runtime :class:`~matcher.config.model.Config`.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "model": [
            "STAGES",
            "STAGE_ZH",
            "LINK_STATUSES",
            "OWNERSHIPS",
            "REVENUE_UNITS",
            "MODEL_FEATURE_SETS",
            "Industry",
            "Link",
            "Chain",
            "Priority",
            "Region",
            "CityChain",
            "City",
            "Team",
            "Tier",
            "TargetGroup",
            "Scoring",
            "MoneyTarget",
            "Planner",
            "ModelSettings",
            "Config",
            "fold_label",
        ],
        "load": ["data_file", "default_config_path", "load_config", "build_config", "file_digest", "FILE_SCHEMAS"],
        "document": ["Document", "read_toml", "read_document"],
        "messages": ["key_path", "describe_error"],
        "checks": ["check_all"],
        "schema": ["ConfigFile", "TaxonomyFile", "ChainsFile", "RegionsFile", "CitiesFile", "TeamsFile"],
    },
)
