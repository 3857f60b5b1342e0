"""Values of (team, enterprise) pairs for a week: the team's scores adjusted by history (cooldown, carry-over, quota pace, signed projects)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._text import iso_week
from ..columns import ACTIVE_STAGES, PREVIOUS_COLUMNS, PROJECT_COLUMNS, SIGNED_STAGES, VISIT_COLUMNS, empty_projects, empty_visits
from ..config.model import Config, Team
from ..score.cache import cached_arrays
from ..score.scores import Scores
from .pace import quota_pace

__all__ = ["Adjustments", "adjust_values", "history_hash", "team_list", "team_links", "team_values"]


def team_list(scores: Scores, team: Team, *, top: int | None = None) -> pd.DataFrame:
    """Ranked candidates of one team on its own, explained (``top`` defaults to its weekly capacity)."""
    groups = scores.group_ids(city=team.home_city, chains=team.focus_chains)
    region_index = [r.id for r in scores.config.regions].index(team.region)
    mask = scores.region_member[:, region_index]
    return scores.rank(groups, top=team.weekly_capacity if top is None else top, mask=mask)


def team_values(scores: Scores, teams) -> tuple[np.ndarray, np.ndarray]:
    """Rule score of every enterprise for every team, and the city chain behind it.

    They depend on the scores and the teams alone: kept with cached scores and read back
    (:func:`matcher.score.cache.cached_arrays`).

    Returns
    -------
    value : ndarray (teams, enterprises)
        The rule score; 0 where the enterprise is not a candidate of the team
        (another region, or no chain of the team fits).
    group : ndarray (teams, enterprises) of int
        Index of the best-fitting city chain (``scores.groups``), -1 if none.
    """
    value, group = cached_arrays(scores, "team-values", _teams_key(teams), lambda: _team_values(scores, teams))
    return value, group


def team_links(scores: Scores, teams, group: np.ndarray) -> np.ndarray:
    """The city link behind each team's value (``scores.link`` at ``group``; -1 where none), teams × enterprises.

    ``group``: the city chains :func:`team_values` gives for the same ``scores`` and ``teams`` (the
    kept array is found by the teams, as theirs is). Kept with cached scores like them, so that a
    planner reading one team's links never pages in the whole (enterprises × city chains) link matrix.
    """

    def compute() -> tuple[np.ndarray]:
        rows = np.arange(group.shape[1])
        out = np.full(group.shape, -1, dtype=np.int32)
        for k in range(len(group)):  # per team: no (teams × enterprises) temporaries
            out[k] = np.where(group[k] >= 0, scores.link[rows, np.maximum(group[k], 0)], -1)
        return (out,)

    return cached_arrays(scores, "team-links", _teams_key(teams), compute)[0]


def _teams_key(teams) -> str:
    """What of the teams the kept per-team arrays depend on."""
    return repr([(t.id, t.home_city, tuple(t.focus_chains), t.region) for t in teams])


def _team_values(scores: Scores, teams) -> tuple[np.ndarray, np.ndarray]:
    n = len(scores.universe)
    region_ids = [r.id for r in scores.config.regions]
    value = np.zeros((len(teams), n))
    group = np.full((len(teams), n), -1, dtype=np.int32)
    best: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
    for k, t in enumerate(teams):
        # Teams of one city stationed in different regions share their chains: each set is scored once.
        ids = scores.group_ids(city=t.home_city, chains=t.focus_chains)
        key = tuple(int(i) for i in ids)
        if key not in best:
            best[key] = scores.best(ids)
        g, s = best[key]
        ok = (g >= 0) & scores.region_member[:, region_ids.index(t.region)]
        value[k] = np.where(ok, s, 0.0)
        group[k] = np.where(ok, g, -1)
    return value, group


def _week_monday(week: pd.Series) -> pd.Series:
    iso = week.astype(str).str.extract(r"^(\d{4})-?W(\d{1,2})$")
    return pd.to_datetime(iso[0] + "-W" + iso[1].str.zfill(2) + "-1", format="%G-W%V-%u")


@dataclass
class Adjustments:
    """What history and quotas did to the values (sparse where they are sparse).

    ``blocked`` / ``carry`` are frames of (team index ``t``, enterprise index
    ``e``) pairs; ``boost`` and ``boost_unit`` are per enterprise.
    """

    blocked: pd.DataFrame
    carry: pd.DataFrame
    boost: np.ndarray
    boost_unit: np.ndarray
    quota: pd.DataFrame
    last_contact: pd.DataFrame


def _pairs(t, e, **cols) -> pd.DataFrame:
    return pd.DataFrame({"t": np.asarray(t, dtype=np.int64), "e": np.asarray(e, dtype=np.int64), **cols})


def adjust_values(
    base: np.ndarray,
    ids: pd.Index,
    teams,
    config: Config,
    monday: dt.date,
    *,
    tier_member: np.ndarray,
    visits: pd.DataFrame | None = None,
    projects: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
) -> tuple[np.ndarray, Adjustments]:
    """The week's values: base scores plus quota boost and carry-over, minus blocked pairs.

    ``base`` (teams × enterprises) is not modified; the result has the same
    shape, with 0 wherever the pair is not a candidate this week. History
    after the Monday is ignored, so replaying a past week gives its plan.
    """
    s = config.planner
    visits = empty_visits() if visits is None else visits
    projects = empty_projects() if projects is None else projects
    previous = pd.DataFrame(columns=list(PREVIOUS_COLUMNS)) if previous is None else previous
    mon = pd.Timestamp(monday)
    row_of = pd.Series(np.arange(len(ids)), index=ids)
    team_ids = [t.id for t in teams]
    city_teams = pd.DataFrame({"t": np.arange(len(teams)), "city": [t.home_city for t in teams]})

    v = visits[pd.to_datetime(visits["date"]) < mon]
    v = v.assign(e=row_of.reindex(v["enterprise_id"].astype(str)).to_numpy()).dropna(subset=["e"])
    v["date"] = pd.to_datetime(v["date"])
    last = v.sort_values(["date", "visit_id"]).groupby("e").tail(1).set_index("e")
    last_contact = pd.DataFrame({"e": last.index.astype(np.int64), "date": last["date"].to_numpy(), "city": last["city"].to_numpy()})
    last_visit = pd.Series(pd.to_datetime(last["date"].to_numpy()), index=last.index.astype(np.int64), dtype="datetime64[ns]")

    p_all = projects.assign(e=row_of.reindex(projects["enterprise_id"].astype(str)).to_numpy()).dropna(subset=["e"])
    p_all["e"] = p_all["e"].astype(np.int64)
    p = p_all[pd.to_datetime(p_all["stage_date"]) < mon]
    blocked = []
    # Cooldown: every team, except the city whose project with the enterprise moved since the visit.
    cooled = last_visit[last_visit >= mon - pd.Timedelta(weeks=s.cooldown_weeks)]
    if len(cooled):
        moved = p[
            p["stage"].isin(ACTIVE_STAGES) & (pd.to_datetime(p["stage_date"]).to_numpy() > last_visit.reindex(p["e"].to_numpy()).to_numpy())
        ]
        pairs = pd.DataFrame({"e": cooled.index}).merge(city_teams, how="cross")
        pairs = pairs.merge(moved[["e", "city"]].drop_duplicates().assign(moved=True), on=["e", "city"], how="left")
        pairs = pairs[pairs["moved"].isna()]
        blocked.append(_pairs(pairs["t"], pairs["e"], why="cooldown"))
    # Signed in the team's city: aftercare, not a new lead.
    # (Signed before the Monday counts even if the project moved on since: replays stay faithful.)
    was_signed = pd.to_datetime(p_all["signed_date"]) < mon
    signed = pd.concat([p[p["stage"].isin(SIGNED_STAGES)], p_all[was_signed]])[["e", "city"]]
    signed = signed.drop_duplicates().merge(city_teams, on="city")
    blocked.append(_pairs(signed["t"], signed["e"], why="signed"))

    # Carry-over: proposals since the enterprise's last visit.
    prev = previous[previous["week"].astype(str) < iso_week(monday)]
    prev = prev.assign(
        t=pd.Series(pd.Index(team_ids).get_indexer(prev["team_id"].astype(str)), index=prev.index),
        e=row_of.reindex(prev["enterprise_id"].astype(str)).to_numpy(),
        monday=_week_monday(prev["week"]) if len(prev) else pd.Series(dtype="datetime64[ns]"),
    )
    prev = prev[(prev["t"] >= 0) & prev["e"].notna()]
    prev["e"] = prev["e"].astype(np.int64)
    lv = pd.Series(last_visit.reindex(prev["e"].to_numpy()).to_numpy(), index=prev.index)
    prev = prev[(lv.isna() | (prev["monday"] > lv)) & (prev["monday"] >= mon - pd.Timedelta(weeks=s.cooldown_weeks))]
    carry = _pairs([], [], n=np.zeros(0, dtype=np.int64), bonus=np.zeros(0))
    if len(prev):
        latest = prev["monday"].max()
        n = prev.groupby(["t", "e"]).agg(n=("monday", "nunique"), last=("monday", "max")).reset_index()
        rest = n[n["n"] >= s.carryover_max_weeks]
        blocked.append(_pairs(rest["t"], rest["e"], why="resting"))
        n = n[(n["n"] < s.carryover_max_weeks) & (n["last"] == latest)]
        carry = _pairs(
            n["t"], n["e"], n=n["n"].to_numpy(), bonus=(s.carryover_bonus * s.carryover_decay ** (n["n"].to_numpy() - 1)).round(4)
        )
    blocked = pd.concat(blocked, ignore_index=True).drop_duplicates(["t", "e"])

    quota = quota_pace(config, tier_member, projects, row_of, monday)
    boost = np.zeros(len(ids))
    unit = np.full(len(ids), -1, dtype=np.int64)
    for k, row in quota.iterrows():  # a handful of targets
        if row["boost"] <= 0:
            continue
        member = tier_member[:, row["tier_cols"]].any(axis=1)
        better = member & (row["boost"] > boost)
        boost[better] = row["boost"]
        unit[better] = k

    # In place on one copy: at 1M enterprises × 60 teams every temporary costs a quarter gigabyte.
    value = np.maximum(base, 0)
    cols = np.flatnonzero(boost > 0)  # only enterprises on a list behind pace
    if len(cols):
        sub = value[:, cols]
        sub += np.where(sub > 0, boost[cols], 0).astype(value.dtype)
        value[:, cols] = sub
    if len(carry):
        value[carry["t"].to_numpy(), carry["e"].to_numpy()] += np.where(
            value[carry["t"].to_numpy(), carry["e"].to_numpy()] > 0, carry["bonus"].to_numpy(), 0
        ).astype(value.dtype)
    if len(blocked):
        value[blocked["t"].to_numpy(), blocked["e"].to_numpy()] = 0
    return value, Adjustments(blocked, carry, boost, unit, quota, last_contact)


def history_hash(monday: dt.date, visits=None, projects=None, previous=None) -> str:
    """SHA-256 of the history a week's plan can see (visits, project stages and plans before its Monday)."""
    import hashlib

    mon = pd.Timestamp(monday)
    h = hashlib.sha256()
    parts = {
        "visits": None if visits is None else visits[pd.to_datetime(visits["date"]) < mon][list(VISIT_COLUMNS)],
        "projects": None if projects is None else projects[pd.to_datetime(projects["stage_date"]) < mon][list(PROJECT_COLUMNS)],
        "previous": None if previous is None else previous[previous["week"].astype(str) < iso_week(monday)][list(PREVIOUS_COLUMNS)],
    }
    for name, frame in parts.items():
        h.update(name.encode())
        if frame is not None and len(frame):
            frame = frame.astype(str).sort_values(list(frame.columns)).reset_index(drop=True)
            h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()
