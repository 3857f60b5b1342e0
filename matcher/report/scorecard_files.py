"""The scorecard's files: a workbook, Markdown, a self-contained HTML page and the PNG charts.

Every table goes through the one writer's :func:`.writers.labelled` (headers
and names from the catalogue, in the language in use, money in 亿元), so the
workbook, the Markdown and the page say the same thing. The page embeds its
charts as ``data:`` URIs and its style sheet, so it shows whole when mailed
alone, and escapes every value.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..i18n import NC_, get_language, gettext, pgettext
from .writers import labelled

__all__ = ["write_files", "sections", "CHARTS", "STYLE"]

_NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?%?$")
CHARTS = ("tiers", "money", "cities", "cadence", "funnel", "conversion")
MONEY_ITEMS = (
    NC_("money item", "signed"),
    NC_("money item", "signed_disclosed"),
    NC_("money item", "signed_estimated"),
    NC_("money item", "arrived"),
    NC_("money item", "target"),
    NC_("money item", "pace_target"),
)
#: Project stages, as identifiers of their own context.
STAGES = (
    NC_("project stage", "lead"),
    NC_("project stage", "contacted"),
    NC_("project stage", "visited"),
    NC_("project stage", "negotiating"),
    NC_("project stage", "signed"),
    NC_("project stage", "started"),
    NC_("project stage", "in_production"),
    NC_("project stage", "dropped"),
)
#: A plain, printable style: the Chinese fonts of Windows, macOS and Linux, bordered tables.
STYLE = """
body { font-family: "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC",
       "WenQuanYi Micro Hei", SimSun, sans-serif; color: #222; margin: 2em auto; max-width: 1100px; line-height: 1.6; }
h1 { font-size: 1.5em; border-bottom: 3px solid #2f6db5; padding-bottom: .3em; }
h2 { font-size: 1.15em; margin-top: 1.8em; color: #1f4e79; }
p.headline { background: #f3f7fc; border-left: 4px solid #2f6db5; padding: .6em 1em; }
p.synthetic { color: #c00000; font-weight: bold; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .92em; }
th, td { border: 1px solid #a6a6a6; padding: .3em .6em; }
th { background: #ddebf7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5em 0; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } table { page-break-inside: auto; } }
"""


def _name(frame: pd.DataFrame, to: str) -> pd.DataFrame:
    """``name_zh`` / ``name_en`` of the scorecard's frames as ``to_zh`` / ``to_en`` (shown as ``to``)."""
    return frame.rename(columns={"name_zh": f"{to}_zh", "name_en": f"{to}_en"})


def sections(card) -> list[tuple[str, str, pd.DataFrame]]:
    """(sheet, heading, table) of the scorecard, columns as identifiers."""
    money = card.money.assign(money_item=card.money["item"].map(lambda i: pgettext("money item", i)))[["money_item", "value_yuan"]]
    money = money.rename(columns={"money_item": "item"})
    tiers = _name(card.tiers, "target_name")[
        ["target_name_zh", "target_name_en", "target", "signed", "pace_target", "vs_pace", "share_of_target"]
    ]
    cities = card.cities.rename(columns={"city": "city_id"}).pipe(_name, "city")
    cities = cities[["city_zh", "city_en", "rolled_in", "target", "pace_target", "vs_pace", "behind_year"]]
    behind = card.cadence[card.cadence.behind > 0].rename(columns={"rule": "rule_id", "rule_zh": "rule_name_zh"})
    behind = behind.assign(rule_name_en=behind.rule_id.str.replace("_", " ")).pipe(_name, "subject")
    behind = behind.rename(columns={"rule_name_zh": "requirement_zh", "rule_name_en": "requirement_en"})
    behind = behind[["subject_zh", "subject_en", "requirement_zh", "requirement_en", "period", "required", "done", "behind"]]
    en = get_language() == "en"
    region = "region_en" if en else "region_zh"
    stage_name = card.funnel.stage.map(lambda s: pgettext("project stage", s)) if en else card.funnel.stage_zh
    funnel = (
        card.funnel.assign(stage_name=stage_name)
        .pivot_table(index="stage_name", columns=region, values="projects", sort=False)
        .reset_index()
        .rename(columns={"stage_name": "stage"})
    )
    funnel.columns.name = None
    conv = _name(card.conversion, "group_name")[["group_name_zh", "group_name_en", "visited", "signed", "rate"]]
    return [
        ("tiers", gettext("Signed projects by list"), tiers),
        ("money", gettext("Signed and arrived money"), money),
        ("cities", gettext("Projects rolled in per city"), cities),
        (
            "cadence",
            gettext("Cadence rules behind ({half}; stationed days {quarter})").format(half=card.half, quarter=card.quarter),
            behind,
        ),
        ("funnel", gettext("Pipeline funnel of this year's projects, by key region"), funnel),
        ("conversion", gettext("Visit-to-signing conversion"), conv),
    ]


def _title(card) -> str:
    return gettext("Resident investment-promotion scorecard {year}, as of {date} ({pace} of the year)").format(
        year=card.year, date=f"{card.as_of:%Y-%m-%d}", pace=f"{card.pace:.1%}"
    )


def _md_table(frame: pd.DataFrame) -> str:
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
    for rec in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(x) for x in rec) + " |")
    return "\n".join(lines)


def _cell(x) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return ""
    if isinstance(x, float | np.floating):
        return f"{x:,.2f}".rstrip("0").rstrip(".") if abs(x) >= 1 or x == 0 else f"{x:.3f}"
    return str(x)


def _display(frame: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """Shares as percentages and money with two decimals, for the page and Markdown (the workbook formats its own)."""
    from .headers import is_money, is_percent

    out = frame.copy()
    for c, i in zip(frame.columns, ids):
        if is_percent(i):
            out[c] = frame[c].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
        elif is_money(i):
            out[c] = frame[c].map(lambda v: "" if pd.isna(v) else f"{v:,.2f}")
    return out


def _html_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for rec in frame.itertuples(index=False):
        cells = []
        for x in rec:
            num = (isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)) or bool(_NUMBER.match(str(x)))
            cells.append(f'<td class="num">{html.escape(_cell(x))}</td>' if num else f"<td>{html.escape(_cell(x))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


def write_files(card, out: str | Path, *, pictures: tuple[Path, ...] = ()) -> list[Path]:
    """For a :class:`.scorecard.Scorecard` ``card``, write ``scorecard.xlsx``, ``scorecard.md``, ``scorecard.html`` and the PNG charts to ``out``."""
    from .._files import atomic_write_bytes
    from .headers import localised
    from .scorecard_charts import draw_charts
    from .writers import write_xlsx

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    title = _title(card)
    parts = sections(card)
    about = [
        (gettext("Year"), str(card.year)),
        (gettext("As of"), f"{card.as_of:%Y-%m-%d}"),
        (gettext("Share of the year elapsed"), f"{card.pace:.1%}"),
    ]
    about.append((gettext("Headline"), card.headline()))
    files = [
        write_xlsx(
            {sheet: frame for sheet, _head, frame in parts} | {"stages_now": card.stages_now.drop(columns="stage_zh")},
            out / "scorecard.xlsx",
            title=title,
            about=about,
            source=gettext("matcher database: visits, projects and stationed days imported into it, and list memberships"),
            synthetic=card.synthetic,
        )
    ]
    charts = draw_charts(card, out, gettext(" (synthetic data)") if card.synthetic else "")
    shown = [(head, _display(labelled(frame), list(localised(frame.iloc[:0]).columns))) for _sheet, head, frame in parts]
    flag = gettext("Synthetic data: simulated for a demonstration, not observed.") if card.synthetic else ""
    md = [f"# {title}", "", card.headline(), ""] + ([f"**{flag}**", ""] if flag else [])
    for head, frame in shown:
        md += [f"## {head}", "", _md_table(frame) if len(frame) else gettext("(none)"), ""]
    shown_pictures = [(Path(p).stem, Path(p)) for p in pictures]
    md += [f"## {gettext('Charts')}", ""] + [f"![{n}]({n}.png)" for n in CHARTS] + [f"![{n}]({p.name})" for n, p in shown_pictures]
    files.append(atomic_write_bytes(out / "scorecard.md", ("\n".join(md) + "\n").encode("utf-8")))
    body = [f"<h1>{html.escape(title)}</h1>", f'<p class="headline">{html.escape(card.headline())}</p>']
    if flag:
        body.append(f'<p class="synthetic">{html.escape(flag)}</p>')
    for head, frame in shown:
        body += [f"<h2>{html.escape(head)}</h2>", _html_table(frame) if len(frame) else f"<p>{html.escape(gettext('(none)'))}</p>"]
    body.append(f"<h2>{html.escape(gettext('Charts'))}</h2>")
    for n, path in [*zip(CHARTS, charts), *shown_pictures]:
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        body.append(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(n)}"></figure>')
    lang = "en" if get_language() == "en" else "zh-CN"
    page = (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
    files.append(atomic_write_bytes(out / "scorecard.html", page.encode("utf-8")))
    return files + charts
