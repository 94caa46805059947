"""Report sections in people: who gains (groups.csv) and the effect on those reached (reached.csv).

Both take the tables :mod:`sim.runs.people` writes and return HTML (docs/ODD.md 'Observation').
Differences are paired by replicate with the baseline; the interval in brackets is simulation
noise only, the second (where parameter draws were made) adds the uncertainty of the fitted
parameters.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.reporting.html import esc, row, table
from sim.reporting.numbers import DASH, finite, signed

HEADLINE_OUTCOMES = ("job", "work", "dropouts", "neet", "job_years")
PERCENT = {"job", "work", "education", "neet"}  # shares; the rest are per person


def _interval(low: object, high: object, unit: str = "", decimals: int = 1) -> str:
    if not (finite(low) and finite(high)):
        return ""
    return (
        f" <span class=range>[{esc(signed(low, unit, decimals))}, {esc(signed(high, unit, decimals))}]</span>"
    )


def _diff(mean: object, ci: tuple, pi: tuple, unit: str = "", decimals: int = 1) -> str:
    """A paired difference with its noise interval and, when known, its interval with parameters."""
    if not finite(mean):
        return DASH
    text = esc(signed(mean, unit, decimals)) + _interval(*ci, unit, decimals)
    if finite(pi[0]) and finite(pi[1]):
        text += " <span class=muted>with parameters" + _interval(*pi, unit, decimals) + "</span>"
    return text


def groups_section(groups: pd.DataFrame) -> str:
    """Who gains: per scenario, the change in people by target group, and the group that gains most.

    Args:
        groups: groups.csv as :func:`sim.runs.people.groups_table` returns it.

    Returns:
        An HTML section (empty when there is nothing to compare).
    """
    if groups.empty or groups["diff_mean"].isna().all():
        return ""
    compared = groups[groups["diff_mean"].notna()]
    scenarios = [s for s in dict.fromkeys(compared["scenario"]) if (compared["scenario"] == s).any()]
    # The baseline is compared with itself: every difference exactly zero.
    scenarios = [s for s in scenarios if (compared.loc[compared["scenario"] == s, "diff_mean"] != 0).any()]
    if not scenarios:
        return ""
    parts = [
        "<h2>Who gains: target groups</h2>",
        "<p>People grouped by where they stood when the run began or when they moved in. Each cell is "
        "the change against the baseline in people (the group's total in each run, paired by "
        "replicate) with its 95 % interval in brackets; <code>groups.csv</code> has every outcome, "
        "the rates and both intervals.</p>",
    ]
    sentences = []
    for outcome, noun in (("job", "more in ordinary jobs"), ("dropouts", "dropouts")):
        block = compared[compared["outcome"] == outcome]
        labels = dict(zip(block["group"], block["group_label"], strict=False))
        head = ["Group", *scenarios]
        body = []
        for group in dict.fromkeys(block["group"]):
            cells = [esc(labels[group])]
            for s in scenarios:
                r = block[(block["scenario"] == s) & (block["group"] == group)]
                if r.empty:
                    cells.append(DASH)
                    continue
                r = r.iloc[0]
                cells.append(
                    _diff(
                        r["diff_mean"],
                        (r["diff_ci_low"], r["diff_ci_high"]),
                        (r["diff_pi_low"], r["diff_pi_high"]),
                    )
                )
            body.append(row(cells))
        title = (
            "In an ordinary job at the horizon"
            if outcome == "job"
            else "Dropouts from education over the run"
        )
        parts.append(f"<h3>{esc(title)} (change in people)</h3>")
        parts.append(table(head, body))
        if outcome == "job":
            sentences = [_gains_most(block, s, noun) for s in scenarios]
    parts.append("<ul>" + "".join(f"<li>{s}</li>" for s in sentences if s) + "</ul>")
    return "\n".join(parts)


def _gains_most(block: pd.DataFrame, scenario: str, noun: str) -> str:
    """A sentence naming the target group whose share in jobs rose most (per member, not in total)."""
    # As sim.runs.people.gains_most (not imported: reporting reads the tables, not the runs).
    rows = block[(block["scenario"] == scenario) & (block["group"] != "all") & (block["group_size"] > 0)]
    rows = rows[rows["rate_diff_mean"].notna()]
    if rows.empty:
        return ""
    best = rows.loc[rows["rate_diff_mean"].idxmax()]
    if not best["rate_diff_mean"] > 0:
        return f"{esc(scenario)}: no group gains jobs."
    return (
        f"{esc(scenario)}: gains most among <b>{esc(best['group_label'].lower())}</b>: "
        f"{esc(signed(best['rate_diff_mean'], 'share'))} of the group in ordinary jobs"
        f"{_interval(best['rate_diff_ci_low'], best['rate_diff_ci_high'], 'share')}, "
        f"{esc(signed(best['diff_mean']))} people {esc(noun.removeprefix('more '))}."
    )


def reached_section(reached: pd.DataFrame) -> str:
    """The effect on those reached: per scenario and kind of help, and the people to reach per extra job.

    Args:
        reached: reached.csv as :func:`sim.runs.people.reached_table` returns it.

    Returns:
        An HTML section (empty when there is no comparison).
    """
    if reached.empty or reached["effect"].isna().all():
        return ""
    everyone = reached[reached["group"] == "all"]
    head = [
        "Scenario",
        "Help",
        "Reached",
        "In an ordinary job",
        "Dropouts per person",
        "Reach per extra job",
        "Reach per prevented dropout",
    ]
    body = []
    for (scenario, help_kind), block in everyone.groupby(["scenario", "help"], sort=False):
        by = block.set_index("outcome")
        if "job" not in by.index or "dropouts" not in by.index:
            continue
        job, drop = by.loc["job"], by.loc["dropouts"]
        cells = [
            esc(scenario),
            esc(help_kind.replace("_", " ")),
            esc(f"{job['reached']:,.1f}"),
            _diff(
                job["effect"],
                (job["effect_ci_low"], job["effect_ci_high"]),
                (job["effect_pi_low"], job["effect_pi_high"]),
                "share",
            ),
            _diff(
                drop["effect"],
                (drop["effect_ci_low"], drop["effect_ci_high"]),
                (drop["effect_pi_low"], drop["effect_pi_high"]),
                decimals=2,
            ),
            _per_extra(job["reached_per_extra"], job["effect_ci_low"] > 0),
            _per_extra(drop["reached_per_extra"], drop["effect_ci_high"] < 0),
        ]
        body.append(row(cells))
    if not body:
        return ""
    return "\n".join(
        [
            "<h2>The effect on those reached</h2>",
            "<p>Everyone a kind of help reached in a scenario, against the <em>same people</em> in the "
            "baseline run of the same replicate (every draw is keyed by person, so they meet the same "
            "luck). The effect is the average difference over them at the horizon; <i>design</i> is the "
            "help the baseline lacks or runs differently, <i>any</i> every kind. Reach per extra job: "
            "people the help must reach for one more in an ordinary job. <code>reached.csv</code> has "
            "every group and outcome, <code>reached_timeseries.csv</code> the same people year by year.</p>",
            table(head, body),
        ]
    )


def _per_extra(value: object, sure: bool) -> str:
    """People to reach per extra gain; flagged when the noise interval does not exclude no gain."""
    if not finite(value) or math.isinf(float(value)):
        return "<span class=muted>no gain</span>"
    text = esc(f"{float(value):,.0f}")
    return text if sure else f"{text} <span class=muted>(the interval includes no gain)</span>"


def people_sections(folder: Path) -> str:
    """Both sections from the groups.csv and reached.csv in ``folder`` (empty when absent)."""
    parts = []
    for name, section in (("groups.csv", groups_section), ("reached.csv", reached_section)):
        path = Path(folder) / name
        if path.exists():
            parts.append(section(pd.read_csv(path, keep_default_na=True)))
    return "\n".join(p for p in parts if p)
