"""Resolution: name fields, blocking, comparison, the resolver, and merges in the database."""

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.cli.app import main
from matcher.errors import InputError, MatcherError, StoreError
from matcher.featurise.universe import build_universe
from matcher.ingest.lists import parse_list
from matcher.ingest.tables import read_table
from matcher.report.headers import column_ids
from matcher.report.writers import write_table
from matcher.resolve.aliases import load_aliases
from matcher.resolve.compare import FEATURES, token_keys, token_matrix
from matcher.resolve.imports import import_list
from matcher.resolve.normalize import parse_names, syllables, to_initials, to_pinyin
from matcher.resolve.records import apply_review, master_list, resolve_store
from matcher.resolve.resolver import DECISIONS, Resolver
from matcher.resolve.synth import synthetic_master, synthetic_queries
from matcher.store.core import Store

from .conftest import write
from .exports import read_csv


@pytest.mark.parametrize(
    "name, prefix, core, brand, pinyin, initials",
    [
        ("浙江恒逸集团有限公司", "浙江", "恒逸", "恒逸", "hengyi", "hy"),
        ("恒逸石化股份有限公司", "", "恒逸石化", "恒逸", "hengyishihua", "hysh"),
        ("浙江吉利控股集团有限公司", "浙江", "吉利", "吉利", "jili", "jl"),
        ("阿里巴巴（中国）有限公司", "", "阿里巴巴", "阿里巴巴", "alibaba", "albb"),
        ("比亚迪股份有限公司", "", "比亚迪", "比亚迪", "biyadi", "byd"),
        ("日照钢铁控股集团有限公司", "日照", "钢铁", "日照", "gangtie", "gt"),
        ("Zhejiang Hengyi Group Co., Ltd.", "zhejiang", "hengyi", "hengyi", "hengyi", "hy"),
        ("BYD", "", "byd", "byd", "byd", "byd"),
        ("Ｚｈｅｊｉａｎｇ Ｇｅｅｌｙ Ｈｏｌｄｉｎｇ Ｇｒｏｕｐ", "zhejiang", "geely", "geely", "geely", "geely"),
    ],
)
def test_name_fields(name, prefix, core, brand, pinyin, initials):
    f = parse_names(pd.Series([name])).iloc[0]
    assert (f.prefix, f.core, f.brand, f.pinyin, f.initials) == (prefix, core, brand, pinyin, initials)


@pytest.mark.parametrize(
    "text, pinyin, initials",
    [
        ("长安", "changan", "ca"),
        ("重庆", "chongqing", "cq"),
        ("重庆银行", "chongqingyinhang", "cqyh"),
        ("厦门航空", "xiamenhangkong", "xmhk"),
        ("长江", "changjiang", "cj"),
        ("朝阳", "chaoyang", "cy"),  # the phrase allows the character's own reading: kept
        ("重工", "zhonggong", "zg"),
        ("恒力", "hengli", "hl"),
        ("TCL长虹", "TCLchanghong", "TCLch"),
        ("", "", ""),
    ],
)
def test_pinyin_reads_phrases(text, pinyin, initials):
    assert to_pinyin(pd.Series([text])).iloc[0] == pinyin
    assert to_initials(pd.Series([text])).iloc[0] == initials


def test_phrase_pinyin_matches_a_plain_reference():
    """Only strings with a character some phrase reads otherwise are segmented: the rest read the same either way."""
    names = pd.Series(list(synthetic_master(3000, random_state=7).name) + ["长安汽车", "市长安", "重庆长安", "a重庆b"], dtype=object)
    full, ini = to_pinyin(names), to_initials(names)
    for name, f, i in zip(names, full, ini):
        ref = syllables(name)
        assert (f, i) == ("".join(ref), "".join(s[0] for s in ref)), name


def test_bracketed_place_gives_the_province():
    f = parse_names(pd.Series(["弘润石化（潍坊）有限责任公司", "浙江恒逸集团有限公司", "恒力集团"]))
    assert f.province_hint.tolist() == ["山东省", "浙江省", ""]


@pytest.fixture(scope="module")
def fitted():
    master = pd.DataFrame(
        {
            "enterprise_id": ["E1", "E2", "E3", "E4", "E5", "E6"],
            "name": [
                "浙江恒逸集团有限公司",
                "恒力集团有限公司",
                "中国石油化工集团有限公司",
                "比亚迪股份有限公司",
                "江苏恒立液压股份有限公司",
                "华润(集团)有限公司",
            ],
            "province": ["浙江省", "江苏省", "北京市", "广东省", "江苏省", "广东省"],
        }
    )
    return Resolver().fit(master)


def test_common_tokens_weigh_little(fitted):
    assert fitted.token_weight("集团") < 0.5 * fitted.token_weight("恒逸")
    assert fitted.token_weight("group") < fitted.token_weight("hengyi")


@pytest.mark.parametrize(
    "name, expected, decision",
    [
        ("Zhejiang Hengyi Group", "E1", "merge"),
        ("恒逸集团", "E1", "merge"),
        ("Hengli Group", "E2", "merge"),
        ("BYD", "E4", "merge"),
        ("Sinopec", "E3", "merge"),
        ("中国石油天然气集团有限公司", None, "new"),  # 中国石油 is not 中国石化
        ("华侨城集团有限公司", None, "new"),
        ("恒逸石化股份有限公司", None, "new"),  # a subsidiary: linked to its parent, not merged
    ],
)
def test_resolver_decisions(fitted, name, expected, decision):
    out = fitted.predict(pd.DataFrame({"name": [name]})).iloc[0]
    assert out.decision == decision
    if expected:
        assert out.enterprise_id == expected
    assert out.reason_zh and out.reason_en


def test_predict_is_deterministic_and_complete(fitted):
    q = pd.DataFrame({"name": ["恒力集团", "Hengli Group", "未知企业有限公司", "恒力集团"], "province": ["江苏", "", "", ""]})
    a, b = fitted.predict(q), fitted.predict(q)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 4 and set(a.decision) <= set(DECISIONS)
    assert a.decision.iloc[2] == "new" and a.enterprise_id.iloc[2] == ""
    assert all(c in a.columns for c in FEATURES)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"lower": 0.9, "upper": 0.5}, "lower.*upper"),
        ({"max_block": 0}, "max_block"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(MatcherError, match=match):
        Resolver(**params).fit(pd.DataFrame({"enterprise_id": ["E1"], "name": ["恒力集团"]}))


def test_master_needs_columns():
    with pytest.raises(MatcherError, match="enterprise_id"):
        Resolver().fit(pd.DataFrame({"name": ["恒力集团"]}))


@pytest.mark.usefixtures("english")
def test_user_alias_file_extends_and_is_checked(tmp_path):
    good = write(
        tmp_path / "a.csv",
        "group_id,name_zh,name_en,aliases,parent,province,city\nxyz,某某新能源集团有限公司,Moumou New Energy,某某,,广西壮族自治区,南宁市\n",
    )
    table = load_aliases(good)
    assert table.lookup(parse_names(pd.Series(["Moumou New Energy"]))).iloc[0] == "xyz"
    bad = write(tmp_path / "b.csv", "group_id,name_zh,name_en,parent\nxyz,某某,Moumou,nosuch\n")
    with pytest.raises(InputError, match="parent.*nosuch"):
        load_aliases(bad)
    missing = write(tmp_path / "c.csv", "id,name\n1,某某\n")
    with pytest.raises(InputError, match="missing column"):
        load_aliases(missing)


def _reference_candidates(resolver, queries):
    """Plain-Python blocking: every (query, master) pair sharing a key value, big blocks skipped."""
    parsed = resolver.prepare(queries.reset_index(drop=True))
    out = set()
    for kind in resolver._block_keys():
        mk = resolver._key_values(resolver.master_, kind).tolist()
        qk = resolver._key_values(parsed, kind).tolist()
        sizes = {}
        for k in mk:
            sizes[k] = sizes.get(k, 0) + 1
        for i, a in enumerate(qk):
            if not a:
                continue
            if kind != "group" and sizes.get(a, 0) > resolver.max_block:
                continue
            for j, b in enumerate(mk):
                if a == b:
                    out.add((i, j))
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_blocking_matches_a_plain_reference(seed):
    master = synthetic_master(400, random_state=seed)
    queries = synthetic_queries(master, 120, random_state=seed + 10)
    r = Resolver(max_block=5).fit(master[["enterprise_id", "name", "province"]])
    fast = r.candidates(queries[["name", "province"]])
    assert set(zip(fast.q, fast.m)) == _reference_candidates(r, queries[["name", "province"]])


def _reference_tokens(name: str) -> set[str]:
    """Plain-Python tokens: Chinese characters and bigrams of the folded name, and its Latin words."""
    import re
    import unicodedata

    t = unicodedata.normalize("NFKC", name).lower()
    c = "".join(ch for ch in t if "\u3400" <= ch <= "\u9fff")[:24]
    return set(c) | {c[i : i + 2] for i in range(len(c) - 1)} | set(re.findall(r"[a-z0-9]+", t))


def test_token_similarity_matches_a_plain_reference():
    rng = np.random.default_rng(3)
    names = pd.concat(
        [synthetic_master(60, random_state=4).name, pd.Series(["Zhejiang Hengyi Group", "TCL科技集团", "Hengli Group Co."])],
        ignore_index=True,
    )
    r = Resolver().fit(pd.DataFrame({"enterprise_id": [f"E{i}" for i in range(len(names))], "name": names}))
    m = token_matrix(token_keys(names), len(names), r.vocab_, r.idf_)
    pairs = [tuple(rng.integers(0, len(names), 2)) for _ in range(40)] + [(60, 62), (61, 0)]
    for i, j in pairs:
        a = {t: r.token_weight(t) for t in _reference_tokens(names[i])}
        b = {t: r.token_weight(t) for t in _reference_tokens(names[j])}
        dot = sum(a[t] * b[t] for t in a if t in b)
        ref = dot / (np.sqrt(sum(v * v for v in a.values())) * np.sqrt(sum(v * v for v in b.values())))
        assert m[i].multiply(m[j]).sum() == pytest.approx(ref, rel=1e-9)


# ---------------------------------------------------------------------------- the database

FORTUNE = "rank,company,country,hq_location\n{rows}"
PRIVATE = (
    "排名,企业名称,所在地区\n1,京东集团,北京市\n3,恒力集团有限公司,江苏省\n12,浙江恒逸集团有限公司,浙江省\n5,比亚迪股份有限公司,广东省\n"
)


def _imp(store, path, list_type, year):
    t = read_table(path)
    return import_list(store, parse_list(t), list_type=list_type, year=year, source_name=path.name, sha256=t.sha256)


def _fortune(tmp_path, year, names):
    rows = "".join(f"{i + 1},{n},China,Beijing\n" for i, n in enumerate(names))
    return write(tmp_path / f"f{year}.csv", FORTUNE.format(rows=rows))


def _ids(store):
    e = store.read("enterprises")
    return {k: v if isinstance(v, str) else None for k, v in zip(e.enterprise_id, e.merged_into)}


def _live(ids: dict, eid: str) -> str:
    while ids[eid] is not None:
        eid = ids[eid]
    return eid


def test_import_resolves_across_languages_and_keeps_ids(tmp_path):
    store = Store(tmp_path / "r.db")
    _imp(store, _fortune(tmp_path, 2019, ["JD.com", "Hengli Group", "Zhejiang Hengyi Group", "Walmart"]), "fortune_global_500", 2019)
    before = {k for k, v in _ids(store).items() if v is None}
    r = _imp(store, write(tmp_path / "p.csv", PRIVATE), "china_private_top500", 2026)
    assert r.merged == 3  # 京东, 恒力, 恒逸 join their Fortune entries; 比亚迪 is new
    ids = _ids(store)
    live = {k for k, v in ids.items() if v is None}
    # A merge keeps the smaller id (so the master does not depend on import order); every earlier id
    # still leads to its live enterprise, and no two earlier enterprises became one.
    assert len({_live(ids, k) for k in before}) == len(before)
    assert len(live) == 5
    lists = master_list(store, build_universe(store, _config()), search="恒逸")
    assert (
        len(lists) == 1 and "fortune_global_500 2019 #3" in lists.lists.iloc[0] and "china_private_top500 2026 #12" in lists.lists.iloc[0]
    )
    assert lists.name_zh.iloc[0] == "浙江恒逸集团有限公司" and lists.name_en.iloc[0] == "Zhejiang Hengyi Group"
    # Next year's list keeps every id.
    ids = _ids(store)
    _imp(store, _fortune(tmp_path, 2024, ["Jingdong Group", "Hengli Group", "BYD", "Amazon"]), "fortune_global_500", 2024)
    after = _ids(store)
    assert {k: _live(after, k) for k in live} == {k: _live(after, _live(ids, k)) for k in live}
    assert len({_live(after, k) for k in live}) == len(live)
    assert len({k for k, v in after.items() if v is None}) == 6  # only Amazon is new


def _config():
    from matcher.config.load import load_config

    return load_config()


def test_rerunning_resolution_changes_no_id(tmp_path):
    store = Store(tmp_path / "r.db")
    _imp(store, _fortune(tmp_path, 2019, ["Hengli Group", "Zhejiang Hengyi Group", "Hengyi Petrochemical"]), "fortune_global_500", 2019)
    _imp(store, write(tmp_path / "p.csv", PRIVATE), "china_private_top500", 2026)
    first = resolve_store(store)
    snap = store.read("enterprises"), store.read("merges"), store.snapshot_hash()
    second = resolve_store(store)
    assert second.merged == 0
    pd.testing.assert_frame_equal(store.read("enterprises"), snap[0])
    pd.testing.assert_frame_equal(store.read("merges"), snap[1])
    assert store.snapshot_hash() == snap[2]
    assert first.parents == 1  # 恒逸石化 → 恒逸集团
    parents = store.ultimate_parents()
    names = master_list(store, build_universe(store, _config())).set_index("enterprise_id").aliases
    assert [(names[k], names[v]) for k, v in parents.items()] == [("Hengyi Petrochemical", "Zhejiang Hengyi Group; 浙江恒逸集团有限公司")]


def test_source_region_follows_the_parent(tmp_path):
    store = Store(tmp_path / "r.db")
    # The subsidiary listed in Guangdong (one listed in Guangxi is a Guangxi firm, left out as such).
    text = "排名,企业名称,所在地区\n1,浙江恒逸集团有限公司,浙江省\n2,恒逸石化股份有限公司,广东省\n"
    _imp(store, write(tmp_path / "p.csv", text), "china_private_top500", 2026)
    resolve_store(store)
    u = build_universe(store, _config()).set_index("name")
    assert u.loc["恒逸石化股份有限公司", "source_region"] == u.loc["浙江恒逸集团有限公司", "source_region"] != ""
    assert u.loc["恒逸石化股份有限公司", "hq_province"] == "浙江省"


@pytest.mark.usefixtures("english")
def test_undo_restores_the_merged_enterprise_and_its_rows(tmp_path):
    store = Store(tmp_path / "r.db")
    _imp(store, _fortune(tmp_path, 2019, ["Hengli Group"]), "fortune_global_500", 2019)
    before_entries = store.read("list_entries")[["import_id", "source_row", "enterprise_id"]]
    _imp(store, write(tmp_path / "p.csv", PRIVATE), "china_private_top500", 2026)
    merges = store.read("merges")
    m = merges[merges.rule.str.startswith("resolver")].iloc[0]
    entries = store.read("list_entries")
    assert (entries.enterprise_id == m.kept_id).sum() == 2
    kept, merged = store.undo_merge(int(m.merge_id))
    assert (kept, merged) == (m.kept_id, m.merged_id)
    after = store.read("list_entries")
    assert (after.enterprise_id == m.merged_id).sum() == 1 and (after.enterprise_id == m.kept_id).sum() == 1
    pd.testing.assert_frame_equal(after[after.import_id == 1][["import_id", "source_row", "enterprise_id"]], before_entries)
    assert _ids(store)[m.merged_id] is None
    # The pair is now decided "different": resolution does not merge it again.
    assert resolve_store(store).merged == 0
    with pytest.raises(StoreError, match="already undone"):
        store.undo_merge(int(m.merge_id))
    with pytest.raises(StoreError, match="no merge"):
        store.undo_merge(999)


def test_review_file_round_trip(tmp_path):
    store = Store(tmp_path / "r.db")
    text = "排名,企业名称,所在地区\n1,中天钢铁集团有限公司,江苏省\n2,中天科技集团有限公司,江苏省\n3,TCL科技集团股份有限公司,广东省\n4,TCL实业控股股份有限公司,广东省\n"
    _imp(store, write(tmp_path / "p.csv", text), "china_private_top500", 2026)
    out = tmp_path / "review.csv"
    s = resolve_store(store)
    write_table(s.review_pairs, str(out), sheet="review")
    review = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert s.review == len(review) >= 1
    # Headers from the catalogue, except the three a marked file is read back by, which stay as they are.
    assert column_ids(review.columns) == ["left_id", "left_name", "right_id", "right_name", "probability", "reason", "decision"]
    assert {"left_id", "right_id", "decision"} <= set(review.columns)
    review["decision"] = "different"
    review.loc[0, "decision"] = "same"
    review.to_csv(out, index=False)
    merged, apart = apply_review(store, out)
    assert (merged, apart) == (1, len(review) - 1)
    again = resolve_store(store)
    assert again.review == len(again.review_pairs) == 0  # decided pairs are not asked again
    assert "review review.csv row 2: same" in store.read("merges").rule.iloc[-1]


@pytest.mark.usefixtures("english")
def test_bad_review_file_names_row_column_value(tmp_path, store):
    path = write(tmp_path / "r.csv", "left_id,right_id,decision\nE1,E2,maybe\n")
    with pytest.raises(InputError, match=r"r.csv, row 2, column 'left_id', value 'E1'"):
        apply_review(store, path)
    _imp(store, write(tmp_path / "p.csv", PRIVATE), "china_private_top500", 2026)
    ids = sorted(store.read("enterprises").enterprise_id)
    write(tmp_path / "r.csv", f"left_id,right_id,decision\n{ids[0]},{ids[1]},maybe\n")
    with pytest.raises(InputError, match=r"row 2, column 'decision', value 'maybe': the decision must be 'same' or 'different'"):
        apply_review(store, path)


@pytest.mark.usefixtures("english")
def test_cli_resolve_and_enterprises(tmp_path):
    db = tmp_path / "c.db"
    runner = CliRunner()
    for cmd in ("resolve", "enterprises"):
        r = runner.invoke(main, [cmd, "--help"])
        assert r.exit_code == 0 and len(r.output.split("Options:")[0].strip().splitlines()) >= 2
    p = write(tmp_path / "p.csv", PRIVATE)
    assert runner.invoke(main, ["--db", str(db), "import-list", str(p), "--type", "china_private_top500", "--year", "2026"]).exit_code == 0
    r = runner.invoke(main, ["--db", str(db), "resolve", "--review-out", str(tmp_path / "rv.xlsx")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "rv.xlsx").exists()
    r = runner.invoke(main, ["--db", str(db), "enterprises", "--search", "恒力", "--out", str(tmp_path / "e.csv")])
    assert r.exit_code == 0, r.output
    e = read_csv(tmp_path / "e.csv", dtype=str, keep_default_na=False)
    assert e.name_zh.tolist() == ["恒力集团有限公司"] and e.hq_province.iloc[0] == "江苏省"
    r = runner.invoke(main, ["--db", str(db), "resolve", "--apply-review", str(tmp_path / "missing.csv")])
    assert r.exit_code == 1 and r.output.startswith("error: ") and "Traceback" not in r.output
    r = runner.invoke(main, ["--db", str(db), "enterprises", "--search", "不存在的名字"])
    assert r.exit_code == 1 and "no enterprise" in r.output
