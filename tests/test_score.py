"""The vectorised rule score against a plain per-pair reference, on random inputs."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher.config.model import (
    Chain,
    City,
    CityChain,
    Config,
    Endowment,
    Industry,
    Link,
    MoneyTarget,
    Priority,
    Region,
    Scoring,
    Team,
    Tier,
)
from matcher.featurise.transformers import IndustryVectorizer, rank_column
from matcher.score.rule import RuleScorer
from matcher.score.scores import top_k
from tests.reference import reference_scores

STATUSES = ("missing", "weak", "strong")


def random_config(rng: np.random.Generator) -> Config:
    # p0 names typical children (a broad p0 match spreads to c3, then c0); p1 and p2 spread to all.
    parents = [Industry(id="p0", name_zh="大类0", name_en="Sector 0", typical_children=("c3", "c0"))]
    parents += [Industry(id=f"p{k}", name_zh=f"大类{k}", name_en=f"Sector {k}") for k in range(1, 3)]
    children = [Industry(id=f"c{k}", name_zh=f"细类{k}", name_en=f"Trade {k}", parent=f"p{k % 3}") for k in range(9)]
    inds = tuple(parents + children)
    ids = [i.id for i in inds]
    chains = []
    for c in range(3):
        links = tuple(
            Link(
                id=f"k{c}_{li}",
                chain=f"ch{c}",
                stage=("upstream", "midstream", "downstream")[li % 3],
                name_zh=f"环节{c}{li}",
                name_en=f"link {c}{li}",
                industries=tuple(rng.choice(ids, size=rng.integers(1, 3), replace=False)),
            )
            for li in range(4)
        )
        chains.append(Chain(id=f"ch{c}", name_zh=f"链{c}", name_en=f"Chain {c}", links=links))
    regions = tuple(
        Region(
            id=f"R{r}",
            name_zh=f"区域{r}",
            name_en=f"Region {r}",
            member_cities=(f"城{r}",),
            priorities=tuple(
                Priority(
                    id=f"t{r}{q}",
                    region=f"R{r}",
                    name_zh=f"重点{r}{q}",
                    name_en=f"prio {r}{q}",
                    weight=float(rng.uniform(0.3, 1)),
                    industries=tuple(rng.choice(ids, size=2, replace=False)),
                )
                for q in range(2)
            ),
        )
        for r in range(2)
    )
    # Endowments name broad and narrow industries; a broad one covers its children.
    endowments = tuple(
        Endowment(id=f"e{k}", name_zh=f"禀赋{k}", name_en=f"endowment {k}", industries=tuple(rng.choice(ids, size=rng.integers(1, 3), replace=False)))
        for k in range(3)
    )
    cities = []
    for k in range(3):
        ccs = []
        for ch in rng.choice(3, size=2, replace=False):
            lks = rng.choice(4, size=rng.integers(1, 5), replace=False)
            ccs.append(CityChain(chain=f"ch{ch}", links=tuple((f"k{ch}_{li}", str(rng.choice(STATUSES))) for li in sorted(lks))))
        cities.append(
            City(
                id=f"city{k}",
                name_zh=f"城市{k}市",
                name_en=f"City {k}",
                source="test",
                source_year=2024,
                target_regions=("R0", "R1"),
                chains=tuple(ccs),
                endowments=tuple(f"e{x}" for x in sorted(rng.choice(3, size=int(rng.integers(0, 3)), replace=False))),
            )
        )
    tiers = (
        Tier(id="a", name_zh="甲榜", name_en="List A", weight=1.0, size=500),
        Tier(id="b", name_zh="乙榜", name_en="List B", weight=0.8, size=100),
        Tier(id="u", name_zh="独角兽", name_en="Unicorn", weight=0.6, ranked=False, size=1000),
    )
    teams = tuple(
        Team(id=f"t{k}{r}", home_city=f"city{k}", region=f"R{r}", base_city="", focus_chains=(), weekly_capacity=3)
        for k in range(3)
        for r in range(2)
    )
    return Config(
        path=Path("test.toml"),
        name_zh="",
        name_en="",
        year=2026,
        scoring=Scoring(w_endowment=float(rng.uniform(0, 0.3)), w_origin=float(rng.uniform(0, 0.3))),
        tiers=tiers,
        target_groups=(),
        money=MoneyTarget(2022, 5e11, 0.1),
        industries=inds,
        chains=tuple(chains),
        regions=regions,
        cities=tuple(cities),
        teams=teams,
        gazetteer_path=Path("none"),
        endowments=endowments,
    )


def random_universe(rng: np.random.Generator, config: Config, n: int) -> pd.DataFrame:
    labels = [i.name_en for i in config.industries]
    texts = [" | ".join(rng.choice(labels, size=rng.integers(0, 3), replace=False)) for _ in range(n)]
    u = pd.DataFrame(
        {
            "enterprise_id": [f"E{k:05d}" for k in range(n)],
            "name": [f"企业{k}" for k in range(n)],
            "name_en": "",
            "industry_text": texts,
            "regions": rng.choice(["", "R0", "R1", "R0;R1"], size=n),
        }
    )
    origin = rng.integers(0, 3, size=n)  # in China, abroad, unknown
    u["is_china"], u["is_abroad"] = origin == 0, origin == 1
    for t in config.tiers:
        on = rng.random(n) < 0.4
        u[rank_column(t.id)] = np.where(on & t.ranked, rng.integers(1, t.size + 1, size=n), np.nan)
        u[f"on__{t.id}"] = on
    return u


def random_world(seed: int, n: int) -> tuple[np.random.Generator, Config, pd.DataFrame]:
    """A seeded generator, a random configuration and a random universe of ``n`` enterprises."""
    rng = np.random.default_rng(seed)
    cfg = random_config(rng)
    return rng, cfg, random_universe(rng, cfg, n)


@pytest.mark.parametrize("seed", range(5))
def test_vectorised_score_equals_reference(seed):
    _, cfg, u = random_world(seed, 120)
    scorer = RuleScorer(cfg).fit(u)
    s = scorer.score(u)
    found = IndustryVectorizer(cfg.industries).fit(u).explain(u)
    ref = reference_scores(cfg, u, found)
    total = s.total()
    for (row, g), (chain, link, region, tier, tot) in ref.items():
        assert s.chain[row, g] == pytest.approx(chain, abs=1e-6)
        assert s.region[row] == pytest.approx(region, abs=1e-6)
        assert s.tier[row] == pytest.approx(tier, abs=1e-6)
        assert total[row, g] == pytest.approx(tot, abs=1e-6)
        j = s.link[row, g]
        assert (j < 0) == (link is None)
        if link is not None:
            assert s.links.link.iloc[j] == link


def test_components_add_up_and_reasons_are_bilingual():
    _, cfg, u = random_world(7, 200)
    s = RuleScorer(cfg).fit(u).score(u)
    out = s.rank(s.group_ids(city="city0"), top=30)
    assert len(out) > 0
    assert (out.score.diff().dropna() <= 1e-9).all()
    assert np.allclose(out.c_chain + out.c_region + out.c_tier + out.c_endowment + out.c_origin, out.score, atol=3e-4)
    assert np.allclose(out.chain_score, out.chain_fit * out.status_weight, atol=2e-4)
    assert out.score.between(0, 1).all()
    assert set(out.link_evidence) <= {"specific", "broad"}
    for r in out.itertuples():
        if r.link_evidence == "specific":
            # A link is named only when one of the enterprise's own industries makes it.
            verb = {"missing": ("填补", "fills"), "weak": ("补强", "strengthens"), "strong": ("融入", "joins")}[r.link_status]
            assert r.reason_zh.startswith(verb[0] + "城市0")
            assert r.reason_en.startswith(verb[1] + " the " + r.link_status)
            assert ("环节（" + r.link + "）") in r.reason_zh
        else:
            assert "环节（" not in r.reason_zh and "未细分到环节" in r.reason_zh
            assert "no specific link" in r.reason_en


@pytest.mark.usefixtures("english")
def test_weights_are_parameters_an_analyst_can_set():
    _, cfg, u = random_world(3, 50)
    tier_only = RuleScorer(cfg, w_chain=0, w_region=0, w_tier=1, w_endowment=0, w_origin=0).fit(u).score(u)
    assert np.allclose(tier_only.total(), tier_only.tier[:, None])
    with pytest.raises(ValueError, match="must be >= 0 and not all 0"):
        RuleScorer(cfg, w_chain=0, w_region=0, w_tier=0, w_endowment=0, w_origin=0).fit(u)
    from sklearn.base import clone

    est = clone(RuleScorer(cfg, w_chain=0.7))
    assert est.get_params()["w_chain"] == 0.7


def test_top_k_breaks_ties_explicitly():
    score = np.array([0.5, 0.9, 0.5, 0.9, 0.1, 0.5])
    tier = np.array([0.0, 0.1, 0.3, 0.1, 0.0, 0.3])
    assert top_k(score, 4, tier).tolist() == [1, 3, 2, 5]
    assert top_k(score, 0).tolist() == []
    assert top_k(score, 10).tolist() == [1, 3, 0, 2, 5, 4]
    rng = np.random.default_rng(0)
    for _ in range(20):
        s = rng.integers(0, 5, size=50).astype(float)
        t = rng.integers(0, 3, size=50).astype(float)
        k = int(rng.integers(1, 50))
        expected = sorted(range(50), key=lambda i: (-s[i], -t[i], i))[:k]
        assert top_k(s, k, t).tolist() == expected


@pytest.mark.usefixtures("english")
def test_enterprise_ranks_agree_with_the_city_lists():
    _, cfg, u = random_world(11, 150)
    s = RuleScorer(cfg).fit(u).score(u)
    for eid in u.enterprise_id.iloc[:40]:
        ranks = s.enterprise_ranks(eid)
        # Nobody vanishes: a rank in every city that has chains.
        assert len(ranks) == sum(1 for c in cfg.cities if c.chains)
        for r in ranks.itertuples():
            city = next(c.id for c in cfg.cities if c.name_zh == r.city)
            full = s.rank(s.group_ids(city=city), top=10_000)
            assert len(full) == len(u)
            assert full.enterprise_id.iloc[r.rank - 1] == eid
            assert r.candidates == (full.link_evidence != "none").sum()
            # Those that fit come first; the others say that nothing fits.
            fits = (full.link_evidence != "none").to_numpy()
            assert not (np.diff(fits.astype(int)) > 0).any()
            assert full.reason_en[~fits].str.startswith("fits none of").all()
    from matcher.errors import NotFoundError

    with pytest.raises(NotFoundError, match="unknown enterprise_id 'nope'"):
        s.enterprise_ranks("nope")
