"""The package's shape: layers that import only to their left, no import cycle, small modules.

The import graph is built from the source (AST), so imports inside functions
count exactly like imports at the top of a module.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "matcher"

#: Each top-level part of the package and its layer; a module may import only
#: modules of its own layer or of layers to its left (smaller numbers).
LAYERS = {
    "errors": 0,
    "columns": 0,
    "_text": 0,
    "_files": 0,
    "_parallel": 0,
    "_memory": 0,
    "i18n": 0,
    "progress": 0,
    "config": 1,
    "ingest": 2,
    "store": 3,
    "resolve": 4,
    "featurise": 5,
    "score": 6,
    "plan": 7,
    "learn": 7,
    "sim": 7,
    "report": 8,
    "demo": 9,
    "web": 10,
    "cli": 11,
    "__main__": 12,
}

MAX_LINES = 500


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of the package that ``name`` imports, anywhere in its source."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            # `from pkg import sub` imports the submodule when it is one.
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in modules else mod for a in node.names]
        for t in targets:
            while t and t not in modules:
                t = t.rpartition(".")[0]
            if t and t != "matcher" and t != name:
                found.add(t)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    assert top in LAYERS, f"{module}: its part {top!r} has no layer in tests/test_layout.py"
    return LAYERS[top]


def test_every_module_sits_in_a_layer():
    for name in _modules():
        if name != "matcher":
            _layer(name)


def test_no_import_goes_up_a_layer():
    upward = [
        f"{src} (layer {_layer(src)}) imports {dst} (layer {_layer(dst)})"
        for src, targets in _graph().items()
        if src != "matcher"
        for dst in sorted(targets)
        if _layer(dst) > _layer(src)
    ]
    assert upward == []


def test_import_graph_has_no_cycle():
    graph = _graph()
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_no_private_name_is_imported_across_modules():
    modules = _modules()
    found = []
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("matcher")):
                found += [f"{name}: {a.name} from {node.module or '.'}" for a in node.names if a.name.startswith("_") and a.name != "__version__"]
    assert found == []


def test_modules_stay_small():
    big = {name: n for name, path in _modules().items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert big == {}


def test_the_check_sees_imports_inside_functions(tmp_path):
    # The graph builder must count function-level imports: a module whose only
    # import of the store sits inside a function still depends on it.
    src = "def f():\n    from ..store.core import Store\n    return Store\n"
    path = tmp_path / "x.py"
    path.write_text(src)
    modules = _modules()
    assert _imports("matcher.config.x", path, modules) == {"matcher.store.core"}
