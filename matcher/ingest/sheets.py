"""Sheets: exchange the visit log, the project database and stationed days with the teams in Excel.

:func:`write_template` writes a fill-in workbook (Chinese and English headers,
drop-down lists for the fixed vocabularies, an instructions sheet);
:func:`import_sheet` reads a filled one back, checks every row and writes it to
the database in one transaction — or, when any row is bad, lists every bad row
(row number, column, value, reason) and imports nothing. Importing the same
sheet again changes nothing: rows are keyed by their record number, or, where a
row has none, by a key made from its contents.

Enterprise names are turned into enterprise ids by :func:`resolve_enterprises`
(the one place to swap in a fuzzy resolver); unknown names are listed, never
invented.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from html import unescape as html_unescape
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .._text import normalize_names
from ..columns import KIND_ZH, LEVEL_ZH, PARTICIPANT_LEVELS, PROJECT_STAGES, STAGE_ZH, VISIT_KINDS
from ..config.model import Config
from ..errors import InputError, MatcherError, SheetError

__all__ = [
    "Field",
    "SHEET_KINDS",
    "sheet_fields",
    "write_template",
    "read_sheet",
    "import_sheet",
    "resolve_enterprises",
    "history_to_sheet",
    "SheetImport",
]

log = logging.getLogger(__name__)

SHEET_KINDS = ("visits", "projects", "stationed")
_YES = ("是", "yes", "y", "true", "1", "√", "✓")
_NO = ("否", "no", "n", "false", "0", "")
_BASIS = {"披露": False, "disclosed": False, "公开": False, "估算": True, "estimated": True, "预估": True, "估计": True}
_EARLIEST = pd.Timestamp("2000-01-01")


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


_STAGE_DATE = {st: f"date_{st}" for st in PROJECT_STAGES}

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

_TITLES = {
    "visits": "驻点招商拜访及活动登记表 Visit and activity log",
    "projects": "招商项目库登记表 Project database",
    "stationed": "产业链专班驻点天数登记表 Task-force stationed days",
}


def sheet_fields(kind: str) -> tuple[Field, ...]:
    """The columns of a sheet kind (``visits``, ``projects`` or ``stationed``)."""
    if kind not in _FIELDS:
        raise MatcherError(f"unknown sheet kind {kind!r}; expected one of {', '.join(SHEET_KINDS)}")
    return _FIELDS[kind]


def _aliases(kind: str) -> dict[str, tuple[str, ...]]:
    return {f.key: (f.header, f.zh, f.en, f.key) for f in sheet_fields(kind)}


def _choices(config: Config) -> dict[str, list[str]]:
    return {
        "kind": [KIND_ZH[k] for k in VISIT_KINDS],
        "lead_level": [LEVEL_ZH[k] for k in PARTICIPANT_LEVELS],
        "stage": [STAGE_ZH[k] for k in PROJECT_STAGES],
        "team": sorted(t.id for t in config.teams),
        "source_team": sorted(t.id for t in config.teams),
        "city": [c.name_zh for c in config.cities],
        "chain": [c.name_zh for c in config.chains],
        "basis": ["披露", "估算"],
        "synthetic": ["是", "否"],
    }


# --------------------------------------------------------------------------- template


def write_template(kind: str, path: str | Path, config: Config, rows: pd.DataFrame | None = None) -> Path:
    """Write a fill-in workbook for ``kind``, optionally pre-filled with ``rows``.

    Parameters
    ----------
    kind : {"visits", "projects", "stationed"}
    path : str or Path
        The ``.xlsx`` file (written atomically, byte-reproducibly).
    config : Config
        Teams, cities and chains for the drop-down lists.
    rows : DataFrame, optional
        Columns named by field key (see :func:`history_to_sheet`); written below the header.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from .._files import FIXED_TIME, atomic_write_bytes, normalise_zip

    fields = sheet_fields(kind)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise MatcherError(f"cannot write template {path}: expected an .xlsx file name")
    choices = _choices(config)
    wb = Workbook()
    ws = wb.active
    ws.title = "登记 data"
    ws.cell(row=1, column=1, value=_TITLES[kind] + "（第3行起每行一条 one record per row from row 3）").font = Font(bold=True, size=12)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=min(len(fields), 8))
    fill = PatternFill("solid", fgColor="FFF2CC")
    for j, f in enumerate(fields, start=1):
        c = ws.cell(row=2, column=j, value=f.header)
        c.font = Font(bold=True, color="C00000" if f.required else "000000")
        c.alignment = Alignment(wrap_text=True, vertical="top")
        if f.required:
            c.fill = fill
        ws.column_dimensions[get_column_letter(j)].width = max(12, min(40, 2.2 * len(f.zh) + 4))
    ws.freeze_panes = "A3"
    # Drop-down lists live on a sheet of their own (Excel limits inline lists to 255 characters).
    lists = wb.create_sheet("选项 lists")
    col = 0
    last_row = 2 + max(2000, 0 if rows is None else len(rows) + 500)
    for j, f in enumerate(fields, start=1):
        if f.key not in choices:
            continue
        col += 1
        values = choices[f.key]
        lists.cell(row=1, column=col, value=f.header)
        for i, v in enumerate(values, start=2):
            lists.cell(row=i, column=col, value=v)
        letter = get_column_letter(col)
        dv = DataValidation(
            type="list", formula1=f"'选项 lists'!${letter}$2:${letter}${len(values) + 1}", allow_blank=not f.required, showErrorMessage=True
        )
        dv.error = f"请从下拉列表选择 choose from the list: {f.zh}"
        dv.add(f"{get_column_letter(j)}3:{get_column_letter(j)}{last_row}")
        ws.add_data_validation(dv)
    if rows is not None and len(rows):
        keys = [f.key for f in fields]
        frame = rows.reindex(columns=keys)
        for i, rec in enumerate(frame.itertuples(index=False), start=3):
            for j, v in enumerate(rec, start=1):
                if v is None or (isinstance(v, float) and v != v) or v == "":
                    continue
                ws.cell(row=i, column=j, value=v.item() if hasattr(v, "item") else v)
    info = wb.create_sheet("说明 instructions")
    lines = [
        _TITLES[kind],
        "每行登记一条记录；红色表头为必填项；不要合并单元格；日期写作 YYYY-MM-DD。",
        "One record per row; red headers are required; do not merge cells; dates as YYYY-MM-DD.",
        "导入：matcher import-" + kind + " 文件.xlsx。任何一行有误时整表不导入，并列出每一错误行及原因；同一表再次导入不会重复。",
        "Import with matcher import-" + kind + " FILE.xlsx. When any row is bad nothing is imported and every bad row is listed; "
        "importing the same sheet again adds nothing.",
        "",
        "列 column | 必填 required | 说明 notes",
    ]
    lines += [f"{f.zh} {f.en} | {'是' if f.required else ''} | {f.note}" for f in fields]
    for i, text in enumerate(lines, start=1):
        info.cell(row=i, column=1, value=text)
    info.column_dimensions["A"].width = 120
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "matcher"
    raw = io.BytesIO()
    wb.save(raw)
    return atomic_write_bytes(path, normalise_zip(raw.getvalue()))


def history_to_sheet(
    kind: str, frame: pd.DataFrame, names: pd.Series, config: Config, *, stage_changes: pd.DataFrame | None = None
) -> pd.DataFrame:
    """History rows (the shapes of :mod:`matcher.columns`) as sheet rows, as a team would fill them in.

    Parameters
    ----------
    kind : {"visits", "projects", "stationed"}
    frame : DataFrame
        Visits, projects or stationed days.
    names : Series
        enterprise id → enterprise name.
    stage_changes : DataFrame, optional
        For projects: every stage change (``project_id, stage, date``), written as the ``…日期`` columns.
    """
    yes = np.where(frame.get("synthetic", pd.Series(False, index=frame.index)).fillna(False).astype(bool), "是", "否")
    chain_zh = {c.id: c.name_zh for c in config.chains}
    if kind == "stationed":
        return pd.DataFrame(
            {"chain": frame.chain.map(chain_zh), "quarter": frame.quarter, "team": frame.team_id, "days": frame.days, "synthetic": yes}
        )
    city_zh = {c.id: c.name_zh for c in config.cities}
    name = frame.enterprise_id.map(names)
    if kind == "visits":
        return pd.DataFrame(
            {
                "record_id": frame.visit_id,
                "date": pd.to_datetime(frame.date).dt.strftime("%Y-%m-%d"),
                "team": frame.team_id,
                "name": name,
                "kind": frame.kind.map(KIND_ZH),
                "lead_level": frame.lead_level.map(LEVEL_ZH),
                "participants": frame.get("participants", ""),
                "chain": frame.get("chain", pd.Series("", index=frame.index)).map(lambda c: chain_zh.get(c, "")),
                "outcome": frame.outcome,
                "next_step": frame.next_step,
                "synthetic": yes,
            }
        )
    out = pd.DataFrame(
        {
            "record_id": frame.project_id,
            "name": name,
            "city": frame.city.map(city_zh),
            "county_park": frame.county_park,
            "chain": frame.chain.map(lambda c: chain_zh.get(c, "")),
            "link": frame.link,
            "amount": (frame.amount_yuan / 1e4).round(4),
            "basis": np.where(frame.amount_estimated.astype(bool), "估算", "披露"),
            "arrived": (frame.arrived_yuan / 1e4).round(4),
            "stage": frame.stage.map(STAGE_ZH),
        }
    )
    if stage_changes is not None and len(stage_changes):
        wide = stage_changes.assign(date=pd.to_datetime(stage_changes.date)).pivot_table(
            index="project_id", columns="stage", values="date", aggfunc="max"
        )
    else:
        wide = pd.DataFrame(index=pd.Index([], name="project_id"))
    for st in PROJECT_STAGES:
        d = pd.to_datetime(frame.project_id.map(wide[st]) if st in wide.columns else pd.Series(pd.NaT, index=frame.index))
        out[f"date_{st}"] = d.dt.strftime("%Y-%m-%d").where(d.notna(), None)
    out["dropped_reason"] = frame.dropped_reason
    out["source_team"] = frame.source_team
    out["synthetic"] = yes
    return out


# --------------------------------------------------------------------------- reading


def resolve_enterprises(store, names: pd.Series) -> pd.Series:
    """Enterprise id of each name (exact normalised name in the database's name index), NaN where unknown.

    The one place where sheet names meet enterprise ids: a fuzzy resolver can replace it.
    """
    norm = normalize_names(names.astype(str))
    known = store.lookup_names(norm)
    return norm.map(known)


@dataclass
class _Rows:
    """Problems found while checking a sheet."""

    table: object
    problems: list

    def add(self, mask, column: str | None, values, reason) -> None:
        """Record a problem for each row where ``mask`` is true; ``reason`` a string or a per-row Series."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        header = self.table.headers.get(column, column) if column else None
        vals = values.to_numpy(dtype=object)[idx] if isinstance(values, pd.Series) else [values] * len(idx)
        rs = reason.to_numpy(dtype=object)[idx] if isinstance(reason, pd.Series) else [reason] * len(idx)
        for i, v, r in zip(idx, vals, rs):
            self.problems.append((self.table.row_number(int(i)), header.replace("\n", " ") if header else None, v, r))


def _col(frame: pd.DataFrame, key: str) -> pd.Series:
    return frame[key].astype(str) if key in frame.columns else pd.Series("", index=frame.index, dtype=object)


def _dates(text: pd.Series) -> pd.Series:
    t = text.str.replace(r"\s+00:00:00$", "", regex=True).str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "", regex=False)
    ok = t.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}") | t.str.fullmatch(r"\d{8}")
    out = pd.to_datetime(t.where(ok), errors="coerce", format="mixed")
    return out.astype("datetime64[ns]")


def _choice(text: pd.Series, mapping: dict[str, str]) -> pd.Series:
    folded = {_fold(k): v for k, v in mapping.items()}
    return text.map(lambda s: folded.get(_fold(s)))


def _fold(s: object) -> str:
    return re.sub(r"[\s_\-（）()]+", "", unicodedata.normalize("NFKC", str(s)).lower())


def _vocab(ids, zh: dict[str, str]) -> dict[str, str]:
    out = {i: i for i in ids}
    out.update({i.replace("_", " "): i for i in ids})
    out.update({v: k for k, v in zh.items()})
    return out


def _names_of(items) -> dict[str, str]:
    out = {}
    for it in items:
        for n in (it.id, it.name_zh, it.name_en):
            if n:
                out[n] = it.id
    return out


def _check_dates(rows: _Rows, frame: pd.DataFrame, key: str, today: pd.Timestamp, *, required: bool) -> pd.Series:
    text = _col(frame, key)
    d = _dates(text)
    blank = text.str.strip() == ""
    rows.add(blank & required, key, text, "the date is empty; expected a date like 2026-03-02")
    rows.add(~blank & d.isna(), key, text, "not a date; expected YYYY-MM-DD such as 2026-03-02")
    rows.add(
        d.notna() & (d > today),
        key,
        text,
        f"the date is in the future (today is {today:%Y-%m-%d}); record what happened, not what is planned",
    )
    rows.add(d.notna() & (d < _EARLIEST), key, text, "the date is before 2000; expected a date of the programme")
    return d.where(d.notna() & (d <= today) & (d >= _EARLIEST))


def _amount(rows: _Rows, table, frame: pd.DataFrame, key: str) -> pd.Series:
    text = _col(frame, key).str.replace(",", "", regex=False).str.replace("，", "", regex=False)
    v = pd.to_numeric(text.where(text.str.strip() != ""), errors="coerce")
    rows.add((text.str.strip() != "") & v.isna(), key, text, "not a number; expected an amount in 10,000 yuan (万元)")
    rows.add(v < 0, key, text, "a negative amount; expected 0 or more")
    scale = {"CNY_100m": 1e8, "CNY_10k": 1e4, "": 1e4}.get(table.units.get(key, ""), 1e4)
    return (v.where(v >= 0) * scale).round(2)


def _bools(rows: _Rows, frame: pd.DataFrame, key: str) -> pd.Series:
    text = _col(frame, key).str.strip().str.lower()
    ok = text.isin(_YES + _NO)
    rows.add(~ok, key, text, "expected 是 or 否 (yes or no)")
    return text.isin(_YES)


def _duplicates(rows: _Rows, key: pd.Series, what: str) -> None:
    first = pd.Series(np.arange(len(key)), index=key.index).groupby(key.to_numpy()).transform("min")
    dup = key.duplicated(keep="first").to_numpy()
    rows.add(dup, None, None, pd.Series([f"duplicate of row {rows.table.row_number(int(i))} ({what})" for i in first], index=key.index))


def _merged_cells(path: str, sheet: str | None, first_row: int) -> list[tuple]:
    """Merged cells below the header: each merged range hides values of all but its first row.

    Read from the worksheet's XML (``<mergeCell ref=…>``): loading the whole workbook again
    just for this would double the cost of an import.
    """
    if Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        return []
    import posixpath
    import zipfile

    from openpyxl.utils.cell import range_boundaries

    try:
        with zipfile.ZipFile(path) as z:
            book = z.read("xl/workbook.xml").decode("utf-8")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
            sheets = re.findall(r'<(?:\w+:)?sheet\b[^>]*?name="([^"]*)"[^>]*?(?:r|\w+):id="([^"]*)"', book)
            targets = dict(re.findall(r'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"', rels))
            targets.update({i: t for t, i in re.findall(r'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"', rels)})
            rid = next((r for n, r in sheets if sheet is None or html_unescape(n) == sheet), None)
            if rid is None or rid not in targets:
                return []
            target = targets[rid]
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            xml = z.read(member).decode("utf-8")
    except (KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return []
    out = []
    for ref in re.findall(r'<(?:\w+:)?mergeCell\b[^>]*?ref="([A-Z]+\d+:[A-Z]+\d+)"', xml):
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if max_row >= first_row:
            out.append((max(min_row, first_row), min_col, ref))
    out.sort()
    return [(row, None, ref, f"merged cells {ref}: unmerge them and fill in every row on its own") for row, _, ref in out]


def read_sheet(path: str | Path, kind: str, config: Config, store, *, sheet: str | None = None, today=None) -> dict[str, pd.DataFrame]:
    """Read and check a filled-in sheet; return frames for :meth:`matcher.store.core.Store.write_history`.

    Raises
    ------
    SheetError
        Listing every bad row (row number, column, value, reason); nothing is returned.
    InputError
        The file cannot be read or has no recognisable header.
    """
    from .lists import read_table

    fields = sheet_fields(kind)
    today = pd.Timestamp(today or dt.date.today()).normalize()
    table = read_table(path, sheet=sheet, fields=_aliases(kind))
    missing = [f"{f.zh} {f.en}" for f in fields if f.required and f.key not in table.frame.columns]
    if missing:
        raise InputError(str(path), f"missing required columns: {', '.join(missing)}; use the template (matcher template {kind})")
    frame = table.frame
    rows = _Rows(table, _merged_cells(str(path), sheet, table.first_row))
    for f in fields:
        if f.required and f.key not in ("date",) and not f.key.startswith("date_"):
            text = _col(frame, f.key)
            rows.add(text.str.strip() == "", f.key, None, f"{f.zh} ({f.en}) is required and empty")
    if kind == "stationed":
        out = _read_stationed(rows, frame, config)
    else:
        out = (
            _read_visits(rows, frame, config, store, today)
            if kind == "visits"
            else _read_projects(rows, table, frame, config, store, today)
        )
    if rows.problems:
        problems = sorted(rows.problems, key=lambda p: p[0] if p[0] is not None else 0)
        raise SheetError(str(path), problems)
    out["_sha256"] = table.sha256
    return out


def _enterprises(rows: _Rows, frame: pd.DataFrame, store) -> pd.Series:
    names = _col(frame, "name")
    ids = resolve_enterprises(store, names)
    rows.add(
        ids.isna() & (names.str.strip() != ""),
        "name",
        names,
        "unknown enterprise: no enterprise of this name in the database; import its list or profile first, or use the name it is known by",
    )
    return ids


def _team_ids(rows: _Rows, frame: pd.DataFrame, key: str, config: Config, *, required: bool) -> pd.Series:
    text = _col(frame, key).str.strip()
    teams = {t.id: t.id for t in config.teams}
    ids = _choice(text, teams)
    rows.add(ids.isna() & (text != ""), key, text, f"unknown team; expected a team id such as {sorted(teams)[0]} (see the template's list)")
    return ids.fillna("")


def _key(*parts: pd.Series) -> pd.Series:
    joined = parts[0].astype(object).fillna("").astype(str)
    for p in parts[1:]:
        joined = joined + "|" + p.astype(object).fillna("").astype(str)
    return joined


def _derived_id(prefix: str, key: pd.Series) -> pd.Series:
    return key.map(lambda k: prefix + hashlib.sha1(k.encode("utf-8")).hexdigest()[:12].upper())


def _read_visits(rows: _Rows, frame, config: Config, store, today) -> dict[str, pd.DataFrame]:
    date = _check_dates(rows, frame, "date", today, required=True)
    team = _team_ids(rows, frame, "team", config, required=True)
    eid = _enterprises(rows, frame, store)
    kind_t, level_t = _col(frame, "kind"), _col(frame, "lead_level")
    kind = _choice(kind_t, _vocab(VISIT_KINDS, KIND_ZH))
    level = _choice(level_t, _vocab(PARTICIPANT_LEVELS, LEVEL_ZH))
    rows.add(kind.isna() & (kind_t != ""), "kind", kind_t, f"unknown kind; expected one of {', '.join(KIND_ZH.values())}")
    rows.add(level.isna() & (level_t != ""), "lead_level", level_t, f"unknown level; expected one of {', '.join(LEVEL_ZH.values())}")
    chain_t = _col(frame, "chain").str.strip()
    chain = _choice(chain_t, _names_of(config.chains))
    rows.add(chain.isna() & (chain_t != ""), "chain", chain_t, "unknown chain; expected a chain of the list")
    synthetic = _bools(rows, frame, "synthetic")
    city = team.map({t.id: t.home_city for t in config.teams}).fillna("")
    day = date.dt.strftime("%Y-%m-%d")
    content = _key(day, team, eid, kind)
    given = _col(frame, "record_id").str.strip()
    vid = given.where(given != "", _derived_id("V", content))
    _duplicates(rows, vid, "the same record id")
    _duplicates(
        rows, content.where(given == "", content + "|" + _key(level, _col(frame, "outcome"))), "the same date, team, enterprise and kind"
    )
    visits = pd.DataFrame(
        {
            "visit_id": vid,
            "date": date,
            "team_id": team,
            "city": city,
            "enterprise_id": eid,
            "enterprise_name": _col(frame, "name"),
            "kind": kind,
            "lead_level": level,
            "participants": _col(frame, "participants"),
            "chain": chain.fillna(""),
            "outcome": _col(frame, "outcome"),
            "next_step": _col(frame, "next_step"),
            "synthetic": synthetic,
        }
    )
    return {"visits": visits}


def _read_projects(rows: _Rows, table, frame, config: Config, store, today) -> dict[str, pd.DataFrame]:
    eid = _enterprises(rows, frame, store)
    city_t = _col(frame, "city").str.strip()
    cities = _names_of(config.cities)
    cities.update({c.name_zh.removesuffix("市"): c.id for c in config.cities})
    city = _choice(city_t, cities)
    rows.add(city.isna() & (city_t != ""), "city", city_t, f"unknown city; expected one of {', '.join(c.name_zh for c in config.cities)}")
    chain_t = _col(frame, "chain").str.strip()
    chain = _choice(chain_t, _names_of(config.chains))
    rows.add(chain.isna() & (chain_t != ""), "chain", chain_t, "unknown chain; expected a chain of the list")
    links = {}
    for ch in config.chains:
        for lk in ch.links:
            links[lk.id] = lk.id
            links[lk.name_zh] = lk.id
    link_t = _col(frame, "link").str.strip()
    link = _choice(link_t, links)
    rows.add(link.isna() & (link_t != ""), "link", link_t, "unknown link; expected a link id or name of the chain")
    amount = _amount(rows, table, frame, "amount")
    arrived = _amount(rows, table, frame, "arrived")
    rows.add(
        arrived.notna() & amount.notna() & (arrived > amount + 0.5),
        "arrived",
        _col(frame, "arrived"),
        "more money arrived than was invested",
    )
    basis_t = _col(frame, "basis").str.strip()
    basis = _choice(basis_t, {**{k: str(v) for k, v in _BASIS.items()}})
    rows.add(basis.isna() & (basis_t != ""), "basis", basis_t, "expected 披露 (disclosed) or 估算 (estimated)")
    estimated = basis.map({"True": True, "False": False}).fillna(True).astype(bool)
    stage_t = _col(frame, "stage")
    stage = _choice(stage_t, _vocab(PROJECT_STAGES, STAGE_ZH))
    rows.add(stage.isna() & (stage_t != ""), "stage", stage_t, f"unknown stage; expected one of {', '.join(STAGE_ZH.values())}")
    dates = pd.DataFrame({st: _check_dates(rows, frame, f"date_{st}", today, required=False) for st in PROJECT_STAGES})
    order = {st: i for i, st in enumerate(PROJECT_STAGES)}
    pos = stage.map(order)
    stage_date = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    for st in PROJECT_STAGES:
        stage_date = stage_date.where(stage != st, dates[st])
    rows.add(
        stage.notna() & stage_date.isna(),
        None,
        stage.map(STAGE_ZH),
        stage.map(lambda s: f"the current stage {STAGE_ZH.get(s, s)} has no date; fill in its {STAGE_ZH.get(s, s)}日期"),
    )
    forward = [st for st in PROJECT_STAGES if st != "dropped"]
    for st in forward:
        later = stage.notna() & (stage != "dropped") & (pos < order[st]) & dates[st].notna()
        rows.add(
            later,
            f"date_{st}",
            _col(frame, f"date_{st}"),
            f"a date for a stage the project has not reached (its stage is earlier than {STAGE_ZH[st]})",
        )
    # Dates follow the stages: each stage reached no earlier than the one before.
    prev = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    for st in forward:
        bad = dates[st].notna() & prev.notna() & (dates[st] < prev)
        rows.add(bad, f"date_{st}", _col(frame, f"date_{st}"), f"{STAGE_ZH[st]}日期 is earlier than the date of an earlier stage")
        prev = dates[st].where(dates[st].notna(), prev)
    dropped = stage == "dropped"
    rows.add(
        dropped & dates["dropped"].notna() & prev.notna() & (dates["dropped"] < prev),
        "date_dropped",
        _col(frame, "date_dropped"),
        "终止日期 is earlier than the date of an earlier stage",
    )
    rows.add(
        ~dropped & stage.notna() & dates["dropped"].notna(),
        "date_dropped",
        _col(frame, "date_dropped"),
        "a 终止日期 for a project that is not dropped",
    )
    reason = _col(frame, "dropped_reason").str.strip()
    rows.add(dropped & (reason == ""), "dropped_reason", None, "a dropped project needs its reason (终止原因)")
    team = _team_ids(rows, frame, "source_team", config, required=False)
    synthetic = _bools(rows, frame, "synthetic")
    content = _key(eid, city, chain.fillna(""))
    given = _col(frame, "record_id").str.strip()
    pid = given.where(given != "", _derived_id("P", content))
    _duplicates(rows, pid, "the same project id")
    _duplicates(rows, content.where(given == "", content + "|" + given), "the same enterprise, city and chain")
    signed = dates["signed"].where(stage.isin(["signed", "started", "in_production"]) | (dropped & dates["signed"].notna()))
    projects = pd.DataFrame(
        {
            "project_id": pid,
            "enterprise_id": eid,
            "enterprise_name": _col(frame, "name"),
            "city": city,
            "county_park": _col(frame, "county_park"),
            "chain": chain.fillna(""),
            "link": link.fillna(""),
            "amount_yuan": amount,
            "amount_estimated": estimated,
            "arrived_yuan": arrived,
            "stage": stage,
            "stage_date": stage_date,
            "signed_date": signed,
            "source_team": team,
            "dropped_reason": reason,
            "synthetic": synthetic,
        }
    )
    long = dates.assign(project_id=pid).melt(id_vars="project_id", var_name="stage", value_name="date").dropna(subset=["date"])
    long = long.sort_values(["project_id", "date", "stage"], key=lambda s: s.map(order) if s.name == "stage" else s, kind="stable")
    return {"projects": projects, "stage_changes": long[["project_id", "stage", "date"]].reset_index(drop=True)}


def _read_stationed(rows: _Rows, frame, config: Config) -> dict[str, pd.DataFrame]:
    chain_t = _col(frame, "chain").str.strip()
    chain = _choice(chain_t, _names_of(config.chains))
    rows.add(chain.isna() & (chain_t != ""), "chain", chain_t, "unknown chain; expected a chain of the list")
    q_t = _col(frame, "quarter").str.strip()
    q = q_t.str.upper().str.replace(r"^(\d{4})\s*年?\s*(?:Q|第)\s*([1-4])\s*(?:季度)?$", r"\1Q\2", regex=True)
    ok = q.str.fullmatch(r"\d{4}Q[1-4]")
    rows.add(~ok & (q_t != ""), "quarter", q_t, "not a quarter; expected like 2026Q1 or 2026年第1季度")
    team = _team_ids(rows, frame, "team", config, required=False)
    d_t = _col(frame, "days").str.strip()
    days = pd.to_numeric(d_t.where(d_t != ""), errors="coerce")
    rows.add(
        (d_t != "") & (days.isna() | (days != days.round()) | (days < 0) | (days > 92)),
        "days",
        d_t,
        "expected a whole number of days, 0–92",
    )
    synthetic = _bools(rows, frame, "synthetic")
    out = pd.DataFrame({"chain": chain, "quarter": q, "team_id": team, "days": days, "synthetic": synthetic})
    _duplicates(rows, _key(out.chain, out.quarter, out.team_id), "the same chain, quarter and team")
    return {"stationed": out}


# --------------------------------------------------------------------------- importing


@dataclass(frozen=True)
class SheetImport:
    """What one sheet import did."""

    kind: str
    source_name: str
    rows: int
    counts: dict

    def summary(self) -> str:
        main = self.counts.get(self.kind, {})
        if main.get("new", 0) == 0 and main.get("updated", 0) == 0 and not self.counts.get("stage_changes", {}).get("changed"):
            return f"{self.source_name}: {self.rows} {self.kind} rows already in the database, nothing changed"
        return (
            f"{self.source_name}: {self.rows} {self.kind} rows: {main.get('new', 0)} new, {main.get('updated', 0)} updated, "
            f"{main.get('unchanged', 0)} unchanged"
        )


def import_sheet(
    store, config: Config, path: str | Path, kind: str, *, sheet: str | None = None, today=None, retries: int = 5
) -> SheetImport:
    """Check a filled-in sheet and write it to the database in one transaction.

    Parameters
    ----------
    store : Store
    config : Config
    path : str or Path
    kind : {"visits", "projects", "stationed"}
    sheet : str, optional
        Worksheet name (default the first).
    today : date, optional
        Dates after it are rejected (default: today).
    retries : int
        How often to retry when another import holds the database.

    Raises
    ------
    SheetError
        Any bad row (all are listed); the database is unchanged.
    """
    frames = read_sheet(path, kind, config, store, sheet=sheet, today=today)
    sha = frames.pop("_sha256")
    n = len(next(iter(frames.values())))
    for attempt in range(retries + 1):
        try:
            counts = store.write_history(**frames, source_name=f"{kind}:{Path(path).name}", sha256=sha)
            break
        except sa.exc.OperationalError as exc:
            if "locked" not in str(exc).lower() or attempt == retries:
                raise MatcherError(f"{path}: the database is busy ({exc.orig}); try again") from None
            log.info("database busy, retrying (%d)", attempt + 1)
            time.sleep(0.5 * (attempt + 1))
    return SheetImport(kind, Path(path).name, n, counts)
