"""Playwright driving Debian's Chromium (installed by `make test`; Playwright's own download cannot work here)."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.factories import PASSWORD
from tests.rules.conftest import mirakl  # noqa: F401  (the Mirakl account fixture, for test_rules.py)

CHROMIUM = os.environ.get("OMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    # Playwright's sync API runs an event loop; Django must allow its ORM calls from the test thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


# The two sizes every page is tried at: a desktop screen and a phone (iPhone 12 to 15).
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def viewport(request):
    """ "desktop" unless a test parametrizes it (`indirect=True`) with "phone"."""
    return getattr(request, "param", "desktop")


@pytest.fixture
def page(browser, viewport):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Paris", viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def log_in(live_server, page):
    def log_in(user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/orders/")
        return page

    return log_in


@pytest.fixture
def celery_worker(live_server):
    """A real Celery worker on the test database and queue, for background jobs started in the browser."""
    from tests.workers import kill, start_worker

    worker = start_worker()
    yield worker
    kill(worker)


# The innermost elements that stick out on the right, to say what made a page too wide.
WIDEST = """() => Array.from(document.querySelectorAll("body *"))
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !Array.from(el.children).some(
    (child) => child.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + " " + Math.round(el.getBoundingClientRect().right))"""


def check_page(page):
    """The page fits the viewport (no sideways scrolling) and axe-core finds no serious or critical
    violation. axe runs through page.evaluate, which no Content-Security-Policy blocks; the app
    never serves it."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        wide = page.evaluate(WIDEST)
        raise AssertionError(f"{page.url} is {width} px wide in a {page.viewport_size['width']} px viewport: {wide}")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(
            node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
            for node in violation["nodes"][:5]
        )
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{page.url}:\n" + "\n".join(serious)
