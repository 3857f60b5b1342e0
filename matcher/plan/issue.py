"""Issuing a week: the one use case behind ``matcher weekly``, the demo and any other front end.

:func:`issue_week` scores the database's enterprises (unless given scores),
takes the history (the database's, or frames the caller read from files),
blends the configured model into the values when the configuration names one,
plans the week with :func:`matcher.plan.week.plan_week` and records the issued
plan — configuration hash, data snapshot hash, history hash, model version —
in the database. Writing the files is the caller's step:
:func:`matcher.report.weekly.write_weekly`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from .._text import parse_week
from ..columns import check_projects, check_visits, empty_projects, empty_visits
from ..config.model import Config
from ..errors import MatcherError
from ..i18n import gettext
from ..learn.persistence import load_model, models_folder, read_card
from ..progress import steps
from ..score.cache import cached_scores, cached_snapshot_hash
from ..score.scores import Scores
from .week import WeeklyPlan, plan_week

__all__ = ["score_store", "week_history", "model_values", "issue_week"]

log = logging.getLogger(__name__)


def score_store(store, config: Config) -> Scores:
    """Rule scores of every enterprise in ``store``.

    Read from the scores cache when this state of the data was scored before
    under the same configuration and code (:mod:`matcher.score.cache`; only
    where a cache folder was set, as the command line does).

    Raises
    ------
    MatcherError
        If the database holds no enterprises yet.
    """
    return cached_scores(store, config, lambda: _score_store(store, config))


def _score_store(store, config: Config) -> Scores:
    # Imported here: with the scores cached, a command never loads the featurisers (scikit-learn, 2–3 s).
    from ..featurise.industries import stored_industries
    from ..featurise.universe import build_universe
    from ..score.rule import RuleScorer

    universe = build_universe(store, config, texts=False)
    if universe.empty:
        raise MatcherError(
            gettext(
                "the database {db} holds no enterprises yet; import a list first (matcher import-list FILE --type TYPE --year YEAR) or run matcher demo"
            ).format(db=store.label)
        )
    # Industries were mapped at import and stored: scoring reads them, it never parses text.
    return RuleScorer(config).fit(universe).score(universe, industries=stored_industries(store, config, universe))


def week_history(store, visits: pd.DataFrame | None = None, projects: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Visits and projects: those given, else the database's (empty until it has them)."""
    if visits is None:
        visits = check_visits(store.visits_frame()) if hasattr(store, "visits_frame") else empty_visits()
    if projects is None:
        projects = check_projects(store.projects_frame()) if hasattr(store, "projects_frame") else empty_projects()
    return visits, projects


def model_values(
    scores: Scores, config: Config, week: str, visits: pd.DataFrame, projects: pd.DataFrame, models_dir: str | Path
) -> tuple[np.ndarray | None, str]:
    """The configured model's blended value per team and enterprise, and the model version.

    Returns ``(None, "rule")`` when the configuration's ``[model] name`` is
    ``"rule"``; otherwise the blend of the rule score and the model loaded
    from ``models_dir`` (after the checks of :func:`matcher.learn.persistence.load_model`),
    one row per team in id order, negative values clipped to 0.

    The blend is switched on only when the model card's evidence on the office's
    history supports it (:func:`matcher.learn.evidence.supports_blend`: the blend beat
    the rule on held-out weeks); otherwise the rule ranks, ``(None, "rule")`` is
    returned and a warning says why.
    """
    m = config.model
    if m.name == "rule":
        return None, "rule"
    from ..learn.evidence import supports_blend
    from ..learn.pairs import blended_team_scores

    model = load_model(m.name, models_dir, feature_set=m.feature_set)
    ok, why = supports_blend(read_card(m.name, models_dir))
    if not ok:
        log.warning(gettext("model {model} is not blended in, the rule score ranks: {reason}").format(model=m.name, reason=why))
        return None, "rule"
    blended = blended_team_scores(scores, config, model, week=week, visits=visits, projects=projects)
    teams = sorted(config.teams, key=lambda t: t.id)
    return np.vstack([np.maximum(blended[t.id], 0.0) for t in teams]), m.name


def issue_week(
    store,
    config: Config,
    week: str,
    *,
    scores: Scores | None = None,
    visits: pd.DataFrame | None = None,
    projects: pd.DataFrame | None = None,
    models_dir: str | Path | None = None,
    force: bool = False,
) -> WeeklyPlan:
    """Plan the week ``week`` for every team and record the issued plan in ``store``.

    Parameters
    ----------
    store : Store
        The database: enterprises, history, earlier issued plans (carry-over);
        the issued plan is recorded here.
    config : Config
        Teams, planner settings and the ``[model]`` to rank by.
    week : str
        ISO week (``2026-W49``), normalised.
    scores : Scores, optional
        Rule scores of the database's enterprises; computed (:func:`score_store`) when not given.
    visits, projects : DataFrame, optional
        History shaped as :mod:`matcher.columns` (e.g. read by
        :func:`matcher.ingest.history_files.read_history`); the database's when not given.
    models_dir : path, optional
        Where the configured model is loaded from; default the folder that goes with
        the database (:func:`matcher.learn.persistence.models_folder`).
    force : bool
        Replace the week's issued plan if it was issued before with other inputs.

    Returns
    -------
    WeeklyPlan
        The plan, whose ``record`` holds the configuration, data snapshot and history
        hashes and the model version, as recorded.

    Raises
    ------
    MatcherError
        If the database holds no enterprises, the week is invalid, the model cannot
        be loaded, or the week was issued before with other inputs and ``force`` is false.
    """
    week, _ = parse_week(week)
    with steps(gettext("weekly plan {week}").format(week=week), total=4) as s:
        s.step(gettext("scoring enterprises"))
        scores = scores if scores is not None else score_store(store, config)
        s.step(gettext("reading visits and projects"))
        visits, projects = week_history(store, visits, projects)
        models_dir = models_folder(store.url) if models_dir is None else models_dir
        values, model_version = model_values(scores, config, week, visits, projects, models_dir)
        s.step(gettext("assigning leads to teams"))
        wp = plan_week(
            scores,
            config,
            week,
            visits=visits,
            projects=projects,
            previous=store.issued_leads(before=week),
            values=values,
            model_version=model_version,
        )
        s.step(gettext("recording the issued plan"))
        wp.record["snapshot_sha256"] = cached_snapshot_hash(store)
    status = store.record_plan(wp.record_row(), wp.plan, force=force)
    log.info(gettext("issued plan {week}: {status}").format(week=week, status=status))
    return wp
