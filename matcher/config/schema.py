"""The programme's configuration, as data.

A configuration is a main TOML file (``config.toml``) naming the files that
hold the taxonomy, chains, regions, cities, teams and gazetteer, each path
relative to the main file. Everything is validated into frozen dataclasses;
every problem found in any of the files is reported at once, each with its
file and key.

The default configuration ships inside the package (the project's ``data/``
folder) and is read with :mod:`importlib.resources`.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import logging
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, NotFoundError

__all__ = [
    "Industry",
    "Link",
    "Chain",
    "Priority",
    "Region",
    "CityChain",
    "City",
    "Team",
    "Tier",
    "TargetGroup",
    "Scoring",
    "MoneyTarget",
    "Planner",
    "ModelSettings",
    "MODEL_FEATURE_SETS",
    "Config",
    "load_config",
    "default_config_path",
    "data_file",
    "STAGES",
    "LINK_STATUSES",
]

log = logging.getLogger(__name__)

STAGES = ("upstream", "midstream", "downstream")
STAGE_ZH = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}
LINK_STATUSES = ("missing", "weak", "strong")
OWNERSHIPS = ("central_soe", "local_soe", "private", "foreign")
#: Feature sets a learned model can be trained on (their columns: :data:`matcher.learn.pairs.FEATURE_SETS`).
MODEL_FEATURE_SETS = ("pair-v1", "static-v1")


def data_file(name: str) -> Path:
    """Path of a file bundled in the package's data folder."""
    try:
        root = importlib.resources.files("matcher.data")
        path = Path(str(root.joinpath(name)))
        if path.exists():
            return path
    except ModuleNotFoundError:  # running from a source tree that is not installed
        pass
    return Path(__file__).resolve().parent.parent / "data" / name


def default_config_path() -> Path:
    """Path of the bundled default configuration (``config.toml``)."""
    return data_file("config.toml")


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Industry:
    id: str
    name_zh: str
    name_en: str
    parent: str | None = None
    synonyms_zh: tuple[str, ...] = ()
    synonyms_en: tuple[str, ...] = ()
    keywords_zh: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()
    name_keywords_zh: tuple[str, ...] = ()
    name_keywords_en: tuple[str, ...] = ()
    typical_children: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    id: str
    chain: str
    stage: str
    name_zh: str
    name_en: str
    industries: tuple[str, ...]


@dataclass(frozen=True)
class Chain:
    id: str
    name_zh: str
    name_en: str
    lead_department_zh: str = ""
    lead_department_en: str = ""
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Priority:
    id: str
    region: str
    name_zh: str
    name_en: str
    weight: float
    industries: tuple[str, ...]


@dataclass(frozen=True)
class Region:
    id: str
    name_zh: str
    name_en: str
    campaign_zh: str = ""
    campaign_en: str = ""
    office_city: str = ""
    member_cities: tuple[str, ...] = ()
    member_provinces: tuple[str, ...] = ()
    priorities: tuple[Priority, ...] = ()


@dataclass(frozen=True)
class CityChain:
    chain: str
    links: tuple[tuple[str, str], ...]  # (link id, status)
    park_zh: str = ""
    park_en: str = ""
    anchor_firms_zh: tuple[str, ...] = ()


@dataclass(frozen=True)
class City:
    id: str
    name_zh: str
    name_en: str
    source: str
    source_year: int
    target_regions: tuple[str, ...]
    chains: tuple[CityChain, ...]


@dataclass(frozen=True)
class Team:
    id: str
    home_city: str
    region: str
    base_city: str
    focus_chains: tuple[str, ...]
    weekly_capacity: int


@dataclass(frozen=True)
class Tier:
    """A ranking list (tier) and what it counts for."""

    id: str
    name_zh: str
    name_en: str
    weight: float
    ranked: bool = True
    size: int = 500
    annual_target: int | None = None
    target_group: str | None = None
    aliases: tuple[str, ...] = ()
    revenue_unit: str = "CNY_10k"
    implies_ownership: str | None = None


@dataclass(frozen=True)
class TargetGroup:
    id: str
    name_zh: str
    name_en: str
    annual_target: int
    tiers: tuple[str, ...]


@dataclass(frozen=True)
class Scoring:
    """Hand-set weights of the rule score (normalised so the parts sum to 1)."""

    w_chain: float = 0.5
    w_region: float = 0.25
    w_tier: float = 0.25
    status_weights: tuple[tuple[str, float], ...] = (
        ("missing", 1.0),
        ("weak", 0.8),
        ("strong", 0.6),
    )
    parent_discount: float = 0.5
    rank_decay: float = 0.5
    unranked_factor: float = 0.75
    multi_list_bonus: float = 0.05
    min_confidence: float = 0.3
    cross_chain_weight: float = 0.6


@dataclass(frozen=True)
class MoneyTarget:
    base_year: int
    base_amount_yuan: float
    annual_growth: float

    def target_for(self, year: int) -> float:
        """Money target (yuan) for ``year``: the base grown by ``annual_growth`` a year."""
        return self.base_amount_yuan * (1.0 + self.annual_growth) ** (year - self.base_year)


@dataclass(frozen=True)
class Planner:
    """Settings of the weekly planner (``[planner]`` in config.toml).

    Attributes
    ----------
    cooldown_weeks : int
        An enterprise visited by any team is not proposed again for this many
        weeks, unless its project stage moved since the visit.
    carryover_bonus : float
        Added to a lead proposed last time but not visited since.
    carryover_decay : float
        The bonus shrinks by this factor for each further week the lead was
        proposed without a visit.
    carryover_max_weeks : int
        A lead proposed this many weeks running without a visit rests until
        the cooldown has passed.
    quota_boost : float
        Added, in proportion to how far behind pace it is, to enterprises of a
        tier (or target group) whose signed projects lag its annual target.
    diversity_lambda : float
        Weight of the diversity penalty: each earlier lead of the same chain in
        the team's list costs this much (of the same link, for a team that
        works one chain only).
    """

    cooldown_weeks: int = 8
    carryover_bonus: float = 0.05
    carryover_decay: float = 0.5
    carryover_max_weeks: int = 3
    quota_boost: float = 0.1
    diversity_lambda: float = 0.05


@dataclass(frozen=True)
class ModelSettings:
    """Which ranking the weekly lists use, and how a learned model is blended with the rule score.

    ``name`` is ``"rule"`` (the rule score alone) or the file name of a trained
    model in the models folder (``boosted-2026-11-23.joblib``); ``blend_weight``
    is the weight of the model's probability in the blended score (0 = rule
    only, 1 = model only); a model must have been trained on ``feature_set``;
    ``horizon_weeks`` is how long after a visit a signing counts as its outcome.
    """

    name: str = "rule"
    blend_weight: float = 0.5
    feature_set: str = "pair-v1"
    horizon_weeks: int = 26


@dataclass(frozen=True)
class Config:
    """The whole validated configuration."""

    path: Path
    name_zh: str
    name_en: str
    year: int
    scoring: Scoring
    tiers: tuple[Tier, ...]
    target_groups: tuple[TargetGroup, ...]
    money: MoneyTarget
    industries: tuple[Industry, ...]
    chains: tuple[Chain, ...]
    regions: tuple[Region, ...]
    cities: tuple[City, ...]
    teams: tuple[Team, ...]
    gazetteer_path: Path
    sha256: str = ""
    files: tuple[Path, ...] = field(default=(), repr=False)
    planner: Planner = field(default_factory=Planner)
    model: ModelSettings = field(default_factory=ModelSettings)

    # ---- lookups by id or by name, as users type them
    def _find(self, kind: str, items, text: str):
        key = _fold(text)
        for it in items:
            names = {it.id, getattr(it, "name_zh", ""), getattr(it, "name_en", "")}
            names |= set(getattr(it, "aliases", ()))
            folded = {_fold(n) for n in names if n}
            if key in folded or key in {_strip_admin(n) for n in folded}:
                return it
        choices = ", ".join(f"{it.id} ({getattr(it, 'name_zh', '')})" for it in items)
        raise NotFoundError(f"unknown {kind} {text!r}; expected one of: {choices}")

    def city(self, text: str) -> City:
        return self._find("city", self.cities, text)

    def chain(self, text: str) -> Chain:
        return self._find("chain", self.chains, text)

    def region(self, text: str) -> Region:
        return self._find("region", self.regions, text)

    def tier(self, text: str) -> Tier:
        return self._find("list type", self.tiers, text)

    def team(self, text: str) -> Team:
        return self._find("team", self.teams, text)

    def link(self, link_id: str) -> Link:
        for ch in self.chains:
            for lk in ch.links:
                if lk.id == link_id:
                    return lk
        raise NotFoundError(f"unknown link {link_id!r}")

    def status_weight(self, status: str) -> float:
        return dict(self.scoring.status_weights)[status]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "")


def _strip_admin(text: str) -> str:
    for suffix in ("市", "省"):
        if text.endswith(suffix) and len(text) > 2:
            return text[: -len(suffix)]
    return text


# --------------------------------------------------------------------------- loading


class _Problems:
    """Collects every problem of a configuration so they are reported together."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


class _Reader:
    """Typed access to one TOML table, recording problems instead of raising."""

    def __init__(self, problems: _Problems, file: Path, table: dict, where: str):
        self.p, self.file, self.t, self.where = problems, file, table, where

    def _w(self, key: str) -> str:
        return f"{self.file.name}: {self.where}{'.' if self.where else ''}{key}"

    def get(self, key: str, kind: type | tuple, default: Any = ..., *, check=None, expect=""):
        if key not in self.t:
            if default is ...:
                self.p.add(self._w(key), "missing (required)")
                return None
            return default
        value = self.t[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
            names = " or ".join(k.__name__ for k in kinds)
            self.p.add(self._w(key), f"expected {names}, got {value!r}")
            return None if default is ... else default
        if check is not None and not check(value):
            self.p.add(self._w(key), f"expected {expect}, got {value!r}")
            return None if default is ... else default
        return value

    def strs(self, key: str, default: tuple = ()) -> tuple[str, ...]:
        value = self.get(key, list, list(default))
        if value is None:
            return ()
        bad = [v for v in value if not isinstance(v, str)]
        if bad:
            self.p.add(self._w(key), f"expected a list of strings, got {bad[0]!r}")
            return ()
        return tuple(value)

    def tables(self, key: str) -> list[tuple[str, dict]]:
        value = self.t.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.p.add(self._w(key), "expected an array of tables ([[...]])")
            return []
        return [(f"{self.where}{'.' if self.where else ''}{key}[{i}]", v) for i, v in enumerate(value)]

    def sub(self, key: str) -> _Reader:
        value = self.t.get(key, {})
        if not isinstance(value, dict):
            self.p.add(self._w(key), "expected a table")
            value = {}
        return _Reader(self.p, self.file, value, f"{self.where}{'.' if self.where else ''}{key}")


def _read_toml(path: Path, problems: _Problems) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        problems.add(str(path), "file not found")
    except tomllib.TOMLDecodeError as exc:
        problems.add(str(path), f"not valid TOML: {exc}")
    except OSError as exc:
        problems.add(str(path), f"cannot be read: {exc}")
    return {}


def _ident(v: str) -> bool:
    return bool(v) and v.replace("_", "").replace("-", "").isalnum() and v.isascii()


def load_config(path: str | Path | None = None) -> Config:
    """Load and validate a configuration.

    Parameters
    ----------
    path : str or Path, optional
        The main ``config.toml`` or a folder holding one. Default: the bundled
        configuration.

    Raises
    ------
    ConfigError
        Listing every problem found in every file of the configuration.
    """
    main = Path(path) if path is not None else default_config_path()
    if main.is_dir():
        main = main / "config.toml"
    problems = _Problems()
    raw = _read_toml(main, problems)
    if problems.items:
        raise ConfigError(problems.items)
    r = _Reader(problems, main, raw, "")
    meta = r.sub("meta")
    files = r.sub("files")
    names = {}
    for key in ("taxonomy", "chains", "regions", "cities", "teams", "gazetteer"):
        names[key] = files.get(key, str)
    paths = {k: (main.parent / v) for k, v in names.items() if v}
    docs = {}
    for key in ("taxonomy", "chains", "regions", "cities", "teams"):
        if key in paths:
            docs[key] = _read_toml(paths[key], problems)
    if "gazetteer" in paths and not paths["gazetteer"].exists():
        problems.add(f"{main.name}: files.gazetteer", f"file not found: {paths['gazetteer']}")

    scoring = _scoring(r.sub("scoring"))
    planner = _planner(r.sub("planner"))
    model = _model(r.sub("model"))
    tiers, groups = _tiers(r)
    money_r = r.sub("money")
    money = MoneyTarget(
        base_year=money_r.get("base_year", int, 2022),
        base_amount_yuan=money_r.get("base_amount_yuan", float, 5e11, check=lambda v: v > 0, expect="> 0"),
        annual_growth=money_r.get("annual_growth", float, 0.10, check=lambda v: -1 < v < 10, expect="a rate such as 0.10"),
    )

    industries = _industries(problems, paths.get("taxonomy", main), docs.get("taxonomy", {}))
    ind_ids = {i.id for i in industries}
    chains = _chains(problems, paths.get("chains", main), docs.get("chains", {}), ind_ids)
    regions = _regions(problems, paths.get("regions", main), docs.get("regions", {}), ind_ids)
    cities = _cities(problems, paths.get("cities", main), docs.get("cities", {}), chains, regions)
    teams = _teams(problems, paths.get("teams", main), docs.get("teams", {}), chains, regions, cities)

    if problems.items:
        raise ConfigError(problems.items)

    digest = hashlib.sha256()
    all_files = [main] + [paths[k] for k in ("taxonomy", "chains", "regions", "cities", "teams", "gazetteer")]
    for p in all_files:
        digest.update(p.name.encode())
        digest.update(p.read_bytes())
    return Config(
        path=main,
        name_zh=meta.get("name_zh", str, ""),
        name_en=meta.get("name_en", str, ""),
        year=meta.get("year", int, 2026),
        scoring=scoring,
        tiers=tiers,
        target_groups=groups,
        money=money,
        industries=industries,
        chains=chains,
        regions=regions,
        cities=cities,
        teams=teams,
        gazetteer_path=paths.get("gazetteer", main),
        sha256=digest.hexdigest(),
        files=tuple(all_files),
        planner=planner,
        model=model,
    )


def _planner(s: _Reader) -> Planner:
    d = Planner()
    unit = dict(check=lambda v: 0 <= v <= 1, expect="a number from 0 to 1")
    for k in s.t:
        if k not in Planner.__dataclass_fields__:
            s.p.add(s._w(k), f"unknown planner setting; expected one of {', '.join(Planner.__dataclass_fields__)}")
    return Planner(
        cooldown_weeks=s.get("cooldown_weeks", int, d.cooldown_weeks, check=lambda v: 0 <= v <= 104, expect="weeks from 0 to 104"),
        carryover_bonus=s.get("carryover_bonus", float, d.carryover_bonus, **unit),
        carryover_decay=s.get("carryover_decay", float, d.carryover_decay, **unit),
        carryover_max_weeks=s.get("carryover_max_weeks", int, d.carryover_max_weeks, check=lambda v: v >= 1, expect="an int >= 1"),
        quota_boost=s.get("quota_boost", float, d.quota_boost, **unit),
        diversity_lambda=s.get("diversity_lambda", float, d.diversity_lambda, **unit),
    )


def _model_name(v: str) -> bool:
    return v == "rule" or (v.endswith(".joblib") and "/" not in v and "\\" not in v and not v.startswith("."))


def _model(m: _Reader) -> ModelSettings:
    d = ModelSettings()
    for k in m.t:
        if k not in ("name", "blend_weight", "feature_set", "horizon_weeks"):
            m.p.add(m._w(k), "unknown key; expected name, blend_weight, feature_set or horizon_weeks")
    return ModelSettings(
        name=m.get("name", str, d.name, check=_model_name, expect='"rule" or a model file name such as "boosted-2026-11-23.joblib"'),
        blend_weight=m.get("blend_weight", float, d.blend_weight, check=lambda v: 0 <= v <= 1, expect="a number from 0 to 1"),
        feature_set=m.get(
            "feature_set", str, d.feature_set, check=lambda v: v in MODEL_FEATURE_SETS, expect=" | ".join(MODEL_FEATURE_SETS)
        ),
        horizon_weeks=m.get("horizon_weeks", int, d.horizon_weeks, check=lambda v: 1 <= v <= 104, expect="an int from 1 to 104"),
    )


def _scoring(s: _Reader) -> Scoring:
    d = Scoring()
    unit = dict(check=lambda v: 0 <= v <= 1, expect="a number from 0 to 1")
    w = [s.get(k, float, getattr(d, k), check=lambda v: v >= 0, expect="a weight >= 0") for k in ("w_chain", "w_region", "w_tier")]
    sw = s.sub("status_weights")
    status = tuple((k, sw.get(k, float, dict(d.status_weights)[k], **unit)) for k in LINK_STATUSES)
    for k in sw.t:
        if k not in LINK_STATUSES:
            s.p.add(sw._w(k), f"unknown link status; expected one of {', '.join(LINK_STATUSES)}")
    if all(x is not None for x in w) and sum(w) <= 0:
        s.p.add(s._w("w_chain"), "the weights w_chain, w_region and w_tier must not all be 0")
    return Scoring(
        w_chain=w[0],
        w_region=w[1],
        w_tier=w[2],
        status_weights=status,
        parent_discount=s.get("parent_discount", float, d.parent_discount, **unit),
        rank_decay=s.get("rank_decay", float, d.rank_decay, **unit),
        unranked_factor=s.get("unranked_factor", float, d.unranked_factor, **unit),
        multi_list_bonus=s.get("multi_list_bonus", float, d.multi_list_bonus, **unit),
        min_confidence=s.get("min_confidence", float, d.min_confidence, **unit),
        cross_chain_weight=s.get("cross_chain_weight", float, d.cross_chain_weight, **unit),
    )


def _tiers(r: _Reader) -> tuple[tuple[Tier, ...], tuple[TargetGroup, ...]]:
    tiers, seen = [], set()
    for where, t in r.tables("tier"):
        tr = _Reader(r.p, r.file, t, where)
        tid = tr.get("id", str, check=_ident, expect="an identifier")
        if tid in seen:
            tr.p.add(tr._w("id"), f"duplicate tier id {tid!r}")
        seen.add(tid)
        tiers.append(
            Tier(
                id=tid,
                name_zh=tr.get("name_zh", str),
                name_en=tr.get("name_en", str),
                weight=tr.get("weight", float, check=lambda v: 0 <= v <= 1, expect="0..1"),
                ranked=tr.get("ranked", bool, True),
                size=tr.get("size", int, 500, check=lambda v: v >= 1, expect="an int >= 1"),
                annual_target=tr.get("annual_target", int, None),
                target_group=tr.get("target_group", str, None),
                aliases=tr.strs("aliases"),
                revenue_unit=tr.get(
                    "revenue_unit",
                    str,
                    "CNY_10k",
                    check=lambda v: v in ("CNY_10k", "CNY_100m", "USD_m"),
                    expect="CNY_10k, CNY_100m or USD_m",
                ),
                implies_ownership=tr.get("implies_ownership", str, None, check=lambda v: v in OWNERSHIPS, expect=" | ".join(OWNERSHIPS)),
            )
        )
    if not tiers:
        r.p.add(f"{r.file.name}: tier", "no tiers ([[tier]] tables) defined")
    groups = []
    for where, g in r.tables("target_group"):
        gr = _Reader(r.p, r.file, g, where)
        members = gr.strs("tiers")
        for m in members:
            if m not in seen:
                gr.p.add(gr._w("tiers"), f"unknown tier {m!r}")
        groups.append(
            TargetGroup(
                id=gr.get("id", str),
                name_zh=gr.get("name_zh", str),
                name_en=gr.get("name_en", str),
                annual_target=gr.get("annual_target", int),
                tiers=members,
            )
        )
    gids = {g.id for g in groups}
    for t in tiers:
        if t.target_group and t.target_group not in gids:
            r.p.add(f"{r.file.name}: tier {t.id}", f"unknown target_group {t.target_group!r}")
    return tuple(tiers), tuple(groups)


def _industries(p: _Problems, file: Path, doc: dict) -> tuple[Industry, ...]:
    r = _Reader(p, file, doc, "")
    out, seen, labels = [], set(), {}
    for where, t in r.tables("industry"):
        ir = _Reader(p, file, t, where)
        iid = ir.get("id", str, check=_ident, expect="an identifier")
        if iid in seen:
            p.add(ir._w("id"), f"duplicate industry id {iid!r}")
        seen.add(iid)
        ind = Industry(
            id=iid,
            name_zh=ir.get("name_zh", str),
            name_en=ir.get("name_en", str),
            parent=ir.get("parent", str, None),
            synonyms_zh=ir.strs("synonyms_zh"),
            synonyms_en=ir.strs("synonyms_en"),
            keywords_zh=ir.strs("keywords_zh"),
            keywords_en=ir.strs("keywords_en"),
            name_keywords_zh=ir.strs("name_keywords_zh"),
            name_keywords_en=ir.strs("name_keywords_en"),
            typical_children=ir.strs("typical_children"),
        )
        for label in (ind.name_zh, ind.name_en, *ind.synonyms_zh, *ind.synonyms_en):
            key = _fold(label or "")
            if key and labels.get(key, iid) != iid:
                p.add(ir._w("synonyms"), f"label {label!r} also names industry {labels[key]!r}")
            labels.setdefault(key, iid)
        out.append(ind)
    if not out and doc:
        p.add(file.name, "no industries ([[industry]] tables) defined")
    parent_of = {i.id: i.parent for i in out}
    for ind in out:
        if ind.parent is not None and ind.parent not in seen:
            p.add(f"{file.name}: industry {ind.id}", f"unknown parent {ind.parent!r}")
        if ind.parent is not None and parent_of.get(ind.parent) is not None:
            p.add(f"{file.name}: industry {ind.id}", f"parent {ind.parent!r} has a parent itself; at most two levels")
        for child in ind.typical_children:
            if parent_of.get(child) != ind.id:
                p.add(f"{file.name}: industry {ind.id}.typical_children", f"{child!r} is not a child of {ind.id!r}")
    return tuple(out)


def _check_industries(p: _Problems, where: str, ids, known: set[str]) -> None:
    for i in ids:
        if i not in known:
            p.add(where, f"unknown industry {i!r} (not in the taxonomy)")


def _chains(p: _Problems, file: Path, doc: dict, ind_ids: set[str]) -> tuple[Chain, ...]:
    r = _Reader(p, file, doc, "")
    out, seen, link_ids = [], set(), set()
    for where, t in r.tables("chain"):
        cr = _Reader(p, file, t, where)
        cid = cr.get("id", str, check=_ident, expect="an identifier")
        if cid in seen:
            p.add(cr._w("id"), f"duplicate chain id {cid!r}")
        seen.add(cid)
        links = []
        for lwhere, lt in cr.tables("link"):
            lr = _Reader(p, file, lt, lwhere)
            lid = lr.get("id", str, check=_ident, expect="an identifier")
            if lid in link_ids:
                p.add(lr._w("id"), f"duplicate link id {lid!r}")
            link_ids.add(lid)
            inds = lr.strs("industries")
            if not inds:
                p.add(lr._w("industries"), "a link needs at least one industry")
            _check_industries(p, lr._w("industries"), inds, ind_ids)
            links.append(
                Link(
                    id=lid,
                    chain=cid,
                    stage=lr.get("stage", str, check=lambda v: v in STAGES, expect=" | ".join(STAGES)),
                    name_zh=lr.get("name_zh", str),
                    name_en=lr.get("name_en", str),
                    industries=inds,
                )
            )
        out.append(
            Chain(
                id=cid,
                name_zh=cr.get("name_zh", str),
                name_en=cr.get("name_en", str),
                lead_department_zh=cr.get("lead_department_zh", str, ""),
                lead_department_en=cr.get("lead_department_en", str, ""),
                links=tuple(links),
            )
        )
    return tuple(out)


def _regions(p: _Problems, file: Path, doc: dict, ind_ids: set[str]) -> tuple[Region, ...]:
    r = _Reader(p, file, doc, "")
    out, seen = [], set()
    for where, t in r.tables("region"):
        rr = _Reader(p, file, t, where)
        rid = rr.get("id", str, check=_ident, expect="an identifier")
        if rid in seen:
            p.add(rr._w("id"), f"duplicate region id {rid!r}")
        seen.add(rid)
        prios = []
        for pwhere, pt in rr.tables("priority"):
            pr = _Reader(p, file, pt, pwhere)
            inds = pr.strs("industries")
            _check_industries(p, pr._w("industries"), inds, ind_ids)
            prios.append(
                Priority(
                    id=pr.get("id", str),
                    region=rid,
                    name_zh=pr.get("name_zh", str),
                    name_en=pr.get("name_en", str),
                    weight=pr.get("weight", float, 1.0, check=lambda v: 0 <= v <= 1, expect="0..1"),
                    industries=inds,
                )
            )
        members_c, members_p = rr.strs("member_cities"), rr.strs("member_provinces")
        if not members_c and not members_p:
            p.add(rr._w("member_cities"), "a region needs member cities or provinces")
        out.append(
            Region(
                id=rid,
                name_zh=rr.get("name_zh", str),
                name_en=rr.get("name_en", str),
                campaign_zh=rr.get("campaign_zh", str, ""),
                campaign_en=rr.get("campaign_en", str, ""),
                office_city=rr.get("office_city", str, ""),
                member_cities=members_c,
                member_provinces=members_p,
                priorities=tuple(prios),
            )
        )
    return tuple(out)


def _cities(p: _Problems, file: Path, doc: dict, chains, regions) -> tuple[City, ...]:
    r = _Reader(p, file, doc, "")
    chain_links = {c.id: {lk.id for lk in c.links} for c in chains}
    region_ids = {x.id for x in regions}
    out, seen = [], set()
    for where, t in r.tables("city"):
        cr = _Reader(p, file, t, where)
        cid = cr.get("id", str, check=_ident, expect="an identifier")
        if cid in seen:
            p.add(cr._w("id"), f"duplicate city id {cid!r}")
        seen.add(cid)
        targets = cr.strs("target_regions")
        for reg in targets:
            if reg not in region_ids:
                p.add(cr._w("target_regions"), f"unknown region {reg!r}")
        cchains = []
        for cwhere, ct in cr.tables("chain"):
            ccr = _Reader(p, file, ct, cwhere)
            chain = ccr.get("chain", str)
            links = ccr.get("links", dict, {})
            if chain is not None and chain not in chain_links:
                p.add(ccr._w("chain"), f"unknown chain {chain!r}")
            pairs = []
            for lid, status in sorted((links or {}).items()):
                if chain in chain_links and lid not in chain_links[chain]:
                    p.add(ccr._w(f"links.{lid}"), f"unknown link of chain {chain!r}")
                if status not in LINK_STATUSES:
                    p.add(ccr._w(f"links.{lid}"), f"expected one of {', '.join(LINK_STATUSES)}, got {status!r}")
                pairs.append((lid, status))
            if not pairs:
                p.add(ccr._w("links"), "a city chain needs at least one link with a status")
            cchains.append(
                CityChain(
                    chain=chain,
                    links=tuple(pairs),
                    park_zh=ccr.get("park_zh", str, ""),
                    park_en=ccr.get("park_en", str, ""),
                    anchor_firms_zh=ccr.strs("anchor_firms_zh"),
                )
            )
        out.append(
            City(
                id=cid,
                name_zh=cr.get("name_zh", str),
                name_en=cr.get("name_en", str),
                source=cr.get("source", str),
                source_year=cr.get("source_year", int),
                target_regions=targets,
                chains=tuple(cchains),
            )
        )
    return tuple(out)


def _teams(p: _Problems, file: Path, doc: dict, chains, regions, cities) -> tuple[Team, ...]:
    r = _Reader(p, file, doc, "")
    city_by_id = {c.id: c for c in cities}
    region_ids = {x.id for x in regions}
    out, seen = [], set()
    for where, t in r.tables("team"):
        tr = _Reader(p, file, t, where)
        tid = tr.get("id", str, check=_ident, expect="an identifier")
        if tid in seen:
            p.add(tr._w("id"), f"duplicate team id {tid!r}")
        seen.add(tid)
        home = tr.get("home_city", str)
        region = tr.get("region", str)
        focus = tr.strs("focus_chains")
        city = city_by_id.get(home)
        if home is not None and city is None:
            p.add(tr._w("home_city"), f"unknown city {home!r}")
        if region is not None and region not in region_ids:
            p.add(tr._w("region"), f"unknown region {region!r}")
        if city is not None:
            if region not in city.target_regions:
                p.add(tr._w("region"), f"{region!r} is not a target region of {home!r}")
            own = {c.chain for c in city.chains}
            for f in focus:
                if f not in own:
                    p.add(tr._w("focus_chains"), f"chain {f!r} is not a chain of {home!r}")
        out.append(
            Team(
                id=tid,
                home_city=home,
                region=region,
                base_city=tr.get("base_city", str, ""),
                focus_chains=focus,
                weekly_capacity=tr.get("weekly_capacity", int, check=lambda v: 1 <= v <= 100, expect="1..100"),
            )
        )
    covered = {(t.home_city, t.region) for t in out}
    for c in cities:
        for reg in c.target_regions:
            if (c.id, reg) not in covered:
                p.add(f"{file.name}: team", f"city {c.id!r} targets region {reg!r} but has no team there")
    return tuple(out)
