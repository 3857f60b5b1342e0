"""One enterprise, everything known about it: names, lists, industries, its place in every city's list, history.

:func:`enterprise_report` answers "what do we know about 恒逸, and where would
it fit?": its names in Chinese and English and its aliases, every list entry
(year and rank, and which edition the tier score counts), headquarters and
parent, its industries with their confidence, its rank in each city's target
list with the reason and the parts of the score (as ``matcher targets --city``
ranks it), and the visits and projects recorded for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..i18n import N_, gettext, pgettext

__all__ = ["EnterpriseReport", "enterprise_report", "RANK_COLUMNS"]

#: Columns of the ranks table written to a file (the screen shows fewer).
RANK_COLUMNS = (
    "city",
    "rank",
    "candidates",
    "chain",
    "link",
    "link_stage",
    "link_status",
    "link_evidence",
    "score",
    "chain_fit",
    "status_weight",
    "c_chain",
    "c_region",
    "c_tier",
    "c_endowment",
    "c_origin",
    "reason_zh",
    "reason_en",
)
_FIELDS = (
    N_("id"),
    N_("Chinese name"),
    N_("English name"),
    N_("other names"),
    N_("headquarters"),
    N_("key source region"),
    N_("parent group"),
    N_("ownership"),
    N_("Guangxi's own enterprise"),
)


@dataclass
class EnterpriseReport:
    """The tables of one enterprise; see :func:`enterprise_report`.

    ``profile`` has ``field, value`` rows; ``lists``, ``industries``, ``ranks``,
    ``visits`` and ``projects`` one row per entry, industry, city, visit and
    project. ``target`` is False for Guangxi's own enterprises, which are
    partners, not targets, and have no ranks.
    """

    enterprise_id: str
    name: str
    profile: pd.DataFrame
    lists: pd.DataFrame
    industries: pd.DataFrame
    ranks: pd.DataFrame
    visits: pd.DataFrame
    projects: pd.DataFrame
    target: bool

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in the order they are shown and written."""
        return {
            "profile": self.profile,
            "lists": self.lists,
            "industries": self.industries,
            "ranks": self.ranks,
            "visits": self.visits,
            "projects": self.projects,
        }


def _profile(store, config, universe: pd.DataFrame, eid: str) -> pd.DataFrame:
    from ..resolve.records import master_list

    row = master_list(store, universe[universe.enterprise_id == eid]).iloc[0]
    u = universe.set_index("enterprise_id")
    me = u.loc[eid]
    parent = row.parent_id
    parent_text = ""
    if parent:
        parent_text = f"{u.name.get(parent, '')} ({parent})".strip() if parent in u.index else parent
    elif me.get("parent_zh", ""):
        parent_text = me.parent_zh
    regions = {r.id: r for r in config.regions}
    region = regions.get(me.source_region)
    names = [n for n in str(row.aliases).split("; ") if n and n not in (row.name_zh, row.name_en)]
    values = (
        eid,
        row.name_zh,
        row.name_en,
        "; ".join(names),
        " ".join(dict.fromkeys(x for x in (me.hq_province, me.hq_city) if x)),
        f"{region.name_zh} ({region.id})" if region else "",
        parent_text,
        pgettext("ownership", me.ownership) if me.get("ownership", "") else "",
        gettext("yes") if bool(me.guangxi_own) else gettext("no"),
    )
    return pd.DataFrame({"field": [gettext(f) for f in _FIELDS], "value": [str(v) if v is not None else "" for v in values]})


def _lists(store, config, universe: pd.DataFrame, eid: str) -> pd.DataFrame:
    e = store.read("list_entries")
    e = e[e.enterprise_id == eid]
    order = {t.id: k for k, t in enumerate(config.tiers)}
    names = {t.id: (t.name_zh, t.name_en) for t in config.tiers}
    me = universe[universe.enterprise_id == eid].iloc[0]
    used = e.list_type.map(lambda t: int(me.get(f"year__{t}", 0) or 0)).to_numpy() == e.year.to_numpy()
    out = pd.DataFrame(
        {
            "list_type": e.list_type.to_numpy(),
            "list": e.list_type.map(lambda t: names.get(t, (t, t))[0]).to_numpy(),
            "list_en": e.list_type.map(lambda t: names.get(t, (t, t))[1]).to_numpy(),
            "year": e.year.astype(int).to_numpy(),
            "rank": e["rank"].astype("Int64").to_numpy(),
            "listed_name": e.name.to_numpy(),
            "revenue": e.revenue.to_numpy(),
            "revenue_unit": e.revenue_unit.to_numpy(),
            "listed_industry": e.industry.fillna("").to_numpy(),
            "edition_used": np.where(used, gettext("yes"), ""),
        }
    )
    out["_o"] = out.list_type.map(order).fillna(len(order))
    return out.sort_values(["_o", "year", "rank"], ascending=[True, False, True], kind="stable").drop(columns="_o").reset_index(drop=True)


def _industries(config, scores, universe: pd.DataFrame, eid: str, row: int | None) -> pd.DataFrame:
    if row is not None:
        found = scores.industries[scores.industries.row == row]
    else:  # not scored (Guangxi's own): the scorer's own mapping of its industry sources
        from ..featurise.transformers import IndustryVectorizer

        s = config.scoring
        one = universe[universe.enterprise_id == eid].reset_index(drop=True)
        found = (
            IndustryVectorizer(config.industries, parent_discount=s.parent_discount, min_confidence=s.min_confidence).fit(one).explain(one)
        )
    names = {i.id: (i.name_zh, i.name_en) for i in config.industries}
    found = found.sort_values(["confidence", "industry"], ascending=[False, True], kind="stable")
    return pd.DataFrame(
        {
            "industry_id": found.industry.to_numpy(),
            "industry": found.industry.map(lambda i: names.get(i, (i, i))[0]).to_numpy(),
            "industry_en": found.industry.map(lambda i: names.get(i, (i, i))[1]).to_numpy(),
            "confidence": found.confidence.round(2).to_numpy(),
            "method": found.method.to_numpy(),
            "evidence": found.evidence.astype(str).to_numpy(),
        }
    )


def _history(frame: pd.DataFrame, eid: str, by: str) -> pd.DataFrame:
    out = frame[frame.enterprise_id == eid].drop(columns="enterprise_id")
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d").fillna("")
    return out.sort_values(by, kind="stable").reset_index(drop=True)


def enterprise_report(store, config, scores, enterprise_id: str) -> EnterpriseReport:
    """Everything about one enterprise (see the module docstring).

    Parameters
    ----------
    store : Store
    config : Config
    scores : Scores
        The rule scores of the store's enterprises (``matcher.plan.issue.score_store``),
        so that its ranks are those of ``matcher targets``.
    enterprise_id : str
        A live enterprise (:func:`matcher.resolve.suggest.find_enterprise` finds one by name).
    """
    from ..featurise.universe import build_universe

    universe = build_universe(store, config, include_guangxi=True)
    eid = enterprise_id
    if not (universe.enterprise_id == eid).any():
        from ..errors import NotFoundError

        raise NotFoundError(gettext("unknown enterprise_id {id!r}").format(id=eid))
    pos = np.flatnonzero(scores.universe.enterprise_id.to_numpy() == eid)
    row = int(pos[0]) if len(pos) else None
    if row is not None:
        ranks = scores.enterprise_ranks(eid)
        ranks = ranks[[c for c in ranks.columns if c in RANK_COLUMNS or c.endswith("_en")]]
    else:
        ranks = pd.DataFrame(columns=list(RANK_COLUMNS))
    profile = _profile(store, config, universe, eid)
    name = profile.value.iloc[1] or profile.value.iloc[2] or eid
    visits = _history(store.visits_frame(), eid, "date")
    projects = _history(store.projects_frame(), eid, "project_id")
    return EnterpriseReport(
        enterprise_id=eid,
        name=name,
        profile=profile,
        lists=_lists(store, config, universe, eid),
        industries=_industries(config, scores, universe, eid, row),
        ranks=ranks.reset_index(drop=True),
        visits=visits,
        projects=projects,
        target=row is not None,
    )
