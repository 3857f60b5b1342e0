"""The realistic synthetic universes' statistics beside the real lists' (a Markdown table).

Usage::

    python -m benchmarks.universe_stats [--n 20000] [--real DIR] [--out FILE.md]

Real: the lists ``benchmarks/validate_real.py`` imports from ``../shared/data/real/`` (the private 500
2026 with its profile file, the Fortune Global 500 2019 and 2024, the CB Insights unicorns 2022),
read at run time. An enterprise's industry text is its profile's business lines where it has one,
else its list's industry label; enterprises are counted once (by name) across lists.
Synthetic: :func:`matcher.sim.realistic.realistic_world` with ``texts="lists"`` and ``"distinct"``.
Industry vectors are what scoring shares (:func:`matcher.score.rule.distinct_vectors`): their share
falls as the universe grows, so it is also given for the first 1,000 enterprises of each column.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.options import emit_report  # noqa: E402

REAL = ROOT.parent / "shared" / "data" / "real"
_SPLIT = re.compile(r"[；;、,，]")


def real_frames(folder: Path) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """(enterprises: name, text, province, city, country; lists: list → frame with name, country, rank) of the real files."""
    prof = pd.read_csv(folder / "acfic_private_top500_2026_profiles.csv")
    private = pd.read_csv(folder / "acfic_private_top500_2026.csv").merge(prof[["name", "hq_city", "main_business"]], on="name", how="left")
    lists = {
        "china_private_top500": pd.DataFrame(
            {
                "name": private.name,
                "rank": private["rank"],
                "country": "China",
                "province": private.province,
                "city": private.hq_city,
                "text": np.nan,
            }
        )
    }
    fortune = []
    for year in (2024, 2019):
        f = pd.read_csv(folder / f"fortune_global_500_{year}.csv")
        fortune.append(
            pd.DataFrame(
                {"name": f.company, "rank": f["rank"], "country": f.country.replace({"U.S.": "United States"}), "text": f.industry}
            )
        )
    lists["fortune_global_500"] = fortune[0]
    lists["fortune_global_500 (2019)"] = fortune[1]
    u = pd.read_csv(folder / "unicorn_companies_cbinsights_2022.csv")
    lists["unicorn"] = pd.DataFrame({"name": u.company, "rank": np.nan, "country": u.country, "city": u.city, "text": u.industry})
    ent = pd.concat(lists.values(), ignore_index=True).drop_duplicates("name")
    # The profile's business lines are the private-500 enterprises' industry text.
    ent["text"] = ent.name.map(dict(zip(prof.name, prof.main_business))).fillna(ent.text)
    return ent, lists


def synthetic_frames(n: int, texts: str, seed: int = 0) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The same frames for a realistic synthetic world of ``n`` enterprises."""
    from matcher.config.load import load_config
    from matcher.sim.realistic import realistic_world

    w = realistic_world(n, load_config(), seed=seed, texts=texts)
    e = w.enterprises
    ent = pd.DataFrame(
        {
            "name": e.name.str.removesuffix("（模拟）"),
            "text": e.industry,
            "province": e.province,
            "city": e.city,
            "country": e.country.replace({"中国": "China"}),
        }
    )
    lists = {t: f.assign(name=ent.name.to_numpy()[f.row.to_numpy()]) for t, f in w.lists.items()}
    return ent, lists


def stats(ent: pd.DataFrame, lists: dict[str, pd.DataFrame]) -> dict[str, str]:
    """The statistics compared, as printable cells."""
    text = ent.text.dropna().astype(str)
    text = text[text != ""]
    phrases = text.map(lambda s: len([p for p in _SPLIT.split(s) if p.strip()]))
    zh = ent.name[ent.name.str.contains(r"[\u4e00-\u9fff]", regex=True)]
    china = ent[ent.country == "China"]
    prov = china.province.dropna()
    prov = prov[prov != ""].value_counts(normalize=True)
    city = ent.city.dropna()
    city = city[city != ""]
    out = {
        "enterprises": f"{len(ent):,}",
        "distinct industry texts / enterprises with one": f"{text.nunique() / max(len(text), 1):.1%}",
        "phrases per text: mean (share 1 / 2 / 3 / 4 / 5+)": f"{phrases.mean():.2f} ("
        + " / ".join(f"{(phrases == k).mean() if k < 5 else (phrases >= 5).mean():.0%}" for k in range(1, 6))
        + ")",
        "text length, median characters": f"{text.str.len().median():.0f}",
        "English names": f"{1 - len(zh) / max(len(ent), 1):.0%}",
        "Chinese names ending 有限公司 / 集团有限公司 / 股份有限公司": " / ".join(
            f"{zh.str.endswith(s).mean():.0%}" for s in ("有限公司", "集团有限公司", "股份有限公司")
        ),
        "Chinese name length, median characters": f"{zh.str.len().median():.0f}",
        "HQ provinces (Chinese enterprises); top 5 share": f"{len(prov)}; {prov.head(5).sum():.0%}" if len(prov) else "—",
        "HQ cities; top 10 share": f"{city.nunique()}; {city.value_counts(normalize=True).head(10).sum():.0%}" if len(city) else "—",
    }
    # What scoring shares: enterprises with the same industries at the same confidences have one industry vector.
    out["distinct industry vectors / enterprises: first 1,000"], out["distinct industry vectors / enterprises: all"] = _vector_shares(ent, 1000)
    names = pd.concat([f.name for f in lists.values()])
    on = names.value_counts()
    out["listed enterprises on 2+ lists"] = f"{(on >= 2).mean():.0%}"
    for t, f in lists.items():
        ranked = "ranked" if "rank" in f.columns and f["rank"].notna().any() else "unranked"
        foreign = (f.country != "China").mean()
        label = f.text.dropna()
        distinct = f"{label.nunique() / len(f):.0%}" if len(label) else "no label"
        out[f"list {t}: rows, ranked?, abroad, distinct labels"] = f"{len(f):,}, {ranked}, {foreign:.0%}, {distinct}"
    return out


def _vector_shares(ent: pd.DataFrame, first: int) -> tuple[str, str]:
    """Distinct industry vectors (the taxonomy's matches of the texts, then the names) per enterprise,
    among the first ``first`` enterprises and among all; the texts mapped once."""
    from matcher.config.load import load_config
    from matcher.featurise.industries import industry_vectorizer
    from matcher.score.rule import distinct_vectors

    X = pd.DataFrame({"industry_text": ent.text.fillna("").astype(str).to_numpy(), "name": ent.name.astype(str).to_numpy()})
    found = industry_vectorizer(load_config()).explain(X)  # as the import maps and stores them

    def share(n_rows: int) -> str:
        n = int(distinct_vectors(found[found.row < n_rows], n_rows)[1].max(initial=-1)) + 1
        return f"{n / max(n_rows, 1):.1%} ({n:,})"

    return share(min(first, len(X))), share(len(X))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000, help="Enterprises in the synthetic worlds.")
    ap.add_argument("--real", type=Path, default=REAL)
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    cols = {}
    if (a.real / "acfic_private_top500_2026.csv").exists():
        cols["real lists"] = stats(*real_frames(a.real))
    for texts in ("lists", "distinct"):
        ent, lists = synthetic_frames(a.n, texts)
        for f in lists.values():
            f["text"] = f["industry"] if "industry" in f.columns else np.nan
        cols[f"synthetic, texts={texts} ({a.n:,})"] = stats(ent, lists)
    keys = list(dict.fromkeys(k for c in cols.values() for k in c))
    lines = ["| statistic | " + " | ".join(cols) + " |", "| --- |" + " ---: |" * len(cols)]
    for k in keys:
        lines.append(f"| {k} | " + " | ".join(c.get(k, "") for c in cols.values()) + " |")
    report = "\n".join(lines) + "\n"
    emit_report(report, a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
