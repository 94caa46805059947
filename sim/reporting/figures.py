"""Figures shared by every report: one headless backend, one style, one palette, deterministic PNGs.

Figures are drawn on :class:`~matplotlib.figure.Figure` objects directly, never through pyplot's
registry of open figures, so drawing one holds no global state and needs no closing. The Agg
backend is still chosen here, once, so that nothing the reports load can open a window.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.style
from matplotlib.axes import Axes
from matplotlib.colors import Colormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

matplotlib.use("Agg")  # headless: no display needed, and the PNG bytes do not depend on one

DPI = 110
BASELINE_COLOUR = "#595959"  # the baseline or reference: grey, in every report
MUTED_COLOUR = "#777777"  # notes such as "no data"
# tab10 without its grey, which is reserved for the baseline.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
)
# A white box behind a note, so that lines behind it do not cross it.
NOTE_BOX = {"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none", "alpha": 0.9}
# Fixed style so a user's matplotlibrc cannot change the output.
RC: dict[str, Any] = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "figure.titlesize": 11,
    "figure.titleweight": "bold",
    "text.parse_math": False,  # names are text: a "$" in one must not start mathtext
}


@contextmanager
def style() -> Iterator[None]:
    """The reports' fixed style, on top of matplotlib's defaults; draw and save figures inside it."""
    with matplotlib.style.context("default"), matplotlib.rc_context(RC):
        yield


def subplots(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float], layout: str | None = None, **kwargs: Any
) -> tuple[Figure, Any]:
    """A new figure and its axes, as :func:`matplotlib.pyplot.subplots` but outside pyplot.

    Args:
        nrows: Rows of panels.
        ncols: Columns of panels.
        figsize: Width and height in inches.
        layout: Layout engine, e.g. "constrained"; None for fixed margins.
        **kwargs: Passed to :meth:`~matplotlib.figure.Figure.subplots` (sharex, squeeze...).
    """
    fig = Figure(figsize=figsize, layout=layout)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def save(fig: Figure, path: Path) -> None:
    """Write the figure as a PNG whose bytes depend only on what was drawn."""
    # No "Software" entry: keeps the bytes identical across matplotlib patch releases.
    fig.savefig(path, dpi=DPI, metadata={"Software": None})


def no_data(ax: Axes, text: str = "no data", *, boxed: bool = False) -> None:
    """A grey note in the middle of a panel that has nothing to draw (on a white box if boxed)."""
    ax.text(
        0.5,
        0.5,
        text,
        ha="center",
        va="center",
        transform=ax.transAxes,
        color=MUTED_COLOUR,
        **({"bbox": NOTE_BOX} if boxed else {}),
    )


def colour_cycle(names: Iterable[str]) -> dict[str, str]:
    """A colour from :data:`PALETTE` for each name, in order, starting over when it runs out."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def band(
    ax: Axes, x: Any, mean: Any, low: Any, high: Any, colour: Any, *, alpha: float = 0.2, **line: Any
) -> list[Line2D]:
    """A mean line over its shaded interval; with a ``zorder``, the shading goes two layers below."""
    layer = {"zorder": line["zorder"] - 2} if "zorder" in line else {}
    ax.fill_between(x, low, high, color=colour, alpha=alpha, linewidth=0, **layer)
    return ax.plot(x, mean, color=colour, **line)


def colormap(name: str) -> Colormap:
    """A registered colour map by name, e.g. "viridis"."""
    return matplotlib.colormaps[name]
