"""Fill-in workbooks for the teams: the visit log, the project database and stationed days.

:func:`write_template` writes one (Chinese and English headers, drop-down lists
for the fixed vocabularies, an instructions sheet), optionally pre-filled with
rows from :func:`history_to_sheet`; :func:`matcher.ingest.sheets.import_sheet`
reads it back.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from .._files import FIXED_TIME, atomic_write_bytes, normalise_zip
from ..columns import KIND_ZH, LEVEL_ZH, PARTICIPANT_LEVELS, PROJECT_STAGES, STAGE_ZH, VISIT_KINDS
from ..config.model import Config
from ..errors import MatcherError
from ..i18n import gettext
from ..ingest.sheet_fields import SHEET_TITLES, sheet_fields

__all__ = ["write_template", "history_to_sheet"]


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

    fields = sheet_fields(kind)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise MatcherError(gettext("cannot write template {path}: expected an .xlsx file name").format(path=path))
    choices = _choices(config)
    wb = Workbook()
    ws = wb.active
    ws.title = "登记 data"
    ws.cell(row=1, column=1, value=SHEET_TITLES[kind] + "（第3行起每行一条 one record per row from row 3）").font = Font(bold=True, size=12)
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
        SHEET_TITLES[kind],
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
