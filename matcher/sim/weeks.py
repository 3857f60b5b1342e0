"""Simulated weeks: issuing several weekly plans in a row with synthetic visits.

Measures the planner's stability (how much a team's list repeats from one week
to the next) and coverage (how many distinct enterprises each team is given);
the visits are synthetic (``visit_id`` starting ``SYNW``) and seeded.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .._text import iso_week, parse_week
from ..columns import PREVIOUS_COLUMNS, VISIT_COLUMNS, empty_visits
from ..config.model import Config
from ..i18n import gettext
from ..plan.week import WeeklyPlan, plan_week
from ..score.scores import Scores

__all__ = ["simulate_weeks"]


def simulate_weeks(
    scores: Scores,
    config: Config,
    start_week: str,
    weeks: int,
    *,
    visits: pd.DataFrame | None = None,
    projects: pd.DataFrame | None = None,
    seed: int = 0,
    visit_rate: float = 0.6,
) -> tuple[list[WeeklyPlan], dict, pd.DataFrame]:
    """Issue ``weeks`` plans in a row, each week's leads visited at random (seeded, synthetic).

    Each plan sees the earlier plans (carry-over) and the synthetic visits
    they led to (cooldown). Returns the plans and their stability and
    coverage: ``repeat_share`` (share of a team's leads that were also in its
    previous week's list, averaged over weeks 2…), ``distinct_per_team``
    (distinct enterprises a team was given over all weeks: mean, min, max),
    ``leads_total`` and ``distinct_total``; and the visits (given and
    synthetic, ``visit_id`` starting ``SYNW``).
    """
    if not 0 <= visit_rate <= 1:
        raise ValueError(gettext("The 'visit_rate' parameter must be in [0, 1]. Got {value!r} instead.").format(value=visit_rate))
    rng = np.random.default_rng(seed)
    week, monday = parse_week(start_week)
    visits = (empty_visits() if visits is None else visits)[list(VISIT_COLUMNS)]
    previous = pd.DataFrame(columns=list(PREVIOUS_COLUMNS))
    plans, new_visits = [], []
    for w in range(weeks):
        day = monday + dt.timedelta(weeks=w)
        wp = plan_week(scores, config, iso_week(day), visits=visits, projects=projects, previous=previous)
        plans.append(wp)
        p = wp.plan
        previous = pd.concat([previous, p[list(PREVIOUS_COLUMNS)]], ignore_index=True)
        hit = p[rng.random(len(p)) < visit_rate]
        city = {t.id: t.home_city for t in config.teams}
        v = pd.DataFrame(
            {
                "visit_id": [f"SYNW{w:03d}{i:05d}" for i in range(len(hit))],
                "date": pd.Timestamp(day) + pd.to_timedelta(rng.integers(0, 5, size=len(hit)), unit="D"),
                "team_id": hit["team_id"].to_numpy(),
                "city": hit["team_id"].map(city).to_numpy(),
                "enterprise_id": hit["enterprise_id"].to_numpy(),
                "kind": "visit",
                "lead_level": "team_member",
                "outcome": "模拟 synthetic",
                "next_step": "",
            }
        )
        new_visits.append(v)
        visits = pd.concat([visits, v], ignore_index=True)
    allp = pd.concat([wp.plan.assign(w=k) for k, wp in enumerate(plans)], ignore_index=True)
    repeat = []
    for k in range(1, len(plans)):
        cur, prev = allp[allp["w"] == k], allp[allp["w"] == k - 1]
        if len(cur):
            key = cur[["team_id", "enterprise_id"]].merge(prev[["team_id", "enterprise_id"]], how="left", indicator=True)
            repeat.append(float((key["_merge"] == "both").mean()))
    distinct = allp.groupby("team_id")["enterprise_id"].nunique()
    metrics = {
        "weeks": weeks,
        "visit_rate": visit_rate,
        "repeat_share": round(float(np.mean(repeat)), 4) if repeat else 0.0,
        "distinct_per_team_mean": round(float(distinct.mean()), 2) if len(distinct) else 0.0,
        "distinct_per_team_min": int(distinct.min()) if len(distinct) else 0,
        "distinct_per_team_max": int(distinct.max()) if len(distinct) else 0,
        "leads_total": len(allp),
        "distinct_total": int(allp["enterprise_id"].nunique()),
        "settings": {k: getattr(config.planner, k) for k in config.planner.__dataclass_fields__},
    }
    return plans, metrics, visits
