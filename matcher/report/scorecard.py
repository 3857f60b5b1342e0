"""Scorecard: the numbers the work plan is judged on, from the history in the database.

For a year *Y* counted up to a day *D* (``as_of``; default today, or the year's
end for a past year), with the year's elapsed share ``pace = days(Jan 1 … D) /
days(Y)``:

- **Tier targets**: projects *signed* in [Jan 1, D] (``signed_date``), counted for
  every list the enterprise is on (newest year of each list; one project can
  count for several lists) and for every target group (leaders, unicorns,
  gazelles, little giants: any of its lists), against the annual target and
  against ``target × pace``.
- **Money**: amounts (yuan) of those projects, disclosed and estimated, and
  the arrived money of the same projects, against the year's money target
  (base year grown 10% a year) and its pace.
- **Project database**: projects *rolled in* per city — whose first recorded
  stage change falls in [Jan 1, D] — against 30 and its pace.
- **Cadence**, in the half year containing D up to D: a *trip* is a team's
  ISO week with a visit, forum or signing (hosted visits in Guangxi do not
  count) led at a level; each city needs ≥1 trip led by its number one, ≥2 by
  other city leaders and ≥2 by county/park heads; each chain ≥1 trip led by its
  lead department head (a visit's chain, or the team's first focus chain,
  else its city's first chain); and each chain task force ≥15 stationed days
  in the quarter containing D.
- **Funnel**: projects rolled in this year by the furthest stage reached by D
  (a later stage implies the earlier ones), per key region of the source team.
- **Conversion**: (enterprise, city) pairs visited (kind ``visit``) in [Jan 1,
  D], and the share of them signed by that city on or after the first visit
  and by D; by list and by key region of the first visiting team.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..columns import LEVEL_ZH, PROJECT_STAGES, STAGE_ZH
from ..config.model import Config
from ..errors import MatcherError
from ..i18n import gettext

__all__ = ["Scorecard", "compute_scorecard", "scorecard_from_frames", "write_scorecard", "visit_chains", "CADENCE_RULES"]

log = logging.getLogger(__name__)

#: (scope, lead level, trips required per half year)
CADENCE_RULES = (
    ("city", "city_number_one", 1),
    ("city", "city_leader", 2),
    ("city", "county_park_head", 2),
    ("chain", "chain_lead_head", 1),
)
CITY_PROJECT_TARGET = 30
STATIONED_DAYS_TARGET = 15
_FORWARD = [s for s in PROJECT_STAGES if s != "dropped"]
_NO_LIST = "none"


@dataclass
class Scorecard:
    """Every table of the scorecard (see the module docstring for the definitions)."""

    year: int
    as_of: pd.Timestamp
    pace: float
    half: str
    quarter: str
    tiers: pd.DataFrame
    money: pd.DataFrame
    cities: pd.DataFrame
    cadence: pd.DataFrame
    funnel: pd.DataFrame
    stages_now: pd.DataFrame
    conversion: pd.DataFrame
    synthetic: bool = False
    notes: list[str] = field(default_factory=list)

    def headline(self) -> str:
        """One line: projects signed, money against the target, cities at 30 projects, cadence rules behind."""
        total = self.tiers[self.tiers.target_id == "all"].signed.iloc[0]
        m = self.money.set_index("item").value_yuan
        behind = int((self.cadence.behind > 0).sum())
        line = gettext(
            "{year} as of {date} ({pace} of the year): {signed} projects signed, {money} 亿元 signed of a {target} 亿元 target, "
            "{cities} of {n} cities at {need} projects, {behind} cadence rules behind"
        ).format(
            year=self.year,
            date=f"{self.as_of:%Y-%m-%d}",
            pace=f"{self.pace:.0%}",
            signed=int(total),
            money=f"{m['signed'] / 1e8:,.1f}",
            target=f"{m['target'] / 1e8:,.0f}",
            cities=int((self.cities.rolled_in >= CITY_PROJECT_TARGET).sum()),
            n=len(self.cities),
            need=CITY_PROJECT_TARGET,
            behind=behind,
        )
        return line + (gettext(" (synthetic data)") if self.synthetic else "")


def _as_of(year: int, as_of) -> pd.Timestamp:
    if as_of is None:
        today = pd.Timestamp(dt.date.today())
        d = min(today, pd.Timestamp(year=year, month=12, day=31))
        return max(d, pd.Timestamp(year=year, month=1, day=1))
    try:
        d = pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError):
        raise MatcherError(gettext("--as-of {value!r} is not a date; expected YYYY-MM-DD").format(value=as_of)) from None
    if d.year != year:
        raise MatcherError(
            gettext("--as-of {date} is not in {year}; expected a day of the scorecard's year").format(date=f"{d:%Y-%m-%d}", year=year)
        )
    return d


def visit_chains(visits: pd.DataFrame, config: Config) -> pd.Series:
    """The chain a visit counts for: its own, else its team's first focus chain, else its city's first chain."""
    team_chain = {t.id: (t.focus_chains[0] if t.focus_chains else "") for t in config.teams}
    city_chain = {c.id: (c.chains[0].chain if c.chains else "") for c in config.cities}
    own = visits.get("chain", pd.Series("", index=visits.index)).fillna("").astype(str)
    by_team = visits.team_id.map(team_chain).fillna("")
    by_city = visits.city.map(city_chain).fillna("")
    return own.where(own != "", by_team.where(by_team != "", by_city))


def compute_scorecard(store, config: Config, *, year: int, as_of=None) -> Scorecard:
    """The scorecard of ``year`` from the database's history and list memberships."""
    visits = store.visits_frame(extra=True)
    projects = store.projects_frame(extra=True)
    changes = store.stage_changes_frame()
    stationed = store.stationed_frame()
    memberships = store.list_memberships()
    if visits.empty and projects.empty:
        raise MatcherError(
            gettext(
                "the database {db} holds no visits or projects yet; import them (matcher import-visits / import-projects) or run matcher demo"
            ).format(db=store.label)
        )
    card = scorecard_from_frames(visits, projects, changes, stationed, memberships, config, year=year, as_of=as_of)
    card.synthetic = bool(visits.get("synthetic", pd.Series(dtype=bool)).any() or projects.get("synthetic", pd.Series(dtype=bool)).any())
    return card


def scorecard_from_frames(visits, projects, changes, stationed, memberships, config: Config, *, year: int, as_of=None) -> Scorecard:
    """The scorecard from history frames (the shapes of :mod:`matcher.columns`) and list memberships."""
    d = _as_of(year, as_of)
    y0 = pd.Timestamp(year=year, month=1, day=1)
    days_in_year = (pd.Timestamp(year=year + 1, month=1, day=1) - y0).days
    pace = ((d - y0).days + 1) / days_in_year
    team_region = {t.id: t.region for t in config.teams}
    region_zh = {r.id: r.name_zh for r in config.regions}
    city_zh = {c.id: c.name_zh for c in config.cities}
    chain_zh = {c.id: c.name_zh for c in config.chains}

    # ---- tiers
    tiers_of = memberships.groupby("enterprise_id").list_type.agg(set) if len(memberships) else pd.Series(dtype=object)
    signed = projects[projects.signed_date.notna() & (projects.signed_date >= y0) & (projects.signed_date <= d)]
    on = signed.enterprise_id.astype(object).map(tiers_of).map(lambda s: s if isinstance(s, set) else set())
    rows = [("all", "全部签约项目", "All signed projects", None, len(signed))]
    for t in config.tiers:
        if t.annual_target is not None:
            rows.append((t.id, t.name_zh, t.name_en, t.annual_target, int(on.map(lambda s, i=t.id: i in s).sum())))
    for g in config.target_groups:
        members = set(g.tiers)
        rows.append((g.id, g.name_zh, g.name_en, g.annual_target, int(on.map(lambda s, m=members: bool(s & m)).sum())))
    tiers = pd.DataFrame(rows, columns=["target_id", "name_zh", "name_en", "target", "signed"])
    tiers["target"] = tiers.target.astype(float)
    tiers["pace_target"] = (tiers.target * pace).round(1)
    tiers["vs_pace"] = (tiers.signed - tiers.pace_target).round(1)
    tiers["share_of_target"] = (tiers.signed / tiers.target).round(3)

    # ---- money
    amount = signed.amount_yuan.fillna(0.0)
    target = config.money.target_for(year)
    money = pd.DataFrame(
        {
            "item": ["signed", "signed_disclosed", "signed_estimated", "arrived", "target", "pace_target"],
            "name_zh": ["签约金额", "其中：披露", "其中：估算", "到位资金", "年度目标", "进度目标"],
            "value_yuan": [
                float(amount.sum()),
                float(amount[~signed.amount_estimated].sum()),
                float(amount[signed.amount_estimated].sum()),
                float(signed.arrived_yuan.fillna(0.0).sum()),
                float(target),
                float(target * pace),
            ],
        }
    )
    money["value_100m_yuan"] = (money.value_yuan / 1e8).round(2)

    # ---- projects rolled in per city
    # (No stage change recorded yet: the project's stage date; pandas cannot map through an empty datetime Series.)
    entry = changes.groupby("project_id").date.min() if len(changes) else None
    p_entry = projects.stage_date if entry is None else projects.project_id.map(entry).fillna(projects.stage_date)
    rolled = projects[(p_entry >= y0) & (p_entry <= d)]
    per_city = rolled.groupby("city").size()
    cities = pd.DataFrame(
        {
            "city": [c.id for c in config.cities],
            "name_zh": [c.name_zh for c in config.cities],
            "name_en": [c.name_en for c in config.cities],
        }
    )
    cities["rolled_in"] = cities.city.map(per_city).fillna(0).astype(int)
    cities["target"] = CITY_PROJECT_TARGET
    cities["pace_target"] = round(CITY_PROJECT_TARGET * pace, 1)
    cities["vs_pace"] = (cities.rolled_in - cities.pace_target).round(1)
    cities["behind_year"] = (CITY_PROJECT_TARGET - cities.rolled_in).clip(lower=0)

    # ---- cadence
    h0 = pd.Timestamp(year=year, month=1 if d.month <= 6 else 7, day=1)
    half = f"{year}H{1 if d.month <= 6 else 2}"
    v = visits[(visits.date >= h0) & (visits.date <= d) & (visits.kind != "hosted_visit")].copy()
    iso = v.date.dt.isocalendar()
    v["trip"] = v.team_id.astype(str) + "|" + iso.year.astype(str) + "-" + iso.week.astype(str)
    v["chain_for"] = visit_chains(v, config)
    crow = []
    for scope, level, need in CADENCE_RULES:
        sub = v[v.lead_level == level]
        if scope == "city":
            done = sub.groupby("city").trip.nunique()
            for c in config.cities:
                crow.append(("city", c.id, c.name_zh, level, half, need, int(done.get(c.id, 0))))
        else:
            done = sub.groupby("chain_for").trip.nunique()
            for ch in config.chains:
                crow.append(("chain", ch.id, ch.name_zh, level, half, need, int(done.get(ch.id, 0))))
    quarter = f"{year}Q{(d.month - 1) // 3 + 1}"
    sdays = stationed[stationed.quarter == quarter].groupby("chain").days.sum()
    for ch in config.chains:
        crow.append(("chain", ch.id, ch.name_zh, "stationed_days", quarter, STATIONED_DAYS_TARGET, int(sdays.get(ch.id, 0))))
    cadence = pd.DataFrame(crow, columns=["scope", "id", "name_zh", "rule", "period", "required", "done"])
    cadence["behind"] = (cadence.required - cadence.done).clip(lower=0)
    rule_zh = {**LEVEL_ZH, "stationed_days": "专班驻点天数"}
    cadence["rule_zh"] = cadence.rule.map(rule_zh)
    name_en = {("city", c.id): c.name_en for c in config.cities} | {("chain", c.id): c.name_en for c in config.chains}
    cadence["name_en"] = [name_en.get(k, "") for k in zip(cadence.scope, cadence.id)]

    # ---- funnel (projects rolled in this year) and stages now (every project)
    ch = changes[changes.date <= d]
    order = {s: i for i, s in enumerate(_FORWARD)}
    furthest = ch[ch.stage.isin(_FORWARD)].assign(pos=lambda f: f.stage.map(order)).groupby("project_id").pos.max()
    dropped = set(ch[ch.stage == "dropped"].project_id)
    f = rolled[["project_id", "source_team"]].copy()
    f["region"] = f.source_team.map(team_region).fillna("")
    f["pos"] = f.project_id.map(furthest).fillna(-1).astype(int)
    frow = []
    regions = [r.id for r in config.regions] + ([""] if (f.region == "").any() else [])
    for reg in ["all", *regions]:
        sub = f if reg == "all" else f[f.region == reg]
        for st in _FORWARD:
            frow.append((reg, region_zh.get(reg, "全部" if reg == "all" else "未知"), st, STAGE_ZH[st], int((sub.pos >= order[st]).sum())))
        frow.append(
            (
                reg,
                region_zh.get(reg, "全部" if reg == "all" else "未知"),
                "dropped",
                STAGE_ZH["dropped"],
                int(sub.project_id.isin(dropped).sum()),
            )
        )
    funnel = pd.DataFrame(frow, columns=["region", "region_zh", "stage", "stage_zh", "projects"])
    region_en = {r.id: r.name_en for r in config.regions} | {"all": "All", "": "Unknown"}
    funnel.insert(2, "region_en", funnel.region.map(region_en))
    last = ch.sort_values(["project_id", "date"], kind="stable").groupby("project_id").tail(1).set_index("project_id").stage
    now = projects.project_id.map(last).dropna()
    stages_now = pd.DataFrame({"stage": list(PROJECT_STAGES), "stage_zh": [STAGE_ZH[s] for s in PROJECT_STAGES]})
    stages_now["projects"] = stages_now.stage.map(now.value_counts()).fillna(0).astype(int)

    # ---- conversion from visit to signing
    vv = visits[(visits.kind == "visit") & (visits.date >= y0) & (visits.date <= d)]
    vv = vv.sort_values(["date", "team_id", "visit_id"], kind="stable").drop_duplicates(["enterprise_id", "city"])
    pairs = vv[["enterprise_id", "city", "date", "team_id"]].rename(columns={"date": "first_visit"})
    sg = projects[projects.signed_date.notna() & (projects.signed_date <= d)][["enterprise_id", "city", "signed_date"]]
    m = pairs.merge(sg, on=["enterprise_id", "city"], how="left")
    m["won"] = m.signed_date.notna() & (m.signed_date >= m.first_visit)
    won = m.groupby(["enterprise_id", "city"]).won.any()
    pairs = pairs.set_index(["enterprise_id", "city"]).assign(won=won).reset_index()
    pairs["region"] = pairs.team_id.map(team_region).fillna("")
    pairs["tiers"] = pairs.enterprise_id.map(tiers_of).map(lambda s: sorted(s) if isinstance(s, set) and s else [_NO_LIST])
    conv = []
    by_tier = pairs.explode("tiers")
    tier_zh = {t.id: t.name_zh for t in config.tiers} | {_NO_LIST: "未上榜"}
    for tid in [t.id for t in config.tiers] + [_NO_LIST]:
        sub = by_tier[by_tier.tiers == tid]
        conv.append(("tier", tid, tier_zh[tid], len(sub), int(sub.won.sum())))
    for reg in [r.id for r in config.regions]:
        sub = pairs[pairs.region == reg]
        conv.append(("region", reg, region_zh[reg], len(sub), int(sub.won.sum())))
    conv.append(("all", "all", "全部", len(pairs), int(pairs.won.sum())))
    conversion = pd.DataFrame(conv, columns=["by", "id", "name_zh", "visited", "signed"])
    conv_en = {("tier", t.id): t.name_en for t in config.tiers} | {("region", r.id): r.name_en for r in config.regions}
    conversion["name_en"] = [conv_en.get(k, "All" if k[0] == "all" else "Not on a list") for k in zip(conversion.by, conversion.id)]
    conversion["rate"] = (conversion.signed / conversion.visited.where(conversion.visited > 0)).round(4)

    cadence["chain_zh"] = cadence.id.map(chain_zh).where(cadence.scope == "chain", "")
    cities["name_zh"] = cities.city.map(city_zh)
    return Scorecard(year, d, pace, half, quarter, tiers, money, cities, cadence, funnel, stages_now, conversion)


# --------------------------------------------------------------------------- output


def write_scorecard(card: Scorecard, out: str | Path, *, pictures: tuple[Path, ...] = ()) -> list[Path]:
    """Write ``scorecard.xlsx``, ``scorecard.md``, ``scorecard.html`` (charts embedded) and the PNG charts to ``out``.

    ``pictures`` are further PNG files (such as the 招商进度图 of :mod:`matcher.report.maps`) shown after the charts.
    """
    from .scorecard_files import write_files

    return write_files(card, out, pictures=pictures)
