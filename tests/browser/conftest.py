"""Fixtures for the browser tests: Debian's Chromium, driven by Playwright for Python.

Playwright cannot download its own browser here, so it drives the system Chromium
(``COURSE_CHROMIUM``, default /usr/bin/chromium). Without it the browser tests skip with the
reason; ``.ci/run`` installs it and sets ``COURSE_REQUIRE_BROWSER=1``, which turns that skip
into a failure so CI cannot pass without having run them.

Screenshots go to ``test-artifacts/browser/`` (git-ignored): the ones a test takes on purpose,
and one of the page whenever a test that used the ``page`` fixture failed.
"""

import contextlib
import os
import re
import shutil

import pytest

from autograder.notebook_files import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]


def browser_unavailable():
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (it is in requirements-test.txt)"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which(CHROMIUM):
        return (f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium` "
                "(as .ci/run does) or point COURSE_CHROMIUM at one")
    return None


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    reason = browser_unavailable()
    if reason:
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"COURSE_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts():
    """The folder for screenshots (created; earlier files are kept until overwritten)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the item, so fixtures can see whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


VIEWPORT = {"width": 1400, "height": 1000}


def new_context(browser):
    return browser.new_context(viewport=VIEWPORT)


def screenshot_if_failed(page, artifacts, request):
    """A full-page screenshot named after the test, when its call failed."""
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(artifacts / f"FAILED-{name}.png"), full_page=True)
        except Exception as error:  # the page may be gone; the failure itself is what matters
            print(f"could not save the failure screenshot: {error}")


@contextlib.contextmanager
def page_in(context, artifacts, request):
    """A new page of context, closed afterwards; a screenshot named after the test if it failed."""
    page = context.new_page()
    try:
        yield page
    finally:
        screenshot_if_failed(page, artifacts, request)
        page.close()


@pytest.fixture
def page(browser, artifacts, request):
    """A page (1400x1000) in a fresh browser context: nothing cached or stored by an earlier test."""
    context = new_context(browser)
    with page_in(context, artifacts, request) as fresh:
        yield fresh
    context.close()
