"""The web workspace in a real browser: headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by Selenium.

The application runs under uvicorn in a background thread on 127.0.0.1 over the
fixture database of ``tests/web_fixtures.py``. In one browser session a team logs
in, records a visit with one click and sees its card change in place; another
team's page answers 403; the office sees the visit. Chrome's performance log
(DevTools network events) lists every request the pages made: all go to
127.0.0.1, so nothing is fetched from another host. Skipped, with the reason,
when the browser, its driver, Selenium or uvicorn is missing.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from .web_fixtures import PASSWORD, WEEK, make_site

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')")
uvicorn = pytest.importorskip("uvicorn", reason="uvicorn is not installed (pip install -e '.[web]')")

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not CHROMIUM or not CHROMEDRIVER:
    pytest.skip("headless Chromium is not installed (apt-get install chromium chromium-driver)", allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory, config):
    return make_site(tmp_path_factory.mktemp("browser"), config)


@pytest.fixture(scope="module")
def base_url(site):
    """The application served by uvicorn on 127.0.0.1 and a free port, in a background thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(site.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


class Browser:
    """One headless Chromium session that keeps every network event it has seen."""

    def __init__(self, base: str):
        o = webdriver.ChromeOptions()
        o.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=390,844", "--lang=zh-CN"):
            o.add_argument(a)
        o.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)
        self.driver.implicitly_wait(0)
        self.base = base
        self.events: list[dict] = []
        self.console: list[dict] = []

    def drain(self) -> list[dict]:
        for e in self.driver.get_log("performance"):
            m = json.loads(e["message"])["message"]
            if m["method"].startswith("Network."):
                self.events.append(m)
        self.console += self.driver.get_log("browser")
        return self.events

    def open(self, path: str) -> int:
        """Loads a page and returns its HTTP status (from the network events)."""
        self.drain()
        start = len(self.events)
        url = self.base + path
        self.driver.get(url)
        for m in self.drain()[start:]:
            r = m["params"].get("response", {})
            if m["method"] == "Network.responseReceived" and m["params"].get("type") == "Document" and r.get("url") == url:
                return r["status"]
        raise AssertionError(f"no response seen for {url}")

    def login(self, login: str) -> None:
        self.driver.delete_all_cookies()
        assert self.open("/login") == 200
        d = self.driver
        d.find_element(By.NAME, "login").send_keys(login)
        d.find_element(By.NAME, "password").send_keys(PASSWORD)
        d.find_element(By.CSS_SELECTOR, "button[type=submit].primary").click()
        WebDriverWait(d, 10).until(lambda d: "/login" not in d.current_url)

    def quit(self) -> None:
        self.driver.quit()


@pytest.fixture(scope="module")
def browser(base_url):
    try:
        b = Browser(base_url)
    except Exception as e:  # the browser is installed but cannot start here (no display libraries, sandbox…)
        pytest.skip(f"headless Chromium does not start: {str(e).splitlines()[0]}")
    yield b
    b.quit()


def test_a_team_records_a_visit_the_office_sees_it_and_nothing_leaves_127_0_0_1(site, browser):
    d = browser.driver
    visits_before = len(site.store.visits_frame())

    # A team logs in and lands on its week's list.
    browser.login("team-a")
    assert d.current_url == f"{browser.base}/team/{site.team_a}"
    assert WEEK in d.find_element(By.TAG_NAME, "h1").text
    cards = d.find_elements(By.CSS_SELECTOR, "article.lead")
    assert len(cards) >= 3
    card = cards[0]
    eid = card.get_attribute("id")
    assert "on" not in card.find_element(By.CSS_SELECTOR, "button.visited").get_attribute("class").split()

    # One click on 已拜访: htmx posts the form (with its CSRF token) and swaps the card in place.
    button = card.find_element(By.CSS_SELECTOR, "button.visited")
    assert button.text == "已拜访"
    button.click()
    WebDriverWait(d, 10).until(
        lambda d: "on" in d.find_element(By.ID, eid).find_element(By.CSS_SELECTOR, "button.visited").get_attribute("class").split()
    )
    card = d.find_element(By.ID, eid)
    assert card.find_element(By.CSS_SELECTOR, ".flash").text.strip()
    assert card.find_element(By.CSS_SELECTOR, "span.status.visited").text == "已拜访"
    assert d.current_url == f"{browser.base}/team/{site.team_a}"  # no page load: the card changed in place
    v = site.store.visits_frame()
    assert len(v) == visits_before + 1
    row = v[v.enterprise_id == eid.removeprefix("e-")].iloc[0]
    assert (row.team_id, row.kind) == (site.team_a, "visit")

    # Another team's page is not this team's to read.
    assert browser.open(f"/team/{site.team_b}") == 403
    assert not d.find_elements(By.CSS_SELECTOR, "article.lead")

    # The office sees the visit: the team has reported, one outcome recorded, one visit in its activity.
    browser.login("office")
    assert browser.open(f"/office?week={WEEK}") == 200
    link = d.find_element(By.CSS_SELECTOR, f'table a[href="/team/{site.team_a}?week={WEEK}"]')
    cells = [td.text for td in link.find_element(By.XPATH, "./ancestor::tr").find_elements(By.TAG_NAME, "td")]
    from matcher.config.load import load_config

    name = load_config().team(site.team_a).label  # teams appear by their Chinese names
    assert cells[0] == name and cells[4] == "1" and cells[5] == "是", cells
    assert name not in {a.text for a in d.find_elements(By.CSS_SELECTOR, "h2 + p a")}  # not in "not reported"

    # Every request the pages made (documents, the htmx post, scripts, styles) went to 127.0.0.1.
    requests = [m["params"]["request"]["url"] for m in browser.drain() if m["method"] == "Network.requestWillBeSent"]
    assert any(u.endswith("/static/htmx.min.js") for u in requests) and any(u.endswith("/outcome") for u in requests)
    hosts = {urlsplit(u).hostname for u in requests if not u.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, hosts
    refused = [c["message"] for c in browser.console if "Content Security Policy" in c["message"] or "Refused" in c["message"]]
    assert not refused, refused
