"""What one browser session holds (language, estate, designs, its run) and the server's job manager.

Solara keeps a module-level ``solara.reactive`` apart for every browser tab, so two planners never
share a form or a result. Runs are owned by the browser's session id (a cookie), so a reload or a
second tab of the same browser finds its past runs again, and another browser never sees them.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import solara

from sim.app.i18n import DEFAULT, translate, translate_error
from sim.app.jobs import JobManager

language = solara.reactive(DEFAULT)


def t(text: str) -> str:
    """``text`` (English, a catalogue msgid) in the session's language."""
    return translate(text, language.value)


def error_text(message: str) -> str:
    """A one-line input error of the command line, in the session's language."""
    return translate_error(message, language.value)


def owner() -> str:
    """The browser's session id: the owner of its runs (a cookie, so it survives a reload)."""
    return solara.get_session_id()


@dataclass(frozen=True)
class Estate:
    """The estate every design of a comparison runs on, as the planner typed it (text, then checked)."""

    area: str = ""  # an area profile's name; "" is the bundled estate of scenarios/baseline.toml
    residents: str = "5000"
    years: str = "10"
    replicates: str = "16"
    seed: str = "20131201"
    csv_name: str = ""  # the uploaded residents CSV's own name, as the planner knows it
    csv_path: Path | None = None  # where the app keeps it (:func:`keep_upload`)


@dataclass(frozen=True)
class Design:
    """One design: a template (bundled design, programme or uploaded TOML) and the planner's edits."""

    name: str
    template: str  # display name of its template
    source: Path | None = None  # the template's file; None for an uploaded TOML (kept as text)
    uploaded: str | None = None  # the uploaded TOML's text
    values: dict[str, Any] = field(default_factory=dict)  # field key -> value as typed

    def with_value(self, key: str, value: Any) -> Design:
        """A copy with one field changed."""
        return replace(self, values={**self.values, key: value})


estate = solara.reactive(Estate())
designs: solara.Reactive[list[Design]] = solara.reactive([])
job_id = solara.reactive("")  # the session's current (or last) run
shown_run = solara.reactive("")  # the run whose results are shown (current or reopened)
notice = solara.reactive("")  # a one-line message above the run button (errors of the last action)
section = solara.reactive("setup")  # the part of the page shown: setup, past or live

_manager: JobManager | None = None
_lock = threading.Lock()
_settings: dict[str, Any] = {"root": Path("outputs") / "app", "workers": None, "scheduler": None}


def keep_upload(data: bytes) -> Path:
    """Keep an uploaded residents CSV under the app's folder, named by its content.

    A run's scenario files name it ``residents.csv`` beside them, so each upload gets a folder of
    its own (``<out>/app/uploads/<sha256>/residents.csv``); the same file uploaded twice is kept once.
    """
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(_settings["root"]) / "uploads" / digest
    path = folder / "residents.csv"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".residents.csv.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return path


def configure(root: Path, workers: int | None = None, scheduler: str | None = None) -> None:
    """Set where runs go and what runs them, before the server starts."""
    _settings.update(root=Path(root), workers=workers, scheduler=scheduler)


def manager() -> JobManager:
    """The server's one job manager (created on first use, shared by every session)."""
    global _manager
    with _lock:
        if _manager is None:
            _manager = JobManager(_settings["root"], _settings["workers"], _settings["scheduler"])
        return _manager


def shutdown() -> None:
    """Stop the job manager and its worker processes."""
    global _manager
    with _lock:
        if _manager is not None:
            _manager.shutdown()
            _manager = None
