"""The command line as a user meets it: help, clean errors, the demo, determinism."""

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli.app import main
from matcher.report.headers import column_ids
from matcher.store.core import Store

from .conftest import write
from .exports import read_csv

COMMANDS = [
    "import-list",
    "import-profiles",
    "resolve",
    "validate",
    "enterprises",
    "imports",
    "merges",
    "targets",
    "weekly",
    "demo",
    "template",
    "import-visits",
    "import-projects",
    "import-stationed",
    "kpi",
    "db",
    "train",
    "evaluate",
]


def run(*args, db=None):
    runner = CliRunner()
    full = (["--db", str(db)] if db else []) + [str(a) for a in args]
    return runner.invoke(main, full, catch_exceptions=False)


def test_every_command_has_help():
    top = run("--help")
    assert top.exit_code == 0
    for cmd in COMMANDS:
        assert cmd in top.output
        r = run(cmd, "--help")
        assert r.exit_code == 0, cmd
        body = r.output.split("Options:")[0]
        assert len(body.strip().splitlines()) >= 3, f"{cmd} has no help text"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    r = run("demo", "--out", out, "--week", "2026-W49")
    assert r.exit_code == 0, r.output
    return out


def test_demo_writes_every_output(demo_dir):
    assert (demo_dir / "matcher.db").exists()
    for name in ("targets_city_qinzhou", "targets_city_liuzhou", "targets_chain_automotive", "targets_chain_biomedicine"):
        assert (demo_dir / f"{name}.csv").stat().st_size > 0
        assert (demo_dir / f"{name}.xlsx").stat().st_size > 0
    plan = (demo_dir / "weekly" / "plan.csv").read_text(encoding="utf-8-sig").splitlines()
    assert plan[0].startswith("周次,小分队编号,小分队,所属城市,重点区域,排名,企业编号,企业名称,得分,推荐理由")  # Chinese headers
    assert column_ids(plan[0].split(",")[:10]) == [
        "week",
        "team_id",
        "team_name",
        "home_city",
        "region",
        "rank",
        "enterprise_id",
        "name",
        "score",
        "reason",
    ]  # 企业名称 reads back as the first column so named; the plan's is enterprise_name
    assert len(plan) > 100
    teams = list((demo_dir / "weekly" / "teams").glob("*.xlsx"))
    assert len(teams) >= 42


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith("matcher.db")
    }


def test_same_inputs_give_byte_identical_outputs(demo_dir, tmp_path):
    r = run("demo", "--out", tmp_path, "--week", "2026-W49")
    assert r.exit_code == 0
    a, b = _digest(demo_dir), _digest(tmp_path)
    assert a.keys() == b.keys() and len(a) > 50
    assert a == b


def test_targets_by_city_chain_and_region(demo_dir, tmp_path):
    db = demo_dir / "matcher.db"
    r = run("targets", "--city", "钦州市", "--top", "5", db=db)
    assert r.exit_code == 0 and "钦州" in r.output
    out = tmp_path / "auto.csv"
    r = run("targets", "--chain", "Automobiles", "--region", "GBA", "--top", "10", "--out", out, db=db)
    assert r.exit_code == 0, r.output

    t = read_csv(out)
    assert len(t) == 10
    assert set(t.source_region) == {"GBA"}
    assert set(t.chain) == {"汽车"}
    assert list(t["rank"]) == list(range(1, 11))
    for col in (
        "enterprise_id",
        "name",
        "tiers",
        "hq_city",
        "city",
        "link",
        "score",
        "c_chain",
        "c_region",
        "c_tier",
        "reason",
    ):
        assert col in t.columns
    assert "reason_en" not in t.columns and t.reason.str.contains("汽车链").all()  # the reason in the language in use


@pytest.mark.parametrize(
    "args, match",
    [
        (["targets"], "give --city or --chain"),
        (["targets", "--city", "火星市"], "unknown city '火星市'"),
        (["targets", "--chain", "spaceships"], "unknown chain 'spaceships'"),
        (["weekly", "--week", "2026-53"], "invalid week"),
        (["weekly", "--week", "2026-W54"], "has no ISO week 54"),
    ],
)
def test_user_errors_are_one_line(demo_dir, args, match):
    runner = CliRunner()
    r = runner.invoke(main, ["--lang", "en", "--db", str(demo_dir / "matcher.db"), *args])
    assert r.exit_code != 0
    assert match in r.output
    assert "Traceback" not in r.output


@pytest.mark.usefixtures("english")
def test_empty_database_says_what_to_do(tmp_path):
    r = CliRunner().invoke(main, ["--db", str(tmp_path / "e.db"), "targets", "--city", "钦州市"])
    assert r.exit_code == 1
    assert "holds no enterprises yet" in r.output


@pytest.mark.usefixtures("english")
def test_demo_refuses_to_overwrite_a_given_database(tmp_path):
    db = tmp_path / "mine.db"
    Store(db)
    r = CliRunner().invoke(main, ["--db", str(db), "demo", "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and "exists already" in r.output


# ------------------------------------------------------------- bad files through the CLI


BAD_FILES = {
    "empty.csv": b"",
    "header_only.csv": "排名,企业名称\n".encode(),
    "no_name.csv": b"rank,revenue\n1,2\n",
    "no_rank.csv": "企业名称\n甲\n".encode(),
    "dup_rank.csv": "排名,企业名称\n1,甲\n1,乙\n".encode("gbk"),
    "bad_revenue.csv": "排名,企业名称,营业收入\n1,甲,一百\n".encode("gb18030"),
    "bad_rank.csv": b"rank,name\nabc,A\n",
    "zero_rank.csv": b"rank,name\n0,A\n",
    "half_rank.csv": b"rank,name\n1.5,A\n",
    "empty_name.csv": b"rank,name\n1,A\n2,\n",
    "binary.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "latin1.csv": b"rank,name\n1,Soci\xe9t\xe9 G\xe9n\xe9rale\x80\n",
    "broken.xlsx": b"PK\x03\x04 not a workbook",
    "old.xls": b"\xd0\xcf\x11\xe0",
    "bad_year.csv": b"rank,name,year\n1,A,20x4\n",
    "title_only.csv": "2024年榜单\n说明：单位万元\n".encode(),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
@pytest.mark.usefixtures("english")
def test_bad_file_gives_one_line_and_leaves_database_unchanged(tmp_path, name):
    db = tmp_path / "t.db"
    good = write(tmp_path / "good.csv", "排名,企业名称\n1,京东集团\n2,恒力集团有限公司\n")
    assert run("import-list", good, "--type", "民营500强", "--year", "2026", db=db).exit_code == 0
    store = Store(db)
    before = store.counts(), store.snapshot_hash()
    bad = tmp_path / name
    bad.write_bytes(BAD_FILES[name])
    r = CliRunner().invoke(main, ["--db", str(db), "import-list", str(bad), "--type", "china_top500", "--year", "2024"])
    assert r.exit_code == 1
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and name in lines[0]
    assert (store.counts(), store.snapshot_hash()) == before


@pytest.mark.usefixtures("english")
def test_unknown_list_type_and_missing_year(tmp_path):
    good = write(tmp_path / "good.csv", "排名,企业名称\n1,京东集团\n")
    r = CliRunner().invoke(main, ["--lang", "en", "--db", str(tmp_path / "t.db"), "import-list", str(good), "--type", "top-1000"])
    assert r.exit_code == 1 and "unknown list type 'top-1000'" in r.output
    r = CliRunner().invoke(main, ["--db", str(tmp_path / "t.db"), "import-list", str(good), "--type", "china_top500"])
    assert r.exit_code == 1 and "--year is required" in r.output


def test_import_list_twice_reports_unchanged(tmp_path):
    good = write(tmp_path / "good.csv", "排名,企业名称\n1,京东集团\n", "gbk")
    db = tmp_path / "t.db"
    assert "已导入：1 行" in run("import-list", good, "--type", "china_top500", "--year", "2024", db=db).output
    assert "已导入过，未作改动" in run("import-list", good, "--type", "china_top500", "--year", "2024", db=db).output


# ------------------------------------------------------------- history, scorecard, backup


def test_kpi_works_right_after_the_demo(demo_dir, tmp_path):
    db = demo_dir / "matcher.db"
    s = Store(db)
    v = s.visits_frame(extra=True)
    assert len(v) > 1000 and v.synthetic.all()
    assert v.date.max() < __import__("pandas").Timestamp("2026-11-30")  # the history ends before the demo week
    r = run("kpi", "--year", "2026", "--out", tmp_path / "kpi", db=db)
    assert r.exit_code == 0, r.output
    assert "合成数据" in r.output
    for name in ("scorecard.xlsx", "scorecard.md", "scorecard.html", "tiers.png", "money.png", "cadence.png"):
        assert (tmp_path / "kpi" / name).stat().st_size > 0


@pytest.mark.usefixtures("english")
def test_template_backup_and_sheet_errors_through_the_cli(demo_dir, tmp_path):
    db = demo_dir / "matcher.db"
    r = run("template", "visits", "--out", tmp_path / "v.xlsx", db=db)
    assert r.exit_code == 0 and (tmp_path / "v.xlsx").exists()
    r = run("db", "backup", tmp_path / "copy.db", db=db)
    assert r.exit_code == 0, r.output
    assert Store(tmp_path / "copy.db").counts() == Store(db).counts()
    bad = write(tmp_path / "bad.csv", "日期,小分队,企业名称,活动类型,带队领导级别\n2026-13-01,nobody,无此公司,喝茶,小分队成员\n")
    r = CliRunner().invoke(main, ["--db", str(db), "import-visits", str(bad)])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert r.output.startswith("error: ") and "4 bad rows, nothing imported" in r.output
    for reason in ("not a date", "unknown team", "unknown enterprise", "unknown kind"):
        assert "row 2" in r.output and reason in r.output


def test_evaluate_works_right_after_the_demo(demo_dir, tmp_path):
    models = demo_dir / "models"
    manifest = (models / "manifest.json").read_text(encoding="utf-8")
    assert "boosted-" in manifest and "pair-v1" in manifest
    assert "SYNTHETIC" in next(models.glob("*.md")).read_text(encoding="utf-8")
    out = tmp_path / "eval"
    r = run("evaluate", "--out", out, "--origins", "2", db=demo_dir / "matcher.db")
    assert r.exit_code == 0, r.output
    assert "SYNTHETIC history simulated in-process" in r.output
    table = read_csv(out / "comparison.csv")
    assert list(table.method_name) == ["random", "tier", "rule", "logistic", "boosted", "blend", "oracle"]
    assert {"logged_ndcg@10", "logged_precision@10", "cf_ndcg@10", "cf_precision@10", "brier"} <= set(table.columns)
    md = (out / "comparison.md").read_text(encoding="utf-8")
    assert "## Protocol" in md and "Rolling-origin backtest" in md
    for png in ("ndcg.png", "reliability.png"):
        assert (out / png).read_bytes()[:4] == b"\x89PNG"


@pytest.mark.usefixtures("english")
def test_train_writes_a_model_and_a_bad_date_is_one_line(demo_dir, tmp_path):
    db = demo_dir / "matcher.db"
    r = run("--models", tmp_path / "m", "train", "--kind", "logistic", "--until", "2026-06-01", db=db)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "m" / "logistic-2026-06-01.skops").exists()
    assert "logistic-2026-06-01.skops" in (tmp_path / "m" / "manifest.json").read_text(encoding="utf-8")
    r = CliRunner().invoke(main, ["--db", str(db), "--models", str(tmp_path / "m"), "train", "--until", "someday"])
    assert r.exit_code == 1 and "invalid date 'someday'" in r.output and "Traceback" not in r.output


def _config_naming(tmp_path, model_name):
    import shutil

    from matcher.config.load import default_config_path

    folder = tmp_path / "cfg"
    folder.mkdir()
    for f in default_config_path().parent.iterdir():
        if f.suffix in (".toml", ".csv"):
            shutil.copy(f, folder / f.name)
    text = (folder / "config.toml").read_text(encoding="utf-8").replace('name = "rule"', f'name = "{model_name}"')
    (folder / "config.toml").write_text(text, encoding="utf-8")
    return folder


def test_weekly_uses_the_configured_model_and_refuses_a_tampered_one(demo_dir, tmp_path):
    import shutil

    models = tmp_path / "models"
    shutil.copytree(demo_dir / "models", models)
    db = tmp_path / "copy.db"
    # A consistent copy (the demo's database may still have pages in its write-ahead log).
    assert CliRunner().invoke(main, ["--db", str(demo_dir / "matcher.db"), "db", "backup", str(db)]).exit_code == 0
    demo_model = next(models.glob("*.skops")).stem
    # Whether the demo's own model beats the rule on its held-out weeks depends on the simulated
    # history; the planner's use of a configured model does not. The same trained model is saved
    # again with a card whose evidence supports blending (saving records its hash as any model's).
    from matcher.learn.persistence import load_model, read_card, save_model

    card = read_card(demo_model + ".skops", models)
    card["evidence"] = {**card["evidence"], "supports_blend": True, "reason": "test: blending supported"}
    trained = load_model(demo_model + ".skops", models, feature_set=card["feature_set"])
    name = save_model(trained, models, name="blend-test", card=card).name
    cfg = _config_naming(tmp_path, name)
    base = ["--db", str(db), "--config", str(cfg), "--models", str(models)]
    # The demo issued this week with the rule score; issuing it again with a model needs --force.
    r = CliRunner().invoke(main, [*base, "weekly", "--week", "2026-W49", "--out", str(tmp_path / "w")])
    assert r.exit_code == 1 and "--force" in r.output
    r = CliRunner().invoke(main, [*base, "weekly", "--week", "2026-W49", "--out", str(tmp_path / "w"), "--force"])
    assert r.exit_code == 0, r.output
    assert f"模型 {name}" in r.output
    plan = read_csv(tmp_path / "w" / "plan.csv")
    assert len(plan) > 0 and not plan.duplicated("enterprise_id").any()
    issued = Store(db).read("issued_plans").set_index("week")
    assert issued.loc["2026-W49", "model_version"] == name
    data = bytearray((models / name).read_bytes())
    data[100] ^= 0xFF
    (models / name).write_bytes(bytes(data))
    r = CliRunner().invoke(main, [*base, "weekly", "--week", "2026-W49", "--out", str(tmp_path / "w2"), "--force"])
    assert r.exit_code == 1 and "已被改动" in r.output and "Traceback" not in r.output
