"""Two baselines for the rule score, both from the same direct industry matches as the fast scorer.

- :func:`fair_naive` — a plain-Python loop over (enterprise, city chain) pairs, written as a
  competent engineer would: every constant (hierarchy spreads, link weights, tier constants,
  endowment industries) computed once before the loop, the universe read into plain lists,
  dicts and lists in the loop, no pandas there. It is the honest "no vectorisation" baseline
  (``tests/reference.py`` is a literal transcription of the definitions, kept slow on purpose
  as an oracle; it is not a speed baseline).
- :class:`Floor` — the physical floor: the least array code giving the fast scorer's numbers,
  the (enterprises × industries) matrix spread along the hierarchy, times the (industries × city
  links) matrix, a grouped maximum per city chain, and the region, tier, endowment and origin
  parts. Nothing for explanations (best link, per-row match table).

``python -m benchmarks.naive N`` times the fast scorer, the floor and the loop (on a sample) on a
realistic synthetic universe of ``N`` enterprises, in one process, and prints the ratios.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.options import emit_report  # noqa: E402
from matcher.featurise.transformers import rank_column  # noqa: E402

CHUNK = 1 << 16


def _constants(config):
    """What every pair needs, computed once: hierarchy spreads, link weights, tier and endowment constants."""
    sc = config.scoring
    ws = [sc.w_chain, sc.w_region, sc.w_tier, sc.w_endowment, sc.w_origin]
    weights = [w / sum(ws) for w in ws]
    inds = config.industries
    parent = {i.id: i.parent for i in inds if i.parent}
    children: dict[str, list[str]] = {}
    for i in inds:
        if i.parent:
            children.setdefault(i.parent, []).append(i.id)
    spread = {}  # (parent, child) → share of a broad match that reaches the child
    for p, kids in children.items():
        named = list(next(i for i in inds if i.id == p).typical_children)
        for c in kids:
            if not named:
                spread[(p, c)] = 1.0 / np.sqrt(len(kids))
            elif c in named:
                spread[(p, c)] = (1.0 - 0.05 * named.index(c)) / np.sqrt(len(named))
    share: dict[str, dict[str, float]] = {}
    for ch in config.chains:
        for lk in ch.links:
            for i in lk.industries:
                share.setdefault(i, {}).setdefault(ch.id, 0.0)
                share[i][ch.id] += 1.0 / len(ch.links)
    home = {i: {c for c, v in by.items() if np.isclose(v, max(by.values()))} for i, by in share.items()}
    broad = set(children)
    sw = dict(sc.status_weights)
    link_obj = {lk.id: lk for c in config.chains for lk in c.links}
    groups = []  # per city chain: [(status weight, [(industry, weight), …]) per link]
    group_city = []
    for k, city in enumerate(config.cities):
        for cc in city.chains:
            group_city.append(k)
            links = []
            for lid, status in cc.links:
                iw = [
                    (i, (1.0 if cc.chain in home[i] else sc.cross_chain_weight) * (sc.parent_discount if i in broad else 1.0))
                    for i in link_obj[lid].industries
                ]
                links.append((sw[status], iw))
            groups.append(links)
    by_id = {e.id: e for e in config.endowments}
    endow = [
        sorted({j for eid in city.endowments for i in by_id[eid].industries for j in (i, *children.get(i, ()))}) for city in config.cities
    ]
    themes = {r.id: [(p.weight, list(p.industries)) for p in r.priorities] for r in config.regions}
    tiers = [(t.id, t.ranked, t.weight, math.log(max(t.size, 2)), max(t.size, 2)) for t in config.tiers]
    return weights, parent, spread, children, groups, group_city, endow, themes, tiers, sc


def fair_naive(config, universe: pd.DataFrame, found: pd.DataFrame, rows=None) -> dict:
    """Rule score of every (enterprise row, city chain) pair by a plain per-pair loop.

    ``found``: direct matches ``row, industry, confidence`` (as ``IndustryVectorizer.explain``
    gives them). Returns lists per enterprise (float64): ``chain`` (per city chain), ``region``,
    ``tier``, ``endowment`` (per city), ``origin`` and ``total`` (per city chain).
    """
    weights, parent, spread, children, groups, group_city, endow, themes, tiers, sc = _constants(config)
    wc, wr, wt, we, wo = weights
    rows = list(range(len(universe)) if rows is None else rows)
    direct: dict[int, dict[str, float]] = {}
    full = sc.full_confidence
    for r, i, c in zip(found["row"].tolist(), found["industry"].tolist(), found["confidence"].tolist()):
        d = direct.setdefault(r, {})
        d[i] = d.get(i, 0.0) + min(1.0, c / full)  # the sparse matrix sums duplicate matches
    # Only the rows scored are read (a sample of a million costs what the sample costs), by position k.
    regions = universe["regions"].fillna("").astype(str).to_numpy()[rows].tolist()
    ranks = {t[0]: universe[rank_column(t[0])].to_numpy()[rows].tolist() for t in tiers}
    ons = {t[0]: universe[f"on__{t[0]}"].to_numpy()[rows].tolist() for t in tiers}
    none = [False] * len(rows)
    china = universe["is_china"].to_numpy()[rows].tolist() if "is_china" in universe.columns else none
    abroad = universe["is_abroad"].to_numpy()[rows].tolist() if "is_abroad" in universe.columns else none
    out = {"chain": [], "region": [], "tier": [], "endowment": [], "origin": [], "total": []}
    for k, row in enumerate(rows):
        d = {i: min(1.0, v) for i, v in direct.get(row, {}).items()}
        raw = direct.get(row, {})
        e = dict(raw)
        up: dict[str, float] = {}
        for i, v in raw.items():
            if i in parent:
                up[parent[i]] = up.get(parent[i], 0.0) + v
        for p, v in up.items():
            e[p] = max(e.get(p, 0.0), min(1.0, v))
        for p, v in raw.items():
            for c in children.get(p, ()):
                s = spread.get((p, c))
                if s is not None:
                    e[c] = max(e.get(c, 0.0), v * s * sc.parent_discount)
        region = 0.0
        for reg in regions[k].split(";"):
            for w, inds in themes.get(reg, ()):
                region = max(region, min(1.0, sum(e.get(i, 0.0) for i in inds)) * w)
        best, n_lists = 0.0, 0
        for tid, _ranked, w, log_size, size in tiers:
            if ons[tid][k]:
                n_lists += 1
                rk = ranks[tid][k]
                rk = min(max(0.0 if rk != rk else rk, 0.0), size)
                f = 1.0 - sc.rank_decay * math.log(max(rk, 1.0)) / log_size if rk >= 1 else sc.unranked_factor
                best = max(best, w * f)
        tier = min(1.0, best + sc.multi_list_bonus * max(n_lists - 1, 0))
        origin = 1.0 if china[k] else (0.0 if abroad[k] else 0.5)
        endowment = [max((d.get(i, 0.0) for i in inds), default=0.0) for inds in endow]
        base = wr * region + wt * tier + wo * origin
        chain, total = [], []
        for g, links in enumerate(groups):
            top = 0.0
            for status_w, iw in links:
                fit = 0.0
                for i, w in iw:
                    v = e.get(i)
                    if v:
                        fit += v * w
                fit = min(1.0, fit) * status_w
                if fit > top:
                    top = fit
            chain.append(top)
            total.append(wc * top + base + we * endowment[group_city[g]])
        for k, v in (("chain", chain), ("region", region), ("tier", tier), ("endowment", endowment), ("origin", origin), ("total", total)):
            out[k].append(v)
    return out


class Floor:
    """The physical floor: the bare sparse products and reductions that yield the fast scorer's numbers.

    Built once per configuration (not timed); :meth:`parts` is the timed work. It starts from the
    direct matches of each distinct industry source (``found``, ``row`` = source) and each
    enterprise's source (``inverse``), as :meth:`IndustryVectorizer.explain_distinct` gives them.
    """

    def __init__(self, config):
        weights, parent, spread, children, groups, group_city, endow, themes, tiers, sc = _constants(config)
        self.weights, self.sc, self.config = weights, sc, config
        ids = [i.id for i in config.industries]
        pos = {i: k for k, i in enumerate(ids)}
        self.industries = pd.Index(ids)
        n = len(ids)
        up = [(pos[c], pos[p]) for c, p in parent.items()]
        self.up = sp.csr_matrix((np.ones(len(up)), ([a for a, _ in up], [b for _, b in up])), shape=(n, n))
        # The same order of entries as the fast scorer's matrices, so the float64 sums are bit-identical.
        kids = [(pos[i.parent], pos[i.id], spread[(i.parent, i.id)]) for i in config.industries if i.parent and (i.parent, i.id) in spread]
        self.down = sp.csr_matrix(([v for *_, v in kids], ([a for a, *_ in kids], [b for _, b, _ in kids])), shape=(n, n))
        r, c, v, status, start = [], [], [], [], [0]
        for links in groups:
            for status_w, iw in links:
                for i, w in iw:
                    r.append(pos[i])
                    c.append(len(status))
                    v.append(w)
                status.append(status_w)
            start.append(len(status))
        self.links = sp.csr_matrix((v, (r, c)), shape=(n, len(status)))
        self.status = np.asarray(status)
        self.group_start = np.asarray(start[:-1])
        self.n_groups = len(groups)
        self.group_city = np.asarray(group_city)
        self.endow = [np.asarray([pos[i] for i in inds], dtype=np.int64) for inds in endow]
        self.regions = [r.id for r in config.regions]
        tr, tc, tw, treg = [], [], [], []
        for k, reg in enumerate(config.regions):
            for p in reg.priorities:
                for i in p.industries:
                    tr.append(pos[i])
                    tc.append(len(tw))
                tw.append(p.weight)
                treg.append(k)
        self.themes = sp.csr_matrix((np.ones(len(tr)), (tr, tc)), shape=(n, len(tw)))
        self.theme_weight, self.theme_region = np.asarray(tw), np.asarray(treg, dtype=np.int64)
        self.tiers = tiers

    def parts(self, universe: pd.DataFrame, found: pd.DataFrame, inverse: np.ndarray, *, exact32: bool = True) -> dict:
        """Chain (n, G), region, tier, origin (n,) and endowment (n, cities): float32 as the fast scorer stores them.

        ``exact32=False`` gives the float64 values before that rounding.
        """
        from matcher.featurise.transformers import match_values

        sc = self.sc
        m = int(inverse.max(initial=-1)) + 1
        col = self.industries.get_indexer(found["industry"])
        D = sp.csr_matrix(
            (match_values(found["confidence"].to_numpy(dtype=float), sc.full_confidence), (found["row"].to_numpy(dtype=int), col)),
            shape=(m, len(self.industries)),
        )
        D.sum_duplicates()
        E = D.maximum((D @ self.up).minimum(1.0)).maximum((D @ self.down) * sc.parent_discount).tocsr()
        # Chain: industry fit of every city link, times its status weight, best link per city chain.
        W = (E @ self.links).minimum(1.0).tocsr()
        W.data *= self.status[W.indices]
        chain = np.zeros((m, self.n_groups))
        for a in range(0, m, CHUNK):  # dense blocks of (rows × city links), a few hundred MB each
            chain[a : a + CHUNK] = np.maximum.reduceat(W[a : a + CHUNK].toarray(), self.group_start, axis=1)
        Dm = D.minimum(1.0).tocsc()
        endow = np.column_stack([Dm[:, c].max(axis=1).toarray().ravel() if len(c) else np.zeros(m) for c in self.endow])
        T = (E @ self.themes).minimum(1.0).toarray() * self.theme_weight
        # Region: the best priority of the enterprise's own key region(s); the region string parsed once per distinct value.
        codes, values = pd.factorize(universe["regions"].fillna("").astype(str), use_na_sentinel=False)
        member = np.array([[r in v.split(";") for r in self.regions] for v in values], dtype=bool).reshape(len(values), len(self.regions))[
            codes
        ]
        region = np.where(member[:, self.theme_region], T[inverse], 0.0).max(axis=1, initial=0.0)
        ranks = np.column_stack([universe[rank_column(t[0])].to_numpy(dtype=float) for t in self.tiers])
        on = np.column_stack([universe[f"on__{t[0]}"].to_numpy(dtype=bool) for t in self.tiers])
        sizes = np.array([t[4] for t in self.tiers], dtype=float)
        w = np.array([t[2] for t in self.tiers])
        r = np.clip(np.nan_to_num(ranks, nan=0.0), 0, sizes)
        with np.errstate(divide="ignore"):
            f = np.where(r >= 1, 1.0 - sc.rank_decay * np.log(np.maximum(r, 1.0)) / np.log(sizes), sc.unranked_factor)
        tier = np.minimum(1.0, np.where(on, w * f, 0.0).max(axis=1) + sc.multi_list_bonus * np.maximum(on.sum(axis=1) - 1, 0))
        china = universe["is_china"].to_numpy(dtype=bool) if "is_china" in universe.columns else np.zeros(len(universe), bool)
        abroad = universe["is_abroad"].to_numpy(dtype=bool) if "is_abroad" in universe.columns else np.zeros(len(universe), bool)
        origin = np.where(china, 1.0, np.where(abroad, 0.0, 0.5))
        out = {"chain": chain, "endowment": endow, "region": region, "tier": tier, "origin": origin}
        dt = np.float32 if exact32 else np.float64
        out = {k: v.astype(dt) for k, v in out.items()}
        out["chain"], out["endowment"] = out["chain"][inverse], out["endowment"][inverse]
        return out

    def total(self, p: dict) -> np.ndarray:
        """Combined score (n, G) from the parts, in the fast scorer's order of operations."""
        wc, wr, wt, we, wo = self.weights
        return wc * p["chain"] + (wr * p["region"] + wt * p["tier"] + wo * p["origin"])[:, None] + we * p["endowment"][:, self.group_city]


class _Mapped:
    """An industry vectoriser whose text mapping is already done: the fast scorer timed from the direct matches."""

    def __init__(self, vectorizer, found, inverse):
        self.vectorizer, self.found, self.inverse = vectorizer, found, inverse

    def explain_distinct(self, X):
        return self.found, self.inverse

    def matrices(self, found, n_rows):
        return self.vectorizer.matrices(found, n_rows)


def _universe(n: int, seed: int, texts: str):
    """The realistic synthetic universe (cached as a pickle in the temporary folder)."""
    import tempfile

    from matcher.config.load import load_config
    from matcher.sim.realistic import realistic_world, world_universe

    cfg = load_config()
    path = Path(tempfile.gettempdir()) / f"matcher-bench-realistic-{n}-{seed}-{texts}.pkl"
    if path.exists():
        return cfg, pd.read_pickle(path)
    u = world_universe(realistic_world(n, cfg, seed=seed, texts=texts), cfg)
    u.to_pickle(path)
    return cfg, u


def _timed(fn, repeats: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``repeats`` calls, and the last result."""
    import gc
    import statistics

    walls, cpus, out = [], [], None
    for _ in range(repeats):
        out = None
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Fast scorer vs the array floor vs a fair per-pair Python loop, in one process.")
    ap.add_argument("n", type=int, nargs="?", default=1_000_000)
    ap.add_argument("--texts", choices=["distinct", "lists"], default="distinct")
    ap.add_argument("--sample", type=int, default=2000, help="Enterprises the loop scores (it is timed per pair).")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    import os
    import resource

    from matcher.featurise.transformers import spread_rows
    from matcher.score.rule import RuleScorer, distinct_vectors

    cfg, u = _universe(a.n, a.seed, a.texts)
    scorer = RuleScorer(cfg).fit(u.iloc[:10])
    pairs = len(u) * len(scorer.groups_)
    load0 = os.getloadavg()
    w_map, c_map, (found_u, inv) = _timed(lambda: scorer.industry_.explain_distinct(u), 1)
    # The direct matches per enterprise, as the import stores them and the commands pass them in.
    found = spread_rows(found_u, inv)
    w_fast, c_fast, _ = _timed(lambda: scorer.score(u), a.repeats)
    w_st, c_st, _ = _timed(lambda: scorer.score(u, industries=found), a.repeats)
    # Every enterprise its own industry vector (one per text): the scorer with nothing shared.
    mapped = RuleScorer(cfg).fit(u.iloc[:10])
    mapped.industry_ = _Mapped(mapped.industry_, found_u, inv)
    w_fm, c_fm, _ = _timed(lambda: mapped.score(u), a.repeats)
    floor = Floor(cfg)
    w_floor, c_floor, _ = _timed(lambda: floor.parts(u, found_u, inv), a.repeats)
    # The floor given the distinct industry vectors for free (the scorer finds them in its timed run).
    vec_u, vec_inv = distinct_vectors(found, len(u))
    w_fd, c_fd, _ = _timed(lambda: floor.parts(u, vec_u, vec_inv), a.repeats)
    rng = np.random.default_rng(a.seed)
    rows = np.sort(rng.choice(len(u), size=min(a.sample, len(u)), replace=False)).tolist()
    sample_found = found[found.row.isin(rows)]
    w_naive, c_naive, _ = _timed(lambda: fair_naive(cfg, u, sample_found, rows=rows), 1)
    naive_pairs = len(rows) * len(scorer.groups_)
    load1 = os.getloadavg()
    per = lambda s, p: s / p * 1e9  # noqa: E731
    ns_naive = per(c_naive, naive_pairs)
    rows_md = [
        ("fast `RuleScorer.score`, stored industries (what the commands do)", w_st, c_st, pairs),
        ("fast, from the texts (mapping included)", w_fast, c_fast, pairs),
        ("fast, one industry vector per enterprise (nothing shared)", w_fm, c_fm, pairs),
        ("text mapping alone (`explain_distinct`, done once at import)", w_map, c_map, pairs),
        ("floor: bare sparse products over every enterprise", w_floor, c_floor, pairs),
        ("floor over the distinct industry vectors (given them)", w_fd, c_fd, pairs),
        (f"fair per-pair Python loop ({len(rows):,} enterprises)", w_naive, c_naive, naive_pairs),
    ]
    lines = [
        f"Rule scoring of {len(u):,} enterprises × {len(scorer.groups_)} city chains = {pairs:,} pairs (synthetic, texts: {a.texts}, "
        f"{u.industry_text.nunique() / len(u):.0%} distinct texts, {int(vec_inv.max(initial=-1)) + 1:,} distinct industry vectors); "
        f"median of {a.repeats} runs in one process "
        f"(mapping and loop once); load average before {tuple(round(x, 2) for x in load0)}, after {tuple(round(x, 2) for x in load1)}; "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB.",
        "",
        "| what | wall s | CPU s | CPU ns/pair | loop ÷ this (CPU per pair) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, w, c, p in rows_md:
        lines.append(f"| {name} | {w:.2f} | {c:.2f} | {per(c, p):.1f} | {ns_naive / per(c, p):,.0f} |")
    lines += [
        "",
        f"Stored industries ÷ bare floor: {c_st / c_floor:.2f}× CPU; ÷ floor over distinct vectors: {c_st / c_fd:.2f}× CPU. "
        f"Nothing shared ÷ bare floor: {c_fm / c_floor:.2f}× CPU, {w_fm / w_floor:.2f}× wall. "
        f"From texts ÷ bare floor: {c_fast / c_floor:.2f}× CPU (the text mapping is work the floor is given).",
    ]
    report = "\n".join(lines) + "\n"
    emit_report(report, a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
