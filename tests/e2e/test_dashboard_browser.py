"""The dashboard in a real browser: `revcycle serve` on a database the demo filled, Debian's
chromium driven by Playwright logs in, opens /dashboard and saves a screenshot.

CI installs chromium (`.ci/run`); without it this test fails rather than skips, so a missing
browser can never pass for a working dashboard.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revcycle.cli.app import app as cli
from revcycle.db.engine import make_engine
from revcycle.db.uow import SqlUnitOfWorkFactory
from revcycle.services import auth, setup
from revcycle.services.clock import SystemClock
from revcycle.services.context import Context
from tests.conftest import practice_data

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Context]]:
    """The demo's practice in ``database_url`` with a manager user, served on a free port."""
    result = CliRunner().invoke(
        cli,
        [
            "demo",
            "--out",
            str(tmp_path / "demo"),
            "--db",
            database_url,
            "--encounters",
            "20",
            "--seed",
            "5",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    engine = make_engine(database_url)
    clock = SystemClock()
    operator = Context.operator("tester", clock, SqlUnitOfWorkFactory(engine, clock))
    with operator.uow() as uow:
        practice_id = uow.practices.list()[0].id
    assert practice_id is not None
    auth.create_user(operator.with_practice(practice_id), "manager", "manager", PASSWORD)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVCYCLE_")}
    exe = Path(sys.executable).parent / "revcycle"
    proc = subprocess.Popen(
        [str(exe), "serve", "--db", database_url, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # wait for the server to accept connections (startup, not timing)
            if proc.poll() is not None:
                pytest.fail(
                    f"revcycle serve exited: {proc.stderr.read().decode() if proc.stderr else ''}"
                )
            try:
                with urllib.request.urlopen(f"{base}/login") as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        yield base, operator
    finally:
        proc.terminate()
        proc.wait()
        if proc.stderr:
            proc.stderr.close()
        engine.dispose()


def test_a_manager_logs_in_and_sees_the_dashboard_with_tiles_and_charts(
    server: tuple[str, Context], tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is required for the dashboard browser test: "
            "apt-get install -y chromium (.ci/run installs it)"
        )
    from playwright.sync_api import sync_playwright

    base, operator = server
    other = setup.create_practice(operator, practice_data(legal_name="Other Clinic PC"))
    assert other.id is not None
    auth.create_user(operator.with_practice(other.id), "othermgr", "manager", PASSWORD)

    shot = tmp_path / "dashboard.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # no session yet: the dashboard sends the browser to the login form
            page.goto(f"{base}/dashboard")
            assert page.url == f"{base}/login"

            page.fill("#username", "manager")
            page.fill("#password", "wrong password")
            page.click("button[type=submit]")
            assert page.get_by_role("alert").inner_text() == "Wrong username or password."

            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/dashboard")
            assert "Prairie Family Medicine" in page.title()
            tiles = page.locator("[data-kpi]")
            kpi_ids = tiles.evaluate_all("els => els.map(e => e.dataset.kpi)")
            assert {"days_in_ar", "clean_claim_rate", "net_collection_rate"} <= set(kpi_ids)
            assert tiles.first.get_attribute("title")  # the definition is the tooltip
            assert page.locator("svg.chart").count() == 4
            assert page.locator("svg.chart rect title").count() > 0  # bars drawn from the data
            assert page.locator("#scorecard tbody tr").count() >= 1
            cookie = next(c for c in page.context.cookies() if c["name"] == "revcycle_session")
            assert cookie["httpOnly"]
            page.screenshot(path=str(shot), full_page=True)

            page.click("#logout")
            page.wait_for_url(f"{base}/login")
            page.goto(f"{base}/dashboard")
            assert page.url == f"{base}/login"

            # a user of another practice sees that practice only
            page.fill("#username", "othermgr")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/dashboard")
            assert "Other Clinic PC" in page.title()
            assert "Prairie" not in page.content()
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / "dashboard.png")
