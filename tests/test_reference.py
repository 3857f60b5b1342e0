"""The bundled enterprise reference, list editions and Guangxi's own enterprises: bare lists made usable."""

import numpy as np
import pandas as pd
import pytest

from matcher.config.load import data_file
from matcher.featurise.reference import REFERENCE_COLUMNS, apply_reference, load_reference, match_reference
from matcher.featurise.universe import build_universe, edition_memberships
from matcher.ingest.lists import parse_list
from matcher.ingest.tables import read_table
from matcher.resolve.imports import import_list
from matcher.score.rule import RuleScorer
from matcher.store.core import Store

from .conftest import REAL, write

REF = pd.DataFrame(
    [
        ["中国石油化工集团有限公司", "Sinopec Group", "中国石化;中石化;Sinopec", "China", "北京市", "北京市", "central_soe", "", "炼油；乙烯；成品油销售", "editorial"],
        ["比亚迪股份有限公司", "BYD", "比亚迪", "China", "广东省", "深圳市", "private", "", "新能源汽车；动力电池", "editorial"],
        ["中国海洋石油集团有限公司", "CNOOC", "中海油;中石化", "China", "北京市", "北京市", "central_soe", "", "海上油气开采", "editorial"],
    ],
    columns=REFERENCE_COLUMNS,
)


def ents(**cols) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    base = {c: [""] * n for c in ("name_zh", "name_en", "aliases", "country", "province", "city", "ownership", "industry_text")}
    base.update(cols)
    frame = pd.DataFrame(base)
    frame.insert(0, "enterprise_id", [f"E{k}" for k in range(n)])
    frame["on_profile"] = frame.get("on_profile", False)
    return frame


def test_reference_fills_only_what_is_empty_and_profiles_win():
    e = ents(name=["Sinopec Group", "比亚迪", "Acme Widgets"], name_en=["Sinopec Group", "", "Acme Widgets"], industry_text=["Petroleum Refining", "", ""])
    e.loc[1, "city"] = "西安市"  # a profile or list said so: it stays
    e.loc[1, "on_profile"] = True
    names = pd.DataFrame({"enterprise_id": ["E1"], "name": ["比亚迪股份有限公司"]})
    out = apply_reference(e, names, REF)
    assert out.loc[0, "name_zh"] == "中国石油化工集团有限公司" and out.loc[0, "name"] == "中国石油化工集团有限公司"
    assert out.loc[0, "name_en"] == "Sinopec Group"
    assert (out.loc[0, "province"], out.loc[0, "city"], out.loc[0, "ownership"]) == ("北京市", "北京市", "central_soe")
    # The list's own label stays; the business lines are added beside it.
    assert out.loc[0, "industry_text"] == "Petroleum Refining | 炼油；乙烯；成品油销售"
    # The records' own city stands, and no reference province is put beside it (西安 is not in 广东).
    assert out.loc[1, "city"] == "西安市" and out.loc[1, "province"] == "" and out.loc[1, "name_en"] == "BYD"
    assert out.loc[1, "industry_text"] == ""  # a profiled enterprise keeps its own business
    assert out.loc[2, "reference_source"] == "" and out.loc[2, "name"] == "Acme Widgets"
    assert list(out.reference_source[:2]) == ["editorial", "editorial"]


def test_headquarters_are_filled_as_a_pair_and_foreign_firms_match_nothing():
    e = ents(
        name=["比亚迪", "比亚迪股份有限公司", "Sinopec Group", "CNOOC"],
        province=["广东", "江苏省", "", ""],
        country=["", "", "China", "United States"],
    )
    out = apply_reference(e, pd.DataFrame(columns=["enterprise_id", "name"]), REF)
    # Same province in other words: the reference's city is added.
    assert (out.loc[0, "province"], out.loc[0, "city"]) == ("广东", "深圳市")
    # Another province: the records' province stands and no city of another province joins it.
    assert (out.loc[1, "province"], out.loc[1, "city"]) == ("江苏省", "")
    # Nothing known: both from the reference.
    assert (out.loc[2, "province"], out.loc[2, "city"]) == ("北京市", "北京市")
    # A firm of another country with a Chinese firm's English name takes none of its facts.
    assert out.loc[3, "reference_source"] == "" and out.loc[3, "name"] == "CNOOC" and out.loc[3, "industry_text"] == ""


def _filled_one_by_one(e: pd.DataFrame, names: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
    """The rules of :func:`apply_reference`, enterprise by enterprise: the plain version the fast one must agree with."""

    def stem(p: str) -> str:
        for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"):
            if p.endswith(suffix) and len(p) > len(suffix):
                return p[: -len(suffix)]
        return p

    long = pd.concat([names[["enterprise_id", "name"]], e[["enterprise_id", "name"]], e[["enterprise_id", "name_en"]].rename(columns={"name_en": "name"})])
    long = long[long["name"].str.strip() != ""]
    foreign = set(e.enterprise_id[[c.strip() not in ("", "China", "中国") for c in e.country]])
    match = match_reference(long[~long.enterprise_id.isin(foreign)], ref)
    rows = []
    for rec in e.to_dict("records"):
        out = dict(rec)
        k = match.get(rec["enterprise_id"])
        r = ref.iloc[int(k)] if k is not None else None
        if r is not None:
            for col in ("name_zh", "name_en", "country", "ownership"):
                if not rec[col].strip() and r[col].strip():
                    out[col] = r[col]
            a, b = stem(rec["province"].strip()), stem(r["hq_province"].strip())
            same = bool(a) and bool(b) and (a.startswith(b) or b.startswith(a))
            if not rec["city"].strip() and not rec["hq"].strip():
                if not rec["province"].strip() and r["hq_province"].strip():
                    out["province"] = r["hq_province"]
                if (not rec["province"].strip() or same) and r["hq_city"].strip():
                    out["city"] = r["hq_city"]
            out["aliases"] = ";".join(x for x in (rec["aliases"], r["aliases"]) if x) if rec["aliases"] and r["aliases"] else rec["aliases"] + r["aliases"]
            business = "" if rec["on_profile"] else r["business_zh"]
            out["industry_text"] = " | ".join(x for x in (rec["industry_text"], business) if x)
        out["parent_zh"] = r["parent_zh"] if r is not None else ""
        out["reference_source"] = r["source"] if r is not None else ""
        out["name"] = out["name_zh"] if out["name_zh"] != "" else rec["name"]
        rows.append(out)
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(5))
def test_the_reference_fills_as_the_plain_rules_on_random_enterprises(seed):
    ref = load_reference()
    rng = np.random.default_rng(seed)
    n = 300
    picked = ref.iloc[rng.integers(0, len(ref), n)]
    own = rng.random(n) < 0.6  # named as a reference row, in Chinese or English; the others unknown to it
    zh = rng.random(n) < 0.5
    name = np.where(own, np.where(zh, picked.name_zh, picked.name_en), [f"某某{k}无关科技有限公司" for k in range(n)])
    name = np.where(name == "", picked.name_zh, name)

    def some(values, p=0.5):
        return np.where(rng.random(n) < p, rng.choice(np.asarray(values, dtype=object), n), "")

    provinces = [*ref.hq_province.unique()[:20], "广东", "浙江", " ", "江苏省"]
    e = ents(
        name=name,
        name_zh=some(["", "比亚迪股份有限公司", " "], 0.3),
        name_en=some(["", "BYD", "Acme"], 0.3),
        aliases=some(["甲;乙", "别名"], 0.3),
        country=some(["China", "中国", "United States", " "], 0.4),
        province=some(provinces, 0.5),
        city=some(["深圳市", "杭州市", " "], 0.3),
        ownership=some(["private", "central_soe"], 0.3),
        industry_text=some(["汽车制造", "Petroleum Refining | 化工"], 0.5),
    )
    e["hq"] = some(["某路1号", " "], 0.2)
    e["on_profile"] = rng.random(n) < 0.3
    names = pd.DataFrame({"enterprise_id": e.enterprise_id, "name": np.where(rng.random(n) < 0.3, picked.name_zh, e.name)})
    fast = apply_reference(e, names, ref)
    plain = _filled_one_by_one(e, names, ref)
    assert (fast.reference_source != "").sum() > n // 3
    for col in plain.columns:
        assert fast[col].astype(str).tolist() == plain[col].astype(str).tolist(), col


def test_an_alias_naming_two_reference_rows_matches_neither():
    # 中石化 is listed under two rows here: it is ambiguous and must not decide anything.
    names = pd.DataFrame({"enterprise_id": ["A", "B"], "name": ["中石化", "Sinopec"]})
    m = match_reference(names, REF)
    assert "A" not in m.index and m["B"] == 0


@pytest.mark.parametrize("seed", range(4))
def test_stored_keys_match_as_keying_every_name_one_by_one(seed):
    """With the store's keys (``norm_name``), only rows that can hit are keyed; the matches are those of keying every row."""
    from matcher._text import normalize_names

    ref = load_reference()
    rng = np.random.default_rng(seed)
    n = 400
    picked = ref.iloc[rng.integers(0, len(ref), n)]
    name = np.where(rng.random(n) < 0.5, picked.name_zh, [f"无关{k % 150}科技有限公司" for k in range(n)])
    name = np.where((rng.random(n) < 0.2) & (picked.name_en != ""), picked.name_en, name)
    norm = normalize_names(pd.Series(name)).to_numpy(dtype=object)
    # Stored keys as the names table holds them: some disambiguated (another key), some missing (display names).
    norm = np.where(rng.random(n) < 0.1, norm + "@深圳#3", norm)
    norm = np.where(rng.random(n) < 0.35, np.where(rng.random(n) < 0.5, None, ""), norm)
    names = pd.DataFrame({"enterprise_id": [f"E{k}" for k in rng.integers(0, 120, n)], "name": name, "norm_name": norm})
    if seed % 2:
        names = names.astype({"enterprise_id": object, "name": object, "norm_name": object})
    first: dict[str, str] = {}
    for nm, k in zip(names.name, names.norm_name):
        if k not in (None, "") and nm not in first:
            first[nm] = k
    keyed = [k if k not in (None, "") else first.get(nm) or normalize_names(pd.Series([nm])).iloc[0] for nm, k in zip(names.name, names.norm_name)]
    plain = match_reference(names.assign(norm_name=keyed), ref)  # every row carries its key: nothing left to look up
    fast = match_reference(names, ref)
    assert len(plain) > 20
    assert fast.sort_index().to_dict() == plain.sort_index().to_dict()


def test_bundled_reference_is_well_formed():
    ref = load_reference()
    assert list(ref.columns) == REFERENCE_COLUMNS
    assert len(ref) >= 600 and (ref.source != "").all() and not ref.name_zh.duplicated().any()
    assert set(ref.ownership) <= {"central_soe", "local_soe", "private", "foreign", ""}


def test_reference_covers_the_chinese_unicorns(real):
    """≥ 95% of the unicorn list's Chinese companies (China and Hong Kong) find their reference row by name."""
    uni = pd.read_csv(real / "unicorn_companies_cbinsights_2022.csv", dtype=str, keep_default_na=False)
    chinese = uni[uni.country.isin(["China", "Hong Kong"])].company.str.strip()
    assert len(chinese) == 179  # 173 China + 6 Hong Kong
    ref = load_reference()
    m = match_reference(pd.DataFrame({"enterprise_id": chinese, "name": chinese}), ref)
    assert m.size / len(chinese) >= 0.95
    rows = ref.loc[m.to_numpy()]
    # the broad unicorn label becomes specific business lines and a place in the gazetteer
    assert (rows.business_zh != "").all() and (rows.name_zh != "").all()
    assert ref.loc[m["Hozon Auto"], "name_zh"] == "合众新能源汽车股份有限公司"
    assert "人形机器人" in ref.loc[m["UBTECH Robotics"], "business_zh"]
    assert ref.loc[m["Leap Motor"], "name_zh"] == "零跑汽车有限公司"  # also on the private 500: one row
    gaz = pd.read_csv(data_file("gazetteer.csv"), dtype=str, keep_default_na=False)
    places = set(zip(gaz.name_zh, gaz.province_zh))
    assert all((r.hq_province, r.hq_province) in places or (r.hq_city, r.hq_province) in places for r in rows.itertuples())
    assert all(not r.hq_city or (r.hq_city, r.hq_province) in places for r in rows.itertuples())


def test_each_list_counts_from_the_newest_edition_an_enterprise_is_on():
    e = pd.DataFrame(
        {
            "enterprise_id": ["a", "a", "b", "c", "d", "d"],
            "list_type": ["f", "f", "f", "f", "p", "p"],
            "year": [2019, 2024, 2019, 2009, 2026, 2026],
            "rank": [300.0, 250.0, 361.0, 12.0, 7.0, 5.0],
        }
    )
    m = edition_memberships(e, window_years=8).set_index("enterprise_id")
    assert (m.loc["a", "year"], m.loc["a", "rank"], bool(m.loc["a", "newest"])) == (2024, 250.0, True)
    assert (m.loc["b", "year"], m.loc["b", "rank"], bool(m.loc["b", "newest"])) == (2019, 361.0, False)
    assert "c" not in m.index  # 15 years before the newest edition: outside the window
    assert m.loc["d", "rank"] == 5.0  # best rank within the edition


def _import(store, tmp_path, name, rows, list_type, year, ranked=True):
    path = write(tmp_path / name, rows)
    t = read_table(path)
    import_list(store, parse_list(t, ranked=ranked), list_type=list_type, year=year, source_name=path.name, sha256=t.sha256)


def test_older_edition_keeps_its_tier_with_its_year_and_guangxi_firms_are_partners(tmp_path, config):
    store = Store(tmp_path / "t.db")
    _import(store, tmp_path, "f2019.csv", "rank,company,country,industry\n361,Amer International Group,China,Metals\n472,Guangxi Investment Group,China,Metals\n", "fortune_global_500", 2019)
    _import(store, tmp_path, "f2024.csv", "rank,company,country,industry\n93,SAIC Motor,China,Motor Vehicles and Parts\n", "fortune_global_500", 2024)
    u = build_universe(store, config)
    assert "广西投资集团有限公司" not in set(u.name) and len(u) == 2  # Guangxi's own group is not a target
    assert "广西投资集团有限公司" in set(build_universe(store, config, include_guangxi=True).name)
    s = RuleScorer(config).fit(u).score(u)
    out = s.explain(np.arange(len(u)), np.zeros(len(u), dtype=int))
    tiers = dict(zip(out.name_en, out.tiers))
    assert tiers["Amer International Group"] == "2019年世界500强第361名"
    assert tiers["SAIC Motor"] == "2024年世界500强第93名"
    assert "未上榜" not in " ".join(out.reason_zh)


@pytest.mark.skipif(not REAL.is_dir(), reason="the real ranking lists are not present")
def test_names_do_not_depend_on_the_import_order(tmp_path, config):
    lists = [
        ("fortune_global_500_2019.csv", "fortune_global_500", 2019),
        ("acfic_private_top500_2026.csv", "china_private_top500", 2026),
    ]

    def names(order) -> set:
        store = Store(tmp_path / f"{order[0][0]}.db")
        for name, list_type, year in order:
            t = read_table(REAL / name)
            entries = parse_list(t, ranked=True)
            import_list(store, entries, list_type=list_type, year=year, source_name=name, sha256=t.sha256)
        u = build_universe(store, config, include_guangxi=True)
        return set(zip(u.name_zh, u.name_en))

    a, b = names(lists), names(lists[::-1])
    assert a == b
    both = {p for p in a if p[0] and p[1]}
    assert ("华为投资控股有限公司", "Huawei Investment & Holding") in both


def test_reasons_name_a_link_only_on_specific_evidence_and_state_endowments(tmp_path, config):
    store = Store(tmp_path / "t.db")
    rows = (
        "rank,company,country,industry\n"
        "5,Sinopec Group,China,Petroleum Refining\n"  # specific business lines from the reference
        "9,Toyota Motor,Japan,Motor Vehicles and Parts\n"  # a broad label only
    )
    _import(store, tmp_path, "f.csv", rows, "fortune_global_500", 2024)
    u = build_universe(store, config)
    s = RuleScorer(config).fit(u).score(u)
    qinzhou = s.rank(s.group_ids(city="qinzhou"), top=10).set_index("name_en")
    sinopec = qinzhou.loc["Sinopec Group"]
    assert sinopec.link_evidence == "specific" and ("环节（" + sinopec.link + "）") in sinopec.reason_zh
    assert "业务可依托钦州深水海港" in sinopec.reason_zh and sinopec.c_endowment > 0  # a refinery needs the port
    liuzhou = s.rank(s.group_ids(city="liuzhou"), top=10).set_index("name_en")
    toyota = liuzhou.loc["Toyota Motor"]
    assert toyota.link_evidence == "broad" and "环节（" not in toyota.reason_zh and "未细分到环节" in toyota.reason_zh
    assert "总部在境外" in toyota.reason_zh and toyota.c_origin == 0
    assert toyota.chain_fit < 0.6  # a broad label spreads thinly over its typical children


def test_after_an_import_one_line_counts_what_is_unknown(tmp_path, config):
    from matcher.featurise.universe import gaps_line, universe_gaps

    store = Store(tmp_path / "t.db")
    _import(store, tmp_path, "p.csv", "排名,企业名称,省份\n1,某某未知科技有限公司,\n2,比亚迪股份有限公司,广东省\n", "china_private_top500", 2026)
    gaps = universe_gaps(build_universe(store, config, include_guangxi=True), config)
    assert gaps == {"n": 2, "unknown_industry": 1, "unknown_hq": 1}
    line = gaps_line(gaps)
    assert "1 家行业未知" in line and "1 家总部未知" in line and "matcher import-profiles" in line


@pytest.mark.parametrize(
    "city, country, merged",
    [
        ("Shenzhen", "China", True),  # the same firm in both languages: merged
        ("Beijing", "China", False),  # another province: a different firm that reads the same in pinyin
        ("San Francisco", "United States", False),  # another country
    ],
)
def test_stated_facts_veto_a_merge_across_languages(tmp_path, city, country, merged):
    store = Store(tmp_path / "t.db")
    _import(store, tmp_path, "p.csv", "排名,企业名称,省份\n1,惠科股份有限公司,广东省\n2,比亚迪股份有限公司,广东省\n", "china_private_top500", 2026)
    _import(store, tmp_path, "u.csv", f"company,city,country,industry\nHuike Group,{city},{country},Edtech\n", "unicorn", 2022, ranked=False)
    live = store.read("enterprises").query("merged_into.isna()")
    assert (len(live) == 2) is merged
