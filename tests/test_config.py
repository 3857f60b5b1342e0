"""Configuration as data: the default is valid; every problem is reported at once."""

import shutil

import pytest

from matcher.config.load import default_config_path, load_config
from matcher.errors import ConfigError, NotFoundError


def test_default_configuration_matches_the_programme(config):
    assert [r.id for r in config.regions][:3] == ["GBA", "YREB", "BTH"]
    gba = config.region("GBA")
    assert len(gba.member_cities) == 11 and "香港特别行政区" in gba.member_cities and "汕头市" not in gba.member_cities
    assert len(config.region("YREB").member_provinces) == 11
    assert {p.name_zh for p in config.region("BTH").priorities} >= {"现代金融", "大健康", "文旅", "新材料", "生物医药"}
    assert len(config.cities) == 14
    assert len(config.chains) == 15
    targets = {t.id: t.annual_target for t in config.tiers}
    assert targets["fortune_global_500"] == 10 and targets["china_top500"] == 20
    assert targets["china_private_top500"] == 30 and targets["china_manufacturing_top500"] == 20
    assert {g.id: g.annual_target for g in config.target_groups} == {"leaders": 100}
    assert config.money.target_for(2022) == pytest.approx(5e11)
    assert config.money.target_for(2024) == pytest.approx(5e11 * 1.21)
    # at least one team per city per region it targets
    pairs = {(t.home_city, t.region) for t in config.teams}
    assert all((c.id, r) in pairs for c in config.cities for r in c.target_regions)
    for c in config.cities:
        assert c.source and c.source_year >= 2015
        for cc in c.chains:
            assert {s for _, s in cc.links} <= {"strong", "weak", "missing"}


@pytest.mark.parametrize("text, expected", [("钦州市", "qinzhou"), ("钦州", "qinzhou"), ("Qinzhou", "qinzhou"), ("qinzhou", "qinzhou")])
def test_city_by_any_name(config, text, expected):
    assert config.city(text).id == expected


@pytest.mark.usefixtures("english")
def test_unknown_names_list_the_choices(config):
    with pytest.raises(NotFoundError, match="unknown chain 'rockets'; expected one of: .*automotive"):
        config.chain("rockets")


@pytest.mark.usefixtures("english")
def test_every_problem_is_reported_at_once(tmp_path):
    src = default_config_path().parent
    for f in src.iterdir():
        if f.suffix in (".toml", ".csv"):
            shutil.copy(f, tmp_path / f.name)
    cfg = (tmp_path / "config.toml").read_text(encoding="utf-8")
    cfg = cfg.replace("w_chain = 0.5", 'w_chain = "high"').replace("rank_decay = 0.5", "rank_decay = 7")
    (tmp_path / "config.toml").write_text(cfg, encoding="utf-8")
    teams = (tmp_path / "teams.toml").read_text(encoding="utf-8")
    teams = teams.replace('region = "GBA"', 'region = "MARS"', 1)
    (tmp_path / "teams.toml").write_text(teams, encoding="utf-8")
    cities = (tmp_path / "cities.toml").read_text(encoding="utf-8")
    (tmp_path / "cities.toml").write_text(cities.replace('= "strong"', '= "excellent"', 1), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    text = str(err.value)
    assert "config.toml: [scoring] w_chain: expected a number, got 'high'" in text
    assert "config.toml: [scoring] rank_decay: must be from 0 to 1, got 7" in text
    assert "teams.toml: [[team]] #1 (nanning-gba) region: unknown region 'MARS'" in text
    assert "cities.toml: [[city]] #1 (nanning) chain[1].links.elec_components: must be one of missing, weak, strong, got 'excellent'" in text
    assert len(err.value.problems) >= 4


@pytest.mark.usefixtures("english")
def test_broken_toml_names_the_file(tmp_path):
    (tmp_path / "config.toml").write_text("[meta\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.toml: not valid TOML"):
        load_config(tmp_path / "config.toml")
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.usefixtures("english")
def test_model_section_is_validated(tmp_path):
    src = default_config_path().parent
    for f in src.iterdir():
        if f.suffix in (".toml", ".csv"):
            shutil.copy(f, tmp_path / f.name)
    cfg = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert load_config(tmp_path).model.name == "rule"
    bad = cfg.replace('name = "rule"', 'name = "../model.pkl"').replace("blend_weight = 0.5", "blend_weight = 2")
    bad = bad.replace('feature_set = "pair-v1"', 'feature_set = "pair-v9"')
    (tmp_path / "config.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    text = str(err.value)
    assert 'config.toml: [model] name: must be "rule" or a model file name' in text
    assert "config.toml: [model] blend_weight: must be from 0 to 1, got 2" in text
    assert "config.toml: [model] feature_set: must be one of pair-v1, static-v1, pair-v2, got 'pair-v9'" in text


# ---------------------------------------------------------------------------- schema: keys, ranges, all at once


@pytest.fixture
def config_dir(tmp_path):
    """A copy of the default configuration to spoil."""
    for f in default_config_path().parent.iterdir():
        if f.suffix in (".toml", ".csv"):
            shutil.copy(f, tmp_path / f.name)
    return tmp_path


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(folder) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    return err.value.problems


@pytest.mark.usefixtures("english")
def test_a_typo_in_a_key_is_rejected_with_its_file_and_key(config_dir):
    edit(config_dir / "config.toml", "w_chain = 0.5", "w_chain = 0.5\nw_chian = 0.9")
    assert problems_of(config_dir) == ["config.toml: [scoring] w_chian: unknown key; did you mean w_chain?"]


@pytest.mark.usefixtures("english")
def test_mistakes_in_several_files_are_reported_together(config_dir):
    edit(config_dir / "config.toml", "rank_decay = 0.5", "rank_decy = 0.5")
    edit(config_dir / "chains.toml", 'stage = "midstream"', 'stage = "middle"')
    edit(config_dir / "teams.toml", 'focus_chains = ["biomedicine", "food_processing"]', 'focus_chains = ["biomedicine", "rockets"]')
    assert problems_of(config_dir) == [
        "config.toml: [scoring] rank_decy: unknown key; did you mean rank_decay?",
        "chains.toml: [[chain]] #1 (machinery) link[2].stage: must be one of upstream, midstream, downstream, got 'middle'",
        "teams.toml: [[team]] #2 (nanning-gba-guangzhou) focus_chains: chain 'rockets' is not a chain of 'nanning'",
    ]


@pytest.mark.parametrize(
    "file, old, new, expected",
    [
        ("config.toml", "w_tier = 0.4", "w_tier = -0.25", "config.toml: [scoring] w_tier: must be >= 0, got -0.25"),
        ("config.toml", "size = 1000", "size = 0", "config.toml: [[tier]] #5 (unicorn) size: must be >= 1, got 0"),
        ("config.toml", "carryover_max_weeks = 3", "carryover_max_weeks = 0", "config.toml: [planner] carryover_max_weeks: must be >= 1, got 0"),
        ("config.toml", "annual_growth = 0.10", "annual_growth = 12", "config.toml: [money] annual_growth: must be > -1 and < 10, got 12"),
        ("teams.toml", "weekly_capacity = 10", "weekly_capacity = 0", "teams.toml: [[team]] #1 (nanning-gba) weekly_capacity: must be from 1 to 100, got 0"),
        ("regions.toml", "weight = 1.0", "weight = 1.5", "regions.toml: [[region]] #1 (GBA) priority[1].weight: must be from 0 to 1, got 1.5"),
        ("config.toml", "weight = 1.0", 'weight = "1.0"', "config.toml: [[tier]] #1 (fortune_global_500) weight: expected a number, got '1.0'"),
    ],
)
@pytest.mark.usefixtures("english")
def test_values_out_of_range_or_of_the_wrong_type(config_dir, file, old, new, expected):
    edit(config_dir / file, old, new)
    assert problems_of(config_dir) == [expected]


@pytest.mark.usefixtures("english")
def test_unknown_key_in_a_nested_table(config_dir):
    edit(config_dir / "cities.toml", 'park_zh = "南宁高新技术产业开发区"', 'park_zh = "南宁高新技术产业开发区"\nanchor_firm = "x"')
    edit(config_dir / "chains.toml", 'id = "mach_engines"', 'id = "mach_engines"\nlead = "x"')
    assert problems_of(config_dir) == [
        "chains.toml: [[chain]] #1 (machinery) link[2].lead: unknown key; expected one of id, stage, name_zh, name_en, industries, feeds",
        "cities.toml: [[city]] #1 (nanning) chain[1].anchor_firm: unknown key; did you mean anchor_firms_zh?",
    ]


@pytest.mark.usefixtures("english")
def test_references_between_files_are_checked(config_dir):
    edit(config_dir / "cities.toml", 'elec_chips = "missing"', 'elec_chipz = "missing"')
    edit(config_dir / "chains.toml", 'industries = ["engines_power_equipment"]', 'industries = ["engines_power_equipment", "warp_drives"]')
    edit(config_dir / "config.toml", 'tiers = ["unicorn"', 'tiers = ["unicorns"')
    assert problems_of(config_dir) == [
        "config.toml: [[target_group]] #1 (leaders) tiers: unknown tier 'unicorns'",
        "chains.toml: [[chain]] #1 (machinery) link[2].industries: unknown industry 'warp_drives' (not in the taxonomy)",
        "cities.toml: [[city]] #1 (nanning) chain[1].links.elec_chipz: unknown link of chain 'electronics'",
    ]


@pytest.mark.usefixtures("english")
def test_a_bad_table_does_not_hide_the_references_of_the_others(config_dir):
    # the link with a bad stage is left out of the checks, yet cities that name it are not told it is unknown
    edit(config_dir / "chains.toml", 'stage = "midstream"', "stage = 2")
    edit(config_dir / "teams.toml", 'region = "YREB"', 'region = "MARS"')
    problems = problems_of(config_dir)
    assert problems[0] == "chains.toml: [[chain]] #1 (machinery) link[2].stage: must be one of upstream, midstream, downstream, got 2"
    assert "teams.toml: [[team]] #3 (nanning-yreb) region: unknown region 'MARS'" in problems
    assert not any("unknown link" in p for p in problems)


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            'feeds = ["auto_battery"]',
            'feeds = ["auto_batery"]',
            "chains.toml: [[chain]] #4 (automotive) link[1].feeds[1]: 'auto_batery' is not a link of chain 'automotive'",
        ),
        (
            'feeds = ["auto_battery"]',
            'feeds = ["chem_refining"]',
            "chains.toml: [[chain]] #4 (automotive) link[1].feeds[1]: 'chem_refining' is not a link of chain 'automotive'",
        ),
        (
            'feeds = ["auto_recycling"]',
            'feeds = ["auto_materials"]',
            "chains.toml: [[chain]] #4 (automotive) link[6].feeds[1]: downstream link 'auto_vehicle' cannot feed 'auto_materials', "
            "which is upstream (a chain runs upstream → midstream → downstream)",
        ),
    ],
)
@pytest.mark.usefixtures("english")
@pytest.mark.usefixtures("english")
def test_chain_edges_name_links_of_the_chain_and_never_run_backwards(config_dir, old, new, expected):
    edit(config_dir / "chains.toml", old, new)
    assert problems_of(config_dir) == [expected]


def test_every_chain_has_edges_and_every_edge_runs_downstream(config):
    order = {"upstream": 0, "midstream": 1, "downstream": 2}
    for chain in config.chains:
        stage = {lk.id: lk.stage for lk in chain.links}
        edges = [(lk.id, t) for lk in chain.links for t in lk.feeds]
        assert edges, chain.id
        assert all(t in stage and order[stage[t]] >= order[stage[s]] for s, t in edges), chain.id
