"""Pace: signed projects against the annual tier targets, for the planner's boost and the office.

Each annual target (a tier with ``annual_target``, or a target group such as
the 100 projects by industry leaders, unicorns, gazelles and little giants) is
compared with the projects signed so far this year and the share of the year
elapsed at a week's Monday.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..config.model import Config

__all__ = ["quota_pace", "quota_by_city"]


def quota_pace(config: Config, tier_member: np.ndarray, projects: pd.DataFrame, row_of: pd.Series, monday: dt.date) -> pd.DataFrame:
    """Signed projects this year against each annual target's pace.

    Parameters
    ----------
    tier_member : ndarray (enterprises, tiers) of bool
        Which lists each enterprise is on (``config.tiers`` order).
    projects : DataFrame
        :data:`matcher.columns.PROJECT_COLUMNS`; a project counts once it has a
        ``signed_date`` in the Monday's year before the Monday.
    row_of : Series
        Enterprise id → row of ``tier_member``.

    Returns
    -------
    DataFrame
        One row per target (a tier with ``annual_target`` or a target group):
        ``unit, name_zh, name_en, annual_target, signed, expected, pace,
        behind, boost`` — ``expected`` is the target times the share of the
        year elapsed, ``behind`` the shortfall as a share of ``expected``
        (0–1; 0 until at least one project is due), ``boost`` =
        ``quota_boost`` × ``behind``.
    """
    year_start = dt.date(monday.year, 1, 1)
    elapsed = (monday - year_start).days / (dt.date(monday.year + 1, 1, 1) - year_start).days
    p = projects
    sd = pd.to_datetime(p["signed_date"])
    signed = p[sd.notna() & (sd.dt.year == monday.year) & (sd < pd.Timestamp(monday))]
    rows = row_of.reindex(signed["enterprise_id"].astype(str)).to_numpy()
    rows = rows[~pd.isna(rows)].astype(np.int64)
    on = tier_member[rows] if len(rows) else np.zeros((0, tier_member.shape[1]), dtype=bool)
    tier_pos = {t.id: k for k, t in enumerate(config.tiers)}
    units = []
    for t in config.tiers:
        if t.annual_target:
            units.append((t.id, t.name_zh, t.name_en, t.annual_target, [tier_pos[t.id]]))
    for g in config.target_groups:
        units.append((g.id, g.name_zh, g.name_en, g.annual_target, [tier_pos[x] for x in g.tiers]))
    out = []
    for uid, zh, en, target, cols in units:
        n_signed = int(on[:, cols].any(axis=1).sum()) if len(on) else 0
        expected = target * elapsed
        # Not behind before one whole project is due: early in the year every target would be.
        behind = max(0.0, 1.0 - n_signed / expected) if expected >= 1 else 0.0
        out.append(
            (
                uid,
                zh,
                en,
                target,
                n_signed,
                round(expected, 2),
                round(n_signed / expected, 3) if expected > 0 else np.nan,
                round(behind, 4),
                cols,
            )
        )
    frame = pd.DataFrame(out, columns=["unit", "name_zh", "name_en", "annual_target", "signed", "expected", "pace", "behind", "tier_cols"])
    frame["boost"] = (frame["behind"] * config.planner.quota_boost).round(4)
    return frame


def quota_by_city(config: Config, projects: pd.DataFrame, ids: pd.Index, tier_member: np.ndarray, monday: dt.date) -> pd.DataFrame:
    """Signed projects this year per city (rows) and target (columns)."""
    row_of = pd.Series(np.arange(len(ids)), index=ids)
    rows = []
    for c in config.cities:
        q = quota_pace(config, tier_member, projects[projects["city"] == c.id], row_of, monday)
        rows.append(
            pd.DataFrame({"city": c.name_zh, "city_en": c.name_en, "unit": q["unit"], "name_zh": q["name_zh"], "signed": q["signed"]})
        )
    out = pd.concat(rows, ignore_index=True)
    wide = out.pivot_table(index=["city", "city_en"], columns="unit", values="signed", aggfunc="sum", sort=False).reset_index()
    wide.columns.name = None
    return wide
