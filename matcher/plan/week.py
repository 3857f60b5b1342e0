"""Plan: the week's visit lists for the resident teams, coordinated across Guangxi.

For each team the candidates are the enterprises whose (ultimate parent's)
headquarters is in the team's stationed key region and that fit one of its
home city's chains (its focus chains where it has them), valued by the rule
score — or by any other (teams × enterprises) score matrix passed in. Then:

1. **history** (:func:`adjust_values`): an enterprise visited by any team in
   the last ``cooldown_weeks`` is not proposed (unless its project with that
   city moved stage since the visit); an enterprise with a signed project in
   a city is not proposed to that city's teams (it is aftercare); a lead
   proposed but not visited carries over with a decaying bonus, and rests
   once it has been proposed ``carryover_max_weeks`` times within the
   cooldown window without a visit;
2. **quota pace** (:func:`matcher.plan.pace.quota_pace`): enterprises on a tier (or target
   group) whose signed projects this year lag the annual target's pace get
   up to ``quota_boost`` extra, in proportion to the shortfall;
3. **coordination** (:mod:`matcher.plan.assign`): each enterprise goes to at most
   one team and no team gets more than its capacity, maximising the week's
   total value (a greedy baseline is computed on the same input);
4. **diversity** (:func:`diversify`): each team's list is re-ranked by
   maximal marginal relevance — every earlier lead of the same chain costs
   ``diversity_lambda`` — swapping in unassigned candidates where that helps.

Ties are broken by an explicit rule: value rounded to 1e-6, then the tier
score, then the enterprise's position in the universe (sorted by id).
The same inputs always give the same plan.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._text import parse_week
from ..columns import PLAN_COLUMNS, SIGNED_STAGES, empty_projects
from ..config.model import Config, Planner
from ..errors import MatcherError
from ..i18n import gettext
from ..score.scores import Scores
from .pace import quota_by_city
from .solve import diversify, solve_week
from .values import adjust_values, history_hash, team_links, team_list, team_values

__all__ = [
    "parse_week",
    "team_list",
    "team_values",
    "adjust_values",
    "solve_week",
    "diversify",
    "plan_week",
    "weekly_plan",
    "WeeklyPlan",
]

log = logging.getLogger(__name__)


@dataclass
class WeeklyPlan:
    """One issued week: the tidy plan, each team's list, the office's sheets and the record."""

    week: str
    plan: pd.DataFrame
    per_team: dict[str, pd.DataFrame]
    contested: pd.DataFrame
    quota: pd.DataFrame
    quota_city: pd.DataFrame
    aftercare: pd.DataFrame
    totals: dict[str, float]
    settings: Planner
    record: dict = field(default_factory=dict)

    def record_row(self) -> dict:
        """The issued-plan record: week, config hash, data snapshot hash, model version, settings."""
        settings = json.dumps({k: getattr(self.settings, k) for k in self.settings.__dataclass_fields__}, sort_keys=True)
        return {"snapshot_sha256": "", **self.record, "settings": settings}


def _tier_member(scores: Scores) -> np.ndarray:
    u = scores.universe
    return np.column_stack([u[f"on__{t.id}"].to_numpy(dtype=bool) for t in scores.config.tiers])


def _diversity_key(scores: Scores, teams, group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """What a team's list should mix: chains, or the links of its one chain when it works only one."""
    chain_of_group = pd.factorize(scores.groups["chain"])[0].astype(np.int32)
    key = np.empty(group.shape, dtype=np.int32)
    links = None
    for t in range(len(group)):  # per team, vectorised over enterprises: no (teams × enterprises) temporaries
        key[t] = np.where(group[t] >= 0, chain_of_group[np.maximum(group[t], 0)], -1)
        mine = key[t][value[t] > 0]
        if len(mine) and (mine == mine[0]).all():  # one chain only (no sort of a million keys)
            links = team_links(scores, teams, group) if links is None else links
            key[t] = np.where(group[t] >= 0, 10_000 + links[t], -1)
    return key


def plan_week(
    scores: Scores,
    config: Config,
    week: str,
    *,
    visits: pd.DataFrame | None = None,
    projects: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
    values: np.ndarray | None = None,
    model_version: str = "rule",
) -> WeeklyPlan:
    """Plan a week for every team of ``config``.

    Parameters
    ----------
    scores : Scores
        Rule scores of the universe (explanations, chains, tiers).
    config : Config
        Teams, capacities and the ``[planner]`` settings.
    week : str
        ISO week (``2026-W49``).
    visits, projects : DataFrame, optional
        History shaped as :mod:`matcher.columns`; empty when not given.
    previous : DataFrame, optional
        Earlier issued plans (:data:`matcher.columns.PREVIOUS_COLUMNS`); drive the carry-over.
    values : ndarray (teams, enterprises), optional
        Another score to plan with (teams in id order); the rule score by
        default. Pairs that are not rule candidates stay excluded.
    model_version : str
        Recorded with the plan ("rule" for the rule score).
    """
    week, monday = parse_week(week)
    teams = sorted(config.teams, key=lambda t: t.id)
    s = config.planner
    u = scores.universe
    ids = pd.Index(u["enterprise_id"].astype(str))
    base, group = team_values(scores, teams)
    if values is not None:
        values = np.asarray(values, dtype=np.float64)
        if values.shape != base.shape:
            raise MatcherError(gettext("values must have shape (teams, enterprises) = {expected}; got {shape}").format(expected=base.shape, shape=values.shape))
        base = np.where(base > 0, np.clip(values, 1e-6, None), 0.0)
    tier_member = _tier_member(scores)
    value, adj = adjust_values(
        base, ids, teams, config, monday, tier_member=tier_member, visits=visits, projects=projects, previous=previous
    )
    # Tie-break priority: tier score, then position (ids are sorted), scaled into [0, 1).
    prio_order = np.lexsort((np.arange(len(ids)), -scores.tier))
    priority = np.empty(len(ids))
    priority[prio_order] = 1.0 - np.arange(len(ids)) / max(len(ids), 1)
    chain_code = _diversity_key(scores, teams, group, value)
    capacity = np.array([t.weekly_capacity for t in teams])
    res = solve_week(value, capacity, chain_code, priority=priority, diversity_lambda=s.diversity_lambda)
    leads = res["leads"]
    plan, per_team, contested = _explain(scores, config, week, teams, leads, value, base, group, adj, res)
    del value, base, group, chain_code  # the (teams × enterprises) arrays: freed before the tables below are built
    quota = adj.quota.drop(columns="tier_cols")
    quota_city = quota_by_city(config, projects if projects is not None else empty_projects(), ids, tier_member, monday)
    aftercare = _aftercare(config, projects if projects is not None else empty_projects(), u, monday)
    log.info("%s: %d leads for %d teams; optimal %.4f vs greedy %.4f", week, len(plan), len(per_team), res["optimal"], res["greedy"])
    return WeeklyPlan(
        week=week,
        plan=plan,
        per_team=per_team,
        contested=contested,
        quota=quota,
        quota_city=quota_city,
        aftercare=aftercare,
        totals={"optimal": round(res["optimal"], 6), "greedy": round(res["greedy"], 6)},
        settings=s,
        record={
            "week": week,
            "config_sha256": config.sha256,
            "model_version": model_version,
            "history_sha256": history_hash(monday, visits, projects, previous),
        },
    )


def _explain(scores, config, week, teams, leads, value, base, group, adj, res):
    cities = {c.id: c for c in config.cities}
    if leads.empty:
        empty = pd.DataFrame(columns=PLAN_COLUMNS + ["reason_en"])
        return empty, {t.id: empty.copy() for t in teams}, pd.DataFrame()
    t, e = leads["t"].to_numpy(), leads["e"].to_numpy()
    ex = scores.explain(e, group[t, e])
    team_of = np.array([x.id for x in teams])
    home = np.array([x.home_city for x in teams])
    ex.insert(0, "week", week)
    ex.insert(1, "team_id", team_of[t])
    ex.insert(2, "rank", leads["rank"].to_numpy())
    carry = pd.Series(adj.carry["bonus"].to_numpy(), index=pd.MultiIndex.from_arrays([adj.carry["t"], adj.carry["e"]]))
    ex["carryover_bonus"] = carry.reindex(pd.MultiIndex.from_arrays([t, e])).fillna(0.0).to_numpy()
    ex["quota_boost"] = adj.boost[e].round(4)
    unit = adj.boost_unit[e]
    ex["diversity_penalty"] = leads["penalty"].to_numpy()
    ex["plan_score"] = (ex["score"] + ex["carryover_bonus"] + ex["quota_boost"] - ex["diversity_penalty"]).round(4)

    # Who else wanted it: the enterprise is in another team's own top list (before coordination).
    cand = res["candidates"]
    order = np.lexsort((cand.ent, -cand.value, cand.team))
    ct, ce = cand.team[order], cand.ent[order]
    pos = np.arange(len(ct)) - np.searchsorted(ct, ct)
    want = pd.DataFrame({"t2": ct, "e": ce, "v2": cand.value[order]})[pos < cand.capacity[ct]]
    w = pd.DataFrame({"i": np.arange(len(t)), "t": t, "e": e}).merge(want, on="e")
    w = w[(w["t2"] != w["t"]) & (home[w["t2"]] != home[w["t"]])]
    w["city2"] = home[w["t2"]]
    w = w.sort_values(["i", "v2", "city2"], ascending=[True, False, True]).drop_duplicates(["i", "city2"])
    names_zh = w.groupby("i")["city2"].agg(lambda s: "、".join(cities[c].name_zh for c in s))
    names_en = w.groupby("i")["city2"].agg(lambda s: ", ".join(cities[c].name_en for c in s))
    best_other = w.groupby("i")["v2"].max()
    idx = np.arange(len(t))
    ex["interested_cities"] = pd.Series(idx).map(names_zh).astype(object).fillna("").to_numpy()
    ex["interested_cities_en"] = pd.Series(idx).map(names_en).astype(object).fillna("").to_numpy()
    ex["contested"] = ex["interested_cities"] != ""
    other_v = pd.Series(idx).map(best_other).to_numpy(dtype=float)

    # Pitch: chain and link, the city's park for the chain, the anchor firm it would supply.
    cc = {(c.id, x.chain): x for c in config.cities for x in c.chains}
    gc = scores.groups.iloc[group[t, e]].reset_index(drop=True)
    park_zh = [cc[k].park_zh for k in zip(gc.city, gc.chain)]
    park_en = [cc[k].park_en for k in zip(gc.city, gc.chain)]
    anchor = ["、".join(cc[k].anchor_firms_zh[:2]) for k in zip(gc.city, gc.chain)]
    ex["park"] = park_zh
    ex["anchor_firms"] = anchor
    city_zh = ex["city"].str.replace(r"市$", "", regex=True)
    pitch_zh = "推介" + city_zh + ex["chain"] + "链「" + ex["link"] + "」环节"
    pitch_zh = (
        pitch_zh + pd.Series(["，落户" + p if p else "" for p in park_zh]) + pd.Series(["，配套链主" + a if a else "" for a in anchor])
    )
    pitch_en = "pitch the " + ex["link_en"] + " link of " + ex["city_en"] + "'s " + ex["chain_en"].str.lower() + " chain"
    pitch_en = (
        pitch_en
        + pd.Series([f" at {p}" if p else "" for p in park_en])
        + pd.Series([f"; supplies anchor firm {a}" if a else "" for a in anchor])
    )
    ex["pitch_zh"], ex["pitch_en"] = pitch_zh.to_numpy(), pitch_en.to_numpy()

    # Last contact by any Guangxi team.
    lc = adj.last_contact.set_index("e")
    d = pd.Series(e).map(lc["date"]) if len(lc) else pd.Series([pd.NaT] * len(e))
    c = pd.Series(e).map(lc["city"]) if len(lc) else pd.Series([""] * len(e))
    ex["last_contact"] = pd.to_datetime(d).dt.strftime("%Y-%m-%d").fillna("").to_numpy()
    ex["last_contact_city"] = c.map(lambda x: cities[x].name_zh if x in cities else "").fillna("").to_numpy()

    # Reasons: the score's own, then the planner's parts.
    zh, en = ex["reason_zh"].copy(), ex["reason_en"].copy()
    cb, qb, dp = ex["carryover_bonus"], ex["quota_boost"], ex["diversity_penalty"]
    q = adj.quota
    qzh = pd.Series([q["name_zh"].iloc[k] if k >= 0 else "" for k in unit])
    qen = pd.Series([q["name_en"].iloc[k] if k >= 0 else "" for k in unit])
    qs = pd.Series([f"{q['signed'].iloc[k]}" if k >= 0 else "" for k in unit])
    qd = pd.Series([f"{q['expected'].iloc[k]:.1f}" if k >= 0 else "" for k in unit])
    zh = zh.where(cb <= 0, zh + "；上期已推荐尚未拜访，延续加分+" + cb.map("{:.3f}".format))
    en = en.where(cb <= 0, en + "; carried over (proposed, not yet visited) +" + cb.map("{:.3f}".format))
    zh = zh.where(qb <= 0, zh + "；" + qzh + "签约进度落后（已签" + qs + "个，按进度应签" + qd + "个），加分+" + qb.map("{:.3f}".format))
    en = en.where(qb <= 0, en + "; " + qen + " behind pace (" + qs + " signed vs " + qd + " due) +" + qb.map("{:.3f}".format))
    zh = zh.where(dp <= 0, zh + "；同链（单链小分队为同环节）已有靠前线索，多样性扣分-" + dp.map("{:.3f}".format))
    en = en.where(dp <= 0, en + "; earlier leads in the same chain (same link for a one-chain team), diversity −" + dp.map("{:.3f}".format))
    here = value[t, e]
    vs = pd.Series([f"本队{a:.3f}，他队最高{b:.3f}" if np.isfinite(b) else "" for a, b in zip(here, other_v)])
    vs_en = pd.Series([f"{a:.3f} here vs {b:.3f} at best elsewhere" if np.isfinite(b) else "" for a, b in zip(here, other_v)])
    con = ex["contested"]
    zh = zh.where(~con, zh + "；" + ex["interested_cities"] + "亦有意向，按全周最优分配归本队（" + vs + "），可提请联合拜访")
    en = en.where(
        ~con,
        en
        + "; also wanted by "
        + ex["interested_cities_en"]
        + ": assigned here by the week's optimal assignment ("
        + vs_en
        + "); a joint visit can be proposed",
    )
    ex["reason_zh"], ex["reason_en"] = zh.to_numpy(), en.to_numpy()

    region = {x.id: x.region for x in teams}
    plan = pd.DataFrame(
        {
            "week": week,
            "team_id": ex["team_id"],
            "home_city": [cities[h].name_zh for h in home[t]],
            "region": ex["team_id"].map(region),
            "rank": ex["rank"].astype(np.int64),
            "enterprise_id": ex["enterprise_id"],
            "enterprise_name": ex["name"],
            "score": ex["plan_score"],
            "reason": ex["reason_zh"],
            "reason_en": ex["reason_en"],
            "rule_score": ex["score"],
            "carryover_bonus": ex["carryover_bonus"],
            "quota_boost": ex["quota_boost"],
            "diversity_penalty": ex["diversity_penalty"],
            "chain": ex["chain"],
            "link": ex["link"],
            "park": ex["park"],
            "anchor_firms": ex["anchor_firms"],
            "interested_cities": ex["interested_cities"],
            "contested": ex["contested"],
            "synthetic": ex["enterprise_id"].astype(str).str.startswith("SYN"),
        }
    ).sort_values(["team_id", "rank"], kind="stable")
    plan = plan.reset_index(drop=True)
    per_team = {}
    cols = [
        "rank",
        "enterprise_id",
        "name",
        "name_en",
        "tiers",
        "hq_city",
        "hq_province",
        "source_region",
        "city",
        "chain",
        "link",
        "link_status",
    ]
    cols += ["plan_score", "score", "c_chain", "c_region", "c_tier", "carryover_bonus", "quota_boost", "diversity_penalty"]
    cols += ["reason_zh", "reason_en", "last_contact", "last_contact_city", "pitch_zh", "pitch_en", "interested_cities", "contested"]
    ex = ex.sort_values(["team_id", "rank"], kind="stable")
    for x in teams:
        lst = ex[ex["team_id"] == x.id][cols].reset_index(drop=True)
        lst.insert(0, "week", week)
        lst.insert(1, "team_id", x.id)
        per_team[x.id] = lst
    contested = plan[plan["contested"]][
        ["week", "team_id", "home_city", "enterprise_id", "enterprise_name", "score", "interested_cities"]
    ].copy()
    contested["proposal"] = "建议联合拜访 joint visit proposed: " + contested["home_city"] + "、" + contested["interested_cities"]
    return plan, per_team, contested.reset_index(drop=True)


def _aftercare(config, projects, universe, monday) -> pd.DataFrame:
    p = projects[projects["stage"].isin(SIGNED_STAGES) & (pd.to_datetime(projects["stage_date"]) < pd.Timestamp(monday))]
    # Names of the projects' enterprises only: no index over a million enterprises for a few dozen projects.
    mine = universe[universe["enterprise_id"].isin(pd.unique(p["enterprise_id"].to_numpy(dtype=object)))]
    names = mine.set_index("enterprise_id")["name"]
    cities = {c.id: c.name_zh for c in config.cities}
    out = pd.DataFrame(
        {
            "city": p["city"].map(cities),
            "enterprise_id": p["enterprise_id"],
            "enterprise_name": p["enterprise_id"].map(names),
            "stage": p["stage"],
            "signed_date": pd.to_datetime(p["signed_date"]).dt.strftime("%Y-%m-%d"),
            "amount_yuan": p["amount_yuan"],
        }
    )
    return out.sort_values(["city", "signed_date", "enterprise_id"], kind="stable").reset_index(drop=True)


def weekly_plan(scores: Scores, config: Config, week: str, **history) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The week's plan table and each team's list (see :func:`plan_week`)."""
    wp = plan_week(scores, config, week, **history)
    return wp.plan, wp.per_team
