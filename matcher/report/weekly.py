"""Weekly: the planner's inputs and outputs — history files, written plans, simulated weeks.

Everything here works around :func:`matcher.plan.week.plan_week`: reading visits
and projects from files, writing a planned week (``plan.csv``, each team's
CSV/XLSX/JSON, the office workbook), and issuing several weeks in a row with
synthetic visits to measure stability and coverage.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .._text import iso_week, parse_week
from ..columns import VISIT_COLUMNS, empty_visits
from ..config.model import Config
from ..plan.week import PREVIOUS_COLUMNS, WeeklyPlan, plan_week
from ..score.rule import Scores

__all__ = ["read_history", "write_weekly", "simulate_weeks"]


def read_history(path: str | Path, kind: str) -> pd.DataFrame:
    """Read a visits or projects file (CSV or XLSX, columns as :mod:`matcher.columns`) and validate it.

    Raises
    ------
    InputError
        If the file cannot be read or lacks a column.
    """
    from ..columns import PROJECT_COLUMNS, VISIT_COLUMNS, check_projects, check_visits
    from ..errors import InputError

    path = Path(path)
    columns = VISIT_COLUMNS if kind == "visits" else PROJECT_COLUMNS
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, dtype=str).fillna("")
        else:
            frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except FileNotFoundError:
        raise InputError(str(path), "file not found") from None
    except Exception as exc:  # unreadable file: one clear line
        raise InputError(str(path), f"cannot be read as a {kind} table: {exc}") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(str(path), f"missing column(s) {', '.join(missing)}; a {kind} file needs {', '.join(columns)}")
    date_cols = ["date"] if kind == "visits" else ["stage_date", "signed_date"]
    for c in date_cols:
        parsed = pd.to_datetime(frame[c].replace("", None), errors="coerce", format="mixed")
        bad = parsed.isna() & (frame[c] != "") if c != "date" else parsed.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(str(path), "expected a date such as 2026-03-02", row=i + 2, column=c, value=frame[c].iloc[i])
        frame[c] = parsed
    if kind == "projects":
        for c in ("amount_yuan", "arrived_yuan"):
            frame[c] = pd.to_numeric(frame[c].replace("", None), errors="coerce")
        return check_projects(frame)
    return check_visits(frame)


def write_weekly(wp: WeeklyPlan, out_dir: str | Path) -> list[Path]:
    """Write ``plan.csv``, each team's CSV/XLSX/JSON and the office workbook ``office.xlsx``."""
    from .._files import atomic_write_bytes
    from .writers import write_csv, write_xlsx

    out_dir = Path(out_dir)
    written = []
    for tid, lst in wp.per_team.items():
        title = f"{wp.week} 周拜访清单 weekly visit list — {tid}"
        written.append(write_csv(lst, out_dir / "teams" / f"{tid}.csv"))
        written.append(write_xlsx({"leads": lst}, out_dir / "teams" / f"{tid}.xlsx", title=title))
        body = json.dumps(
            {"week": wp.week, "team_id": tid, "leads": json.loads(lst.to_json(orient="records", force_ascii=False))},
            ensure_ascii=False,
            indent=1,
        )
        written.append(atomic_write_bytes(out_dir / "teams" / f"{tid}.json", body.encode("utf-8")))
    summary = pd.DataFrame(
        {
            "item": [
                "week",
                "leads",
                "teams",
                "contested",
                "optimal_total",
                "greedy_total",
                "config_sha256",
                "data_snapshot",
                "model_version",
                "history_sha256",
            ]
            + [f"planner.{k}" for k in wp.settings.__dataclass_fields__],
            "value": [wp.week, len(wp.plan), len(wp.per_team), len(wp.contested), wp.totals["optimal"], wp.totals["greedy"]]
            + [wp.record.get(k, "") for k in ("config_sha256", "snapshot_sha256", "model_version", "history_sha256")]
            + [getattr(wp.settings, k) for k in wp.settings.__dataclass_fields__],
        }
    )
    summary["value"] = summary["value"].astype(str)
    sheets = {
        "summary": summary,
        "assignments": wp.plan,
        "contested": wp.contested,
        "quota_pace": wp.quota,
        "quota_by_city": wp.quota_city,
        "aftercare": wp.aftercare,
    }
    written.append(write_xlsx(sheets, out_dir / "office.xlsx", title=f"{wp.week} 驻点招商周计划 weekly plan — office"))
    written.append(write_csv(wp.plan, out_dir / "plan.csv"))
    return written


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
        raise ValueError(f"The 'visit_rate' parameter must be in [0, 1]. Got {visit_rate!r} instead.")
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
