"""Interactive charts of a comparison (Plotly: hover, legend toggles, zoom), small multiples.

One panel per design, each with the baseline's band, rather than every design's band on top of
each other; and the paired difference against the baseline per design.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

BASE_COLOUR = "rgba(120,120,120,{a})"
DESIGN_COLOUR = "rgba(31,119,180,{a})"


def yearly(timeseries: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Mean and 95 % band over replicates of an indicator by scenario and record week."""
    frame = timeseries[["scenario", "replicate", "week", indicator]].dropna()
    grouped = frame.groupby(["scenario", "week"])[indicator]
    out = grouped.agg(mean="mean", low=lambda s: s.quantile(0.025), high=lambda s: s.quantile(0.975))
    return out.reset_index()


def paired(timeseries: pd.DataFrame, indicator: str, baseline: str) -> pd.DataFrame:
    """Mean paired difference (design minus baseline, same replicate) with a 95 % band, by week."""
    frame = timeseries[["scenario", "replicate", "week", indicator]]
    wide = frame.pivot_table(index=["replicate", "week"], columns="scenario", values=indicator)
    rows = []
    for name in wide.columns:
        if name == baseline:
            continue
        diff = (wide[name] - wide[baseline]).dropna().reset_index()
        stats = diff.groupby("week")[0].agg(["mean", "std", "count"]).reset_index()
        half = 1.96 * stats["std"].fillna(0.0) / np.sqrt(stats["count"].clip(lower=1))
        rows.append(stats.assign(scenario=name, low=stats["mean"] - half, high=stats["mean"] + half))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def _band(fig: go.Figure, x, low, high, colour: str, name: str, col: int, show: bool, group: str) -> None:
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([x, x[::-1]]),
            y=np.concatenate([high, low[::-1]]),
            fill="toself",
            fillcolor=colour.format(a=0.18),
            line={"width": 0},
            hoverinfo="skip",
            name=name,
            legendgroup=group,
            showlegend=show,
        ),
        row=1,
        col=col,
    )


def trajectories(
    timeseries: pd.DataFrame, indicator: str, baseline: str, designs: list[str], labels: dict[str, str]
) -> go.Figure:
    """One panel per design: its mean and band over the years against the baseline's.

    Args:
        timeseries: Every record of every replicate.
        indicator: The column to plot.
        baseline: The baseline's name.
        designs: The designs, one panel each.
        labels: Words for the legend and titles: ``baseline``, ``design``, ``band``, ``year``,
            ``indicator``.
    """
    stats = yearly(timeseries, indicator)
    fig = make_subplots(rows=1, cols=max(1, len(designs)), shared_yaxes=True, subplot_titles=designs)
    base = stats[stats["scenario"] == baseline]
    for col, name in enumerate(designs, start=1):
        own = stats[stats["scenario"] == name]
        first = col == 1
        for frame, colour, label in (
            (base, BASE_COLOUR, labels["baseline"]),
            (own, DESIGN_COLOUR, labels["design"]),
        ):
            x = frame["week"].to_numpy() / 52.0
            _band(
                fig,
                x,
                frame["low"].to_numpy(),
                frame["high"].to_numpy(),
                colour,
                f"{label}: {labels['band']}",
                col,
                first,
                label + "band",
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=frame["mean"],
                    mode="lines",
                    line={"color": colour.format(a=1.0), "width": 2},
                    name=label,
                    legendgroup=label,
                    showlegend=first,
                    hovertemplate=f"{label}<br>{labels['year']} %{{x:.1f}}: %{{y:.3~g}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
        fig.update_xaxes(title_text=labels["year"], row=1, col=col)
    fig.update_yaxes(title_text=labels["indicator"], row=1, col=1)
    fig.update_layout(
        height=340, margin={"l": 60, "r": 20, "t": 40, "b": 50}, legend={"orientation": "h", "y": -0.25}
    )
    return fig


def differences(
    timeseries: pd.DataFrame, indicator: str, baseline: str, designs: list[str], labels: dict[str, str]
) -> go.Figure:
    """One panel per design: the paired difference from the baseline with its 95 % band, and zero."""
    stats = paired(timeseries, indicator, baseline)
    fig = make_subplots(rows=1, cols=max(1, len(designs)), shared_yaxes=True, subplot_titles=designs)
    for col, name in enumerate(designs, start=1):
        own = stats[stats["scenario"] == name] if not stats.empty else stats
        if own.empty:
            continue
        x = own["week"].to_numpy() / 52.0
        first = col == 1
        _band(
            fig,
            x,
            own["low"].to_numpy(),
            own["high"].to_numpy(),
            DESIGN_COLOUR,
            labels["band"],
            col,
            first,
            "band",
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=own["mean"],
                mode="lines",
                line={"color": DESIGN_COLOUR.format(a=1.0), "width": 2},
                name=labels["design"],
                legendgroup="mean",
                showlegend=first,
                hovertemplate=f"{labels['year']} %{{x:.1f}}: %{{y:+.3~g}}<extra></extra>",
            ),
            row=1,
            col=col,
        )
        fig.add_hline(y=0.0, line={"color": "#444", "width": 1, "dash": "dot"}, row=1, col=col)
        fig.update_xaxes(title_text=labels["year"], row=1, col=col)
    fig.update_yaxes(title_text=labels["indicator"], row=1, col=1)
    fig.update_layout(
        height=300, margin={"l": 60, "r": 20, "t": 40, "b": 50}, legend={"orientation": "h", "y": -0.3}
    )
    return fig
