"""What the pages show, read from the store: a team's week, the office's overview, a department's list.

:class:`Workspace` holds the store and the configuration and caches what is
costly (the rule scores, the enterprise frame, the scorecard) under a key that
changes whenever the data they read changes, so a page never shows stale data
and an unchanged database is scored once. Everything here reads; writes go
through :mod:`matcher.store.feedback` inside :func:`matcher.store.engine.begin`.
"""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .._text import iso_week, parse_week
from ..columns import ACTIVE_STAGES, STAGE_ZH
from ..config.model import Config
from ..errors import NotFoundError
from ..i18n import gettext as _
from ..store.feedback import feedback_frame
from ..store.schema import audit_t, imports_t, issued_plans_t, plan_leads_t, stage_changes_t, visits_t

__all__ = ["Workspace", "STALLED_WEEKS", "ACTIVITY_WEEKS"]

#: A project whose stage has not changed for this many weeks is stalled.
STALLED_WEEKS = 8
#: The activity index counts the last this many weeks.
ACTIVITY_WEEKS = 4


def _text(values: pd.Series) -> pd.Series:
    """Text with missing values as empty strings, whatever the dtype pandas inferred."""
    return values.astype(object).where(values.notna(), "")


class Workspace:
    """The store and configuration behind the pages, with caches keyed by the data they read."""

    def __init__(self, store, config: Config, *, today: dt.date | None = None):
        self.store, self.config = store, config
        self._today = today
        self._cache: dict[str, tuple[object, object]] = {}
        self._lock = threading.Lock()
        self.teams = {t.id: t for t in config.teams}
        self.cities = {c.id: c for c in config.cities}
        self.chains = {c.id: c for c in config.chains}
        self.region_names = {r.id: r.name_zh for r in config.regions}

    # ------------------------------------------------------------------ keys and caches

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def _scalar(self, q):
        with self.store.engine.connect() as conn:
            return conn.execute(q).scalar()

    def data_key(self) -> tuple:
        """Changes whenever the enterprises, names, lists, profiles, merges or parent links change (what scoring reads)."""
        return (self.store.scored_token(), self.config.sha256)

    def history_key(self) -> tuple:
        """Changes whenever the history changes (imports and page writes alike)."""
        return (
            self._scalar(sa.select(sa.func.count()).select_from(visits_t)),
            self._scalar(sa.select(sa.func.max(visits_t.c.visit_id))),
            self._scalar(sa.select(sa.func.count()).select_from(stage_changes_t)),
            self._scalar(sa.select(sa.func.max(audit_t.c.audit_id))),
            self._scalar(sa.select(sa.func.max(imports_t.c.import_id))),
        )

    def cached(self, name: str, key, make):
        with self._lock:
            hit = self._cache.get(name)
            if hit is not None and hit[0] == key:
                return hit[1]
        value = make()
        with self._lock:
            self._cache[name] = (key, value)
        return value

    def scores(self):
        """Rule scores of every enterprise (scored once per state of the data)."""
        from ..plan.issue import score_store

        return self.cached("scores", self.data_key(), lambda: score_store(self.store, self.config))

    def enterprises(self) -> pd.DataFrame:
        """The scoring universe, one row per enterprise, indexed by id."""
        return self.cached("enterprises", self.data_key(), lambda: self.scores().universe.set_index("enterprise_id", drop=False))

    # ------------------------------------------------------------------ weeks

    def weeks(self) -> list[str]:
        """Issued weeks, newest first."""
        with self.store.engine.connect() as conn:
            return [r[0] for r in conn.execute(sa.select(issued_plans_t.c.week).order_by(issued_plans_t.c.week.desc()))]

    def this_week(self) -> str:
        return iso_week(self.today())

    def current_week(self, week: str | None = None) -> str:
        """``week`` normalised, else this week if issued, else the newest issued week, else this week."""
        if week:
            return parse_week(week)[0]
        weeks = self.weeks()
        now = self.this_week()
        return now if now in weeks or not weeks else weeks[0]

    # ------------------------------------------------------------------ team

    def leads(self, week: str, team_id: str | None = None) -> pd.DataFrame:
        """Issued leads of ``week`` (of one team) with names, lists, outcome, last contact and project stage."""
        q = sa.select(plan_leads_t).where(plan_leads_t.c.week == week)
        if team_id is not None:
            q = q.where(plan_leads_t.c.team_id == team_id)
        with self.store.engine.connect() as conn:
            leads = pd.read_sql(q.order_by(plan_leads_t.c.team_id, plan_leads_t.c.rank), conn)
            fb = feedback_frame(conn, team_id=team_id, week=week)
        u = self.enterprises()
        known = leads.enterprise_id.isin(u.index)
        get = lambda col: leads.enterprise_id.map(u[col]).where(known, "").fillna("").astype(str)  # noqa: E731
        leads["name"] = get("name").where(known, leads.enterprise_id)
        leads["name_en"] = get("name_en")
        leads["hq"] = (get("hq_province") + get("hq_city")).str.strip()
        leads["tiers"] = self.tier_text(leads.enterprise_id)
        for col in ("chain", "link", "park", "anchor_firms", "interested_cities", "reason_en"):
            leads[col] = leads[col].fillna("").astype(str) if col in leads else ""
        leads["pitch"] = [
            self._pitch(t, c, k, p, a) for t, c, k, p, a in zip(leads.team_id, leads.chain, leads.link, leads.park, leads.anchor_firms)
        ]
        fb = fb.set_index(["team_id", "enterprise_id"]) if len(fb) else None
        for col in ("status", "date", "lead_level", "note", "next_step", "due_date"):
            if fb is None:
                leads[col] = ""
            else:
                idx = pd.MultiIndex.from_arrays([leads.team_id, leads.enterprise_id])
                leads[col] = fb[col].reindex(idx).fillna("").astype(str).to_numpy()
        last = self.last_contacts()
        leads["last_contact"] = _text(leads.enterprise_id.map(last["text"]))
        stage = self.project_stages()
        city = leads.team_id.map(lambda t: self.teams[t].home_city if t in self.teams else "")
        key = leads.enterprise_id + "|" + city
        leads["stage"] = _text(key.map(stage))
        return leads

    def _pitch(self, team_id: str, chain: str, link: str, park: str, anchor: str) -> str:
        if not link:
            return ""
        team = self.teams.get(team_id)
        city = self.cities[team.home_city].name_zh if team is not None else ""
        return (
            _("pitch {city}'s {chain} chain, link {link}").format(city=city, chain=chain, link=link)
            + (_("; site: {park}").format(park=park) if park else "")
            + (_("; supplies anchor firm {anchor}").format(anchor=anchor) if anchor else "")
        )

    def tier_text(self, ids: pd.Series) -> pd.Series:
        """The lists and ranks of each enterprise, as the target lists write them."""
        u = self.enterprises()
        s = self.scores()
        rows = np.flatnonzero(u.index.isin(set(ids)))
        if not len(rows):
            return pd.Series("", index=ids.index)
        groups = np.zeros(len(rows), dtype=np.int64)
        ex = s.explain(rows, groups).set_index("enterprise_id")
        return ids.map(ex["tiers"]).fillna("").astype(str)

    def last_contacts(self) -> pd.DataFrame:
        """Each enterprise's last visit by any Guangxi team: ``date, city, text``."""

        def make():
            v = self.store.visits_frame()
            if v.empty:
                return pd.DataFrame({"date": [], "city": [], "text": []})
            last = v.sort_values(["date", "visit_id"]).groupby("enterprise_id").tail(1).set_index("enterprise_id")
            city = last.city.map(lambda c: self.cities[c].name_zh if c in self.cities else c)
            return pd.DataFrame({"date": last.date, "city": city, "text": last.date.dt.strftime("%Y-%m-%d") + " " + city})

        return self.cached("last_contacts", self.history_key(), make)

    def project_stages(self) -> pd.Series:
        """``enterprise|city`` → the stage of its newest live project (Chinese)."""

        def make():
            p = self.store.projects_frame()
            if p.empty:
                return pd.Series(dtype=object)
            p = p.sort_values(["stage_date", "project_id"]).drop_duplicates(["enterprise_id", "city"], keep="last")
            return pd.Series(p.stage.map(STAGE_ZH).to_numpy(), index=(p.enterprise_id + "|" + p.city).to_numpy())

        return self.cached("stages", self.history_key(), make)

    def team_history(self, team_id: str) -> dict:
        """A team's recorded outcomes, its open and overdue next steps, and its visits."""
        with self.store.engine.connect() as conn:
            fb = feedback_frame(conn, team_id=team_id)
        u = self.enterprises()
        fb["name"] = fb.enterprise_id.map(u["name"]).fillna(fb.enterprise_id) if len(fb) else ""
        open_ = fb[(fb.next_step.astype(str) != "") & fb.done_at.isna()] if len(fb) else fb
        today = self.today().isoformat()
        overdue = open_[open_.due_date.notna() & (open_.due_date.astype(str) < today)] if len(open_) else open_
        v = self.store.visits_frame(extra=True)
        v = v[v.team_id == team_id].sort_values(["date", "visit_id"], ascending=False)
        return {"feedback": fb, "open": open_, "overdue": overdue, "visits": v.head(200)}

    def may_see_enterprise(self, team_id: str, enterprise_id: str) -> bool:
        """Whether the enterprise is one of the team's issued leads (any week)."""
        q = (
            sa.select(sa.func.count())
            .select_from(plan_leads_t)
            .where(plan_leads_t.c.team_id == team_id, plan_leads_t.c.enterprise_id == enterprise_id)
        )
        return bool(self._scalar(q))

    # ------------------------------------------------------------------ office

    def office(self, week: str) -> dict:
        """Every team's list, contested leads, who has not reported, stalled projects and activity."""
        leads = self.leads(week)
        monday = pd.Timestamp(parse_week(week)[1])
        v = self.store.visits_frame()
        this = v[(v.date >= monday) & (v.date < monday + pd.Timedelta(days=7))]
        reported = set(leads[leads.status != ""].team_id) | set(this.team_id)
        teams = pd.DataFrame(
            {
                "team_id": [t.id for t in self.config.teams],
                "city": [self.cities[t.home_city].name_zh for t in self.config.teams],
                "region": [self.region_names.get(t.region, t.region) for t in self.config.teams],
            }
        )
        per = leads.groupby("team_id").agg(leads=("rank", "size"), recorded=("status", lambda s: int((s != "").sum())))
        teams = teams.join(per, on="team_id").fillna({"leads": 0, "recorded": 0})
        teams["reported"] = teams.team_id.isin(reported)
        contested = leads[leads.interested_cities != ""] if "interested_cities" in leads else leads.head(0)
        return {
            "leads": leads,
            "teams": teams,
            "not_reported": teams[(teams.leads > 0) & ~teams.reported],
            "contested": contested,
            "stalled": self.stalled(),
            "activity": self.activity(),
        }

    def stalled(self, weeks: int = STALLED_WEEKS) -> pd.DataFrame:
        """Live projects whose stage has not changed for ``weeks`` weeks, longest first."""
        p = self.store.projects_frame(extra=True)
        cut = pd.Timestamp(self.today()) - pd.Timedelta(weeks=weeks)
        p = p[p.stage.isin(ACTIVE_STAGES) & (p.stage_date < cut)].copy()
        p["weeks"] = ((pd.Timestamp(self.today()) - p.stage_date).dt.days // 7).astype(int)
        p["city_zh"] = p.city.map(lambda c: self.cities[c].name_zh if c in self.cities else c)
        p["stage_zh"] = p.stage.map(STAGE_ZH)
        return p.sort_values(["weeks", "project_id"], ascending=[False, True]).head(200)

    def activity(self, weeks: int = ACTIVITY_WEEKS) -> dict[str, pd.DataFrame]:
        """Activity index per team and city over the last ``weeks`` weeks.

        The index is the visits made, plus the outcomes recorded and the stage changes of the team's projects,
        per lead the team could take in that time (``weeks × weekly capacity``), times 100.
        """
        end = pd.Timestamp(self.today()) + pd.Timedelta(days=1)
        start = end - pd.Timedelta(weeks=weeks)
        v = self.store.visits_frame()
        v = v[(v.date >= start) & (v.date < end)]
        with self.store.engine.connect() as conn:
            fb = feedback_frame(conn)
        fb = (
            fb[(pd.to_datetime(fb.date) >= start) & (pd.to_datetime(fb.date) < end) & ~fb.status.isin(("visited", "declined"))]
            if len(fb)
            else fb
        )
        p = self.store.projects_frame()
        ch = self.store.stage_changes_frame()
        ch = ch[(ch.date >= start) & (ch.date < end)].merge(p[["project_id", "source_team"]], on="project_id")
        rows = []
        for t in self.config.teams:
            n_v = int((v.team_id == t.id).sum())
            n_f = int((fb.team_id == t.id).sum()) if len(fb) else 0
            n_s = int((ch.source_team == t.id).sum())
            cap = max(1, weeks * t.weekly_capacity)
            rows.append((t.id, self.cities[t.home_city].name_zh, n_v, n_f, n_s, round(100 * (n_v + n_f + n_s) / cap, 1)))
        team = pd.DataFrame(rows, columns=["team_id", "city", "visits", "other_outcomes", "stage_changes", "index"])
        city = team.groupby("city", sort=False)[["visits", "other_outcomes", "stage_changes"]].sum()
        caps = pd.Series({self.cities[t.home_city].name_zh: 0 for t in self.config.teams})
        for t in self.config.teams:
            caps[self.cities[t.home_city].name_zh] += max(1, weeks * t.weekly_capacity)
        city["index"] = (100 * city.sum(axis=1) / caps.reindex(city.index)).round(1)
        return {
            "team": team.sort_values(["index", "team_id"], ascending=[False, True]),
            "city": city.reset_index().sort_values("index", ascending=False),
        }

    def scorecard(self, year: int):
        """The scorecard of ``year`` as of today (cached while the history is unchanged)."""
        from ..report.scorecard import compute_scorecard

        return self.cached(f"scorecard{year}", self.history_key(), lambda: compute_scorecard(self.store, self.config, year=year))

    # ------------------------------------------------------------------ department

    def target_list(
        self, *, chain: str = "", city: str = "", region: str = "", list_type: str = "", status: str = "", top: int = 100
    ) -> pd.DataFrame:
        """A chain's or a city's target list, filtered by key region, list and link status."""
        s = self.scores()
        groups = s.group_ids(city=city or None, chain=chain or None)
        if not len(groups):
            return pd.DataFrame(
                columns=["rank", "enterprise_id", "name", "tiers", "hq_city", "city", "chain", "link", "link_status", "score", "reason_zh"]
            )
        mask = np.ones(len(s.universe), dtype=bool)
        if region:
            mask &= s.region_member[:, [r.id for r in self.config.regions].index(region)]
        if list_type:
            mask &= s.universe[f"on__{list_type}"].to_numpy(dtype=bool)
        out = s.rank(groups, top=len(s.universe), mask=mask)
        if status:
            out = out[out.link_status == status]
        out = out.head(top).reset_index(drop=True)
        out["rank"] = np.arange(1, len(out) + 1)
        return out

    def in_department(self, enterprise_id: str, *, chain: str = "", city: str = "") -> bool:
        """Whether the enterprise fits the department's chain (or city) anywhere: it is on its full list."""
        s = self.scores()
        groups = s.group_ids(city=city or None, chain=chain or None)
        pos = np.flatnonzero(s.universe.enterprise_id.to_numpy() == enterprise_id)
        return bool(len(pos) and len(groups) and (s.fit[pos[0], groups] > 0).any())

    def enterprise(self, enterprise_id: str) -> dict:
        """One enterprise: names, lists and ranks, parent, visits, projects, every city's rank and why."""
        u = self.enterprises()
        if enterprise_id not in u.index:
            raise NotFoundError(_("unknown enterprise_id {id!r}").format(id=enterprise_id))
        row = u.loc[enterprise_id]
        ranks = self.scores().enterprise_ranks(enterprise_id)
        v = self.store.visits_frame(extra=True)
        p = self.store.projects_frame(extra=True)
        city_zh = lambda c: self.cities[c].name_zh if c in self.cities else c  # noqa: E731
        v = v[v.enterprise_id == enterprise_id].sort_values("date", ascending=False).assign(city_zh=lambda f: f.city.map(city_zh))
        p = p[p.enterprise_id == enterprise_id].assign(city_zh=lambda f: f.city.map(city_zh), stage_zh=lambda f: f.stage.map(STAGE_ZH))
        return {"row": row, "tiers": self.tier_text(pd.Series([enterprise_id])).iloc[0], "ranks": ranks, "visits": v, "projects": p}
