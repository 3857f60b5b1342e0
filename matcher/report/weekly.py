"""Weekly files: a planned week written out for the teams and the office.

Writes what :func:`matcher.plan.issue.issue_week` (or
:func:`matcher.plan.week.plan_week`) returns: ``plan.csv``, each team's
CSV/XLSX/JSON and the office workbook. With the configuration, teams are
shown by name (南宁驻粤港澳（深圳）小分队) beside their id, and a team
without leads says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .._parallel import map_parts
from ..i18n import get_language, gettext
from ..plan.week import WeeklyPlan

__all__ = ["write_weekly", "team_names", "empty_reason", "history_is_synthetic"]


def history_is_synthetic(store, *frames: pd.DataFrame | None) -> bool:
    """Whether the history a week is planned on is simulated: the database's visits and projects, and ``frames``."""
    frames = (store.visits_frame(extra=True), store.projects_frame(extra=True), *frames)
    return any(f is not None and "synthetic" in f and bool(f["synthetic"].fillna(False).astype(bool).any()) for f in frames)


def team_names(config) -> dict[str, str]:
    """Team id → the team's name (its id when the configuration gives none)."""
    return {t.id: (t.name or t.id) for t in config.teams} if config is not None else {}


def empty_reason(team, config) -> str:
    """Why a team's list is empty this week (本周无新线索：…)."""
    if config is None or team is None:
        return gettext("No new leads this week: no enterprise could be assigned to this team.")
    city = next((c for c in config.cities if c.id == team.home_city), None)
    region = next((r for r in config.regions if r.id == team.region), None)
    en = get_language() == "en"
    return gettext(
        "No new leads this week: no enterprise headquartered in {region} that fits {city}'s chains could be assigned "
        "(every fitting enterprise was visited within the cooldown, is already on another team's list, or none fits)."
    ).format(
        region=(region.name_en if en else region.name_zh) if region else team.region,
        city=(city.name_en if en else city.name_zh) if city else team.home_city,
    )


def _with_team_name(frame: pd.DataFrame, names: dict[str, str], regions: dict[str, str]) -> pd.DataFrame:
    """``frame`` with the team's name beside its id, and key regions by name (粤港澳大湾区, not GBA)."""
    out = frame.copy()
    for c in ("region", "source_region"):
        if regions and c in out.columns:
            out[c] = out[c].map(lambda v: regions.get(v, v))
    if not names or "team_id" not in out.columns or "team_name" in out.columns:
        return out
    out.insert(list(out.columns).index("team_id") + 1, "team_name", out["team_id"].map(names).fillna(out["team_id"]))
    return out


def _quota_by_city(wp: WeeklyPlan) -> pd.DataFrame:
    """Per-city quota columns named by the target (世界500强), not by the list id."""
    q = wp.quota
    if q.empty or "unit" not in q:
        return wp.quota_city
    en = get_language() == "en"
    names = dict(zip(q["unit"], q["name_en" if en else "name_zh"]))
    return wp.quota_city.rename(columns={c: names[c] for c in wp.quota_city.columns if c in names})


def write_weekly(wp: WeeklyPlan, out_dir: str | Path, *, config=None, synthetic: bool | None = None) -> list[Path]:
    """Write ``plan.csv``, each team's CSV/XLSX/JSON and the office workbook ``office.xlsx``.

    ``config`` (the :class:`~matcher.config.model.Config` the week was planned
    with) names the teams and explains empty lists; without it teams show by id.
    ``synthetic`` marks the workbooks as made from simulated data (合成数据);
    by default, when the plan holds synthetic enterprises.
    """
    from .writers import write_csv, write_xlsx

    out_dir = Path(out_dir)
    names = team_names(config)
    teams = {t.id: t for t in config.teams} if config is not None else {}
    en = get_language() == "en"
    regions = {r.id: (r.name_en if en else r.name_zh) for r in config.regions} if config is not None else {}
    if synthetic is None:
        synthetic = bool("synthetic" in wp.plan and wp.plan["synthetic"].astype(bool).any())
    source = gettext("matcher database snapshot {snapshot}; configuration {config}; history {history}; model {model}").format(
        snapshot=str(wp.record.get("snapshot_sha256", ""))[:12] or "-",
        config=str(wp.record.get("config_sha256", ""))[:12] or "-",
        history=str(wp.record.get("history_sha256", ""))[:12] or "-",
        model=wp.record.get("model_version", "rule"),
    )
    parts = []
    for tid, lst in wp.per_team.items():
        lst = _with_team_name(lst, names, regions)
        why = empty_reason(teams.get(tid), config) if lst.empty else ""
        parts.append((out_dir / "teams", wp.week, tid, names.get(tid, tid), lst, why, source, synthetic))
    # Three files per team, 132 for a week of 44 teams: written on two cores (matcher._parallel).
    written = [path for files in map_parts(_write_team, parts) for path in files]
    plan = _with_team_name(wp.plan, names, regions)
    about = [
        (gettext("Week"), wp.week),
        (gettext("Leads"), str(len(wp.plan))),
        (gettext("Teams"), str(len(wp.per_team))),
        (gettext("Teams without leads"), str(sum(lst.empty for lst in wp.per_team.values()))),
        (gettext("Contested enterprises"), str(len(wp.contested))),
        (gettext("Assignment total (greedy baseline)"), f"{wp.totals['optimal']:.4f} ({wp.totals['greedy']:.4f})"),
        (gettext("Model"), str(wp.record.get("model_version", "rule"))),
    ]
    about += [(gettext("Planner setting {name}").format(name=k), str(getattr(wp.settings, k))) for k in wp.settings.__dataclass_fields__]
    quota = wp.quota.rename(columns={"name_zh": "target_name_zh", "name_en": "target_name_en"})
    sheets = {
        "assignments": plan,
        "contested": _with_team_name(wp.contested, names, regions),
        "quota_pace": quota,
        "quota_by_city": _quota_by_city(wp),
        "aftercare": wp.aftercare,
    }
    empty = {
        "assignments": gettext("No leads this week for any team."),
        "contested": gettext("No enterprise is wanted by several cities this week."),
    }
    title = gettext("Weekly plan of the resident investment-promotion teams, week {week}").format(week=wp.week)
    written.append(write_xlsx(sheets, out_dir / "office.xlsx", title=title, about=about, source=source, synthetic=synthetic, empty=empty))
    written.append(write_csv(plan, out_dir / "plan.csv"))
    return written


def _write_team(part: tuple) -> list[Path]:
    """One team's CSV, workbook and JSON: ``(folder, week, team id, team name, leads, why empty, source, synthetic)``."""
    from .._files import atomic_write_bytes
    from .writers import write_csv, write_xlsx

    folder, week, tid, name, lst, why, source, synthetic = part
    title = gettext("Visit list for week {week}: {team}").format(week=week, team=name)
    written = [write_csv(lst, folder / f"{tid}.csv")]
    about = [(gettext("Week"), week), (gettext("Team"), f"{name} ({tid})"), (gettext("Leads"), str(len(lst)))]
    if why:
        about.append((gettext("Note"), why))
    written.append(
        write_xlsx(
            {"leads": lst}, folder / f"{tid}.xlsx", title=title, about=about, source=source, synthetic=synthetic, empty={"leads": why}
        )
    )
    record = {"week": week, "team_id": tid, "team_name": name}
    if why:
        record["note"] = why
    record["leads"] = json.loads(lst.to_json(orient="records", force_ascii=False))
    body = json.dumps(record, ensure_ascii=False, indent=1)
    written.append(atomic_write_bytes(folder / f"{tid}.json", body.encode("utf-8")))
    return written
