"""Imports in any order give one master; one import can be listed and removed with what it caused."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from matcher._text import normalize_names
from matcher.ingest.lists import parse_list, parse_profiles
from matcher.ingest.tables import read_table
from matcher.resolve.imports import import_lists, import_profiles
from matcher.store.core import Store

from .conftest import write
from .exports import read_xlsx
from .test_cli import run

#: The real files: (file, list type, year); year None = a profile file.
REAL_FILES = (
    ("acfic_private_top500_2026.csv", "china_private_top500", 2026),
    ("fortune_global_500_2019.csv", "fortune_global_500", 2019),
    ("fortune_global_500_2024.csv", "fortune_global_500", 2024),
    ("unicorn_companies_cbinsights_2022.csv", "unicorn", 2022),
    ("acfic_private_top500_2026_profiles.csv", None, None),
)


def load(store, config, path, list_type, year):
    t = read_table(path)
    if list_type is None:
        return import_profiles(store, parse_profiles(t), source_name=path.name, sha256=t.sha256)
    tier = config.tier(list_type)
    return import_lists(store, [(parse_list(t, ranked=tier.ranked), year)], list_type=tier.id, source_name=path.name, sha256=t.sha256)


def master(store) -> dict[str, pd.DataFrame]:
    """What the lists make of the database: enterprises with their names and texts, memberships, name lookup, entries."""
    names = store.read("enterprise_names")[["norm_name", "enterprise_id"]].sort_values("norm_name")
    entries = store.read("list_entries")[["list_type", "year", "source_row", "enterprise_id"]]
    return {
        "enterprises": store.enterprise_frame().sort_values("enterprise_id").reset_index(drop=True),
        "memberships": store.list_memberships().sort_values(["enterprise_id", "list_type"]).reset_index(drop=True),
        "names": names.reset_index(drop=True),
        "entries": entries.sort_values(["list_type", "year", "source_row"]).reset_index(drop=True),
    }


def assert_same(a: dict, b: dict, label: str) -> None:
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k], obj=f"{label}: {k}")


def build(tmp_path, config, real, order, tag):
    store = Store(tmp_path / f"{tag}.db")
    for i in order:
        name, list_type, year = REAL_FILES[i]
        load(store, config, real / name, list_type, year)
    return store


def _orders(n_files: int, n_orders: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    out = []
    while len(out) < n_orders:
        o = list(range(n_files))
        rng.shuffle(o)
        if o not in out and o != sorted(o):
            out.append(o)
    return out


def test_import_order_does_not_change_the_master(real, config, tmp_path):
    """Private 500, Fortune 2019, unicorns and the profile file in three random orders: one master."""
    files = [0, 1, 3, 4]
    base = master(build(tmp_path, config, real, files, "base"))
    for k, o in enumerate(_orders(len(files), 3, seed=13)):
        order = [files[i] for i in o]
        assert_same(base, master(build(tmp_path, config, real, order, f"o{k}")), f"order {order}")


@pytest.mark.slow
def test_import_order_and_edition_subsets_do_not_change_the_master(real, config, tmp_path):
    """All five real files in ten random orders, and three-file subsets in two orders each."""
    base = master(build(tmp_path, config, real, range(5), "all"))
    for k, order in enumerate(_orders(5, 10, seed=7)):
        assert_same(base, master(build(tmp_path, config, real, order, f"all{k}")), f"order {order}")
    rng = random.Random(3)
    for k in range(4):
        subset = sorted(rng.sample(range(5), 3))
        ref = master(build(tmp_path, config, real, subset, f"s{k}"))
        assert_same(ref, master(build(tmp_path, config, real, subset[::-1], f"s{k}r")), f"subset {subset} reversed")


# ---------------------------------------------------------------------------- removal

FORTUNE = "Rank,Company,Revenues ($M),Industry,Country,City\n{rows}"
PRIVATE = "排名,企业名称,所在地区,营业收入（万元）\n1,京东集团,北京市,100000\n2,浙江恒逸集团有限公司,浙江省,90000\n3,比亚迪股份有限公司,广东省,80000\n"


CITY = {"Zhejiang Hengyi Group": "Hangzhou", "Walmart": "Bentonville", "Amazon": "Seattle"}
COUNTRY = {"Walmart": "U.S.", "Amazon": "U.S."}


def fortune(tmp_path, year, names):
    rows = "".join(f"{i + 1},{n},{1000 - i},Retailing,{COUNTRY.get(n, 'China')},{CITY.get(n, 'Beijing')}\n" for i, n in enumerate(names))
    return write(tmp_path / f"f{year}.csv", FORTUNE.format(rows=rows))


def test_removing_an_import_leaves_the_master_as_if_it_never_came(tmp_path, config):
    private = write(tmp_path / "p.csv", PRIVATE)
    f2019 = fortune(tmp_path, 2019, ["JD.com", "Zhejiang Hengyi Group", "Walmart"])
    f2024 = fortune(tmp_path, 2024, ["JD.com", "Amazon"])
    only = Store(tmp_path / "only.db")
    load(only, config, private, "china_private_top500", 2026)
    load(only, config, f2019, "fortune_global_500", 2019)

    store = Store(tmp_path / "s.db")
    load(store, config, private, "china_private_top500", 2026)
    load(store, config, f2019, "fortune_global_500", 2019)
    load(store, config, f2024, "fortune_global_500", 2024)
    listing = store.imports()
    assert listing.source_name.tolist() == ["p.csv", "f2019.csv", "f2024.csv"]
    assert listing.entries.tolist() == [3, 3, 2]
    assert listing.merges.iloc[1] == 2  # JD.com and Hengyi joined their Chinese names
    # The 2024 edition is the newest of JD's Fortune entries until it is removed.
    jd = store.lookup_names(normalize_names(pd.Series(["京东集团"]))).iloc[0]
    m = store.list_memberships().set_index(["enterprise_id", "list_type"])
    assert m.loc[(jd, "fortune_global_500"), "year"] == 2024

    done = store.remove_import(int(listing.import_id.iloc[2]))
    assert (done.entries, done.merges_undone, done.enterprises_removed) == (2, 0, 1)  # Amazon was only there
    assert_same(master(only), master(store), "f2024 removed")
    m = store.list_memberships().set_index(["enterprise_id", "list_type"])
    assert m.loc[(jd, "fortune_global_500"), "year"] == 2019  # falls back to the previous edition

    # Removing the edition that caused the merges undoes them: as if only the private list came.
    alone = Store(tmp_path / "alone.db")
    load(alone, config, private, "china_private_top500", 2026)
    done = store.remove_import(int(listing.import_id.iloc[1]))
    assert (done.merges_undone, done.enterprises_removed) == (2, 3)
    assert_same(master(alone), master(store), "f2019 removed")
    assert store.merges().undone.all()
    # Nobody judged those pairs: importing the file again merges them again.
    load(store, config, f2019, "fortune_global_500", 2019)
    assert_same(master(only), master(store), "f2019 imported again")


@pytest.mark.usefixtures("english")
def test_remove_refuses_unknown_and_history_imports_and_changes_nothing(tmp_path, config):
    store = Store(tmp_path / "s.db")
    load(store, config, write(tmp_path / "p.csv", PRIVATE), "china_private_top500", 2026)
    from matcher.errors import StoreError
    from matcher.store.imports import record_import

    with store.begin() as conn:
        hist = record_import(conn, "visits", "visits.csv", "0" * 64, 1)
    before = store.snapshot_hash(), store.counts()
    with pytest.raises(StoreError, match="no import with id 99"):
        store.remove_import(99)
    with pytest.raises(StoreError, match="visits file"):
        store.remove_import(hist)
    assert (store.snapshot_hash(), store.counts()) == before


@pytest.mark.usefixtures("english")
def test_imports_and_merges_commands(tmp_path, config):
    db = tmp_path / "c.db"
    store = Store(db)
    load(store, config, write(tmp_path / "p.csv", PRIVATE), "china_private_top500", 2026)
    load(store, config, fortune(tmp_path, 2019, ["JD.com", "Walmart"]), "fortune_global_500", 2019)
    r = run("imports", db=db)
    assert r.exit_code == 0 and "p.csv" in r.output and "f2019.csv" in r.output
    r = run("merges", db=db)
    assert r.exit_code == 0 and "京东集团" in r.output and "JD.com" in r.output
    out = tmp_path / "imports.xlsx"
    assert run("imports", "--out", out, db=db).exit_code == 0 and out.exists()
    assert read_xlsx(out).source_name.tolist() == ["p.csv", "f2019.csv"]  # headers read back to identifiers
    # Asked first; 'n' changes nothing.
    runner_out = run("imports", "remove", "2", db=db)
    assert runner_out.exit_code != 0 and "remove import 2" in runner_out.output
    assert len(store.imports()) == 2
    r = run("imports", "remove", "2", "--yes", db=db)
    assert r.exit_code == 0 and "1 merges undone" in r.output and "2 list entries" in r.output
    assert store.imports().source_name.tolist() == ["p.csv"]
    r = run("imports", "remove", "2", "--yes", db=db)
    assert r.exit_code != 0 and r.output.strip().splitlines()[-1].startswith("error: no import with id 2")
