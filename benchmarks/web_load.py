"""Load check of the web workspace: 60 team accounts × 20 outcome writes plus office page loads, at once, on SQLite.

Builds a database with the default data (`matcher.demo.import_default_data`,
the demo's 44 teams) and issues one week. The demo has fewer teams than
accounts, so the 60 team accounts are spread over the teams with leads (a
team has one or two accounts); the accounts of one team split its leads, so
every lead has one writer and the final state is known in advance. The
application runs under uvicorn in a separate process on 127.0.0.1; the
clients are threads with their own httpx session each, going through the real
endpoints as a browser does: log in, read the CSRF token from the page, post
outcomes with htmx's header (every write a different note, so none is a
no-op). Meanwhile office accounts load the office page in a loop.

Afterwards it checks that no request failed and nothing was lost: one `audit`
row per write, one `lead_feedback` row per lead written holding the last write,
and one new `visits` row per lead whose last outcome is a contact (visited,
declined). It reports p50/p95/max of page loads and writes.

Usage: python benchmarks/web_load.py [--accounts 60] [--writes 20] [--office 4] [--db-dir DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import re
import socket
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import sqlalchemy as sa

WEEK = "2026-W49"
TODAY = dt.date(2026, 12, 2)  # Wednesday of WEEK
PASSWORD = "load-check-password-1"
SECRET = "w" * 48
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
OUTCOMES = ("visited", "appointment", "declined", "unreachable")
CONTACTS = {"visited", "declined"}


def build(folder: Path, n_accounts: int, n_office: int):
    """The database, its accounts and each team account's leads."""
    from matcher.config.load import load_config
    from matcher.demo import import_default_data
    from matcher.plan.issue import issue_week
    from matcher.store.core import Store
    from matcher.store.users import add_user
    from matcher.web.security import hash_password

    config = load_config()
    store = Store(folder / "load.db")
    import_default_data(store, config)
    plan = issue_week(store, config, WEEK).plan
    teams = sorted(plan.team_id.unique())
    # Account k belongs to team k mod T; the accounts of one team take turns over its leads.
    owner = [teams[k % len(teams)] for k in range(n_accounts)]
    h = hash_password(PASSWORD)
    accounts = {}
    with store.begin() as conn:
        for k, team in enumerate(owner):
            mates = [j for j, t in enumerate(owner) if t == team]
            leads = plan[plan.team_id == team].sort_values("rank").enterprise_id.tolist()
            mine = leads[mates.index(k) :: len(mates)]
            login = f"load-{k:03d}"
            add_user(conn, login, "team", h, team_id=team)
            accounts[login] = (team, mine)
        for k in range(n_office):
            add_user(conn, f"load-office-{k}", "office", h)
    return store, config, accounts, len(teams)


def serve(db: str, port: int, ready) -> None:
    """The application under uvicorn (in a child process: the clients do not share its interpreter)."""
    import uvicorn

    from matcher.config.load import load_config
    from matcher.store.core import Store
    from matcher.web.app import create_app

    app = create_app(Store(db), load_config(), secret=SECRET, today=TODAY)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    threading.Thread(target=lambda: (_wait(server), ready.set()), daemon=True).start()
    server.run()


def _wait(server) -> None:
    while not server.started:
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(base: str, name: str) -> httpx.Client:
    c = httpx.Client(base_url=base, follow_redirects=False, timeout=120)
    token = CSRF.search(c.get("/login").text).group(1)
    r = c.post("/login", data={"csrf": token, "login": name, "password": PASSWORD, "next": "/"})
    if r.status_code != 303:
        raise RuntimeError(f"login {name}: HTTP {r.status_code}")
    return c


def team_worker(base: str, name: str, team: str, leads: list[str], n_writes: int, times: dict, errors: list, last: dict):
    c = login(base, name)
    t = time.perf_counter()
    r = c.get(f"/team/{team}")
    times["team page"].append(time.perf_counter() - t)
    if r.status_code != 200:
        errors.append(f"{name} GET /team/{team}: HTTP {r.status_code}")
        return
    token = CSRF.search(r.text).group(1)
    for i in range(n_writes):
        eid = leads[i % len(leads)]
        outcome = OUTCOMES[(i + len(name)) % len(OUTCOMES)]
        form = {"csrf": token, "week": WEEK, "enterprise_id": eid, "outcome": outcome, "note": f"{name} write {i}", "date": "2026-12-01"}
        t = time.perf_counter()
        r = c.post(f"/team/{team}/outcome", data=form, headers={"HX-Request": "true"})
        times["write"].append(time.perf_counter() - t)
        if r.status_code != 200 or 'class="flash"' not in r.text:
            errors.append(f"{name} POST outcome {i}: HTTP {r.status_code}")
        last[(team, eid)] = (outcome, form["note"])
    c.close()


def office_worker(base: str, name: str, stop: threading.Event, times: dict, errors: list):
    c = login(base, name)
    while not stop.is_set():
        t = time.perf_counter()
        r = c.get(f"/office?week={WEEK}")
        times["office page"].append(time.perf_counter() - t)
        if r.status_code != 200:
            errors.append(f"{name} GET /office: HTTP {r.status_code}")
    c.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=60)
    ap.add_argument("--writes", type=int, default=20)
    ap.add_argument("--office", type=int, default=4, help="office accounts loading the office page meanwhile")
    ap.add_argument("--db-dir", type=Path, default=None, help="folder for the database (a temporary one by default)")
    a = ap.parse_args(argv)

    tmp = tempfile.TemporaryDirectory() if a.db_dir is None else None
    folder = Path(tmp.name) if tmp else a.db_dir
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    store, config, accounts, n_teams = build(folder, a.accounts, a.office)
    print(
        f"database: default data, {WEEK} issued to {n_teams} teams; {len(accounts)} team accounts, {a.office} office accounts ({time.perf_counter() - t0:.1f} s)"
    )
    with store.engine.connect() as conn:
        before = {t: conn.execute(sa.text(f"select count(*) from {t}")).scalar_one() for t in ("visits", "lead_feedback", "audit")}

    port = free_port()
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    server = ctx.Process(target=serve, args=(str(folder / "load.db"), port, ready), daemon=True)
    server.start()
    try:
        if not ready.wait(60):
            raise SystemExit("the server did not start")
        base = f"http://127.0.0.1:{port}"
        times = {"team page": [], "office page": [], "write": []}
        errors: list[str] = []
        last: dict = {}
        stop = threading.Event()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(len(accounts) + a.office) as pool:
            office = [pool.submit(office_worker, base, f"load-office-{k}", stop, times, errors) for k in range(a.office)]
            teams = [pool.submit(team_worker, base, n, t, ls, a.writes, times, errors, last) for n, (t, ls) in accounts.items()]
            for f in teams:
                f.result()
            stop.set()
            for f in office:
                f.result()
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.join(10)

    n_writes = len(times["write"])
    print(
        f"run: {len(accounts)} team accounts × {a.writes} writes = {n_writes} writes, {len(times['office page'])} office page loads, {wall:.1f} s wall ({n_writes / wall:.1f} writes/s)"
    )
    print(f"{'request':<12} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for what, xs in ((w, x) for w, x in times.items() if x):
        ms = np.array(xs) * 1000
        print(f"{what:<12} {len(ms):>6} {np.percentile(ms, 50):>8.0f} {np.percentile(ms, 95):>8.0f} {ms.max():>8.0f}")

    # Nothing lost: every write audited, every lead written holds its last write, every contact is a visit.
    with store.engine.connect() as conn:
        after = {t: conn.execute(sa.text(f"select count(*) from {t}")).scalar_one() for t in ("visits", "lead_feedback", "audit")}
        audited = conn.execute(sa.text("select count(*) from audit where action = 'outcome' and login like 'load-%'")).scalar_one()
        fb = conn.execute(sa.text("select team_id, enterprise_id, status, note from lead_feedback where week = :w"), {"w": WEEK}).all()
    held = {(t, e): (o, n) for t, e, o, n in fb}
    wrong = [k for k, v in last.items() if held.get(k) != v]
    contacts = sum(o in CONTACTS for o, _ in last.values())
    print(
        f"rows: audit +{after['audit'] - before['audit']} (outcomes {audited}), lead_feedback +{after['lead_feedback'] - before['lead_feedback']} "
        f"(leads written {len(last)}), visits +{after['visits'] - before['visits']} (leads ending in a contact {contacts})"
    )
    assert not errors, errors[:10]
    assert n_writes == len(accounts) * a.writes
    assert audited == n_writes, (audited, n_writes)
    assert after["lead_feedback"] - before["lead_feedback"] == len(last) and not wrong, wrong[:10]
    assert after["visits"] - before["visits"] == contacts, (after["visits"] - before["visits"], contacts)
    print("ok: no error, nothing lost")
    if tmp:
        store.engine.dispose()
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
