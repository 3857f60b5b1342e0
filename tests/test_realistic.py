"""Realistic synthetic universes: seeded, labelled synthetic, shaped like the real lists, and readable by the import commands."""

import numpy as np
import pandas as pd
import pytest

from matcher._text import normalize_names
from matcher.ingest.lists import parse_list, parse_profiles
from matcher.ingest.tables import read_table
from matcher.sim.realistic import industry_texts, list_edition, realistic_world, world_universe, write_world


@pytest.fixture(scope="module")
def worlds(config):
    return {
        t: realistic_world(3000, config, seed=4, texts=t, lists={"fortune_global_500": 500, "china_private_top500": 500, "unicorn": 1000})
        for t in ("lists", "distinct")
    }


def test_text_statistics(worlds, config):
    e = worlds["lists"].enterprises
    assert e.industry.nunique() == round(0.28 * len(e))  # the real lists: about 28% distinct
    single = ~e.industry.str.contains("；")
    assert 0.5 < single.mean() < 0.9  # most enterprises of the lists carry one label
    d = worlds["distinct"].enterprises.industry
    assert d.is_unique and d.str.startswith("一般项目：").all() and d.str.len().median() > 60
    rng = np.random.default_rng(0)
    assert pd.Series(industry_texts(rng, 1000, config, distinct_share=0.05)).nunique() == 50


def test_names_places_and_lists(worlds, config):
    w = worlds["distinct"]
    e = w.enterprises
    assert e.name.is_unique and normalize_names(e.name).is_unique and e.name.str.endswith("（模拟）").all() and e.synthetic.all()
    zh = e.name[e.country == "中国"].str.removesuffix("（模拟）")
    assert zh.str.endswith("有限公司").mean() > 0.9
    foreign = e.country != "中国"
    assert 0.02 < foreign.mean() < 0.1 and (e.province[foreign] == "").all()
    top5 = e.province[~foreign].value_counts(normalize=True).head(5)
    assert set(top5.index) >= {"浙江省", "江苏省"} and 0.5 < top5.sum() < 0.8
    f = w.lists["fortune_global_500"]
    # As many foreign enterprises as on the real list (76%), as far as the master has them.
    assert list(f["rank"]) == list(range(1, 501)) and (f.country != "China").sum() == min(380, foreign.sum())
    assert "rank" not in w.lists["unicorn"].columns and "industry" not in w.lists["china_private_top500"].columns
    assert (e.country.iloc[w.lists["china_private_top500"].row] == "中国").all()


def test_same_seed_same_world(config):
    a = realistic_world(500, config, seed=9, lists={"unicorn": 50})
    b = realistic_world(500, config, seed=9, lists={"unicorn": 50})
    pd.testing.assert_frame_equal(a.enterprises, b.enterprises)
    pd.testing.assert_frame_equal(a.lists["unicorn"], b.lists["unicorn"])


def test_files_are_what_the_import_commands_read(worlds, config, tmp_path):
    w = worlds["distinct"]
    paths = write_world(w, tmp_path)
    profiles = parse_profiles(read_table(paths["profiles"]))
    assert (
        len(profiles) == len(w.enterprises)
        and (profiles.business != "").all()
        and set(profiles.ownership) <= {"private", "local_soe", "central_soe", "foreign"}
    )
    entries = parse_list(read_table(paths["fortune_global_500"]), ranked=True)
    assert len(entries) == 500 and entries["rank"].tolist() == list(range(1, 501))
    nxt = list_edition(w, config, "china_private_top500", 100, new=10, seed=1)
    assert len(nxt) == 100 and (nxt.row == -1).sum() == 10 and nxt.name.is_unique
    u = world_universe(w, config)
    assert len(u) == 3000 and u["on__unicorn"].sum() == 1000 and u["rank__fortune_global_500"].notna().sum() == 500
    assert (u.regions != "").mean() > 0.3
