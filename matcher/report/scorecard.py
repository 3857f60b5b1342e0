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
import html
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..columns import LEVEL_ZH, PROJECT_STAGES, STAGE_ZH
from ..config.model import Config
from ..errors import MatcherError

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
        total = self.tiers[self.tiers.target_id == "all"].signed.iloc[0]
        m = self.money.set_index("item").value_yuan
        behind = int((self.cadence.behind > 0).sum())
        return (
            f"{self.year} as of {self.as_of:%Y-%m-%d} ({self.pace:.0%} of the year): {int(total)} projects signed, "
            f"{m['signed'] / 1e8:,.1f} 亿元 signed of {m['target'] / 1e8:,.0f} 亿元 target, "
            f"{int((self.cities.rolled_in >= CITY_PROJECT_TARGET).sum())}/{len(self.cities)} cities at 30 projects, "
            f"{behind} cadence rules behind" + (" [synthetic data 模拟数据]" if self.synthetic else "")
        )


def _as_of(year: int, as_of) -> pd.Timestamp:
    if as_of is None:
        today = pd.Timestamp(dt.date.today())
        d = min(today, pd.Timestamp(year=year, month=12, day=31))
        return max(d, pd.Timestamp(year=year, month=1, day=1))
    try:
        d = pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError):
        raise MatcherError(f"--as-of {as_of!r} is not a date; expected YYYY-MM-DD") from None
    if d.year != year:
        raise MatcherError(f"--as-of {d:%Y-%m-%d} is not in {year}; expected a day of the scorecard's year")
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
            f"the database {store.label} holds no visits or projects yet; import them (matcher import-visits / import-projects) or run matcher demo"
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
    on = signed.enterprise_id.map(tiers_of).map(lambda s: s if isinstance(s, set) else set())
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
    entry = changes.groupby("project_id").date.min() if len(changes) else pd.Series(dtype="datetime64[ns]")
    p_entry = projects.project_id.map(entry).fillna(projects.stage_date)
    rolled = projects[(p_entry >= y0) & (p_entry <= d)]
    per_city = rolled.groupby("city").size()
    cities = pd.DataFrame({"city": [c.id for c in config.cities], "name_zh": [c.name_zh for c in config.cities]})
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
    conversion["rate"] = (conversion.signed / conversion.visited.where(conversion.visited > 0)).round(4)

    cadence["chain_zh"] = cadence.id.map(chain_zh).where(cadence.scope == "chain", "")
    cities["name_zh"] = cities.city.map(city_zh)
    return Scorecard(year, d, pace, half, quarter, tiers, money, cities, cadence, funnel, stages_now, conversion)


# --------------------------------------------------------------------------- output


def _md_table(frame: pd.DataFrame) -> str:
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
    for rec in frame.itertuples(index=False):
        lines.append("| " + " | ".join("" if (isinstance(x, float) and x != x) else str(x) for x in rec) + " |")
    return "\n".join(lines)


def _relabel(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The columns named in ``labels``, in that order, under their Chinese labels."""
    return frame.rename(columns=labels)[list(labels.values())]


def _sections(card: Scorecard) -> list[tuple[str, pd.DataFrame]]:
    yi = lambda s: (s / 1e8).round(2)  # noqa: E731
    money = card.money.assign(亿元=yi(card.money.value_yuan))[["name_zh", "亿元"]].rename(columns={"name_zh": "项目"})
    tiers = _relabel(
        card.tiers,
        {"name_zh": "榜单", "target": "年度目标", "signed": "已签约", "pace_target": "进度目标", "vs_pace": "较进度", "share_of_target": "完成率"},
    )
    cities = _relabel(
        card.cities,
        {"name_zh": "城市", "rolled_in": "入库项目", "target": "年度目标", "pace_target": "进度目标", "vs_pace": "较进度", "behind_year": "全年尚差"},
    )
    behind = _relabel(
        card.cadence[card.cadence.behind > 0],
        {"name_zh": "对象", "rule_zh": "要求", "period": "期间", "required": "应完成", "done": "已完成", "behind": "尚差"},
    )
    funnel = (
        card.funnel.pivot_table(index="stage_zh", columns="region_zh", values="projects", sort=False)
        .reset_index()
        .rename(columns={"stage_zh": "阶段"})
    )
    conv = _relabel(card.conversion, {"name_zh": "分组", "visited": "拜访企业", "signed": "签约", "rate": "转化率"})
    return [
        ("签约项目与榜单目标 Signed projects by tier (个)", tiers),
        ("签约与到位资金 Money (亿元)", money),
        ("各市项目入库 Projects rolled in per city (个)", cities),
        (f"未达标的工作节奏 Cadence behind ({card.half}; 专班驻点 {card.quarter})", behind),
        ("项目漏斗（本年入库，按区域）Pipeline funnel by region (个)", funnel),
        ("拜访到签约转化 Visit-to-signing conversion", conv),
    ]


def write_scorecard(card: Scorecard, out: str | Path) -> list[Path]:
    """Write ``scorecard.xlsx``, ``scorecard.md``, ``scorecard.html`` and the PNG charts to ``out``."""
    from .._files import atomic_write_bytes
    from .writers import write_xlsx

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    label = "（模拟数据 synthetic data）" if card.synthetic else ""
    title = f"驻点招商工作计分卡 Scorecard {card.year}，截至 {card.as_of:%Y-%m-%d}（全年进度 {card.pace:.1%}）{label}"
    files = [
        write_xlsx(
            {
                "tiers": card.tiers,
                "money": card.money,
                "cities": card.cities,
                "cadence": card.cadence,
                "funnel": card.funnel,
                "stages_now": card.stages_now,
                "conversion": card.conversion,
            },
            out / "scorecard.xlsx",
            title=title,
        )
    ]
    sections = _sections(card)
    md = [f"# {title}", "", card.headline(), ""]
    for head, frame in sections:
        md += [f"## {head}", "", _md_table(frame) if len(frame) else "（无 none）", ""]
    md += ["## 图表 Charts", ""] + [f"![{n}]({n}.png)" for n in _CHARTS]
    files.append(atomic_write_bytes(out / "scorecard.md", ("\n".join(md) + "\n").encode("utf-8")))
    body = [f"<h1>{html.escape(title)}</h1>", f"<p>{html.escape(card.headline())}</p>"]
    for head, frame in sections:
        body += [f"<h2>{html.escape(head)}</h2>", frame.to_html(index=False, na_rep="", border=1) if len(frame) else "<p>（无 none）</p>"]
    body += [f'<p><img src="{n}.png" alt="{n}"></p>' for n in _CHARTS]
    page = (
        f'<!doctype html>\n<html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head><body>\n'
        + "\n".join(body)
        + "\n</body></html>\n"
    )
    files.append(atomic_write_bytes(out / "scorecard.html", page.encode("utf-8")))
    files += _charts(card, out, label)
    return files


_CHARTS = ("tiers", "money", "cities", "cadence", "funnel", "conversion")


def _charts(card: Scorecard, out: Path, label: str) -> list[Path]:
    from .charts import new_figure, save_figure

    paths = []
    # Tiers: signed against the annual target and the pace.
    t = card.tiers[card.tiers.target.notna()]
    fig, ax = new_figure(9, 4.8)
    x = np.arange(len(t))
    ax.bar(x - 0.2, t.target, width=0.4, color="#c9d6e8", label="年度目标")
    ax.bar(x + 0.2, t.signed, width=0.4, color="#2f6db5", label="已签约")
    ax.scatter(x, t.pace_target, marker="_", s=900, color="#d62728", linewidths=2.5, label="进度目标", zorder=3)
    for xi, s in zip(x, t.signed):
        ax.annotate(f"{int(s)}", (xi + 0.2, s), ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, [n.replace("、", "\n") if len(n) > 8 else n for n in t.name_zh], fontsize=8)
    ax.set_ylabel("项目数（个）")
    ax.set_title(f"{card.year}年各榜单签约项目与目标（截至{card.as_of:%m月%d日}）{label}")
    ax.legend(loc="upper left")
    paths.append(save_figure(fig, out / "tiers.png"))
    # Money.
    m = card.money.set_index("item")
    fig, ax = new_figure(8, 4.5)
    items = ["signed", "arrived", "pace_target", "target"]
    vals = [m.loc[i, "value_yuan"] / 1e8 for i in items]
    bars = ax.bar(["签约金额", "到位资金", "进度目标", "年度目标"], vals, color=["#2f6db5", "#4caf50", "#f0a030", "#c9d6e8"])
    est = m.loc["signed_estimated", "value_yuan"] / 1e8
    ax.bar(["签约金额"], [est], color="#8fb3e0", hatch="//", label="其中估算金额")
    for b, v in zip(bars, vals):
        ax.annotate(f"{v:,.1f}", (b.get_x() + b.get_width() / 2, v), ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("金额（亿元）")
    ax.set_title(f"{card.year}年签约与到位资金（亿元）{label}")
    ax.legend(loc="upper left")
    paths.append(save_figure(fig, out / "money.png"))
    # Cities.
    c = card.cities.sort_values(["rolled_in", "city"], ascending=[True, True], kind="stable")
    fig, ax = new_figure(8, 5.5)
    colors = np.where(c.rolled_in >= c.pace_target, "#4caf50", "#d62728")
    ax.barh(c.name_zh, c.rolled_in, color=colors)
    ax.axvline(CITY_PROJECT_TARGET, color="#555555", linestyle="--", label=f"年度目标 {CITY_PROJECT_TARGET} 个")
    ax.axvline(c.pace_target.iloc[0], color="#f0a030", linestyle=":", label=f"进度目标 {c.pace_target.iloc[0]:.1f} 个")
    for y, v in enumerate(c.rolled_in):
        ax.annotate(str(int(v)), (v, y), va="center", ha="left", fontsize=8)
    ax.set_xlabel("入库项目数（个）")
    ax.set_title(f"{card.year}年各市项目入库（绿：达到进度，红：落后）{label}")
    ax.legend(loc="lower right")
    paths.append(save_figure(fig, out / "cities.png"))
    # Cadence: cities × rules, done / required.
    cad = card.cadence[card.cadence.scope == "city"]
    grid = cad.pivot_table(index="name_zh", columns="rule", values="done", sort=False)
    need = cad.pivot_table(index="name_zh", columns="rule", values="required", sort=False)
    chains = card.cadence[card.cadence.scope == "chain"]
    cg = chains.pivot_table(index="name_zh", columns="rule", values="done", sort=False)
    cn = chains.pivot_table(index="name_zh", columns="rule", values="required", sort=False)
    fig, first = new_figure(11, 6.5)
    first.remove()
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    for ax, g, n, head in (
        (axes[0], grid, need, f"各市领导带队（{card.half}，趟）"),
        (axes[1], cg, cn, f"产业链（{card.half} 带队趟数 / {card.quarter} 驻点天数）"),
    ):
        ok = (g >= n).to_numpy(dtype=float)
        ax.imshow(ok, cmap="RdYlGn", vmin=-0.3, vmax=1.3, aspect="auto")
        for i in range(g.shape[0]):
            for j in range(g.shape[1]):
                ax.text(j, i, f"{int(g.iat[i, j])}/{int(n.iat[i, j])}", ha="center", va="center", fontsize=8)
        ax.set_yticks(range(g.shape[0]), g.index, fontsize=8)
        ax.set_xticks(range(g.shape[1]), [_SHORT_LEVEL.get(r, r) for r in g.columns], fontsize=8)
        ax.set_title(head, fontsize=10)
    fig.suptitle(f"工作节奏达标情况（已完成/应完成；绿：达标，红：落后）{label}")
    paths.append(save_figure(fig, out / "cadence.png"))
    # Funnel by region.
    f = card.funnel[card.funnel.region != "all"]
    regs = list(dict.fromkeys(f.region_zh))
    stages = [STAGE_ZH[s] for s in _FORWARD]
    fig, ax = new_figure(9, 4.8)
    left = np.zeros(len(stages))
    palette = ["#2f6db5", "#4caf50", "#f0a030", "#9467bd", "#8c564b"]
    for k, reg in enumerate(regs):
        vals = f[(f.region_zh == reg) & f.stage.isin(_FORWARD)].set_index("stage_zh").projects.reindex(stages).fillna(0).to_numpy()
        ax.barh(stages, vals, left=left, color=palette[k % len(palette)], label=reg)
        left += vals
    for y, v in enumerate(left):
        ax.annotate(str(int(v)), (v, y), va="center", ha="left", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("项目数（个）")
    ax.set_title(f"{card.year}年入库项目漏斗（到达各阶段，按重点区域）{label}")
    ax.legend(loc="lower right")
    paths.append(save_figure(fig, out / "funnel.png"))
    # Conversion.
    cv = card.conversion[card.conversion.by.isin(["tier", "region"])]
    fig, ax = new_figure(9, 4.8)
    rate = (cv.rate.fillna(0) * 100).to_numpy()
    colors = np.where(cv.by == "tier", "#2f6db5", "#f0a030")
    ax.bar(range(len(cv)), rate, color=colors)
    for i, (r, n) in enumerate(zip(rate, cv.visited)):
        ax.annotate(f"{r:.1f}%\n(n={int(n)})", (i, r), ha="center", va="bottom", fontsize=7)
    ax.set_ylim(0, max(float(rate.max()) if len(rate) else 0.0, 1.0) * 1.18)
    ax.set_xticks(range(len(cv)), list(cv.name_zh), rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("拜访后签约比例（%）")
    ax.set_title(f"{card.year}年拜访到签约转化率（蓝：按榜单，橙：按重点区域）{label}")
    paths.append(save_figure(fig, out / "conversion.png"))
    return paths


_SHORT_LEVEL = {
    "city_number_one": "一把手\n≥1趟",
    "city_leader": "其他市领导\n≥2趟",
    "county_park_head": "县区园区负责人\n≥2趟",
    "chain_lead_head": "牵头部门负责人\n≥1趟",
    "stationed_days": "专班驻点\n≥15天",
}
