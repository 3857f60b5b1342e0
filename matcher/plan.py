"""Plan: weekly ranked visit lists for the resident teams.

For each team, the candidates are the enterprises of its stationed key region
that fit one of its home city's chains (its focus chains where it has them),
ranked by the rule score; the team gets as many as its weekly capacity.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from .config import Config, Team
from .errors import MatcherError
from .score import Scores

__all__ = ["parse_week", "team_list", "weekly_plan", "PLAN_COLUMNS"]

PLAN_COLUMNS = ["week", "team_id", "home_city", "region", "rank", "enterprise_id", "enterprise_name", "score", "reason"]

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


def parse_week(text: str) -> tuple[str, dt.date]:
    """Normalise an ISO week (``2026-W49``) and return it with its Monday.

    Raises
    ------
    MatcherError
        If the text is not an ISO week that exists.
    """
    m = _WEEK.match(str(text).strip())
    if not m:
        raise MatcherError(f"invalid week {text!r}; expected an ISO week such as 2026-W49")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise MatcherError(f"invalid week {text!r}: {year} has no ISO week {week}") from None
    return f"{year}-W{week:02d}", monday


def team_list(scores: Scores, team: Team, *, top: int | None = None) -> pd.DataFrame:
    """Ranked candidates of one team, explained (``top`` defaults to its weekly capacity)."""
    groups = scores.group_ids(city=team.home_city, chains=team.focus_chains)
    region_index = [r.id for r in scores.config.regions].index(team.region)
    mask = scores.region_member[:, region_index]
    return scores.rank(groups, top=team.weekly_capacity if top is None else top, mask=mask)


def weekly_plan(scores: Scores, config: Config, week: str) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The week's lists: one tidy plan table and the detailed list of each team.

    Returns
    -------
    plan : DataFrame
        Columns :data:`PLAN_COLUMNS` plus ``reason_en``, one row per lead,
        sorted by team id and rank.
    per_team : dict
        Team id → its detailed, explained list.
    """
    week, _ = parse_week(week)
    per_team, rows = {}, []
    city_name = {c.id: c.name_zh for c in config.cities}
    for team in sorted(config.teams, key=lambda t: t.id):
        lst = team_list(scores, team)
        lst.insert(0, "week", week)
        lst.insert(1, "team_id", team.id)
        per_team[team.id] = lst
        rows.append(
            pd.DataFrame(
                {
                    "week": week,
                    "team_id": team.id,
                    "home_city": city_name[team.home_city],
                    "region": team.region,
                    "rank": lst["rank"],
                    "enterprise_id": lst.enterprise_id,
                    "enterprise_name": lst.name,
                    "score": lst.score,
                    "reason": lst.reason_zh,
                    "reason_en": lst.reason_en,
                }
            )
        )
    plan = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=PLAN_COLUMNS + ["reason_en"])
    plan["rank"] = plan["rank"].astype(np.int64)
    return plan, per_team
