"""Step 3 of the page: the answer in people first, then who gains, those reached, costs and charts.

Every number comes from the run's own tables (summary, groups, reached, timeseries), the same as
the files a planner downloads and the command line writes; nothing here computes a result anew.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import solara

from sim.app import charts
from sim.app.i18n import N_, translate_sentence
from sim.app.numbers import digits_for, interval, money, num, percent_points, signed
from sim.app.state import language, t
from sim.app.tables import heading, paragraph, table
from sim.reporting.headline import INTERVALS_NOTE, NOISE_ONLY_NOTE, has_parameter_intervals, people_gains
from sim.reporting.numbers import finite

# The files of a run a planner can download, in the order shown.
DOWNLOADS = ("summary.csv", "groups.csv", "reached.csv", "timeseries.parquet", "report.html")
# The people counts of the headline table, by summary indicator.
HEADLINE = ("employed_16_64", "working_16_64", "cum_dropouts_area", "neet_15_29", "people_reached_cum")
CHARTED = {
    "employment_rate": N_("Residents 16-64 in ordinary jobs (share)"),
    "work_rate": N_("Residents 16-64 in any work (share)"),
    "neet_rate_15_29": N_("Young people 15-29 not in employment, education or training (share)"),
    "dropouts_per_100_enrolled": N_("Dropouts per 100 enrolled"),
    "employed_16_64": N_("Residents 16-64 in ordinary jobs"),
    "cum_dropouts_area": N_("Dropouts from education since the start"),
}
OUTCOMES = {
    "job": N_("In an ordinary job at the horizon"),
    "work": N_("In any work (incl. subsidised jobs) at the horizon"),
    "education": N_("In education at the horizon"),
    "neet": N_("Aged 15-29 and not in employment, education or training at the horizon"),
}


def css_file(name: str) -> str:
    """A file's name as a CSS class: summary.csv -> summary-csv."""
    return name.replace(".", "-").replace("_", "-")


def gain_cell(gain, parameters: bool) -> str:
    """+26 [12, 40] (12, 40): the gain, chance alone, and with parameter uncertainty."""
    digits = digits_for(gain.mean, gain.ci_low, gain.ci_high, gain.pi_low, gain.pi_high)
    text = f"{signed(gain.mean, digits)} {interval(gain.ci_low, gain.ci_high, digits)}"
    if parameters and finite(gain.pi_low):
        text += f" {interval(gain.pi_low, gain.pi_high, digits, '()')}"
    return text.strip()


def headline_table(summary: pd.DataFrame, baseline: str, designs: list[str]) -> pd.DataFrame:
    """One row per design: each people count's gain with both intervals."""
    parameters = has_parameter_intervals(summary)
    rows = []
    for name in designs:
        gains = {g.indicator: g for g in people_gains(summary, name, baseline)}
        row = {t("Design"): name}
        for indicator in HEADLINE:
            gain = gains.get(indicator)
            if gain is not None:
                header = t(gain.header)
                row[header] = (
                    gain_cell(gain, parameters) if indicator != "people_reached_cum" else num(gain.mean)
                )
        rows.append(row)
    return pd.DataFrame(rows)


def horizon_rows(summary: pd.DataFrame, indicator: str) -> dict[str, dict]:
    """The summary's horizon rows of one indicator, by scenario."""
    rows = summary[(summary["period"] == "horizon") & (summary["indicator"] == indicator)]
    return {str(r["scenario"]): r for r in rows.to_dict("records")}


def cost_table(summary: pd.DataFrame, designs: list[str]) -> pd.DataFrame:
    """Extra cost, cost per extra job and per prevented dropout, with the reason where one is empty."""
    extra = horizon_rows(summary, "extra_cost")
    job = horizon_rows(summary, "cost_per_additional_employed")
    drop = horizon_rows(summary, "cost_per_prevented_dropout")

    def ratio(row: dict | None) -> str:
        if row is None:
            return "–"
        if finite(row.get("mean")):
            return money(row["mean"])
        return translate_sentence(str(row.get("note") or ""), language.value) or "–"

    rows = []
    for name in designs:
        e = extra.get(name, {})
        rows.append(
            {
                t("Design"): name,
                t(
                    "Extra cost over the run"
                ): f"{money(e.get('diff_mean'))} {interval(e.get('diff_ci_low'), e.get('diff_ci_high'))}",
                t("Cost per extra resident in an ordinary job"): ratio(job.get(name)),
                t("Cost per prevented dropout"): ratio(drop.get(name)),
            }
        )
    return pd.DataFrame(rows)


def groups_view(groups: pd.DataFrame, designs: list[str], outcome: str) -> pd.DataFrame:
    """Per target group: the design's difference in people and in percentage points, both intervals."""
    block = groups[(groups["outcome"] == outcome) & (groups["scenario"].isin(designs))]
    rows = []
    for _, part in block.groupby("group", sort=False):
        row = {
            t("Target group"): t(str(part["group_label"].iloc[0])),
            t("Size"): num(part["group_size"].iloc[0]),
        }
        for r in part.to_dict("records"):
            pp = percent_points(r["rate_diff_mean"])
            row[r["scenario"]] = (
                f"{pp} {interval(100 * r['rate_diff_ci_low'], 100 * r['rate_diff_ci_high'], 1)}"
                f" ({signed(r['diff_mean'], 1)} {t('people')})"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def reached_view(reached: pd.DataFrame, designs: list[str]) -> pd.DataFrame:
    """Everyone a design reached against the same people in the baseline: effect, per extra one."""
    block = reached[
        (reached["help"] == "design") & (reached["group"] == "all") & reached["scenario"].isin(designs)
    ]
    block = block[block["outcome"].isin(list(OUTCOMES))]
    rows = []
    for r in block.to_dict("records"):
        rows.append(
            {
                t("Design"): r["scenario"],
                t("Outcome"): t(OUTCOMES.get(r["outcome"], r["outcome_label"])),
                t("Reached"): num(r["reached"]),
                t("Effect on those reached"): (
                    f"{percent_points(r['effect'])} {interval(100 * r['effect_ci_low'], 100 * r['effect_ci_high'], 1)}"
                ),
                t("Reached per extra one"): num(r["reached_per_extra"])
                if finite(r["reached_per_extra"])
                else "–",
            }
        )
    return pd.DataFrame(rows)


@solara.component
def ResultsPanel(result, folder: Path | None, run_id: str):
    """The results of one comparison (the session's current run or a reopened one)."""
    summary = result.summary
    baseline = result.baseline
    designs = [sc.name for sc in result.scenarios if sc.name != baseline]
    outcome, set_outcome = solara.use_state("job")
    indicator, set_indicator = solara.use_state("employment_rate")
    settings = result.scenarios[0].simulation
    with solara.Column(classes=["sim-results"]):
        with solara.Row(style={"align-items": "baseline", "flex-wrap": "wrap"}):
            solara.Text(t("Run") + " ")
            solara.Text(run_id, classes=["sim-run-id"], style={"font-family": "monospace"})
            solara.Text(
                "· "
                + t("{residents} residents, {years} years, {replicates} replicates, seed {seed}").format(
                    residents=num(settings.residents),
                    years=settings.years,
                    replicates=settings.replicates,
                    seed=settings.seed,
                )
            )
        heading(t("Extra residents, against the baseline"))
        table(headline_table(summary, baseline, designs), classes=["sim-headline"])
        paragraph(
            t(INTERVALS_NOTE if has_parameter_intervals(summary) else NOISE_ONLY_NOTE)
            + " "
            + t("Round brackets: with parameter uncertainty.")
        )
        heading(t("What holds each design back"))
        constraints = getattr(result, "constraints", {}) or {}
        with solara.Column(classes=["sim-constraints"]):
            for name in designs:
                sentence = constraints.get(name) or ""
                paragraph(f"{name}: {translate_sentence(sentence, language.value)}")
        heading(t("Costs"))
        table(cost_table(summary, designs), classes=["sim-costs"])
        if result.groups is not None and not result.groups.empty:
            heading(t("Who gains"))
            solara.Select(
                label=t("Outcome"),
                values=[t(v) for v in OUTCOMES.values()],
                value=t(OUTCOMES[outcome]),
                on_value=lambda v: set_outcome(next(k for k, w in OUTCOMES.items() if t(w) == v)),
                classes=["sim-groups-outcome"],
            )
            table(groups_view(result.groups, designs, outcome), classes=["sim-groups"])
        if result.reached is not None and not result.reached.empty:
            heading(t("The effect on those the design reached"))
            table(reached_view(result.reached, designs), classes=["sim-reached"])
        heading(t("Over the years"))
        solara.Select(
            label=t("Indicator"),
            values=[t(v) for v in CHARTED.values()],
            value=t(CHARTED[indicator]),
            on_value=lambda v: set_indicator(next(k for k, w in CHARTED.items() if t(w) == v)),
            classes=["sim-chart-indicator"],
        )
        labels = {
            "baseline": t("Baseline"),
            "design": t("Design"),
            "band": t("95 % of replicates"),
            "year": t("Year"),
            "indicator": t(CHARTED[indicator]),
        }
        if indicator in result.timeseries.columns:
            with solara.Column(classes=["sim-chart-trajectories"]):
                solara.FigurePlotly(
                    charts.trajectories(result.timeseries, indicator, baseline, designs, labels)
                )
            paragraph(t("Difference from the baseline (same replicates), with its 95 % interval"))
            with solara.Column(classes=["sim-chart-differences"]):
                solara.FigurePlotly(
                    charts.differences(
                        result.timeseries,
                        indicator,
                        baseline,
                        designs,
                        {**labels, "band": t("95 % interval")},
                    )
                )
        if folder is not None:
            Downloads(folder)


@solara.component
def Downloads(folder: Path):
    """The run's files and its scenario TOMLs, read from its folder when clicked."""
    heading(t("Downloads"))
    with solara.Row(style={"flex-wrap": "wrap"}):
        for name in DOWNLOADS:
            path = folder / name
            if path.is_file():
                with solara.Column(classes=[f"sim-download-{css_file(name)}"], style={"padding": "0"}):
                    solara.FileDownload(lambda path=path: path.read_bytes(), filename=name, label=name)
        for path in sorted((folder / "scenarios").glob("*.toml")):
            with solara.Column(classes=[f"sim-download-{css_file(path.name)}"], style={"padding": "0"}):
                solara.FileDownload(lambda path=path: path.read_bytes(), filename=path.name, label=path.name)
