"""Text and tables in the page as plain HTML (escaped), styled by the page's own CSS.

Solara's Markdown loads KaTeX for formulas through the CDN proxy, which this machine's assets do
not hold; the page has no formulas, so headings, paragraphs and tables are written as HTML here.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd
import solara

TABLE_STYLE = """
<style>
.sim-table { border-collapse: collapse; font-size: 0.92em; margin: 0.4em 0 0.8em 0; }
.sim-table th, .sim-table td { border-bottom: 1px solid #ddd; padding: 0.3em 0.7em; text-align: left;
  vertical-align: top; }
.sim-table th { background: #f3f6fa; font-weight: 600; }
.sim-table td:not(:first-child) { font-variant-numeric: tabular-nums; white-space: nowrap; }
</style>
"""


def heading(text: str, level: int = 3) -> None:
    """A heading."""
    solara.HTML(tag=f"h{level}", unsafe_innerHTML=html.escape(text), style={"margin": "0.8em 0 0.3em 0"})


def paragraph(text: str, classes: list[str] | None = None) -> None:
    """A paragraph of plain text."""
    solara.HTML(
        tag="p", unsafe_innerHTML=html.escape(text), classes=classes or [], style={"margin": "0.3em 0"}
    )


def table(frame: pd.DataFrame, classes: list[str] | None = None) -> None:
    """A frame as an HTML table (cells already formatted as text; everything escaped)."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            value = f"{value:.3g}"
        return html.escape(str(value))

    head = "".join(f"<th>{cell(c)}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    body = (
        f'{TABLE_STYLE}<table class="sim-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )
    with solara.Column(classes=classes or [], style={"overflow-x": "auto", "padding": "0"}):
        solara.HTML(tag="div", unsafe_innerHTML=body)


@solara.component
def Collapsible(
    title: str, body: Callable[[], None], open_at_start: bool = False, classes: list[str] | None = None
):
    """A titled section whose body is built only while it is open.

    Solara's Details builds its body's widgets even when closed; a design card has dozens of
    fields, and building them all made the first page slow.
    """
    shown, set_shown = solara.use_state(open_at_start)
    with solara.Column(classes=classes or [], style={"padding": "0", "gap": "0"}):
        solara.Button(
            ("▾ " if shown else "▸ ") + title,
            text=True,
            on_click=lambda: set_shown(not shown),
            classes=["sim-collapsible"],
            style={"justify-content": "flex-start", "text-transform": "none", "font-weight": "600"},
        )
        if shown:
            with solara.Column(style={"padding": "0 0 0 1em"}):
                body()
