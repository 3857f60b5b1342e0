"""Weekly files: a planned week written out for the teams and the office.

Writes what :func:`matcher.plan.issue.issue_week` (or
:func:`matcher.plan.week.plan_week`) returns: ``plan.csv``, each team's
CSV/XLSX/JSON and the office workbook.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..plan.week import WeeklyPlan

__all__ = ["write_weekly"]


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
