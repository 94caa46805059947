"""HTML shared by every report: one self-contained page, escaping, embedded figures, tables.

Every report is one file to mail or archive: the style sheet is inline and figures are embedded
as data URIs. Every piece of text that comes from the inputs goes through :func:`esc`; the other
helpers take HTML that is already safe (cells, definitions) and escape only what they are given
as plain text (titles, headers, captions, manifest values).
"""

from __future__ import annotations

import base64
import html
import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.reporting.numbers import DASH, finite, quantity, span

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  max-width: 1150px; margin: 2em auto; padding: 0 1.2em; color: #1d1d1d; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin-top: 1.4em; }
.subtitle { color: #555; margin-top: 0; }
.howto { background: #f5f6f8; border-left: 4px solid #9aa3ad; padding: 0.7em 1em; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.8em 0; width: 100%; }
th, td { border: 1px solid #d6d6d6; padding: 0.35em 0.5em; vertical-align: top; text-align: left; }
th { background: #f0f1f3; }
table.compact { width: auto; }
.range, .muted { color: #666; }
.diff { color: #333; font-size: 0.95em; }
.diff.strong { font-weight: 600; }
.note { color: #8a5a00; font-size: 0.9em; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.4em;
  border-radius: 2px; vertical-align: baseline; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.92em; margin-top: 0.3em; }
code { font-size: 0.9em; word-break: break-all; }
dt { font-weight: 600; margin-top: 0.4em; }
dd { margin-left: 1.2em; }
"""
# Manifest keys shown first, as code, in this order; "versions" and "scenarios" get tables.
MANIFEST_KEYS = ("command", "created", "base_seed", "replicate_seeds", "residents", "years", "replicates")


def esc(value: Any) -> str:
    """Text escaped for HTML, quotes included (safe in attributes too)."""
    return html.escape(str(value), quote=True)


def page(title: str, body: Iterable[str], extra_css: str = "") -> str:
    """A whole self-contained page: head with the shared style sheet (plus extra_css), then body."""
    head = [
        "<!DOCTYPE html>",
        "<html lang=en>",
        "<head>",
        "<meta charset=utf-8>",
        "<meta name=viewport content='width=device-width, initial-scale=1'>",
        f"<title>{esc(title)}</title>",
        f"<style>{CSS}{extra_css}</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join([*head, *body, "</body>", "</html>", ""])


def figure(path: Path, alt: str, caption: str) -> str:
    """A PNG embedded as a data URI, with its caption."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def row(cells: Iterable[str], attrs: str = "", cell_attrs: Sequence[str] = ()) -> str:
    """A table row of HTML cells; cell_attrs[i], when given, goes into the i-th ``<td>`` tag."""
    tds = (f"<td{cell_attrs[i] if i < len(cell_attrs) else ''}>{cell}</td>" for i, cell in enumerate(cells))
    return f"<tr{attrs}>" + "".join(tds) + "</tr>"


def table(head: Sequence[str] | None, rows: Iterable[str], attrs: str = "") -> str:
    """A table with plain-text headers (escaped here) and rows made by :func:`row`."""
    lines = [f"<table{attrs}>"]
    if head:
        lines.append("<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead>")
    return "\n".join([*lines, "<tbody>", *rows, "</tbody>", "</table>"])


def definition_list(items: Iterable[tuple[str, str]]) -> str:
    """Terms (plain text, escaped here) with their definitions (HTML)."""
    body = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in items)
    return f"<dl>{body}</dl>"


def estimate(
    mean: Any, low: Any, high: Any, unit: Any = "", decimals: int | None = None, *, no_high: str = DASH
) -> str:
    """A mean with its interval in grey after it, e.g. "42.0% (41.0 – 43.0%)".

    A missing mean is a dash; with neither end of the interval, the mean stands alone. The
    arguments are as in :func:`sim.reporting.numbers.span`.
    """
    if not finite(mean):
        return DASH
    text = esc(quantity(mean, unit, decimals))
    if not (finite(low) or finite(high)):
        return text
    return f"{text} <span class=range>({esc(span(low, high, unit, decimals, no_high=no_high))})</span>"


def difference(text: str, low: Any, high: Any) -> str:
    """A difference (HTML) set under a level; bold when its interval from low to high excludes zero."""
    strong = finite(low) and finite(high) and (float(low) > 0 or float(high) < 0)
    return f"<span class='{'diff strong' if strong else 'diff'}'>{text}</span>"


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _as_text(value: Any) -> str:
    """A command as the shell would take it; other values as text."""
    if isinstance(value, list | tuple):
        return shlex.join(str(v) for v in value)
    return str(value)


def manifest_block(data: Mapping[str, Any]) -> str:
    """Command, seeds, sizes, versions and input file hashes of a run; other keys as JSON."""
    items = [(k, f"<code>{esc(_as_text(data[k]))}</code>") for k in MANIFEST_KEYS if k in data]
    parts = [definition_list(items)]
    versions = data.get("versions")
    if isinstance(versions, Mapping) and versions:
        rows = (row([esc(k), f"<code>{esc(v)}</code>"]) for k, v in versions.items())
        parts += ["<h3>Versions</h3>", table(None, rows, " class=compact")]
    elif versions is not None:
        parts.append(f"<h3>Versions</h3><p><code>{esc(_json(versions))}</code></p>")
    scenarios = data.get("scenarios")
    if isinstance(scenarios, Mapping) and scenarios:
        rows = []
        for name, entry in scenarios.items():
            files = entry.get("files", {}) if isinstance(entry, Mapping) else {}
            if not isinstance(files, Mapping) or not files:
                rows.append(row([esc(name), DASH, DASH]))
                continue
            for file, digest in files.items():
                rows.append(
                    row([esc(name), f"<code>{esc(file)}</code>", f"<code class=hash>{esc(digest)}</code>"])
                )
        parts += [
            "<h3>Scenario files (SHA-256)</h3>",
            table(("Scenario", "File", "SHA-256"), rows, " class=compact"),
        ]
    rest = [(k, v) for k, v in data.items() if k not in (*MANIFEST_KEYS, "versions", "scenarios")]
    if rest:
        parts.append("<h3>Other</h3>")
        parts.append(
            definition_list(
                (k, f"<code>{esc(v if isinstance(v, str | int | float) else _json(v))}</code>")
                for k, v in rest
            )
        )
    return "\n".join(parts)
