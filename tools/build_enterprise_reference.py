#!/usr/bin/env python3
"""Build ``data/enterprise_reference.csv`` and print a coverage report.

Inputs
------
* ``data/enterprise_reference_curated.csv`` (hand-curated, in the project): every Chinese and
  Taiwanese company on the Fortune Global 500 2017/2019/2024 lists and the Chinese unicorns of
  the CB Insights 2022 list, plus English names, aliases and parent groups for firms on the
  ACFIC 2026 private top-500 list.
* ``../shared/data/real/`` (optional, read-only, outside the project; ``--real-dir``):
  ``acfic_private_top500_2026.csv`` and ``acfic_private_top500_2026_profiles.csv`` supply the
  name, province, HQ city and main business of the 500 private firms; the Fortune files and the
  unicorn list (``unicorn_companies_cbinsights_2022.csv``, optional) are read only for the
  coverage report.

Without the real data the ACFIC-derived rows already in ``data/enterprise_reference.csv`` are
kept as they are, so the output stays stable.

Usage::

    python tools/build_enterprise_reference.py [--real-dir DIR] [--check-taxonomy]

Output is sorted by ``name_zh`` (code point order), UTF-8, LF line endings: re-running on the
same inputs gives a byte-identical file.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CURATED = DATA / "enterprise_reference_curated.csv"
OUT = DATA / "enterprise_reference.csv"
DEFAULT_REAL = ROOT.parent / "shared" / "data" / "real"

COLUMNS = [
    "name_zh", "name_en", "aliases", "country", "hq_province", "hq_city",
    "ownership", "parent_zh", "business_zh", "source",
]
ACFIC_SOURCE = "acfic2026_profiles"
OWNERSHIP = {"central_soe", "local_soe", "private", "foreign", ""}

# Fortune 2024 rows with an empty country (see SOURCES.md of the real data) that are
# Chinese companies, identified by name. The other 58 empty-country rows are not Chinese.
CHINA_BLANK_COUNTRY_2024 = {
    "Contemporary Amperex Technology", "Meituan", "Chery Holding Group",
    "Guangzhou Industrial Investment Holdings", "Hangzhou Industrial Investment Group",
    "Guangdong Guangxin Holdings", "Hailiang Group", "PDD Holdings", "AIA Group",
    "Shaanxi Construction Engineering Holding", "Tongwei Group", "Luxshare Precision Industry",
}
UNICORN_FILE = "unicorn_companies_cbinsights_2022.csv"
# The unicorn list's countries that count as Chinese (Hong Kong is listed as a country there).
UNICORN_CHINA = {"China", "Hong Kong"}
# ACFIC gives the Xinjiang Production and Construction Corps as a "province"; the
# geographic province is used in hq_province.
PROVINCE_FIX = {"新疆生产建设兵团": "新疆维吾尔自治区"}


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def split_aliases(text: str) -> list[str]:
    return [a.strip() for a in (text or "").split(";") if a.strip()]


def clean(row: dict) -> dict:
    out = {c: (row.get(c) or "").strip() for c in COLUMNS}
    seen, al = {out["name_zh"], out["name_en"]}, []
    for a in split_aliases(out["aliases"]):
        if a not in seen:
            seen.add(a)
            al.append(a)
    out["aliases"] = ";".join(al)
    if out["ownership"] not in OWNERSHIP:
        raise SystemExit(f"bad ownership {out['ownership']!r} for {out['name_zh']}")
    return out


def acfic_rows(real: Path, curated: dict[str, dict]) -> list[dict]:
    lst = read_csv(real / "acfic_private_top500_2026.csv")
    prof = {r["name"]: r for r in read_csv(real / "acfic_private_top500_2026_profiles.csv")}
    rows = []
    for r in lst:
        name = r["name"]
        p = prof.get(name, {})
        cur = curated.get(name, {})
        src = f"{ACFIC_SOURCE}(confidence={p.get('confidence') or 'none'})"
        hq_city = p.get("hq_city", "")
        used_editorial = any(cur.get(k) for k in ("name_en", "aliases", "parent_zh", "business_zh"))
        # business lines: the profile's, unchanged; curated lines are only appended
        business = [b.strip() for b in p.get("main_business", "").split("；") if b.strip()]
        for b in (cur.get("business_zh") or "").split("；"):
            if b.strip() and b.strip() not in business:
                business.append(b.strip())
        if not hq_city and cur.get("hq_city"):
            hq_city, used_editorial = cur["hq_city"], True
        if used_editorial:
            src += "+" + (cur.get("source") or "editorial")
        rows.append(clean({
            "name_zh": name,
            "name_en": cur.get("name_en", ""),
            "aliases": cur.get("aliases", ""),
            "country": cur.get("country") or "China",
            "hq_province": PROVINCE_FIX.get(r["province"], r["province"]),
            "hq_city": hq_city,
            "ownership": cur.get("ownership") or "private",
            "parent_zh": cur.get("parent_zh", ""),
            "business_zh": "；".join(business),
            "source": src,
        }))
    return rows


def build(real: Path | None) -> list[dict]:
    curated = {r["name_zh"]: r for r in read_csv(CURATED)}
    if real is not None:
        acf = acfic_rows(real, curated)
    else:
        print(f"note: {DEFAULT_REAL.name} data not found; keeping ACFIC rows of the existing output",
              file=sys.stderr)
        acf = [r for r in read_csv(OUT) if ACFIC_SOURCE in r["source"]] if OUT.exists() else []
    acf_names = {r["name_zh"] for r in acf}
    rows = list(acf)
    for name, r in curated.items():
        if name in acf_names:
            continue
        if not r.get("hq_province") and not r.get("business_zh"):
            # an overlay for an ACFIC firm, but no ACFIC data to attach it to
            continue
        rows.append(clean(r))
    rows.sort(key=lambda r: r["name_zh"])
    names = [r["name_zh"] for r in rows]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SystemExit(f"duplicate name_zh: {sorted(dup)}")
    return rows


def write(rows: list[dict]) -> None:
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def key_index(rows: list[dict]) -> dict[str, list[str]]:
    idx: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        for k in {r["name_zh"], r["name_en"], *split_aliases(r["aliases"])}:
            if k:
                idx[k].append(r["name_zh"])
    return idx


def chinese_unicorns(real: Path | None) -> list[str] | None:
    """Company strings of the unicorn list's Chinese companies (China and Hong Kong); None without the file."""
    path = real / UNICORN_FILE if real is not None else None
    if path is None or not path.exists():
        return None
    return [r["company"].strip() for r in read_csv(path) if r["country"].strip() in UNICORN_CHINA]


def unicorn_coverage(en: set[str], real: Path) -> bool:
    """Share of the unicorn list's Chinese companies matched by exact name_en or alias."""
    sel = chinese_unicorns(real)
    if sel is None:
        print(f"  CB Insights unicorns 2022: skipped ({UNICORN_FILE} not found)")
        return True
    miss = [c for c in sel if c not in en]
    share = 100 * (len(sel) - len(miss)) / len(sel) if sel else 100.0
    print(f"  CB Insights unicorns 2022 China+Hong Kong: {len(sel) - len(miss)}/{len(sel)} matched ({share:.1f}%)")
    for c in miss:
        print(f"    unmatched: {c}")
    return share >= 95


def coverage(rows: list[dict], real: Path) -> bool:
    idx = key_index(rows)
    en = {k for r in rows for k in [r["name_en"], *split_aliases(r["aliases"])] if k}
    zh = {r["name_zh"] for r in rows}
    ok = True
    print("coverage report (Fortune, unicorns: exact name_en or alias; ACFIC: exact name_zh)")
    for year in (2017, 2019, 2024):
        lst = read_csv(real / f"fortune_global_500_{year}.csv")
        for label, pick in (
            ("China", lambda r, year=year: r["country"] == "China"
             or (year == 2024 and not r["country"] and r["company"] in CHINA_BLANK_COUNTRY_2024)),
            ("Taiwan (bonus)", lambda r: r["country"] == "Taiwan"),
        ):
            sel = [r["company"] for r in lst if pick(r)]
            miss = [c for c in sel if c not in en]
            share = 100 * (len(sel) - len(miss)) / len(sel) if sel else 100.0
            print(f"  Fortune Global 500 {year} {label}: {len(sel) - len(miss)}/{len(sel)} matched ({share:.1f}%)")
            for c in miss:
                print(f"    unmatched: {c}")
            if label == "China" and share < 95:
                ok = False
    acf = [r["name"] for r in read_csv(real / "acfic_private_top500_2026.csv")]
    miss = [n for n in acf if n not in zh]
    share = 100 * (len(acf) - len(miss)) / len(acf)
    print(f"  ACFIC private top 500 2026: {len(acf) - len(miss)}/{len(acf)} matched ({share:.1f}%)")
    for n in miss:
        print(f"    unmatched: {n}")
    ok = ok and share >= 95
    ok = unicorn_coverage(en, real) and ok
    clashes = {k: v for k, v in idx.items() if len(set(v)) > 1}
    if clashes:
        print(f"  note: {len(clashes)} names/aliases point to more than one row:")
        for k, v in sorted(clashes.items()):
            print(f"    {k}: {', '.join(sorted(set(v)))}")
    return ok


def check_taxonomy(rows: list[dict], unicorns: list[str] | None = None) -> None:
    try:
        import pandas as pd

        from matcher.config import load_config
        from matcher.featurise.taxonomy import IndustryMapper
    except ImportError as e:  # pragma: no cover - optional
        print(f"taxonomy check skipped: {e}")
        return
    cfg = load_config()
    mapper = IndustryMapper(cfg.industries)
    texts = pd.Series([r["business_zh"] for r in rows])
    found = mapper.map_texts(texts)
    mapped = set(found["row"].astype(int))
    print(f"taxonomy: {len(mapped)}/{len(rows)} rows have at least one industry "
          f"({100 * len(mapped) / len(rows):.1f}%)")
    if unicorns is not None:
        names = set(unicorns)
        uni = [i for i, r in enumerate(rows) if names & {r["name_en"], *split_aliases(r["aliases"])}]
        ok = sum(i in mapped for i in uni)
        print(f"taxonomy: {ok}/{len(uni)} rows of Chinese unicorns have at least one industry")
    for i, r in enumerate(rows):
        if i not in mapped:
            print(f"    no industry: {r['name_zh']}: {r['business_zh']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--real-dir", type=Path, default=DEFAULT_REAL)
    ap.add_argument("--check-taxonomy", action="store_true",
                    help="map business_zh with matcher.featurise.taxonomy.IndustryMapper and report")
    args = ap.parse_args(argv)
    real = args.real_dir if (args.real_dir / "acfic_private_top500_2026.csv").exists() else None
    rows = build(real)
    write(rows)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(rows)} rows")
    ok = True
    if real is not None:
        ok = coverage(rows, real)
    else:
        print("coverage report skipped: real ranking data not found")
    if args.check_taxonomy:
        check_taxonomy(rows, chinese_unicorns(args.real_dir))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
