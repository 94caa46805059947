"""Serving the app: Solara's Starlette app under uvicorn, on 127.0.0.1 unless told otherwise.

Every script the page loads comes from this server (solara-assets holds the ones Solara would
fetch through its CDN proxy), and Solara's usage telemetry is switched off: nothing leaves the
machine.
"""

from __future__ import annotations

import os
from pathlib import Path

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def environment() -> dict[str, str]:
    """Solara's settings for this app (set before Solara is imported)."""
    return {
        "SOLARA_APP": "sim.app.ui",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_SHOW_BANNER": "False",
    }


def serve(host: str, port: int, out: Path, workers: int | None, scheduler: str | None) -> None:
    """Run the app until interrupted; the job manager's workers stop with it."""
    os.environ.update(environment())
    import uvicorn

    from sim.app import state

    state.configure(out / "app", workers, scheduler)
    state.manager()  # start (and warm) the worker pool before the first page
    import sim.app.ui  # noqa: F401  (the page's imports, before the first visitor waits for them)

    try:
        uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
    finally:
        state.shutdown()
