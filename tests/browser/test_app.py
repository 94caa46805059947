"""The web app in a real browser (issue 13, "Tests in a real browser").

Playwright drives Debian's Chromium against ``python run_sim.py app`` on a free local port with a
temporary outputs folder. Each test is a visitor in their own browser context; runs are small (300
residents, 2 years, 2 replicates) so the module stays near a minute on two cores. Every page state
is saved as ``outputs/test-artifacts/screenshots/<nn>-<state>.png`` (``make screenshots`` copies
them into docs/screenshots/ for the README).
"""

from __future__ import annotations

import contextlib
import tomllib
import warnings

import pytest

from .support import (
    browser_missing,
    cli_compare,
    csv_rows,
    design_field,
    download,
    drop_file,
    one_line,
    open_app,
    run_folder,
    run_to_results,
    screenshot,
    set_estate,
    show_section,
    text_of,
)

# Where the browser cannot run, conftest.py marks every test here skipped with this loud reason: each
# test is still collected, so a run of this module alone exits 0, not 5 ("no tests collected"), as a
# module-level skip would make it.
MISSING = browser_missing()
if MISSING is None:
    from playwright.sync_api import expect
else:
    warnings.warn(MISSING, stacklevel=1)

SMALL = {"residents": 300, "years": 2, "replicates": 2}
# A planner's lever in design card 0 (the volunteer corps: how many volunteers it keeps), else a
# field every effort has, each with a value the schema accepts in a 2-year run.
DESIGN_CHANGES = (("volunteer_corps.volunteers", 20), ("effort.end_week", 60), ("target.max_age", 40))
BAD_CSV = b"age,sex,status\nabc,F,employed\n"


def change_design(page, design: int = 0) -> tuple[str, int]:
    """Change one field of a design card; return the key's tail and the value typed."""
    for suffix, value in DESIGN_CHANGES:
        box = design_field(page, design, suffix)
        if box is not None:
            box.fill(str(value))
            box.press("Enter")
            box.press("Tab")
            page.wait_for_timeout(500)  # the value is checked on the server
            card = page.locator(f".sim-design-{design}")
            expect(card.locator(".sim-field-error")).to_have_count(0)
            return suffix, value
    pytest.fail(
        f"design card .sim-design-{design} has no field .sim-field-<section>-"
        f"{' or -'.join(s.replace('.', '-') for s, _ in DESIGN_CHANGES)}"
    )


def values_at(table: dict, suffix: str) -> list:
    """Every value in a nested TOML table whose dotted key ends with the keys of ``suffix``."""
    found, parts = [], suffix.split(".")

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, [*path, key])
        elif path[-len(parts) :] == parts:
            found.append(node)

    walk(table, [])
    return found


def saved(folder, name: str = "baseline") -> dict:
    return tomllib.loads((folder / "scenarios" / f"{name}.toml").read_text())


def test_page_loads_with_no_console_error_and_no_foreign_request(new_page, app_server):
    page, watch = new_page()
    open_app(page, app_server.url)
    expect(page.locator(".sim-title").first).to_be_visible()
    expect(page.locator(".sim-design-0").first).to_be_visible()
    page.wait_for_timeout(1_000)  # late requests (fonts, icons) would show now
    screenshot(page, "01-start")
    assert any(app_server.host in url for url in watch.requests)
    watch.assert_clean()


def test_language_switch_changes_the_labels(new_page, app_server):
    page, watch = new_page()
    open_app(page, app_server.url)
    title, run = page.locator(".sim-title").first, page.locator(".sim-run").first

    def labels() -> tuple[str, str]:
        return text_of(page, ".sim-title"), text_of(page, ".sim-run")

    first = labels()
    page.locator(".sim-lang-en").first.click()
    expect(title).not_to_have_text(first[0])  # Danish first: English is a switch away
    english = labels()
    screenshot(page, "02-english")
    page.locator(".sim-lang-da").first.click()
    expect(title).to_have_text(first[0])
    expect(run).to_have_text(first[1])
    danish = labels()
    screenshot(page, "02-danish")
    assert english[0] != danish[0] and english[1] != danish[1], (danish, english)
    watch.assert_clean()


def test_a_changed_design_runs_and_its_csv_equals_the_cli_run_of_its_tomls(new_page, app_server, scratch):
    page, watch = new_page()
    open_app(page, app_server.url)
    set_estate(page, **SMALL, seed=11)
    suffix, value = change_design(page)
    screenshot(page, "03-design-changed", focus=".sim-design-0")
    run_to_results(page)
    expect(page.locator(".sim-headline").first).to_be_visible()
    screenshot(page, "04-results", focus=".sim-results")

    folder = run_folder(app_server.out, text_of(page, ".sim-run-id"))
    base = saved(folder)
    assert values_at(base, "residents") == [300] and values_at(base, "years") == [2], base
    assert values_at(base, "replicates") == [2] and values_at(base, "seed") == [11], base
    designs = [p for p in (folder / "scenarios").glob("*.toml") if p.stem != "baseline"]
    assert any(value in values_at(tomllib.loads(p.read_text()), suffix) for p in designs), (
        f"no saved design has {suffix} = {value}"
    )
    saved_summary = (folder / "summary.csv").read_bytes()
    rows = csv_rows(saved_summary)
    assert len(rows) >= 3 and all(len(row) == len(rows[0]) for row in rows), rows[:3]
    header = rows[0]
    # The CLI is given the designs in the order of the app's summary (its rows keep the run's order).
    order = (
        list(dict.fromkeys(row[header.index("scenario")] for row in rows[1:]))
        if "scenario" in header
        else None
    )
    cli = cli_compare(folder, scratch / "cli", order)
    if cli != saved_summary:  # the same cells at least (the bytes should match too: the contract)
        assert csv_rows(cli) == rows, "summary.csv differs from `run_sim.py compare` of the saved TOMLs"

    name, data = download(page, "summary-csv")
    assert name.endswith(".csv") and "summary" in name, name
    assert data == saved_summary, "the downloaded summary.csv is not the run's saved one"
    watch.assert_clean()


def test_a_bad_residents_csv_shows_its_error_and_the_app_keeps_working(new_page, app_server):
    page, watch = new_page()
    open_app(page, app_server.url)
    set_estate(page, **SMALL)
    drop_file(page, ".sim-csv-upload", "residents.csv", BAD_CSV)
    error = page.locator(".sim-csv-error").first
    expect(error).to_contain_text("abc", timeout=60_000)
    message = text_of(page, ".sim-csv-error")
    assert one_line(message), message
    screenshot(page, "05-csv-error", focus=".sim-csv-error")
    run_to_results(page)
    expect(page.locator(".sim-headline").first).to_be_visible()
    watch.assert_clean()


def test_two_visitors_run_at_once_and_see_only_their_own_runs(new_page, app_server):
    (first, first_watch), (second, second_watch) = new_page(), new_page()
    for page in (first, second):
        open_app(page, app_server.url)
    set_estate(first, **SMALL, seed=1)
    set_estate(second, residents=360, years=2, replicates=2, seed=2)
    change_design(second)
    for page in (first, second):
        page.locator(".sim-run").first.click()
    for page in (first, second):
        expect(page.locator(".sim-results").first).to_be_visible(timeout=240_000)
    screenshot(first, "06-visitor-a", focus=".sim-results")
    screenshot(second, "06-visitor-b", focus=".sim-results")

    folders = [run_folder(app_server.out, text_of(page, ".sim-run-id")) for page in (first, second)]
    assert folders[0] != folders[1]
    assert values_at(saved(folders[0]), "residents") == [300]
    assert values_at(saved(folders[1]), "residents") == [360]
    for page, own, other in ((first, *folders), (second, *reversed(folders))):
        assert other.name not in text_of(page, ".sim-run-id")
        assert download(page, "summary-csv")[1] == (own / "summary.csv").read_bytes()
    for page, own, other in ((first, *folders), (second, *reversed(folders))):
        show_section(page, "past")
        past = page.locator(".sim-past-runs").first
        expect(past).to_contain_text(own.name)
        assert other.name not in (past.text_content() or "")
    first_watch.assert_clean()
    second_watch.assert_clean()


def test_past_runs_are_listed_and_reopen_after_a_reload(new_page, app_server):
    page, watch = new_page()
    open_app(page, app_server.url)
    set_estate(page, **SMALL, seed=5)
    run_to_results(page)
    folder = run_folder(app_server.out, text_of(page, ".sim-run-id"))

    page.reload()
    page.locator(".sim-run").first.wait_for(state="visible", timeout=60_000)
    show_section(page, "past")
    past = page.locator(".sim-past-runs").first
    expect(past).to_contain_text(folder.name)
    screenshot(page, "07-past-runs")
    past.get_by_text(folder.name).first.click()
    results = page.locator(".sim-results").first
    with contextlib.suppress(AssertionError):  # the results may open in the set-up section
        expect(results).to_be_visible(timeout=5_000)
    if not results.is_visible():
        show_section(page, "setup")
    expect(results).to_be_visible(timeout=60_000)
    expect(page.locator(".sim-run-id").first).to_contain_text(folder.name)
    expect(page.locator(".sim-headline").first).to_be_visible()
    screenshot(page, "08-reopened", focus=".sim-results")
    watch.assert_clean()


def test_the_live_view_steps_the_model_and_hides_the_set_up(new_page, app_server):
    page, watch = new_page()
    open_app(page, app_server.url)
    set_estate(page, **SMALL, seed=9)
    show_section(page, "live")
    step = page.get_by_role("button", name="Step")
    step.first.wait_for(state="visible", timeout=120_000)
    expect(page.locator(".sim-run").first).to_be_hidden()  # the set-up part is hidden, not shown below
    for _ in range(3):
        step.first.click()
    expect(page.get_by_text("Step: 3").first).to_be_visible(timeout=60_000)
    screenshot(page, "09-live-view")
    show_section(page, "setup")
    expect(page.locator(".sim-run").first).to_be_visible()
    watch.assert_clean()
