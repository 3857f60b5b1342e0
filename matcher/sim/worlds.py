"""Simulated worlds the rule score does not know (SYNTHETIC, seeded): a hidden truth with other drivers.

The first simulator's hidden truth (:func:`matcher.sim.history.hidden_propensity`) is a
logistic function of the rule's own parts, so a learner that sees those parts can
only recover its weights. A *world* here draws the chance that a visit signs from
drivers the rule lacks or weighs wrongly — anchor firms in the city's link, the
city's port and resource endowments, a latent expansion intent seen only through
noisy proxies, the distance from the headquarters, the campaign calendar and a tier
effect of the other sign — with its parameters in one documented file,
``data/worlds.toml`` (see its header for every parameter and where it comes from).

What a learner may see are the things a real office has: the rule's parts, the
anchor and endowment fits (from ``cities.toml``), the distance from the
headquarters province, the campaign calendar and two noisy proxies of intent
(``growth``: a rank change between list editions; ``expansion_news``: a press
report). The latent intent itself is never a column of the universe.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..config.load import data_file, load_config
from ..config.model import Config
from ..errors import ConfigError
from ..i18n import gettext
from ..learn.office import anchor_fit, campaign_on
from ..score.rule import RuleScorer
from ..score.scores import Scores
from .universe import synthetic_universe

__all__ = [
    "DRIVERS",
    "World",
    "WorldSettings",
    "WorldTruth",
    "WorldCase",
    "load_worlds",
    "distance_km",
    "rule_parts",
    "make_world",
    "simulate_world",
]

#: Coefficients of a world's logit, in the order of the formula in ``worlds.toml``.
DRIVERS = ("rule", "anchor", "endowment", "intent", "distance", "campaign", "tier")
_COMMON = ("seed", "mean_chance", "noise_enterprise", "noise_pair", "growth_noise", "news_base", "news_slope", "visit_lift")
#: The rule score (0–1) enters the logit times this, so a coefficient of 1 spans 4 logit units.
RULE_SCALE = 4.0


@dataclass(frozen=True)
class World:
    """One world: its id, names and the coefficient of each driver (:data:`DRIVERS`)."""

    id: str
    name_zh: str
    name_en: str
    description: str
    coef: dict[str, float]


@dataclass(frozen=True)
class WorldSettings:
    """The validated ``worlds.toml``: common parameters, campaign calendar, geography and the worlds."""

    path: Path
    common: dict[str, float]
    campaigns: dict[str, tuple[int, int]]
    provinces: dict[str, tuple[float, float]]
    cities: dict[str, tuple[float, float]]
    worlds: tuple[World, ...]

    def world(self, world_id: str) -> World:
        for w in self.worlds:
            if w.id == world_id:
                return w
        raise ConfigError(
            [gettext("{path}: unknown world {value!r}; expected one of {choices}").format(path=self.path, value=world_id, choices=", ".join(w.id for w in self.worlds))]
        )


def _number(problems: list[str], where: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(gettext("{where}: expected a number, got {value!r}").format(where=where, value=value))
        return 0.0
    return float(value)


def _pair(problems: list[str], where: str, value, kind=float) -> tuple:
    if not isinstance(value, list) or len(value) != 2:
        problems.append(gettext("{where}: expected two numbers [a, b], got {value!r}").format(where=where, value=value))
        return (kind(0), kind(0))
    return tuple(kind(_number(problems, where, v)) for v in value)


def load_worlds(path: str | Path | None = None, config: Config | None = None) -> WorldSettings:
    """Read and check ``worlds.toml`` (default: the bundled one); every problem is reported at once.

    Raises
    ------
    ConfigError
        Listing each missing or malformed value with the file and key.
    """
    path = Path(path) if path is not None else data_file("worlds.toml")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError([gettext("{path}: cannot read ({reason})").format(path=path, reason=exc)]) from None
    problems: list[str] = []
    raw = doc.get("common", {})
    common = {}
    for k in _COMMON:
        if k not in raw:
            problems.append(gettext("{path}: [common] {key}: missing").format(path=path, key=k))
        else:
            common[k] = _number(problems, f"{path}: [common] {k}", raw[k])
    campaigns = {r: _pair(problems, f"{path}: [campaigns] {r}", v, int) for r, v in doc.get("campaigns", {}).items()}
    for r, (a, b) in campaigns.items():
        if not 1 <= a <= b <= 53:
            problems.append(gettext("{path}: [campaigns] {region}: weeks must satisfy 1 <= first <= last <= 53, got [{a}, {b}]").format(path=path, region=r, a=a, b=b))
    geo = doc.get("geography", {})
    provinces = {p: _pair(problems, f"{path}: [geography.provinces] {p}", v) for p, v in geo.get("provinces", {}).items()}
    cities = {c: _pair(problems, f"{path}: [geography.cities] {c}", v) for c, v in geo.get("cities", {}).items()}
    worlds, seen = [], set()
    for i, w in enumerate(doc.get("world", [])):
        where = f"{path}: [[world]] #{i + 1}"
        wid = w.get("id")
        if not isinstance(wid, str) or not wid:
            problems.append(gettext("{where}: id: missing").format(where=where))
            continue
        if wid in seen:
            problems.append(gettext("{where}: id {value!r} is used twice").format(where=where, value=wid))
        seen.add(wid)
        coef = {}
        for d in DRIVERS:
            if d not in w:
                problems.append(gettext("{where} ({id}): {key}: missing").format(where=where, id=wid, key=d))
            else:
                coef[d] = _number(problems, f"{where} ({wid}): {d}", w[d])
        unknown = sorted(set(w) - set(DRIVERS) - {"id", "name_zh", "name_en", "description"})
        if unknown:
            problems.append(gettext("{where} ({id}): unknown keys {keys}; expected {choices}").format(where=where, id=wid, keys=", ".join(unknown), choices=", ".join(DRIVERS)))
        worlds.append(World(wid, str(w.get("name_zh", wid)), str(w.get("name_en", wid)), str(w.get("description", "")), coef))
    if not worlds:
        problems.append(gettext("{path}: no [[world]] defined").format(path=path))
    if config is not None:
        for c in config.cities:
            if c.id not in cities:
                problems.append(gettext("{path}: [geography.cities] {city}: missing (a city of the configuration)").format(path=path, city=c.id))
        for r in config.regions:
            if r.id not in campaigns:
                problems.append(gettext("{path}: [campaigns] {region}: missing (a key region of the configuration)").format(path=path, region=r.id))
    if problems:
        raise ConfigError(problems)
    return WorldSettings(path, common, campaigns, provinces, cities, tuple(worlds))


# ---------------------------------------------------------------------------- what an office can see


def distance_km(universe: pd.DataFrame, config: Config, settings: WorldSettings) -> np.ndarray:
    """(n, n_cities) great-circle km from the capital of the headquarters province to each city.

    An unknown province (or abroad) gets the mean distance of the known ones to that city.
    """
    prov = universe["hq_province"].fillna("").astype(str).to_numpy() if "hq_province" in universe else np.full(len(universe), "")
    lat = pd.Series(prov).map({p: v[0] for p, v in settings.provinces.items()}).to_numpy(dtype=float)
    lon = pd.Series(prov).map({p: v[1] for p, v in settings.provinces.items()}).to_numpy(dtype=float)
    city = np.array([settings.cities[c.id] for c in config.cities], dtype=float)
    p1, l1 = np.radians(lat)[:, None], np.radians(lon)[:, None]
    p2, l2 = np.radians(city[:, 0])[None, :], np.radians(city[:, 1])[None, :]
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    d = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    known = ~np.isnan(d[:, 0])
    fill = d[known].mean(axis=0) if known.any() else np.full(len(city), 1000.0)
    return np.where(np.isnan(d), fill[None, :], d)


def rule_parts(scores: Scores) -> dict[str, np.ndarray]:
    """The rule's parts per (enterprise, city), each (n, n_cities): ``rule`` (the best score over the city's
    chains, 0 where none fits), ``chain``, ``region``, ``tier``, ``endowment``, ``origin``."""
    n, cities = len(scores.universe), scores.config.cities
    rule, chain = np.zeros((n, len(cities))), np.zeros((n, len(cities)))
    for k, c in enumerate(cities):
        g = scores.group_ids(city=c.id)
        if len(g):
            _, rule[:, k] = scores.best(g)
            chain[:, k] = np.where(scores.fit[:, g] > 0, scores.chain[:, g], 0.0).max(axis=1)
    ones = np.ones((1, len(cities)))
    return {
        "rule": rule,
        "chain": chain,
        "region": scores.region.astype(float)[:, None] * ones,
        "tier": scores.tier.astype(float)[:, None] * ones,
        "endowment": scores.endowment.astype(float),
        "origin": scores.origin.astype(float)[:, None] * ones,
    }


# ---------------------------------------------------------------------------- the hidden truth


@dataclass
class WorldTruth:
    """The hidden chance that a visit signs, in one simulated world (never shown to a learner).

    ``logit`` (n, n_cities) holds every driver but the campaign; ``chance`` adds
    the campaign of the week. ``propensity`` is the chance outside any campaign.
    """

    world: World
    logit: np.ndarray
    regions: np.ndarray
    campaigns: dict[str, tuple[int, int]]
    intent: np.ndarray
    visit_lift: float

    @property
    def propensity(self) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logit))

    def chance(self, rows: np.ndarray, city, monday) -> np.ndarray:
        """Chance that a visit in the week of ``monday`` signs (before the visit lift); ``city`` an index or an array of them."""
        rows = np.asarray(rows, dtype=np.int64)
        on = campaign_on(self.regions[rows], monday, self.campaigns)
        z = self.logit[rows, city] + self.world.coef["campaign"] * on
        return 1.0 / (1.0 + np.exp(-z))


@dataclass
class WorldCase:
    """A seeded instance of a world: universe (SYNTHETIC), rule scores, truth and what an office sees."""

    world: World
    config: Config
    scores: Scores
    truth: WorldTruth
    #: For :class:`matcher.learn.pairs.PairFeatures`: ``distance`` (n, n_cities) km and ``campaigns``.
    context: dict = field(default_factory=dict)


def _intercept(z: np.ndarray, mean_chance: float) -> float:
    """The shift of the logit that makes the mean chance ``mean_chance`` (bisection; the mean rises with the shift)."""
    lo, hi = -30.0, 30.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if np.mean(1.0 / (1.0 + np.exp(-(z + mid)))) < mean_chance:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def make_world(
    world: World | str, config: Config | None = None, *, n: int = 3000, seed: int = 0, settings: WorldSettings | None = None
) -> WorldCase:
    """A synthetic universe of ``n`` enterprises, its rule scores and the world's hidden truth (seeded).

    The universe (:func:`matcher.sim.universe.synthetic_universe`) gains two noisy
    proxies of the latent intent, ``growth`` and ``expansion_news``; the intent
    itself stays in the truth.
    """
    config = config if config is not None else load_config()
    settings = settings if settings is not None else load_worlds(config=config)
    world = settings.world(world) if isinstance(world, str) else world
    c = settings.common
    u = synthetic_universe(n, config, seed=seed)
    rng = np.random.default_rng([int(c["seed"]), seed, 19])
    intent = rng.normal(0.0, 1.0, size=n)
    u["growth"] = np.round(intent + rng.normal(0.0, c["growth_noise"], size=n), 3)
    u["expansion_news"] = (rng.random(n) < 1.0 / (1.0 + np.exp(-(c["news_base"] + c["news_slope"] * intent)))).astype(float)
    scores = RuleScorer(config).fit(u).score(u)
    parts = rule_parts(scores)
    dist = distance_km(u, config, settings)
    b = world.coef
    z = (
        b["rule"] * RULE_SCALE * parts["rule"]
        + b["anchor"] * anchor_fit(scores)
        + b["endowment"] * parts["endowment"]
        + b["intent"] * intent[:, None]
        + b["distance"] * dist / 1000.0
        + b["tier"] * parts["tier"]
        + rng.normal(0.0, c["noise_enterprise"], size=(n, 1))
        + rng.normal(0.0, c["noise_pair"], size=(n, len(config.cities)))
    )
    z = z + _intercept(z, c["mean_chance"])
    regions = u["source_region"].fillna("").astype(str).to_numpy()
    truth = WorldTruth(world, z, regions, dict(settings.campaigns), intent, c["visit_lift"])
    return WorldCase(world, config, scores, truth, {"distance": dist, "campaigns": dict(settings.campaigns)})


def simulate_world(case: WorldCase, *, weeks: int, start: str = "2025-01-06", seed: int = 0, teams: int | None = None):
    """Play ``weeks`` weeks of the configuration's teams (rule policy) in the world: a :class:`SimulatedHistory` (SYNTHETIC)."""
    from .history import simulate_history
    from .universe import expand_teams

    cfg = case.config if teams is None else expand_teams(case.config, teams)
    return simulate_history(case.scores, cfg, start=start, weeks=weeks, seed=seed, visit_lift=case.truth.visit_lift, truth=case.truth)
