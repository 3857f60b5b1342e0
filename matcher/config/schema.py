"""The schema of the configuration's TOML files, as pydantic models.

One model per file (:class:`ConfigFile` for ``config.toml``, :class:`TaxonomyFile`,
:class:`ChainsFile`, :class:`RegionsFile`, :class:`CitiesFile`, :class:`TeamsFile`),
one nested model per table. Every table rejects keys it does not know, every
value is checked for its TOML type (no numbers in quotes, no ``true`` for a
count; an integer is accepted where a decimal number is expected) and for its
range. Checks that span several tables or files (ids that refer to other ids)
are in :mod:`matcher.config.checks`; the runtime objects the rest of the
package uses are in :mod:`matcher.config.model`.

Field names are the TOML keys: an array of tables ``[[tier]]`` is the field
``tier``, a table ``[scoring]`` the field ``scoring``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ..i18n import gettext as _
from .model import LINK_STATUSES, MODEL_FEATURE_SETS, OWNERSHIPS, REVENUE_UNITS, STAGES, ModelSettings, MoneyTarget, Planner, Scoring

__all__ = [
    "IDENT_PATTERN",
    "Table",
    "MetaTable",
    "FilesTable",
    "StatusWeightsTable",
    "ScoringTable",
    "PlannerTable",
    "MoneyTable",
    "ModelTable",
    "TierTable",
    "TargetGroupTable",
    "ConfigFile",
    "IndustryTable",
    "TaxonomyFile",
    "LinkTable",
    "ChainTable",
    "ChainsFile",
    "PriorityTable",
    "RegionTable",
    "RegionsFile",
    "CityChainTable",
    "CityTable",
    "CitiesFile",
    "TeamTable",
    "TeamsFile",
]

#: An id: ASCII letters, digits, ``_`` and ``-``, with at least one letter or digit.
IDENT_PATTERN = r"^[A-Za-z0-9_-]*[A-Za-z0-9][A-Za-z0-9_-]*$"


class Table(BaseModel):
    """A TOML table: unknown keys rejected, TOML types as written, frozen once read."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


Ident = Annotated[str, Field(pattern=IDENT_PATTERN)]
Share = Annotated[float, Field(ge=0, le=1)]
Weight = Annotated[float, Field(ge=0)]
Texts = list[str]
FileName = Annotated[str, Field(min_length=1)]
Stage = Literal[STAGES]
LinkStatus = Literal[LINK_STATUSES]
Ownership = Literal[OWNERSHIPS]
RevenueUnit = Literal[REVENUE_UNITS]
FeatureSet = Literal[MODEL_FEATURE_SETS]


def _model_name(value: str) -> str:
    """``"rule"`` or the plain file name of a ``.skops`` model (no folder, not hidden)."""
    plain = value.endswith(".skops") and "/" not in value and "\\" not in value and not value.startswith(".")
    if value != "rule" and not plain:
        raise ValueError(_('must be "rule" or a model file name such as "boosted-2026-11-23.skops", got {value!r}').format(value=value))
    return value


# --------------------------------------------------------------------------- config.toml

_SCORING, _PLANNER, _MODEL = Scoring(), Planner(), ModelSettings()
_MONEY = MoneyTarget(base_year=2022, base_amount_yuan=5e11, annual_growth=0.10)


class MetaTable(Table):
    """``[meta]``: the configuration's name and year."""

    name_zh: str = ""
    name_en: str = ""
    year: int = 2026


class FilesTable(Table):
    """``[files]``: the other files, relative to ``config.toml``."""

    taxonomy: FileName
    chains: FileName
    regions: FileName
    cities: FileName
    teams: FileName
    gazetteer: FileName
    endowments: FileName | None = None


class StatusWeightsTable(Table):
    """``[scoring] status_weights``: the value of filling a link, by its status in the city."""

    missing: Share = dict(_SCORING.status_weights)["missing"]
    weak: Share = dict(_SCORING.status_weights)["weak"]
    strong: Share = dict(_SCORING.status_weights)["strong"]


class ScoringTable(Table):
    """``[scoring]``: the hand-set weights of the rule score (:class:`~matcher.config.model.Scoring`)."""

    w_chain: Weight = _SCORING.w_chain
    w_region: Weight = _SCORING.w_region
    w_tier: Weight = _SCORING.w_tier
    status_weights: StatusWeightsTable = StatusWeightsTable()
    parent_discount: Share = _SCORING.parent_discount
    rank_decay: Share = _SCORING.rank_decay
    unranked_factor: Share = _SCORING.unranked_factor
    multi_list_bonus: Share = _SCORING.multi_list_bonus
    min_confidence: Share = _SCORING.min_confidence
    full_confidence: Annotated[float, Field(gt=0, le=1)] = _SCORING.full_confidence
    cross_chain_weight: Share = _SCORING.cross_chain_weight
    w_endowment: Weight = _SCORING.w_endowment
    w_origin: Weight = _SCORING.w_origin
    edition_window_years: Annotated[int, Field(ge=0, le=50)] = _SCORING.edition_window_years
    include_guangxi: bool = _SCORING.include_guangxi

    @model_validator(mode="after")
    def _some_weight(self) -> ScoringTable:
        if self.w_chain + self.w_region + self.w_tier + self.w_endowment + self.w_origin <= 0:
            raise ValueError(_("the weights w_chain, w_region, w_tier, w_endowment and w_origin must not all be 0"))
        return self


class PlannerTable(Table):
    """``[planner]``: settings of the weekly planner (:class:`~matcher.config.model.Planner`)."""

    cooldown_weeks: Annotated[int, Field(ge=0, le=104)] = _PLANNER.cooldown_weeks
    carryover_bonus: Share = _PLANNER.carryover_bonus
    carryover_decay: Share = _PLANNER.carryover_decay
    carryover_max_weeks: Annotated[int, Field(ge=1)] = _PLANNER.carryover_max_weeks
    quota_boost: Share = _PLANNER.quota_boost
    diversity_lambda: Share = _PLANNER.diversity_lambda


class MoneyTable(Table):
    """``[money]``: the money target of signed projects, grown every year."""

    base_year: int = _MONEY.base_year
    base_amount_yuan: Annotated[float, Field(gt=0)] = _MONEY.base_amount_yuan
    annual_growth: Annotated[float, Field(gt=-1, lt=10)] = _MONEY.annual_growth


class ModelTable(Table):
    """``[model]``: the ranking the weekly lists use (:class:`~matcher.config.model.ModelSettings`)."""

    name: Annotated[str, AfterValidator(_model_name)] = _MODEL.name
    blend_weight: Share = _MODEL.blend_weight
    feature_set: FeatureSet = _MODEL.feature_set
    horizon_weeks: Annotated[int, Field(ge=1, le=104)] = _MODEL.horizon_weeks


class TierTable(Table):
    """``[[tier]]``: a ranking list and what it counts for."""

    id: Ident
    name_zh: str
    name_en: str
    weight: Share
    ranked: bool = True
    size: Annotated[int, Field(ge=1)] = 500
    annual_target: Annotated[int, Field(ge=0)] | None = None
    target_group: str | None = None
    aliases: Texts = []
    revenue_unit: RevenueUnit = "CNY_10k"
    implies_ownership: Ownership | None = None


class TargetGroupTable(Table):
    """``[[target_group]]``: tiers that share one annual target."""

    id: Ident
    name_zh: str
    name_en: str
    annual_target: Annotated[int, Field(ge=0)]
    tiers: Texts = []


class ConfigFile(Table):
    """``config.toml``, the main file. At least one ``[[tier]]`` is needed (checked with the cross-references)."""

    meta: MetaTable = MetaTable()
    files: FilesTable
    scoring: ScoringTable = ScoringTable()
    planner: PlannerTable = PlannerTable()
    money: MoneyTable = MoneyTable()
    model: ModelTable = ModelTable()
    tier: list[TierTable] = []
    target_group: list[TargetGroupTable] = []


# --------------------------------------------------------------------------- taxonomy.toml


class IndustryTable(Table):
    """``[[industry]]``: a canonical industry, its labels and keywords."""

    id: Ident
    name_zh: str
    name_en: str
    parent: str | None = None
    synonyms_zh: Texts = []
    synonyms_en: Texts = []
    keywords_zh: Texts = []
    keywords_en: Texts = []
    name_keywords_zh: Texts = []
    name_keywords_en: Texts = []
    typical_children: Texts = []


class TaxonomyFile(Table):
    """The taxonomy file. At least one ``[[industry]]`` is needed (checked with the cross-references)."""

    industry: list[IndustryTable] = []


# --------------------------------------------------------------------------- chains.toml


class LinkTable(Table):
    """``[[chain.link]]``: a link of a chain and the industries that make it."""

    id: Ident
    stage: Stage
    name_zh: str
    name_en: str
    industries: Annotated[Texts, Field(min_length=1)]
    feeds: list[Ident] = []  # links of the same chain this one supplies (chain edges for the panorama)


class ChainTable(Table):
    """``[[chain]]``: an industrial chain."""

    id: Ident
    name_zh: str
    name_en: str
    lead_department_zh: str = ""
    lead_department_en: str = ""
    link: list[LinkTable] = []


class ChainsFile(Table):
    """The chains file."""

    chain: list[ChainTable] = []


# --------------------------------------------------------------------------- regions.toml


class PriorityTable(Table):
    """``[[region.priority]]``: a priority industry group of a region."""

    id: str
    name_zh: str
    name_en: str
    weight: Share = 1.0
    industries: Texts = []


class RegionTable(Table):
    """``[[region]]``: a key source region, its member cities or provinces and priorities."""

    id: Ident
    name_zh: str
    name_en: str
    campaign_zh: str = ""
    campaign_en: str = ""
    office_city: str = ""
    member_cities: Texts = []
    member_provinces: Texts = []
    priority: list[PriorityTable] = []

    @model_validator(mode="after")
    def _has_members(self) -> RegionTable:
        if not self.member_cities and not self.member_provinces:
            raise ValueError(_("a region needs member cities or provinces"))
        return self


class RegionsFile(Table):
    """The regions file."""

    region: list[RegionTable] = []


# --------------------------------------------------------------------------- cities.toml


class CityChainTable(Table):
    """``[[city.chain]]``: a chain of a city, the status of its links there, park and anchor firms."""

    chain: str
    links: Annotated[dict[str, LinkStatus], Field(min_length=1)]
    park_zh: str = ""
    park_en: str = ""
    anchor_firms_zh: Texts = []


class CityTable(Table):
    """``[[city]]``: a city of the province, the regions it targets and its chains."""

    id: Ident
    name_zh: str
    name_en: str
    source: str
    source_year: int
    target_regions: Texts = []
    endowments: Texts = []
    chain: list[CityChainTable] = []


class CitiesFile(Table):
    """The cities file."""

    city: list[CityTable] = []


# --------------------------------------------------------------------------- endowments.toml


class EndowmentTable(Table):
    """``[[endowment]]``: a port, border or natural resource, and the industries that depend on it."""

    id: Ident
    name_zh: str
    name_en: str
    industries: Annotated[Texts, Field(min_length=1)]


class EndowmentsFile(Table):
    """The endowments file (optional): what a city's ``endowments`` may name."""

    endowment: list[EndowmentTable] = []


# --------------------------------------------------------------------------- teams.toml


class TeamTable(Table):
    """``[[team]]``: a resident team of a city in a region."""

    id: Ident
    name: str = ""
    home_city: str
    region: str
    base_city: str = ""
    focus_chains: Texts = []
    weekly_capacity: Annotated[int, Field(ge=1, le=100)]


class TeamsFile(Table):
    """The teams file."""

    team: list[TeamTable] = []
