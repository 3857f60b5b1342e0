"""Many hands: a mix of commands at once on one SQLite database.

Each command either completes or waits for the others' write lock; none prints a traceback, none
leaves a half-written output folder, and every import and issued plan is in the database after.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from matcher.demo import import_default_data
from matcher.featurise.universe import build_universe
from matcher.score.rule import RuleScorer
from matcher.sim.history import simulate_history
from matcher.store.core import Store

from .conftest import write


def _list(path, prefix: str, n: int):
    rows = "".join(f"{i + 1},{prefix}{i:03d}新材料集团有限公司,浙江省,{100000 - i}\n" for i in range(n))
    return write(path, "排名,企业名称,所在地区,营业收入（万元）\n" + rows)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes")
def test_mixed_commands_at_once_all_land_without_a_traceback(tmp_path, config):
    db = tmp_path / "m.db"
    store = Store(db)
    import_default_data(store, config)
    u = build_universe(store, config)
    h = simulate_history(RuleScorer(config).fit(u).score(u), config, start="2025-11-24", weeks=20, seed=3)
    store.write_history(visits=h.visits, projects=h.projects, stage_changes=h.stage_changes, stationed=h.stationed, source_name="sim")
    store.engine.dispose()
    a = _list(tmp_path / "a.csv", "甲", 300)
    b = _list(tmp_path / "b.csv", "乙", 300)
    base = [sys.executable, "-m", "matcher", "--db", str(db)]
    commands = {
        "import a": ["import-list", a, "--type", "china_private_top500", "--year", "2025"],
        "import b": ["import-list", b, "--type", "china_manufacturing_top500", "--year", "2025"],
        "weekly 49": ["weekly", "--week", "2026-W49", "--out", tmp_path / "w49"],
        "weekly 50": ["weekly", "--week", "2026-W50", "--out", tmp_path / "w50"],
        "targets": ["targets", "--city", "钦州市", "--out", tmp_path / "t.csv"],
        "template": ["template", "visits", "--out", tmp_path / "v.xlsx"],
        "kpi": ["kpi", "--year", "2026", "--as-of", "2026-06-10", "--out", tmp_path / "kpi"],
    }
    procs = {
        k: subprocess.Popen([*base, *map(str, v)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
        for k, v in commands.items()
    }
    done = {k: (p.communicate(timeout=600), p.returncode) for k, p in procs.items()}
    for k, ((out, err), rc) in done.items():
        assert "Traceback" not in err, (k, err)
        assert rc == 0, (k, out, err)
    store = Store(db)
    assert {"a.csv", "b.csv"} <= set(store.imports().source_name)
    plans = store.read("issued_plans")
    assert {"2026-W49", "2026-W50"} <= set(plans.week)
    for w in ("w49", "w50"):
        folder = tmp_path / w
        assert (folder / "plan.csv").stat().st_size > 0 and (folder / "office.xlsx").exists()
        assert not [p for p in folder.rglob("*") if p.name.startswith(".") or p.suffix in (".tmp", ".part")]
    assert (tmp_path / "t.csv").stat().st_size > 0 and (tmp_path / "kpi" / "scorecard.xlsx").exists()
