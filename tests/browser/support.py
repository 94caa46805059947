"""What the browser tests and ``benchmarks/bench_app.py`` share: the app server, Chromium, page helpers.

The app runs as ``python run_sim.py app`` in its own process group on a free port of 127.0.0.1, and
Playwright drives Debian's Chromium (``/usr/bin/chromium``) through ``executable_path``: Playwright's
own browser download cannot work on machines without internet. Elements are found by their CSS
classes ``sim-<name>`` (README, "Web app").
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("SIM_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "outputs" / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
SERVER_LOG = ARTIFACTS / "app-server.log"  # the browser tests' server's output, kept for a failure
# Headless, and nothing that would call home: the page must make no request but to the app itself.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 120.0  # seconds for the server to answer (its first start imports and compiles)
# URLs that never leave the page: inline data and objects the page made itself (downloads).
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-error"}


def browser_missing() -> str | None:
    """Why the browser tests cannot run on this machine, or None when they can."""
    if not CHROMIUM.exists():
        return (
            f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing; `make chromium` installs Debian's chromium "
            "(as root, with apt-get)"
        )
    if importlib.util.find_spec("playwright") is None:
        return "BROWSER TESTS SKIPPED: the playwright package is missing (pip install -e '.[dev]')"
    return None


def free_port() -> int:
    """A TCP port of 127.0.0.1 free at the time of asking."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    """``python run_sim.py app`` on 127.0.0.1:port writing its runs under ``out``."""

    out: Path
    port: int = field(default_factory=free_port)
    workers: int | None = 2
    process: subprocess.Popen | None = None
    log: Path | None = None
    descendants: set[int] = field(default_factory=set)
    command: list[str] | None = None  # another server to start (checks of this machinery)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}/"

    def start(self, timeout: float = START_TIMEOUT) -> AppServer:
        """Start the server and wait until it answers; raise RuntimeError with its log if it does not."""
        self.out.mkdir(parents=True, exist_ok=True)
        self.log = self.log or self.out.parent / f"{self.out.name}-server.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, str(ROOT / "run_sim.py"), "app", "--port", str(self.port)]
        command += ["--out", str(self.out)]
        if self.workers:
            command += ["--workers", str(self.workers)]
        if self.command is not None:
            command = [part.format(port=self.port, out=self.out) for part in self.command]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
        env["PYTHONUNBUFFERED"] = "1"
        with open(self.log, "wb") as log:
            # A new session makes a new process group: the teardown ends the server and every
            # child it started (the run pool's workers) with one signal.
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the app server exited with code {self.process.returncode} before answering "
                    f"({' '.join(command)}):\n{self.log_tail()}"
                )
            if self._answers():
                return self
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"the app server did not answer on {self.url} within {timeout:.0f} s "
                    f"({' '.join(command)}):\n{self.log_tail()}"
                )
            time.sleep(0.25)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def log_tail(self, lines: int = 60) -> str:
        if self.log is None or not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def _remember_children(self) -> None:
        """Note every descendant now, so one that left the process group is still ended."""
        with contextlib.suppress(ImportError, Exception):
            import psutil

            parent = psutil.Process(self.process.pid)
            self.descendants |= {child.pid for child in parent.children(recursive=True)}

    def stop(self) -> list[int]:
        """End the server and its children; return the pids that were still alive after SIGKILL."""
        if self.process is None:
            return []
        self._remember_children()
        pgid = self.process.pid  # the session leader's pid is its group's id
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, sig)
            for pid in self.descendants:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=wait)
            if self.process.poll() is not None and not self._alive():
                break
        self.process.wait()
        survivors = sorted(self._alive())
        self.process = None
        return survivors

    def _alive(self) -> set[int]:
        alive = set()
        for pid in self.descendants:
            try:
                os.kill(pid, 0)
            except (ProcessLookupError, PermissionError):
                continue
            # A zombie waits for its (dead) parent's reaper: it no longer runs.
            with contextlib.suppress(OSError):
                if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
                    continue
            alive.add(pid)
        return alive


def launch_chromium(playwright):
    """Debian's Chromium through Playwright, headless, with a fresh temporary profile.

    Playwright gives every launch its own new user data dir (and deletes it at close), so no state
    passes from one session to the next.
    """
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


@dataclass
class Watch:
    """Every request URL and console error of one browser context."""

    host: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach_context(self, context) -> None:
        context.on("request", lambda request: self.requests.append(request.url))

    def attach_page(self, page) -> None:
        page.on("websocket", lambda socket: self.requests.append(socket.url))
        page.on(
            "console", lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None
        )
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def foreign(self) -> list[str]:
        """Requests to any host but the app's own."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).netloc != self.host
        ]

    def assert_clean(self) -> None:
        """No request left the app's host and no console error was logged."""
        foreign = self.foreign()
        assert not foreign, f"requests to hosts other than {self.host}: {foreign[:20]}"
        assert not self.errors, f"console errors: {self.errors[:20]}"


def screenshot(page, name: str, focus: str | None = None) -> Path:
    """Save the page as ``outputs/test-artifacts/screenshots/<name>.png`` (a stable name).

    The app scrolls inside its own main area, so the view is first scrolled to ``focus`` (a selector)
    when given: the shot shows that part of the page.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if focus is not None:
        with contextlib.suppress(Exception):
            page.locator(focus).first.evaluate("e => e.scrollIntoView({block: 'start'})", timeout=5_000)
    page.screenshot(path=str(path), full_page=True)
    return path


# --- page helpers: each waits for what it needs, so a test reads as the steps a planner takes ---

RESULTS_TIMEOUT_MS = 240_000  # a small comparison on a busy 2-core machine, with the pool starting


def open_app(page, url: str, timeout_ms: float = 120_000) -> None:
    """Load the app and wait until its main content (the run button) is visible."""
    page.goto(url)
    page.locator(".sim-run").first.wait_for(state="visible", timeout=timeout_ms)


def show_section(page, key: str) -> None:
    """Open the page's section ``key`` (its button ``sim-section-<key>``) where the page has sections."""
    button = page.locator(f".sim-section-{key}")
    if button.count():
        button.first.click()


def text_of(page, selector: str) -> str:
    """The element's text as in the DOM (not as CSS shows it: buttons are upper-cased)."""
    return " ".join((page.locator(selector).first.text_content() or "").split())


def fill(page, selector: str, value) -> None:
    """Type a value into the input inside ``selector`` and commit it (Enter, then leave the field)."""
    box = page.locator(f"{selector} input, {selector} textarea").first
    box.fill(str(value))
    box.press("Enter")
    box.press("Tab")


def set_estate(page, residents: int, years: int, replicates: int, seed: int | None = None) -> None:
    """The estate's size, horizon and replicates (and seed) in the set-up form."""
    fill(page, ".sim-residents", residents)
    fill(page, ".sim-years", years)
    fill(page, ".sim-replicates", replicates)
    if seed is not None:
        fill(page, ".sim-seed", seed)


EXPANDERS = ".v-expansion-panel-title, .v-expansion-panel-header"  # Vuetify 3, 2: a Details' header


def design_field(page, design: int, key_suffix: str):
    """The input of the first field of design card ``design`` whose key ends with ``key_suffix``.

    Opens the card's folded groups (Details) one by one until the field shows; None if it has none.
    """
    suffix = key_suffix.replace(".", "-")
    card = page.locator(f".sim-design-{design}").first
    card.wait_for(state="visible")
    box = card.locator(f"[class*='sim-field-'][class*='{suffix}'] input").first
    headers = card.locator(EXPANDERS)
    for i in range(headers.count() + 1):
        if box.count() and box.is_visible():
            return box
        if i < headers.count() and headers.nth(i).get_attribute("aria-expanded") != "true":
            headers.nth(i).click()
            with contextlib.suppress(Exception):
                box.wait_for(state="visible", timeout=1_000)
    return None


def drop_file(page, selector: str, name: str, data: bytes, mime: str = "text/csv") -> None:
    """Give a file to the upload at ``selector``: its file input if it has one, else a drop.

    Solara's FileDrop reads only ``dataTransfer.items[i].webkitGetAsEntry()``, which Chromium leaves
    empty for a DataTransfer built in script; the drop event here carries the same shape with the
    real File, so the page reads and uploads the bytes as it would from a user's drag.
    """
    target = page.locator(selector).first
    target.wait_for(state="attached")
    inputs = target.locator("input[type=file]")
    if inputs.count():
        inputs.first.set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
        return
    zone = target.locator(".solara-file-drop")
    handle = (zone.first if zone.count() else target).element_handle()
    handle.evaluate(
        """(zone, [name, bytes, mime]) => {
            const file = new File([new Uint8Array(bytes)], name, {type: mime});
            const entry = {isFile: true, isDirectory: false, name, file: (ok) => ok(file)};
            const item = {kind: 'file', type: mime, getAsFile: () => file, webkitGetAsEntry: () => entry};
            const transfer = {items: [item], files: [file], types: ['Files']};
            for (const kind of ['dragenter', 'dragover', 'drop']) {
                const event = new Event(kind, {bubbles: true, cancelable: true});
                Object.defineProperty(event, 'dataTransfer', {value: transfer});
                zone.dispatchEvent(event);
            }
        }""",
        [name, list(data), mime],
    )


def run_to_results(page, timeout_ms: float = RESULTS_TIMEOUT_MS) -> float:
    """Press run and wait for the results; return the seconds from the press to the results shown."""
    results = page.locator(".sim-results").first
    start = time.perf_counter()
    page.locator(".sim-run").first.click()
    # A previous run's results may be on the page: wait for them to go first when they do.
    with contextlib.suppress(Exception):
        results.wait_for(state="hidden", timeout=1_000)
    results.wait_for(state="visible", timeout=timeout_ms)
    return time.perf_counter() - start


def download(page, name: str, timeout_ms: float = 60_000) -> tuple[str, bytes]:
    """Click the download ``sim-download-<name>``; return the file's suggested name and bytes."""
    button = page.locator(f".sim-download-{name}").first
    button.wait_for(state="visible", timeout=60_000)  # shown once the run's files are written
    with page.expect_download(timeout=timeout_ms) as info:
        inner = button.locator("button")
        (inner.first if inner.count() else button).click()
    done = info.value
    return done.suggested_filename, Path(done.path()).read_bytes()


def run_folder(out: Path, run_id_text: str, timeout: float = 120.0) -> Path:
    """The run folder under the app's outputs whose name the page's run id text shows.

    The folder appears whole once its files are written, which may be after the results show.
    """
    deadline = time.monotonic() + timeout
    while True:
        candidates = [p for p in out.rglob("*") if p.is_dir() and (p / "scenarios").is_dir()]
        named = [p for p in candidates if p.name and p.name in run_id_text]
        if named:
            return max(named, key=lambda p: len(p.name))
        if time.monotonic() > deadline:
            raise AssertionError(
                f"no run folder under {out} named in the run id {run_id_text!r} after {timeout:.0f} s: "
                f"{[str(p) for p in candidates]}"
            )
        time.sleep(0.5)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def cli_compare(folder: Path, out: Path, order: list[str] | None = None) -> bytes:
    """``python run_sim.py compare`` of a run folder's saved TOMLs; return the summary.csv it writes.

    The baseline (``baseline.toml``) comes first, then the designs in ``order`` (scenario names), else
    by file name.
    """
    scenarios = folder / "scenarios"
    tomls = sorted(scenarios.glob("*.toml"))
    base = scenarios / "baseline.toml"
    assert base in tomls, f"no baseline.toml among the saved scenarios {[p.name for p in tomls]}"
    designs = [p for p in tomls if p != base]
    if order:
        rank = {name: i for i, name in enumerate(order)}
        designs.sort(key=lambda p: (rank.get(scenario_name(p), len(rank)), p.name))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    command = [sys.executable, str(ROOT / "run_sim.py"), "compare", str(base), *map(str, designs)]
    command += ["--out", str(out), "--force"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}"
    return (out / "summary.csv").read_bytes()


def scenario_name(path: Path) -> str:
    """The ``name`` a scenario TOML gives itself (its file stem if none)."""
    with contextlib.suppress(Exception):
        return str(tomllib.loads(path.read_text())["name"])
    return path.stem


def one_line(text: str) -> bool:
    return bool(text.strip()) and not re.search(r"[\r\n]", text.strip())
