"""History: the shape of visits, projects and stationed days, shared by every stage.

Visits and projects come from the teams' Excel sheets, from the database, or
from the simulator; whatever their source, they are pandas frames with the
columns below, checked by :func:`check_visits` and :func:`check_projects`.
The planner, the scorecard and the learners read only these frames.
"""

from __future__ import annotations

import pandas as pd

from .errors import MatcherError
from .i18n import N_
from .i18n import gettext as _

__all__ = [
    "rank_column",
    "on_column",
    "MAX_NUMBER",
    "PLAN_COLUMNS",
    "PREVIOUS_COLUMNS",
    "PROJECT_STAGES",
    "ACTIVE_STAGES",
    "SIGNED_STAGES",
    "PARTICIPANT_LEVELS",
    "VISIT_KINDS",
    "VISIT_COLUMNS",
    "PROJECT_COLUMNS",
    "STAGE_CHANGE_COLUMNS",
    "STATIONED_COLUMNS",
    "check_visits",
    "check_projects",
    "empty_visits",
    "empty_projects",
]


def rank_column(tier_id: str) -> str:
    """Universe column holding an enterprise's rank on a list (NaN if not on it)."""
    return f"rank__{tier_id}"


def on_column(tier_id: str) -> str:
    """Universe column saying whether an enterprise is on a list."""
    return f"on__{tier_id}"

#: Project stages in order (招商项目库): lead 线索 → contacted 对接 → visited 拜访 → negotiating 洽谈
#: → signed 签约 → started 开工 → in production 投产; or dropped 终止.
PROJECT_STAGES = ("lead", "contacted", "visited", "negotiating", "signed", "started", "in_production", "dropped")
STAGE_ZH = {
    "lead": "线索",
    "contacted": "对接",
    "visited": "拜访",
    "negotiating": "洽谈",
    "signed": "签约",
    "started": "开工",
    "in_production": "投产",
    "dropped": "终止",
}
ACTIVE_STAGES = ("lead", "contacted", "visited", "negotiating")
SIGNED_STAGES = ("signed", "started", "in_production")

#: Level of a participant in a visit, highest first.
PARTICIPANT_LEVELS = ("city_number_one", "chain_lead_head", "city_leader", "county_park_head", "team_member")
LEVEL_ZH = {
    "city_number_one": "市委书记或市长（一把手）",
    "chain_lead_head": "产业链牵头部门主要负责人",
    "city_leader": "其他市领导",
    "county_park_head": "县（市、区）或园区党政主要负责人",
    "team_member": "小分队成员",
}
VISIT_KINDS = ("visit", "hosted_visit", "forum", "signing")
KIND_ZH = {"visit": "登门拜访", "hosted_visit": "来桂考察接待", "forum": "招商推介会", "signing": "签约活动"}

#: One row per visit or activity. ``date`` is a datetime64 day; ``city`` is the id of the
#: team's home city; ``lead_level`` is the highest participant level (PARTICIPANT_LEVELS).
VISIT_COLUMNS = ("visit_id", "date", "team_id", "city", "enterprise_id", "kind", "lead_level", "outcome", "next_step")

#: One row per project in the project database. Amounts in yuan; ``amount_estimated`` True
#: where the figure is an estimate rather than disclosed; ``stage_date`` is when the current
#: stage was reached; ``signed_date`` is NaT until signed.
PROJECT_COLUMNS = (
    "project_id",
    "enterprise_id",
    "city",
    "county_park",
    "chain",
    "link",
    "amount_yuan",
    "amount_estimated",
    "arrived_yuan",
    "stage",
    "stage_date",
    "signed_date",
    "source_team",
    "dropped_reason",
)

#: Every stage change of every project (the full history behind ``stage`` / ``stage_date``).
STAGE_CHANGE_COLUMNS = ("project_id", "stage", "date")

#: Stationed days of a chain task force per quarter (``quarter`` like ``2026Q1``).
STATIONED_COLUMNS = ("chain", "quarter", "team_id", "days")


#: Largest magnitude a number of a list or an amount in yuan may have (revenue in yuan of the largest
#: group is about 1e13).
MAX_NUMBER = 1e15


#: What the frames checked here are called in messages.
_FRAMES = (N_("visits"), N_("projects"))


def _check(frame: pd.DataFrame, columns, what: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MatcherError(_("{what} frame is missing columns {missing}; expected {columns}").format(what=_(what), missing=missing, columns=list(columns)))
    return frame


def _check_values(frame: pd.DataFrame, what: str, column: str, allowed) -> None:
    bad = ~frame[column].isin(allowed)
    if bad.any():
        raise MatcherError(
            _("{what}: unknown {column} {value!r}; expected one of {choices}").format(
                what=_(what), column=column, value=frame[column][bad].iloc[0], choices=", ".join(allowed)
            )
        )


def _check_filled(frame: pd.DataFrame, what: str, columns) -> None:
    for column in columns:
        bad = frame[column].isna() | (frame[column].astype(str).str.strip() == "")
        if bad.any():
            raise MatcherError(
                _("{what}: row {row} has no {column}; every row needs one").format(what=_(what), row=int(bad.to_numpy().argmax()) + 1, column=column)
            )


def _check_unique(frame: pd.DataFrame, what: str, column: str) -> None:
    dup = frame[column].duplicated()
    if dup.any():
        raise MatcherError(
            _("{what}: {column} {value!r} appears more than once; each row needs its own").format(what=_(what), column=column, value=frame[column][dup].iloc[0])
        )


def _check_dates(frame: pd.DataFrame, what: str, column: str, *, required: bool) -> pd.Series:
    raw = frame[column]
    dates = pd.to_datetime(raw, errors="coerce")
    bad = raw.notna() & (raw.astype(str).str.strip() != "") & dates.isna()
    if required:
        bad |= dates.isna()
    if bad.any():
        message = _("{what}: {column} {value!r} is not a date; every row needs one") if required else _("{what}: {column} {value!r} is not a date")
        raise MatcherError(message.format(what=_(what), column=column, value=frame[column][bad].iloc[0]))
    return dates


def _check_amounts(frame: pd.DataFrame, what: str, columns) -> None:
    for column in columns:
        v = pd.to_numeric(frame[column], errors="coerce")
        bad = (frame[column].notna() & v.isna()) | (v < 0) | ~(v.abs() < MAX_NUMBER).where(v.notna(), True)
        if bad.any():
            raise MatcherError(
                _("{what}: {column} {value!r} is not an amount (a finite number >= 0)").format(what=_(what), column=column, value=frame[column][bad].iloc[0])
            )


def check_visits(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a visits frame (columns :data:`VISIT_COLUMNS`); return it with ``date`` as datetime64."""
    _check(frame, VISIT_COLUMNS, "visits")
    _check_values(frame, "visits", "kind", VISIT_KINDS)
    _check_values(frame, "visits", "lead_level", PARTICIPANT_LEVELS)
    _check_filled(frame, "visits", ("visit_id", "team_id", "enterprise_id"))
    _check_unique(frame, "visits", "visit_id")
    out = frame.copy()
    out["date"] = _check_dates(frame, "visits", "date", required=True)
    return out


def check_projects(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a projects frame (columns :data:`PROJECT_COLUMNS`); dates as datetime64."""
    _check(frame, PROJECT_COLUMNS, "projects")
    _check_values(frame, "projects", "stage", PROJECT_STAGES)
    _check_filled(frame, "projects", ("project_id", "enterprise_id"))
    _check_unique(frame, "projects", "project_id")
    _check_amounts(frame, "projects", ("amount_yuan", "arrived_yuan"))
    out = frame.copy()
    for col in ("stage_date", "signed_date"):
        out[col] = _check_dates(frame, "projects", col, required=False)
    return out


def empty_visits() -> pd.DataFrame:
    return check_visits(pd.DataFrame({c: pd.Series(dtype=object) for c in VISIT_COLUMNS}))


def empty_projects() -> pd.DataFrame:
    return check_projects(pd.DataFrame({c: pd.Series(dtype=object) for c in PROJECT_COLUMNS}))

#: Columns of an issued weekly plan, one row a lead.
PLAN_COLUMNS = ["week", "team_id", "home_city", "region", "rank", "enterprise_id", "enterprise_name", "score", "reason"]
#: Columns of earlier issued plans that drive the carry-over bonus.
PREVIOUS_COLUMNS = ("week", "team_id", "enterprise_id", "rank")
