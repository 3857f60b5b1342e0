"""Configuration: the schema of the TOML files, loading with cross-references, lookups by name.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "schema": ["STAGES", "STAGE_ZH", "LINK_STATUSES", "OWNERSHIPS", "MODEL_FEATURE_SETS", "data_file", "default_config_path", "Industry", "Link", "Chain", "Priority", "Region", "CityChain", "City", "Team", "Tier", "TargetGroup", "Scoring", "MoneyTarget", "Planner", "ModelSettings", "Config", "load_config"],
    },
)
