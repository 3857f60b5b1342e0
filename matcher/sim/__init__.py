"""Simulation (synthetic data, seeded and labelled synthetic): universes, histories and weeks.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "history": ["visit_chance", "team_scores", "SimulatedHistory", "hidden_propensity", "simulate_history"],
        "realistic": ["RealisticWorld", "realistic_world", "list_edition", "write_world", "world_universe"],
        "universe": ["SYNTHETIC_MARK", "synthetic_universe", "expand_teams", "add_teams"],
        "weeks": ["simulate_weeks"],
        "worlds": ["DRIVERS", "World", "WorldSettings", "WorldTruth", "WorldCase", "load_worlds", "distance_km", "rule_parts", "make_world", "simulate_world"],
    },
)
