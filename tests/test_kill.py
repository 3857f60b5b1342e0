"""Kill test (slow): an import killed with SIGKILL at random points never leaves a partial import."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "kill_import.py"


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_during_import_leaves_before_or_after(tmp_path):
    spec = importlib.util.spec_from_file_location("kill_import", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    results = mod.run(rounds=20, seed=1, workdir=str(tmp_path), weeks=26)
    assert len(results) == 20
    assert all(r["integrity"] == "ok" for r in results)
    assert all(r["state"] in ("before", "after") for r in results), results
    assert any(r["killed"] for r in results)
