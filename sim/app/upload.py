"""A file picker that sends the chosen file's bytes to Python (and works with a keyboard and in tests).

Solara's own FileDrop takes dragged files only; a planner expects a button that opens the file
dialog, and a browser test sets files on an ``<input type=file>``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import solara

MAX_BYTES = 20_000_000  # a residents CSV of 100,000 people is about 6 MB; larger files are refused


@solara.component_vue("upload.vue")
def _Upload(label: str, accept: str, filename: str, max_bytes: int, event_file: Callable[[dict], None]):
    pass


@solara.component
def Upload(label: str, accept: str, on_file: Callable[[str, bytes | None], None], filename: str = ""):
    """A button that opens the file dialog; ``on_file(name, data)`` gets None when the file is too big."""

    def received(info: dict) -> None:
        data = info.get("data") or ""
        on_file(str(info.get("name", "")), base64.b64decode(data) if data else None)

    _Upload(label=label, accept=accept, filename=filename, max_bytes=MAX_BYTES, event_file=received)
