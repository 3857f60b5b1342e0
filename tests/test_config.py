"""Configuration as data: the default is valid; every problem is reported at once."""

import shutil

import pytest

from matcher.config.schema import default_config_path, load_config
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


def test_unknown_names_list_the_choices(config):
    with pytest.raises(NotFoundError, match="unknown chain 'rockets'; expected one of: .*automotive"):
        config.chain("rockets")


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
    assert "config.toml: scoring.w_chain: expected float" in text
    assert "config.toml: scoring.rank_decay: expected a number from 0 to 1, got 7" in text
    assert "teams.toml: team[" in text and "unknown region 'MARS'" in text
    assert "cities.toml: city[" in text and "'excellent'" in text
    assert len(err.value.problems) >= 4


def test_broken_toml_names_the_file(tmp_path):
    (tmp_path / "config.toml").write_text("[meta\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.toml: not valid TOML"):
        load_config(tmp_path / "config.toml")
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


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
    assert 'config.toml: model.name: expected "rule" or a model file name' in text
    assert "config.toml: model.blend_weight: expected a number from 0 to 1, got 2" in text
    assert "config.toml: model.feature_set: expected pair-v1 | static-v1, got 'pair-v9'" in text
