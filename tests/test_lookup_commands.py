"""The everyday questions as commands: ``enterprise``, ``city``, ``targets`` filters, "did you mean", weeks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher._text import parse_week
from matcher.cli.app import main
from matcher.cli.city import city as city_command
from matcher.cli.enterprise import enterprise as enterprise_command
from matcher.config.suggest import find_item, suggest_items
from matcher.errors import MatcherError, NotFoundError
from matcher.i18n import language
from matcher.report.labels import status_label

from .exports import read_csv

for _command in (enterprise_command, city_command):
    if _command.name not in main.commands:
        main.add_command(_command)


# --------------------------------------------------------------------------- did you mean (configuration)


@pytest.mark.parametrize("text", ["柳州", "柳州市", "广西柳州市", "liuzhou", "Liuzhou", "ＬＩＵＺＨＯＵ"])
def test_a_city_by_any_certain_name(config, text):
    assert find_item("city", config.cities, text).item.id == "liuzhou"


@pytest.mark.parametrize(
    "kind, items, text, expected",
    [
        ("chain", "chains", "汽车产业链", "automotive"),
        ("chain", "chains", "汽车链", "automotive"),
        ("list type", "tiers", "民营企业500强", "china_private_top500"),
        ("list type", "tiers", "世界500强", "fortune_global_500"),
        ("list type", "tiers", "Fortune Global 500", "fortune_global_500"),
    ],
)
def test_certain_labels_are_taken(config, kind, items, text, expected):
    assert find_item(kind, getattr(config, items), text).item.id == expected


def test_a_homophone_is_suggested_not_taken(config):
    with language("en"), pytest.raises(NotFoundError, match=r"unknown city '柳洲'; did you mean 柳州市 \(liuzhou\)\?$"):
        config.city("柳洲")
    assert [c.id for c, _ in suggest_items(config.cities, "柳洲")] == ["liuzhou"]


def test_an_ambiguous_part_lists_every_item_it_fits(config):
    with language("en"), pytest.raises(NotFoundError, match="list type '企业500强' is ambiguous") as exc:
        config.tier("企业500强")
    assert all(t in str(exc.value) for t in ("china_top500", "china_manufacturing_top500", "china_private_top500"))


def test_nothing_close_lists_every_choice(config):
    with language("en"), pytest.raises(NotFoundError, match="unknown chain 'rockets'; expected one of: .*automotive"):
        config.chain("rockets")


def test_the_message_speaks_chinese_by_default(config):
    with pytest.raises(NotFoundError) as exc:
        config.city("柳洲")
    assert "柳州市" in str(exc.value) and "did you mean" not in str(exc.value)


# --------------------------------------------------------------------------- weeks


@pytest.mark.parametrize(
    "text",
    ["2026-W49", "2026w49", "2026年第49周", "2026年49周", "２０２６年第４９周", "2026-12-03", "20261203", "2026/12/6", "2026年11月30日"],
)
def test_a_week_in_any_form(text):
    assert parse_week(text) == ("2026-W49", pd.Timestamp("2026-11-30").date())


@pytest.mark.parametrize(
    "text, match",
    [("2026-53", "invalid week"), ("2026-W54", "no ISO week 54"), ("2026-02-30", "is not a date"), ("202612", "invalid week")],
)
def test_a_bad_week_says_why(text, match):
    with language("en"), pytest.raises(MatcherError, match=match):
        parse_week(text)


def test_a_date_at_the_turn_of_the_year_is_in_its_iso_week():
    assert parse_week("2027-01-01")[0] == "2026-W53"


# --------------------------------------------------------------------------- the real lists


@pytest.fixture(scope="module")
def real_db(tmp_path_factory):
    from matcher.config.load import load_config
    from matcher.ingest.lists import parse_profiles
    from matcher.ingest.tables import read_table
    from matcher.resolve.imports import import_profiles
    from matcher.store.core import Store

    from .conftest import REAL
    from .test_real_data import import_real

    if not REAL.is_dir():
        pytest.skip("the real ranking lists (../shared/data/real) are not present")
    config = load_config()
    path = tmp_path_factory.mktemp("lookup") / "real.db"
    store = Store(path)
    import_real(store, config, REAL, "fortune_global_500_2024.csv", "fortune_global_500", 2024)
    import_real(store, config, REAL, "acfic_private_top500_2026.csv", "china_private_top500", 2026)
    t = read_table(REAL / "acfic_private_top500_2026_profiles.csv")
    import_profiles(store, parse_profiles(t), source_name="acfic_private_top500_2026_profiles.csv", sha256=t.sha256)
    return path


def _run(db, *args):
    lang = list(args[:2]) if args[:1] == ("--lang",) else []
    r = CliRunner().invoke(main, [*lang, "--db", str(db), *args[len(lang) :]])
    assert "Traceback" not in r.output, r.output
    return r


def test_an_enterprise_by_a_short_name(real_db):
    from matcher.resolve.suggest import find_enterprise
    from matcher.store.core import open_store

    store = open_store(str(real_db))
    m = find_enterprise(store, "恒逸集团")
    assert (m.matched_name, m.how) == ("浙江恒逸集团有限公司", "part")
    assert find_enterprise(store, "比亚迪").matched_name == "比亚迪股份有限公司"
    assert find_enterprise(store, "Zhejiang Hengyi Group").enterprise_id == m.enterprise_id
    with language("en"), pytest.raises(NotFoundError, match="did you mean 浙江吉利控股集团有限公司"):
        find_enterprise(store, "吉利")


def test_enterprise_ranks_it_in_every_city_as_targets_does(real_db, tmp_path, config):
    r = _run(real_db, "enterprise", "恒逸集团", "--out", str(tmp_path / "hengyi.xlsx"))
    assert r.exit_code == 0, r.output
    assert "浙江恒逸集团有限公司" in r.output and "Zhejiang Hengyi Group" in r.output
    assert "\x1b[" not in r.output  # plain text off a terminal
    sheets = pd.read_excel(tmp_path / "hengyi.xlsx", sheet_name=None, header=2)
    assert len(sheets) == 7 and list(sheets)[-1] == "说明"  # six tables and what the workbook is
    ranks = next(f for f in sheets.values() if len(f) == len(config.cities))
    city_col, rank_col = ranks.columns[0], ranks.columns[1]
    assert set(ranks[city_col]) == {c.name_zh for c in config.cities}
    assert ranks[rank_col].between(1, 10_000).all()
    # Its rank in 钦州 is its place in `matcher targets --city 钦州`.
    qz = int(ranks.loc[ranks[city_col] == "钦州市", rank_col].iloc[0])
    out = tmp_path / "qz.csv"
    assert _run(real_db, "targets", "--city", "钦州", "--top", str(qz), "--out", str(out)).exit_code == 0
    assert read_csv(out).name.iloc[-1] == "浙江恒逸集团有限公司"
    lists = next(f for f in sheets.values() if "2026" in f.to_string() and len(f) == 2)
    assert set(lists.iloc[:, 1]) == {2024, 2026}


def test_enterprise_csv_writes_one_file_per_table(real_db, tmp_path):
    r = _run(real_db, "enterprise", "比亚迪", "--out", str(tmp_path / "byd.csv"))
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in tmp_path.glob("byd*.csv"))
    assert names == ["byd-industries.csv", "byd-lists.csv", "byd-profile.csv", "byd-projects.csv", "byd-visits.csv", "byd.csv"]
    assert "新能源汽车整车" in (tmp_path / "byd-industries.csv").read_text(encoding="utf-8-sig")


def test_an_uncertain_enterprise_stops_with_suggestions(real_db):
    r = _run(real_db, "--lang", "en", "enterprise", "吉利")
    assert r.exit_code == 1 and "did you mean" in r.output and "浙江吉利控股集团有限公司" in r.output


def test_city_links_without_candidates_really_have_none(real_db, config):
    from matcher.plan.issue import score_store
    from matcher.report.city import city_report, link_candidates
    from matcher.store.core import open_store

    scores = score_store(open_store(str(real_db)), config)
    rep = city_report(config, scores, "liuzhou", per_link=3)
    pairs = link_candidates(scores, "liuzhou")
    j_of = {(lk.city, lk.link): lk.Index for lk in scores.links.itertuples()}
    assert len(rep.uncovered) > 0
    for link in rep.uncovered.link_id:
        j = j_of[("liuzhou", link)]
        assert not pairs[(pairs.j == j) & pairs.specific].size
    # Every listed candidate fills its link by its own industry, and the reason names the link.
    assert (rep.candidates.link_evidence == "specific").all()
    assert set(rep.candidates.link_status) <= {"missing", "weak"}
    assert (rep.candidates.reason_zh.str.contains("环节（")).all()
    # Candidates are the best of their link, in score order.
    for _, grp in rep.candidates.groupby("link", sort=False):
        assert list(grp.rank_in_link) == list(range(1, len(grp) + 1))
        assert np.all(np.diff(grp.score.to_numpy()) <= 1e-9)
    statuses = {s for cc in config.city("liuzhou").chains for _, s in cc.links}
    assert set(rep.links.link_status) == statuses
    assert "上汽通用五菱汽车股份有限公司" in set(rep.anchors.anchor_firm)


def test_city_command_on_screen_and_in_a_workbook(real_db, tmp_path):
    r = _run(real_db, "city", "钦州", "--out", str(tmp_path / "qz.xlsx"))
    assert r.exit_code == 0, r.output
    assert "钦州市" in r.output.splitlines()[0] and "qinzhou" in r.output.splitlines()[0]
    assert list(pd.read_excel(tmp_path / "qz.xlsx", sheet_name=None))[-1] == "说明"
    assert len(pd.read_excel(tmp_path / "qz.xlsx", sheet_name=None)) == 5  # four tables and what the workbook is


def test_targets_filters_combine(real_db, tmp_path):
    out = tmp_path / "lz.csv"
    r = _run(real_db, "targets", "--city", "liuzhou", "--list", "世界500强", "--status", "missing", "--out", str(out))
    assert r.exit_code == 0, r.output
    t = read_csv(out)
    assert len(t) > 0 and (t.link_status == status_label("missing")).all()  # the status as the language in use says it
    assert t.tiers.str.contains("世界500强").all()
    r = _run(real_db, "targets", "--city", "柳州", "--list", "民营企业500强", "--top", "5")
    assert r.exit_code == 0 and "中国民营企业500强 (china_private_top500)" in r.output


@pytest.mark.parametrize(
    "args, match",
    [
        (["targets", "--city", "柳洲"], "柳州市 (liuzhou)"),
        (["targets", "--chain", "新材料"], "高端金属新材料 (metals)"),
        (["targets", "--city", "柳州", "--list", "企业500强"], "ambiguous"),
        (["city", "柳洲"], "did you mean 柳州市"),
    ],
)
def test_cli_options_suggest(real_db, args, match):
    r = _run(real_db, "--lang", "en", *args)
    assert r.exit_code == 1 and match in r.output and len(r.output.strip().splitlines()) == 1
