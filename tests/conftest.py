"""Shared fixtures: the default configuration, a fresh database, the real lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.config.load import load_config
from matcher.store.core import Store

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"


@pytest.fixture(autouse=True)
def _language(monkeypatch):
    """Every test starts in the default language (Chinese) and leaves no language behind."""
    from matcher.i18n import set_language

    monkeypatch.delenv("MATCHER_LANG", raising=False)
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    set_language(None)
    yield
    set_language(None)


@pytest.fixture
def english(monkeypatch):
    """Speak English in this test (library and command line): it checks the wording of English messages."""
    from matcher.i18n import set_language

    monkeypatch.setenv("MATCHER_LANG", "en")
    monkeypatch.setenv("LANGUAGE", "en")
    set_language("en")


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "t.db")


@pytest.fixture
def real():
    """Folder of the real published lists; skip where it is absent."""
    if not REAL.is_dir():
        pytest.skip("the real ranking lists (../shared/data/real) are not present")
    return REAL


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
