"""Charts: matplotlib set up for Chinese labels, headless, the same everywhere.

The CJK font (Noto Sans CJK SC) comes with the ``mplfonts`` package, so charts
render Chinese on any machine the project installs on, without system fonts.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

__all__ = ["use_cjk_font", "new_figure", "save_figure", "CJK_FONT"]

log = logging.getLogger(__name__)

CJK_FONT = "Noto Sans CJK SC"


@cache
def use_cjk_font() -> str:
    """Register the bundled CJK font with matplotlib and make it the default; return its name."""
    from matplotlib import font_manager, rcParams

    try:
        import mplfonts

        path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
        font_manager.fontManager.addfont(str(path))
        name = font_manager.FontProperties(fname=str(path)).get_name()
    except (ImportError, OSError, RuntimeError) as exc:  # pragma: no cover - a broken install
        log.warning("no CJK font available (%s); Chinese labels may not render", exc)
        return ""
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    rcParams["axes.unicode_minus"] = False
    rcParams["svg.hashsalt"] = "matcher"
    return name


def new_figure(width: float = 8.0, height: float = 4.5, *, nrows: int = 1, ncols: int = 1):
    """A figure and axes with the CJK font in place.

    The figure is not managed by pyplot (no GUI backend, nothing to close),
    so the library can draw charts anywhere, notebooks included.
    """
    use_cjk_font()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=120, layout="constrained")
    axes = fig.subplots(nrows, ncols)
    return fig, axes


def save_figure(fig, path: str | Path) -> Path:
    """Save a figure as PNG atomically, without timestamps in its metadata."""
    import io

    from .._files import atomic_write_bytes

    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return atomic_write_bytes(path, buf.getvalue())
