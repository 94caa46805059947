"""Fixtures of the browser tests: one app server and one Chromium for the session, a context per page.

Where Chromium or Playwright is missing the tests skip with a loud reason (never a collection
error), so the rest of the suite always runs.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

import pytest

from .support import SERVER_LOG, AppServer, Watch, browser_missing, launch_chromium

MISSING = browser_missing()


def pytest_collection_modifyitems(config, items):
    """Mark every browser test skipped, loudly, where the browser cannot run."""
    if MISSING is None:
        return
    mark = pytest.mark.skip(reason=MISSING)
    for item in items:
        if "browser" in item.nodeid.split("::")[0].split("/"):
            item.add_marker(mark)


def pytest_terminal_summary(terminalreporter):
    if MISSING is not None:
        terminalreporter.write_sep("!", MISSING, yellow=True, bold=True)


@pytest.fixture(scope="package")
def app_server():
    """``python run_sim.py app`` on a free port of 127.0.0.1 with a temporary outputs folder.

    The folder is made here, not by pytest's tmp_path: pytest prunes older numbered temporary
    folders when another pytest session starts on the same machine, which could take it mid-run.
    Its output goes to outputs/test-artifacts/app-server.log. Package scope: the server (a child
    listening on a port) ends with the browser tests, before other tests count the listeners of
    pytest's children (tests/test_sweep.py).
    """
    folder = Path(tempfile.mkdtemp(prefix="sim-browser-"))
    server = AppServer(out=folder / "outputs", log=SERVER_LOG)
    failure = None
    try:
        server.start()
    except RuntimeError as error:
        failure = str(error)
    if failure is not None:
        pytest.fail(failure, pytrace=False)
    yield server
    survivors = server.stop()
    shutil.rmtree(folder, ignore_errors=True)
    if survivors:
        warnings.warn(f"app server children still alive after SIGKILL: {survivors}", stacklevel=1)


@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium through Playwright's sync API (headless, fresh profile)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def scratch():
    """A temporary folder of the test's own (not pytest's tmp_path, which another session may prune)."""
    folder = Path(tempfile.mkdtemp(prefix="sim-browser-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def new_page(browser, app_server):
    """Make a page in a new browser context (a new visitor); each records its requests and errors.

    Returns ``(page, watch)``; ``watch.assert_clean()`` checks that no request went to another host
    than the app's and that no console error was logged.
    """
    contexts = []

    def make():
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        watch = Watch(host=app_server.host)
        watch.attach_context(context)
        page = context.new_page()
        watch.attach_page(page)
        contexts.append(context)
        return page, watch

    yield make
    for context in contexts:
        context.close()
