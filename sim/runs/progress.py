"""The progress bar every long command shows (rich): label, bar, done/total, extras, elapsed, ETA."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def progress_bar(console: Console, *extras: str) -> Progress:
    """A progress bar; each of ``extras`` is a text column (a rich template) after the counts."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        *(TextColumn(text) for text in extras),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
