"""Sheets: read the visit log, the project database and stationed days the teams filled in.

:func:`import_sheet` reads a filled-in workbook (written by
:func:`matcher.report.templates.write_template`), checks every row and writes it to
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
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .._text import normalize_names
from ..columns import KIND_ZH, LEVEL_ZH, PARTICIPANT_LEVELS, PROJECT_STAGES, STAGE_ZH, VISIT_KINDS
from ..config.model import Config
from ..errors import InputError, SheetError
from ..i18n import N_
from ..i18n import gettext as _
from .sheet_fields import sheet_aliases, sheet_fields
from .sheet_rows import (
    RowProblems,
    check_amount,
    check_bools,
    check_dates,
    check_duplicates,
    choose,
    column_text,
    derived_id,
    merged_cell_problems,
    names_of,
    row_key,
    vocabulary,
)
from .tables import read_table

#: The kinds of sheet, for the catalogue.
SHEET_KINDS = (N_("visits"), N_("projects"), N_("stationed"))

__all__ = ["read_sheet", "read_history_file", "import_sheet", "resolve_enterprises", "SheetImport", "NameResolver"]

#: Names (a Series) to a frame with the same index: ``enterprise_id`` (``""`` unless found), ``match``
#: (``exact``, ``resolver``, ``uncertain`` or ``unresolved``), ``matched_name``, ``probability``.
NameResolver = Callable[[pd.Series], pd.DataFrame]

log = logging.getLogger(__name__)

_BASIS = {"披露": False, "disclosed": False, "公开": False, "估算": True, "estimated": True, "预估": True, "估计": True}


def resolve_enterprises(store, names: pd.Series) -> pd.Series:
    """Enterprise id of each name (exact normalised name in the database's name index), NaN where unknown.

    The one place where sheet names meet enterprise ids: a fuzzy resolver can replace it.
    """
    norm = normalize_names(names.astype(str))
    known = store.lookup_names(norm)
    return norm.map(known)


def read_sheet(
    path: str | Path, kind: str, config: Config, store, *, sheet: str | None = None, today=None, names: NameResolver | None = None
) -> dict[str, pd.DataFrame]:
    """Read and check a filled-in sheet; return frames for :meth:`matcher.store.core.Store.write_history`.

    ``names`` turns the sheet's enterprise names into ids (as
    :func:`matcher.resolve.names.resolve_enterprise_names` does: exact, then the
    resolver; uncertain matches are reported); by default exact names only.

    Raises
    ------
    SheetError
        Listing every bad row (row number, column, value, reason); nothing is returned.
    InputError
        The file cannot be read or has no recognisable header.
    """
    fields = sheet_fields(kind)
    today = pd.Timestamp(today or dt.date.today()).normalize()
    table = read_table(path, sheet=sheet, fields=sheet_aliases(kind), merged_cells=True)
    missing = [f"{f.zh} {f.en}" for f in fields if f.required and f.key not in table.frame.columns]
    if missing:
        raise InputError(
            str(path), _("missing required columns: {columns}; use the template (matcher template {kind})").format(columns=", ".join(missing), kind=kind)
        )
    frame = table.frame
    rows = RowProblems(table, merged_cell_problems(table))
    for f in fields:
        if f.required and f.key not in ("date",) and not f.key.startswith("date_"):
            text = column_text(frame, f.key)
            rows.add(text.str.strip() == "", f.key, None, _("{zh} ({en}) is required and empty").format(zh=f.zh, en=f.en))
    if kind == "stationed":
        out = _read_stationed(rows, frame, config)
    else:
        out = (
            _read_visits(rows, frame, config, store, today, names)
            if kind == "visits"
            else _read_projects(rows, table, frame, config, store, today, names)
        )
    if rows.problems:
        problems = sorted(rows.problems, key=lambda p: p[0] if p[0] is not None else 0)
        raise SheetError(str(path), problems)
    out["_sha256"] = table.sha256
    return out


def _enterprises(rows: RowProblems, frame: pd.DataFrame, store, names: NameResolver | None = None) -> pd.Series:
    """Enterprise id of each row's name; unknown and uncertain names become row problems (never guesses)."""
    text = column_text(frame, "name")
    if names is None:
        ids = resolve_enterprises(store, text)
        uncertain = pd.Series(False, index=text.index)
    else:
        found = names(text)
        ids = found["enterprise_id"].where(found["enterprise_id"] != "")
        uncertain = found["match"] == "uncertain"
        perhaps = _("uncertain: perhaps {name} (p={p:.2f}); write the full name as the lists give it")
        rows.add(
            uncertain,
            "name",
            text,
            found["matched_name"].combine(found["probability"], lambda name, p: perhaps.format(name=name, p=p)),
        )
    rows.add(
        ids.isna() & ~uncertain & (text.str.strip() != ""),
        "name",
        text,
        _("unknown enterprise: no enterprise of this name in the database; import its list or profile first, or use the name it is known by"),
    )
    return ids


def _team_ids(rows: RowProblems, frame: pd.DataFrame, key: str, config: Config, *, required: bool) -> pd.Series:
    text = column_text(frame, key).str.strip()
    teams = {t.id: t.id for t in config.teams}
    ids = choose(text, teams)
    rows.add(ids.isna() & (text != ""), key, text, _("unknown team; expected a team id such as {id} (see the template's list)").format(id=sorted(teams)[0]))
    return ids.fillna("")


def _read_visits(rows: RowProblems, frame, config: Config, store, today, names=None) -> dict[str, pd.DataFrame]:
    date = check_dates(rows, frame, "date", today, required=True)
    team = _team_ids(rows, frame, "team", config, required=True)
    eid = _enterprises(rows, frame, store, names)
    kind_t, level_t = column_text(frame, "kind"), column_text(frame, "lead_level")
    kind = choose(kind_t, vocabulary(VISIT_KINDS, KIND_ZH))
    level = choose(level_t, vocabulary(PARTICIPANT_LEVELS, LEVEL_ZH))
    rows.add(kind.isna() & (kind_t != ""), "kind", kind_t, _("unknown kind; expected one of {choices}").format(choices=", ".join(KIND_ZH.values())))
    rows.add(
        level.isna() & (level_t != ""), "lead_level", level_t, _("unknown level; expected one of {choices}").format(choices=", ".join(LEVEL_ZH.values()))
    )
    chain_t = column_text(frame, "chain").str.strip()
    chain = choose(chain_t, names_of(config.chains))
    rows.add(chain.isna() & (chain_t != ""), "chain", chain_t, _("unknown chain; expected a chain of the list"))
    synthetic = check_bools(rows, frame, "synthetic")
    city = team.map({t.id: t.home_city for t in config.teams}).fillna("")
    day = date.dt.strftime("%Y-%m-%d")
    content = row_key(day, team, eid, kind)
    given = column_text(frame, "record_id").str.strip()
    vid = given.where(given != "", derived_id("V", content))
    check_duplicates(rows, vid, N_("the same record id"))
    check_duplicates(
        rows,
        content.where(given == "", content + "|" + row_key(level, column_text(frame, "outcome"))),
        N_("the same date, team, enterprise and kind"),
    )
    visits = pd.DataFrame(
        {
            "visit_id": vid,
            "date": date,
            "team_id": team,
            "city": city,
            "enterprise_id": eid,
            "enterprise_name": column_text(frame, "name"),
            "kind": kind,
            "lead_level": level,
            "participants": column_text(frame, "participants"),
            "chain": chain.fillna(""),
            "outcome": column_text(frame, "outcome"),
            "next_step": column_text(frame, "next_step"),
            "synthetic": synthetic,
        }
    )
    return {"visits": visits}


def _read_projects(rows: RowProblems, table, frame, config: Config, store, today, names=None) -> dict[str, pd.DataFrame]:
    eid = _enterprises(rows, frame, store, names)
    city_t = column_text(frame, "city").str.strip()
    cities = names_of(config.cities)
    cities.update({c.name_zh.removesuffix("市"): c.id for c in config.cities})
    city = choose(city_t, cities)
    rows.add(
        city.isna() & (city_t != ""), "city", city_t, _("unknown city; expected one of {choices}").format(choices=", ".join(c.name_zh for c in config.cities))
    )
    chain_t = column_text(frame, "chain").str.strip()
    chain = choose(chain_t, names_of(config.chains))
    rows.add(chain.isna() & (chain_t != ""), "chain", chain_t, _("unknown chain; expected a chain of the list"))
    links = {}
    for ch in config.chains:
        for lk in ch.links:
            links[lk.id] = lk.id
            links[lk.name_zh] = lk.id
    link_t = column_text(frame, "link").str.strip()
    link = choose(link_t, links)
    rows.add(link.isna() & (link_t != ""), "link", link_t, _("unknown link; expected a link id or name of the chain"))
    amount = check_amount(rows, table, frame, "amount")
    arrived = check_amount(rows, table, frame, "arrived")
    rows.add(
        arrived.notna() & amount.notna() & (arrived > amount + 0.5),
        "arrived",
        column_text(frame, "arrived"),
        _("more money arrived than was invested"),
    )
    basis_t = column_text(frame, "basis").str.strip()
    basis = choose(basis_t, {**{k: str(v) for k, v in _BASIS.items()}})
    rows.add(basis.isna() & (basis_t != ""), "basis", basis_t, _("expected 披露 (disclosed) or 估算 (estimated)"))
    estimated = basis.map({"True": True, "False": False}).fillna(True).astype(bool)
    stage_t = column_text(frame, "stage")
    stage = choose(stage_t, vocabulary(PROJECT_STAGES, STAGE_ZH))
    rows.add(stage.isna() & (stage_t != ""), "stage", stage_t, _("unknown stage; expected one of {choices}").format(choices=", ".join(STAGE_ZH.values())))
    dates = pd.DataFrame({st: check_dates(rows, frame, f"date_{st}", today, required=False) for st in PROJECT_STAGES})
    order = {st: i for i, st in enumerate(PROJECT_STAGES)}
    pos = stage.map(order)
    stage_date = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    for st in PROJECT_STAGES:
        stage_date = stage_date.where(stage != st, dates[st])
    no_date = _("the current stage {stage} has no date; fill in its {stage}日期")
    rows.add(
        stage.notna() & stage_date.isna(),
        None,
        stage.map(STAGE_ZH),
        stage.map(lambda s: no_date.format(stage=STAGE_ZH.get(s, s))),
    )
    forward = [st for st in PROJECT_STAGES if st != "dropped"]
    for st in forward:
        later = stage.notna() & (stage != "dropped") & (pos < order[st]) & dates[st].notna()
        rows.add(
            later,
            f"date_{st}",
            column_text(frame, f"date_{st}"),
            _("a date for a stage the project has not reached (its stage is earlier than {stage})").format(stage=STAGE_ZH[st]),
        )
    # Dates follow the stages: each stage reached no earlier than the one before.
    prev = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    for st in forward:
        bad = dates[st].notna() & prev.notna() & (dates[st] < prev)
        rows.add(
            bad, f"date_{st}", column_text(frame, f"date_{st}"), _("{stage}日期 is earlier than the date of an earlier stage").format(stage=STAGE_ZH[st])
        )
        prev = dates[st].where(dates[st].notna(), prev)
    dropped = stage == "dropped"
    rows.add(
        dropped & dates["dropped"].notna() & prev.notna() & (dates["dropped"] < prev),
        "date_dropped",
        column_text(frame, "date_dropped"),
        _("终止日期 is earlier than the date of an earlier stage"),
    )
    rows.add(
        ~dropped & stage.notna() & dates["dropped"].notna(),
        "date_dropped",
        column_text(frame, "date_dropped"),
        _("a 终止日期 for a project that is not dropped"),
    )
    reason = column_text(frame, "dropped_reason").str.strip()
    rows.add(dropped & (reason == ""), "dropped_reason", None, _("a dropped project needs its reason (终止原因)"))
    team = _team_ids(rows, frame, "source_team", config, required=False)
    synthetic = check_bools(rows, frame, "synthetic")
    content = row_key(eid, city, chain.fillna(""))
    given = column_text(frame, "record_id").str.strip()
    pid = given.where(given != "", derived_id("P", content))
    check_duplicates(rows, pid, N_("the same project id"))
    check_duplicates(rows, content.where(given == "", content + "|" + given), N_("the same enterprise, city and chain"))
    signed = dates["signed"].where(stage.isin(["signed", "started", "in_production"]) | (dropped & dates["signed"].notna()))
    projects = pd.DataFrame(
        {
            "project_id": pid,
            "enterprise_id": eid,
            "enterprise_name": column_text(frame, "name"),
            "city": city,
            "county_park": column_text(frame, "county_park"),
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


def _read_stationed(rows: RowProblems, frame, config: Config) -> dict[str, pd.DataFrame]:
    chain_t = column_text(frame, "chain").str.strip()
    chain = choose(chain_t, names_of(config.chains))
    rows.add(chain.isna() & (chain_t != ""), "chain", chain_t, _("unknown chain; expected a chain of the list"))
    q_t = column_text(frame, "quarter").str.strip()
    q = q_t.str.upper().str.replace(r"^(\d{4})\s*年?\s*(?:Q|第)\s*([1-4])\s*(?:季度)?$", r"\1Q\2", regex=True)
    ok = q.str.fullmatch(r"\d{4}Q[1-4]")
    rows.add(~ok & (q_t != ""), "quarter", q_t, _("not a quarter; expected like 2026Q1 or 2026年第1季度"))
    team = _team_ids(rows, frame, "team", config, required=False)
    d_t = column_text(frame, "days").str.strip()
    days = pd.to_numeric(d_t.where(d_t != ""), errors="coerce")
    rows.add(
        (d_t != "") & (days.isna() | (days != days.round()) | (days < 0) | (days > 92)),
        "days",
        d_t,
        _("expected a whole number of days, 0–92"),
    )
    synthetic = check_bools(rows, frame, "synthetic")
    out = pd.DataFrame({"chain": chain, "quarter": q, "team_id": team, "days": days, "synthetic": synthetic})
    check_duplicates(rows, row_key(out.chain, out.quarter, out.team_id), N_("the same chain, quarter and team"))
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
            return _("{file}: {rows} {kind} rows already in the database, nothing changed").format(
                file=self.source_name, rows=self.rows, kind=_(self.kind)
            )
        return _("{file}: {rows} {kind} rows: {new} new, {updated} updated, {unchanged} unchanged").format(
            file=self.source_name,
            rows=self.rows,
            kind=_(self.kind),
            new=main.get("new", 0),
            updated=main.get("updated", 0),
            unchanged=main.get("unchanged", 0),
        )


def import_sheet(
    store, config: Config, path: str | Path, kind: str, *, sheet: str | None = None, today=None, names: NameResolver | None = None
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
    names : callable, optional
        Names to ids (see :func:`read_sheet`).

    Raises
    ------
    SheetError
        Any bad row (all are listed); the database is unchanged.
    """
    frames = read_sheet(path, kind, config, store, sheet=sheet, today=today, names=names)
    sha = frames.pop("_sha256")
    n = len(next(iter(frames.values())))
    # The store's one write entry waits for another writer and says so in one line if it must give up.
    counts = store.write_history(**frames, source_name=f"{kind}:{Path(path).name}", sha256=sha)
    return SheetImport(kind, Path(path).name, n, counts)


def read_history_file(path: str | Path, kind: str, config: Config, store, *, names: NameResolver | None = None, today=None) -> pd.DataFrame:
    """A visits or projects file for ``matcher weekly``: a filled-in template or a file with the history columns.

    A file with the columns of :mod:`matcher.columns` (``visit_id, date, team_id, enterprise_id …``)
    is read as it is; otherwise it is read as the template (:func:`read_sheet`: Chinese or English
    headers, enterprise names resolved through ``names``, every bad row listed).
    """
    from .history_files import read_history

    try:
        return read_history(path, kind)
    except InputError as plain:
        try:
            frames = read_sheet(path, kind, config, store, today=today, names=names)
        except SheetError:
            raise
        except InputError:
            raise plain from None
    return frames[kind]
