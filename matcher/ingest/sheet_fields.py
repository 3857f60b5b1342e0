"""The sheets exchanged with the teams: their kinds, columns and titles.

Shared by the template writer (:mod:`matcher.report.templates`) and the
importer (:mod:`matcher.ingest.sheets`), so both always agree on the columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..columns import PROJECT_STAGES, STAGE_ZH
from ..errors import MatcherError
from ..i18n import gettext as _

__all__ = ["SHEET_KINDS", "SHEET_TITLES", "Field", "sheet_fields", "sheet_aliases"]

SHEET_KINDS = ("visits", "projects", "stationed")


@dataclass(frozen=True)
class Field:
    """One column of a sheet."""

    key: str
    zh: str
    en: str
    required: bool = False
    note: str = ""

    @property
    def header(self) -> str:
        return f"{self.zh}\n{self.en}"


_FIELDS: dict[str, tuple[Field, ...]] = {
    "visits": (
        Field(
            "record_id",
            "记录编号",
            "record id",
            note="可空；同一编号再次导入即更新该条记录。Optional; a row with the same id replaces the stored one.",
        ),
        Field("date", "日期", "date", True, "YYYY-MM-DD，不得晚于今天。Not in the future."),
        Field("team", "小分队", "team", True, "小分队编号，见下拉列表。A team id from the list."),
        Field("name", "企业名称", "enterprise", True, "企业全称或库中已有名称。Full name as in the database."),
        Field("kind", "活动类型", "kind", True, "下拉选择。From the list."),
        Field("lead_level", "带队领导级别", "lead level", True, "参加人员中最高级别，下拉选择。Highest participant level."),
        Field("participants", "参加人员", "participants", note="姓名（职务），分号分隔。Names (posts), separated by ;"),
        Field(
            "chain",
            "产业链",
            "chain",
            note="产业链牵头部门带队时填写；空则计入小分队的首个重点产业链。For chain-lead visits; empty: the team's first focus chain.",
        ),
        Field("outcome", "成果", "outcome"),
        Field("next_step", "下一步", "next step"),
        Field("synthetic", "模拟数据", "synthetic", note="模拟数据填“是”。“是” for synthetic records."),
    ),
    "projects": (
        Field("record_id", "项目编号", "project id", note="可空；同一编号再次导入即更新该项目。Optional; the same id updates the project."),
        Field("name", "企业名称", "enterprise", True, "企业全称或库中已有名称。Full name as in the database."),
        Field("city", "所在市", "city", True, "项目落地的设区市。The Guangxi city."),
        Field("county_park", "县区或园区", "county or park"),
        Field("chain", "产业链", "chain", note="下拉选择。From the list."),
        Field("link", "环节", "link", note="环节编号或名称。Link id or name."),
        Field("amount", "投资额（万元）", "investment (10k yuan)", note="不得为负。Not negative."),
        Field("basis", "金额性质", "amount basis", note="披露 disclosed / 估算 estimated；空为估算。Empty: estimated."),
        Field("arrived", "到位资金（万元）", "arrived (10k yuan)", note="不得为负，不超过投资额。Not negative, not above the investment."),
        Field("stage", "当前阶段", "stage", True, "下拉选择。From the list."),
        *(Field(f"date_{st}", f"{STAGE_ZH[st]}日期", f"{st.replace('_', ' ')} date", note="到达该阶段的日期。") for st in PROJECT_STAGES),
        Field("dropped_reason", "终止原因", "dropped reason", note="终止的项目必填。Required for dropped projects."),
        Field("source_team", "来源小分队", "source team", note="小分队编号。A team id."),
        Field("synthetic", "模拟数据", "synthetic", note="模拟数据填“是”。"),
    ),
    "stationed": (
        Field("chain", "产业链", "chain", True, "下拉选择。From the list."),
        Field("quarter", "季度", "quarter", True, "如 2026Q1。Like 2026Q1."),
        Field("team", "小分队", "team", note="可空（专班合计）。Optional."),
        Field("days", "驻点天数", "stationed days", True, "0–92 的整数。An integer 0–92."),
        Field("synthetic", "模拟数据", "synthetic", note="模拟数据填“是”。"),
    ),
}

SHEET_TITLES = {
    "visits": "驻点招商拜访及活动登记表 Visit and activity log",
    "projects": "招商项目库登记表 Project database",
    "stationed": "产业链专班驻点天数登记表 Task-force stationed days",
}


def sheet_fields(kind: str) -> tuple[Field, ...]:
    """The columns of a sheet kind (``visits``, ``projects`` or ``stationed``)."""
    if kind not in _FIELDS:
        raise MatcherError(_("unknown sheet kind {kind!r}; expected one of {choices}").format(kind=kind, choices=", ".join(SHEET_KINDS)))
    return _FIELDS[kind]


def sheet_aliases(kind: str) -> dict[str, tuple[str, ...]]:
    """Field key → header spellings of a sheet kind, for :func:`~matcher.ingest.tables.read_table`."""
    return {f.key: (f.header, f.zh, f.en, f.key) for f in sheet_fields(kind)}
