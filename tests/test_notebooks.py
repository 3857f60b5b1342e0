"""Notebooks run with other parameters without editing any other cell.

CI executes every notebook as it stands (pytest --nbmake, see pyproject); here
the parameters cell of each is rewritten, and the notebook must still run.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

OTHER_PARAMETERS = {
    "01_target_lists.ipynb": {"CITY": '"Baise"', "CHAIN": '"高端金属新材料"', "ENTERPRISE": '"中国铝业集团有限公司"', "TOP": "10"},
    "02_tuning_weights.ipynb": {"CHAIN": '"biomedicine"', "TOP": "30", "SEED": "1", "WEEKS": "20"},
    "03_backtest_models.ipynb": {"SEED": "1", "WEEKS": "48", "HORIZON_WEEKS": "6", "K": "5"},
    "04_weekly_briefing.ipynb": {"WEEK": '"2026-W20"', "HISTORY_WEEKS": "30", "SEED": "7"},
}


def _with_parameters(nb, values: dict[str, str]):
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "each notebook has exactly one cell tagged 'parameters'"
    lines = cells[0].source.splitlines()
    for name, value in values.items():
        hits = [i for i, line in enumerate(lines) if line.startswith(f"{name} =")]
        assert hits, f"parameter {name} not in the parameters cell"
        lines[hits[0]] = f"{name} = {value}"
    cells[0].source = "\n".join(lines)
    return nb


def test_every_notebook_has_a_parameters_cell_first():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert "parameters" in code[0].metadata.get("tags", []), path.name
        assert all(not c.get("outputs") for c in code), f"{path.name} is committed with outputs"


@pytest.mark.parametrize("name", sorted(OTHER_PARAMETERS))
def test_notebook_runs_with_other_parameters(name, tmp_path):
    nb = _with_parameters(nbformat.read(NOTEBOOKS / name, as_version=4), OTHER_PARAMETERS[name])
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
