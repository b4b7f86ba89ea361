"""Two Streamlit replicas behind Debian's nginx (deploy/nginx.conf, sticky by client address) on one Postgres:
a response through one replica reaches a leader's executive page on the other; when the replica someone uses dies
mid-wave, the balancer moves them to the other one, they stay signed in, and no submitted response is lost."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from ldcore.db import get_engine, read_session
from ldcore.devtools import bench
from ldcore.models import Response
from tests.browser.conftest import ROOT, _free_port, _start, _stop
from tests.browser.helpers import sign_in, wait_for_app
from tests.browser.wave_setup import ADMIN, CAPABILITY, prepare_wave
from tests.conftest import PG_URL, skip_or_fail

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
LIVE = '[data-testid="stCaptionContainer"]:has-text("Live: updated at")'


def _nginx_config(folder: Path, port: int, a: int, b: int) -> Path:
    """deploy/nginx.conf as shipped, pointed at this test's replicas and port, inside a minimal main config."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    for shipped, here in (("127.0.0.1:8501", f"127.0.0.1:{a}"), ("127.0.0.1:8502", f"127.0.0.1:{b}"),
                          ("listen 80;", f"listen 127.0.0.1:{port};")):  # fmt: skip
        assert shipped in site
        site = site.replace(shipped, here)
    (folder / "site.conf").write_text(site)
    temp = " ".join(
        f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = folder / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off; worker_processes 1; pid {folder / 'nginx.pid'}; error_log {folder / 'error.log'};\n"
        + "events { worker_connections 512; }\n"
        + f"http {{ access_log off; {temp}\n"
        + "  add_header X-Replica $upstream_addr always;  # which replica answered, for this test only\n"
        + f"  include {folder / 'site.conf'}; }}\n"
    )
    return main


def _wait_for_port(port: int) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not PG_URL:
        skip_or_fail("LDALIGN_TEST_POSTGRES_URL is not set, so the scale-out test cannot run")
    if not Path(NGINX).exists():
        skip_or_fail("nginx is not installed (apt-get install nginx)")
    folder = tmp_path_factory.mktemp("scale-out")
    secret = uuid.uuid4().hex
    previous = os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET")
    os.environ["STREAMLIT_SERVER_COOKIE_SECRET"] = secret  # the same on every replica, as deploy/ says
    with bench.scratch_database(PG_URL) as url:
        a, b = _start(url, folder / "a.log", "ldcore/ui/serve.py"), _start(url, folder / "b.log", "ldcore/ui/serve.py")
        port = _free_port()
        config = _nginx_config(folder, port, int(a.url.rsplit(":", 1)[1]), int(b.url.rsplit(":", 1)[1]))
        nginx = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")])
        try:
            _wait_for_port(port)
            links = prepare_wave(url, folder, people=12, base_url=f"http://127.0.0.1:{port}")
            yield {"a": a, "b": b, "url": f"http://127.0.0.1:{port}", "db_url": url, "links": links}
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
            _stop(a)
            _stop(b)
            if previous is None:
                os.environ.pop("STREAMLIT_SERVER_COOKIE_SECRET", None)
            else:
                os.environ["STREAMLIT_SERVER_COOKIE_SECRET"] = previous


def _answer(page, link: str) -> None:
    page.goto(link)
    wait_for_app(page, timeout=60_000)
    page.locator('[data-testid="stRadio"]').filter(has_text=CAPABILITY).get_by_text("4 Advanced").click()
    wait_for_app(page, timeout=60_000)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible(timeout=60_000)


def _responses(db_url: str) -> int:
    with read_session(get_engine(db_url)) as session:
        return session.scalar(select(func.count(Response.id))) or 0


def _address(replica) -> str:
    return replica.url.removeprefix("http://")


def _moved(link: str, replica_url: str) -> str:
    return replica_url + link[link.index("/respond") :]


def test_a_response_through_replica_a_shows_on_replica_bs_executive_page(cluster, browser, record_property):
    leader = browser.new_context(viewport={"width": 1280, "height": 900})
    respondent = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = leader.new_page()
        sign_in(page, cluster["b"].url, *ADMIN)
        page.goto(f"{cluster['b'].url}/executive")
        wait_for_app(page, timeout=60_000)
        before = page.locator(LIVE).inner_text()

        _answer(respondent.new_page(), _moved(cluster["links"][0], cluster["a"].url))
        stored = time.perf_counter()
        expect(page.locator(LIVE)).not_to_have_text(before, timeout=30_000)
        record_property("response_to_other_replica_s", round(time.perf_counter() - stored, 2))
        assert _responses(cluster["db_url"]) == 1
    finally:
        leader.close()
        respondent.close()


def test_when_a_replica_dies_mid_wave_people_move_stay_signed_in_and_no_response_is_lost(cluster, browser):
    leader = browser.new_context(viewport={"width": 1280, "height": 900})
    leader.set_default_timeout(60_000)
    respondents = browser.new_context(viewport={"width": 390, "height": 844})
    respondents.set_default_timeout(60_000)
    try:
        page = leader.new_page()
        sign_in(page, cluster["url"], *ADMIN)
        served_by = leader.request.get(f"{cluster['url']}/_stcore/health").headers["x-replica"]
        home, other = sorted((cluster["a"], cluster["b"]), key=lambda replica: _address(replica) != served_by)
        links, at_start = cluster["links"][1:], _responses(cluster["db_url"])
        for link in links[:5]:  # through the balancer: all on the replica this address sticks to
            _answer(respondents.new_page(), link)
        before = _responses(cluster["db_url"])

        home.process.send_signal(signal.SIGKILL)
        home.process.wait(timeout=10)

        page.reload()
        wait_for_app(page, timeout=60_000)
        expect(page.get_by_text(f"Signed in as {ADMIN[0]}")).to_be_visible()
        assert leader.request.get(f"{cluster['url']}/_stcore/health").headers["x-replica"] == _address(other)
        for link in links[5:]:
            _answer(respondents.new_page(), link)
        assert before == at_start + 5  # every one thanked before the replica died
        assert _responses(cluster["db_url"]) == at_start + len(links)
    finally:
        leader.close()
        respondents.close()
