"""The programme's configuration at run time: frozen objects and lookups by name.

:func:`matcher.config.load.load_config` builds these from the TOML files once
they are validated (:mod:`matcher.config.schema`); the rest of the package reads
only these objects. They are frozen dataclasses, so a variant of a configuration
is made with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import NotFoundError
from ..i18n import N_
from ..i18n import gettext as _

__all__ = [
    "STAGES",
    "STAGE_ZH",
    "LINK_STATUSES",
    "OWNERSHIPS",
    "REVENUE_UNITS",
    "MODEL_FEATURE_SETS",
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
    "Config",
    "fold_label",
]

STAGES = ("upstream", "midstream", "downstream")
STAGE_ZH = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}
LINK_STATUSES = ("missing", "weak", "strong")
OWNERSHIPS = ("central_soe", "local_soe", "private", "foreign")
#: Units of the revenue column of a ranking list.
REVENUE_UNITS = ("CNY_10k", "CNY_100m", "USD_m")
#: Feature sets a learned model can be trained on (their columns: :data:`matcher.learn.pairs.FEATURE_SETS`).
MODEL_FEATURE_SETS = ("pair-v1", "static-v1", "pair-v2")


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
    feeds: tuple[str, ...] = ()  # ids of the links of the same chain that this link supplies


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
    endowments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Endowment:
    """A port, border or natural resource of a city, and the industries that depend on it."""

    id: str
    name_zh: str
    name_en: str
    industries: tuple[str, ...]


@dataclass(frozen=True)
class Team:
    id: str
    home_city: str
    region: str
    base_city: str
    focus_chains: tuple[str, ...]
    weekly_capacity: int
    #: The team's name as the office writes it (南宁驻粤港澳（深圳）小分队); the id stays the key.
    name: str = ""

    @property
    def label(self) -> str:
        """The team's name, else its id."""
        return self.name or self.id


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
    full_confidence: float = 1.0
    cross_chain_weight: float = 0.6
    w_endowment: float = 0.0
    w_origin: float = 0.0
    edition_window_years: int = 8
    include_guangxi: bool = False


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
    model in the models folder (``boosted-2026-11-23.skops``); ``blend_weight``
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
    endowments: tuple[Endowment, ...] = ()

    # ---- lookups by id or by name, as users type them
    def _find(self, kind: str, items, text: str):
        # Certain matches only; otherwise an error naming the closest items ("did you mean").
        from .suggest import find_item

        return find_item(kind, items, text).item

    def city(self, text: str) -> City:
        return self._find(N_("city"), self.cities, text)

    def chain(self, text: str) -> Chain:
        return self._find(N_("chain"), self.chains, text)

    def region(self, text: str) -> Region:
        return self._find(N_("region"), self.regions, text)

    def tier(self, text: str) -> Tier:
        return self._find(N_("list type"), self.tiers, text)

    def list_names(self) -> dict[str, str]:
        """Each list type's name in the language in use (``fortune_global_500`` → 世界500强 / Fortune Global 500)."""
        from ..i18n import get_language

        return {t.id: t.name_en if get_language() == "en" else t.name_zh for t in self.tiers}

    def team(self, text: str) -> Team:
        return self._find(N_("team"), self.teams, text)

    def link(self, link_id: str) -> Link:
        for ch in self.chains:
            for lk in ch.links:
                if lk.id == link_id:
                    return lk
        raise NotFoundError(_("unknown link {id!r}").format(id=link_id))

    def status_weight(self, status: str) -> float:
        return dict(self.scoring.status_weights)[status]


def fold_label(text: str) -> str:
    """A label as users may type it: NFKC, trimmed, lower case, without spaces."""
    return unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "")
