"""Report: figures and a self-contained HTML file from small hand-made inputs (no simulation)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from sim.cli import print_headline
from sim.reporting import comparison
from sim.reporting.comparison import DATA_FILES, FIGURE_FILES, write_report
from sim.reporting.headline import design_headline, people_gains, reached_clause, top_group
from sim.runs.summary import headline

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BASELINE = "baseline"
SCENARIOS = (BASELINE, "volunteer_corps", "mentors & <co>")
HORIZON_ROWS = {
    "employment_rate": (0.42, 0.41, 0.43),
    "dropouts_per_100_enrolled": (12.5, 10.0, 15.0),
    "neet_rate_15_29": (0.21, 0.20, 0.22),
    "long_term_unemployed_18_64": (0.14, 0.13, 0.15),
    "cohort_employment_rate": (0.48, 0.47, 0.49),
    "cost_intervention": (2_000_000.0, 1_900_000.0, 2_100_000.0),
}


def _timeseries() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    weeks = np.arange(0, 2 * 52 + 1, 4)
    rows = []
    for s, name in enumerate(SCENARIOS):
        for rep in range(3):
            for week in weeks:
                years = week / 52
                rows.append(
                    {
                        "scenario": name,
                        "replicate": rep,
                        "seed": str(1000 + rep),
                        "week": int(week),
                        "year": years,
                        "employment_rate": 0.40 + 0.01 * years * s + rng.normal(0, 0.005),
                        "dropouts_per_100_enrolled": (
                            np.nan if week == 0 else 12 - s * years + rng.normal(0, 3)
                        ),
                        "neet_rate_15_29": 0.2 + rng.normal(0, 0.01),
                        "long_term_unemployed_18_64": 0.14,
                        "cohort_employment_rate": 0.45,
                        "education_enrolment": 0.5,
                        "mentees_volunteer": 5.0 * s * min(years, 1.0) if s == 1 else 0.0,
                        "mentees_professional": 10.0,
                        "mentees_business": 8.0 if s == 2 else 0.0,
                        "mentees_waiting": 3.0 + s,
                        "volunteers": 4.0 * (s == 1),
                        "matches_started_cum": 2.0 * week,
                        "util_caseworkers": 0.7,
                        "util_coordinator_hours": 1.0 if s == 1 else 0.0,
                        "util_volunteer_places": 0.8 if s == 1 else 0.0,
                        "util_business_mentor_places": 0.9 if s == 2 else 0.0,
                        "util_social_mentor_places": 0.0,
                        "cost_total": 1e4 * week * (1 + s),
                        "cost_intervention": 1e3 * week * (1 + s),
                        "cum_dropouts_area": week / 10,
                        "employed_16_64": 400.0 + s,
                    }
                )
    return pd.DataFrame(rows)


def _summary() -> pd.DataFrame:
    rows = []
    for name in SCENARIOS:
        is_base = name == BASELINE
        for period in ("horizon", "year_1", "year_2"):
            for indicator, (mean, lo, hi) in HORIZON_ROWS.items():
                diff = 0.0 if is_base else 0.012
                rows.append(
                    {
                        "scenario": name,
                        "period": period,
                        "indicator": indicator,
                        "label": indicator,
                        "mean": mean,
                        "p2_5": lo,
                        "p97_5": hi,
                        "diff_mean": diff,
                        "diff_ci_low": diff - 0.004,
                        "diff_ci_high": diff + 0.004,
                        "diff_p2_5": diff - 0.01,
                        "diff_p97_5": diff + 0.01,
                        "replicates": 3,
                        "note": "",
                    }
                )
    ratios = [
        # finite ratio with an unbounded (inf) upper limit
        (
            "volunteer_corps",
            "cost_per_additional_employed",
            250_000.0,
            60_000.0,
            math.inf,
            "effect",
        ),
        # undefined ratio
        ("volunteer_corps", "cost_per_prevented_dropout", np.nan, np.nan, np.nan, "no gain <b>"),
        # infinite mean: also undefined
        ("mentors & <co>", "cost_per_additional_employed", math.inf, math.inf, math.inf, ""),
        # NaN upper limit (percentile over infinite bootstrap ratios)
        ("mentors & <co>", "cost_per_prevented_dropout", 95_000.0, 50_000.0, np.nan, ""),
    ]
    for name, indicator, mean, lo, hi, note in ratios:
        rows.append(
            {
                "scenario": name,
                "period": "horizon",
                "indicator": indicator,
                "label": indicator,
                "mean": mean,
                "p2_5": lo,
                "p97_5": hi,
                "replicates": 3,
                "note": note,
            }
        )
    for name in SCENARIOS:
        rows += _people_rows(name, pi=False)
    for name in SCENARIOS:
        rows.append(
            {
                "scenario": name,
                "period": "horizon",
                "indicator": "bottleneck",
                "label": "Most used capacity",
                "mean": 0.95,
                "p2_5": 0.9,
                "p97_5": 1.0,
                "replicates": 3,
                "note": "coordinator_hours (binding in 2 of 3 replicates)",
            }
        )
        rows.append(
            {
                "scenario": name,
                "period": "horizon",
                "indicator": "binding_constraint",
                "label": "What holds the design back",
                "replicates": 3,
                "note": "Held back by the coordinator's hours in 2 of 3 replicates.",
            }
        )
    return pd.DataFrame(rows)


# People counts at the horizon: (indicator, baseline level, design's paired difference, noise-only
# interval, interval with parameter uncertainty). Dropouts: fewer is the gain.
PEOPLE_ROWS = {
    "employed_16_64": (2000.0, 12.0, (4.0, 20.0), (-3.0, 27.0)),
    "cum_dropouts_area": (700.0, -3.0, (-5.0, -1.0), (-9.0, 2.0)),
    "people_reached_cum": (0.0, 84.0, (80.0, 88.0), (60.0, 110.0)),
}


def _people_rows(name: str, pi: bool) -> list[dict]:
    rows = []
    for indicator, (level, diff, ci, interval) in PEOPLE_ROWS.items():
        is_base = name == BASELINE
        d = 0.0 if is_base else diff
        row = {
            "scenario": name,
            "period": "horizon",
            "indicator": indicator,
            "label": indicator,
            "mean": level + d,
            "p2_5": level + d - 5,
            "p97_5": level + d + 5,
            "diff_mean": d,
            "diff_ci_low": 0.0 if is_base else ci[0],
            "diff_ci_high": 0.0 if is_base else ci[1],
            "replicates": 3,
            "note": "",
        }
        if pi:
            row["diff_pi_low"] = 0.0 if is_base else interval[0]
            row["diff_pi_high"] = 0.0 if is_base else interval[1]
        rows.append(row)
    return rows


def _with_pi(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as H2's parameter draws give it: diff_pi_* columns, filled for people counts."""
    out = summary.copy()
    out["diff_pi_low"] = np.nan
    out["diff_pi_high"] = np.nan
    for indicator, (*_, interval) in PEOPLE_ROWS.items():
        hit = (out["indicator"] == indicator) & (out["scenario"] != BASELINE)
        out.loc[hit, "diff_pi_low"], out.loc[hit, "diff_pi_high"] = interval
        base = (out["indicator"] == indicator) & (out["scenario"] == BASELINE)
        out.loc[base, ["diff_pi_low", "diff_pi_high"]] = 0.0
    columns = list(out.columns)
    for c in ("diff_pi_low", "diff_pi_high"):
        columns.remove(c)
    at = columns.index("diff_ci_high") + 1
    return out[columns[:at] + ["diff_pi_low", "diff_pi_high"] + columns[at:]]


def _groups() -> pd.DataFrame:
    """groups.csv as the contract lays it out (common.md), for one design."""
    rows = []
    for group, label, rate_diff, low, high in (
        ("job_ready", "Job-ready adults", 0.004, -0.002, 0.010),
        ("long_term_unemployed", "Long-term unemployed", 0.041, 0.010, 0.072),
        ("all", "Everyone", 0.050, 0.040, 0.060),  # everyone is no target group
    ):
        rows.append(
            {
                "scenario": "volunteer_corps",
                "group": group,
                "group_label": label,
                "outcome": "job",
                "outcome_label": "In ordinary jobs",
                "group_size": 200,
                "mean": 80.0,
                "rate": 0.4,
                "diff_mean": 9.0 if group == "long_term_unemployed" else 1.0,
                "diff_ci_low": 2.0,
                "diff_ci_high": 14.0,
                "diff_pi_low": np.nan,
                "diff_pi_high": np.nan,
                "rate_diff_mean": rate_diff,
                "rate_diff_ci_low": low,
                "rate_diff_ci_high": high,
                "rate_diff_pi_low": np.nan,
                "rate_diff_pi_high": np.nan,
                "replicates": 3,
                "note": "",
            }
        )
    return pd.DataFrame(rows)


def _reached() -> pd.DataFrame:
    """reached.csv as the contract lays it out: every kind of help together, then one kind."""
    rows = []
    for help_kind, group, reached in (("design", "all", 84), ("volunteer", "all", 30)):
        for outcome, label, effect, low, high, per_extra in (
            ("job", "In ordinary jobs", 0.09, 0.031, 0.15, 11.1),
            ("neet", "NEET", -0.02, -0.05, 0.01, np.nan),
        ):
            rows.append(
                {
                    "scenario": "volunteer_corps",
                    "help": help_kind,
                    "group": group,
                    "outcome": outcome,
                    "outcome_label": label,
                    "reached": reached,
                    "scenario_rate": 0.5,
                    "baseline_rate": 0.5 - effect,
                    "effect": effect,
                    "effect_ci_low": low,
                    "effect_ci_high": high,
                    "effect_pi_low": np.nan,
                    "effect_pi_high": np.nan,
                    "extra_people": effect * reached,
                    "reached_per_extra": per_extra,
                    "replicates": 3,
                    "note": "",
                }
            )
    return pd.DataFrame(rows)


def _manifest() -> dict:
    return {
        "command": ["housing-sim", "compare", "--replicates", "3"],
        "created": "2026-01-01T00:00:00+00:00",
        "versions": {"python": "3.11.9", "sim": "0.1.0"},
        "base_seed": 1,
        "replicate_seeds": ["1000", "1001", "1002"],
        "residents": 500,
        "years": 2,
        "replicates": 3,
        "scenarios": {
            BASELINE: {"files": {"scenarios/baseline.toml": "ab" * 32}, "description": "Base."},
            "volunteer_corps": {
                "files": {"scenarios/volunteer_corps.toml": "cd" * 32},
                "description": "Volunteers <script>alert('x')</script> & co.",
            },
            "mentors & <co>": {"files": {}, "description": "Business mentors."},
        },
    }


@pytest.fixture(scope="module")
def inputs() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    return _timeseries(), _summary(), _manifest()


@pytest.fixture(scope="module")
def written(tmp_path_factory, inputs) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("report")
    return out, write_report(out, *inputs, baseline=BASELINE)


def test_every_figure_is_a_png(written):
    out, paths = written
    expected = [out / "figures" / name for name in FIGURE_FILES] + [out / "report.html"]
    assert paths == expected
    assert {p.name for p in paths} >= {
        "employment.png",
        "dropout.png",
        "difference.png",
        "pipeline.png",
        "cost_per_outcome.png",
    }
    for path in paths[:-1]:
        assert path.read_bytes().startswith(PNG_MAGIC), path


def test_html_is_self_contained_and_escaped(written):
    out, _ = written
    text = (out / "report.html").read_text(encoding="utf-8")
    assert text.count('src="data:image/png;base64,') == len(FIGURE_FILES)
    assert 'src="figures/' not in text
    assert "http://" not in text and "https://" not in text
    assert "<script" not in text.lower()
    assert "&lt;script&gt;" in text
    assert "baseline" in text and "volunteer_corps" in text
    assert "mentors &amp; &lt;co&gt;" in text and "mentors & <co>" not in text
    # Manifest: command, seeds, versions and hashes are shown.
    assert "housing-sim compare --replicates 3" in text
    assert "1001" in text and "3.11.9" in text and "ab" * 32 in text


def test_headline_formatting_and_undefined_ratios(written):
    out, _ = written
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "42.0%" in text  # rates as percentages with one decimal
    assert "+1.2 pp (CI 0.8 to 1.6)" in text  # differences of rates in percentage points
    assert "2,000,000 DKK" in text  # costs with thousands separators
    assert "250,000 DKK" in text and "unbounded" in text
    assert "no gain" in text
    assert "no gain &lt;b&gt;" in text  # notes are escaped too
    assert "held back by the coordinator&#x27;s hours in 2 of 3 replicates" in text
    visible = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    assert not re.search(r"\b(nan|inf|infinity)\b", visible, flags=re.IGNORECASE)


def test_writing_twice_is_byte_identical(tmp_path, written, inputs):
    out, first = written
    second = write_report(tmp_path, *inputs, baseline=BASELINE)
    assert [p.relative_to(tmp_path) for p in second] == [p.relative_to(out) for p in first]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_unknown_baseline_is_an_error(tmp_path, inputs):
    with pytest.raises(ValueError, match="baseline"):
        write_report(tmp_path, *inputs, baseline="nope")


# -------------------------------------------------------------------------------------------
# People first (issue 12): the headline, its sections, links and small multiples
# -------------------------------------------------------------------------------------------


def _visible(text: str) -> str:
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)


def test_the_page_leads_with_people(written):
    out, _ = written
    text = _visible((out / "report.html").read_text(encoding="utf-8"))
    people = text.index("id=headline")
    assert people < text.index("id=rates") < text.index("id=costs") < text.index("id=figures")
    # The first table is the people table, and the first sentence counts people.
    assert text.index("<table class=people>") < text.index("<table>")
    assert "Volunteer corps: +12 residents in ordinary jobs [4, 20], +3.0 dropouts prevented" in text
    assert "<th>Extra in ordinary jobs</th><th>Dropouts prevented</th><th>People reached</th>" in text
    assert "level 2,000" in text  # the baseline's own count


def test_links_point_to_files_that_exist(tmp_path, inputs):
    timeseries, summary, manifest = inputs
    for name in ("summary.csv", "timeseries.csv", "timeseries.parquet", "manifest.json", "groups.csv"):
        (tmp_path / name).write_text("x\n")
    write_report(tmp_path, timeseries, summary, manifest, baseline=BASELINE)
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">', text)
    assert set(links) == {
        "summary.csv",
        "timeseries.csv",
        "timeseries.parquet",
        "manifest.json",
        "groups.csv",
    }
    assert all((tmp_path / link).is_file() for link in links)
    assert {name for name, _ in DATA_FILES} >= set(links)
    # A folder with no tables gets no links at all.
    empty = tmp_path / "empty"
    empty.mkdir()
    write_report(empty, timeseries, summary, manifest, baseline=BASELINE)
    assert "<a href=" not in (empty / "report.html").read_text(encoding="utf-8")


def test_one_panel_per_design_with_the_baseline_in_each(tmp_path, inputs, monkeypatch):
    drawn = {}
    real = comparison.save

    def keep(fig, path):
        drawn[Path(path).name] = fig
        real(fig, path)

    monkeypatch.setattr(comparison, "save", keep)
    write_report(tmp_path, *inputs, baseline=BASELINE)
    designs = [n for n in SCENARIOS if n != BASELINE]
    for name in ("employment.png", "dropout.png"):
        axes = [ax for ax in drawn[name].axes if ax.get_visible()]
        assert [ax.get_title(loc="left") for ax in axes] == designs, name
        for ax in axes:  # the design's band and the baseline's band: two shaded areas, two lines
            assert len(ax.collections) == 2 and len(ax.lines) == 2, (name, ax.get_title(loc="left"))
    rows = [ax for ax in drawn["difference.png"].axes if ax.get_visible() and ax.get_title(loc="left")]
    assert [ax.get_title(loc="left") for ax in rows] == designs


def test_an_empty_cost_ratio_shows_its_note_not_a_number(tmp_path, inputs):
    timeseries, summary, manifest = inputs
    # As read back from summary.csv: a row without a note has NaN, which must not print as "nan".
    summary = summary.assign(note=summary["note"].replace("", np.nan))
    write_report(tmp_path, timeseries, summary, manifest, baseline=BASELINE)
    text = _visible((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE)
    costs = text[text.index("id=costs") : text.index("id=figures")]
    cells = re.findall(r"<tr>(.*?)</tr>", costs)
    volunteer = next(c for c in cells if "volunteer_corps" in c)
    assert "<em>no gain &lt;b&gt;</em>" in volunteer  # the empty ratio: its note, as the cell
    mentors = next(c for c in cells if "mentors &amp; &lt;co&gt;" in c)
    assert "<em>undefined: no value</em>" in mentors  # an empty ratio without a note says so


def test_optional_sections_are_absent_without_their_inputs(written):
    out, _ = written
    text = _visible((out / "report.html").read_text(encoding="utf-8"))
    for anchor in ("id=groups", "id=reached", "id=settings"):
        assert anchor not in text
    people = text[text.index("<table class=people>") :].split("</table>")[0]
    assert "+12 [4, 20]" in people and "with parameter uncertainty" not in people
    assert "used the fitted parameter values only" in text


def test_optional_sections_appear_with_their_inputs(tmp_path, inputs, monkeypatch):
    timeseries, summary, manifest = inputs
    monkeypatch.setattr(comparison, "groups_section", lambda g: f"<p>GROUPS {len(g)}</p>")
    monkeypatch.setattr(comparison, "reached_section", lambda r: f"<p>REACHED {len(r)}</p>")
    manifest = {**manifest, "scenarios": {k: dict(v) for k, v in manifest["scenarios"].items()}}
    manifest["scenarios"][BASELINE]["settings"] = {"Caseworkers": "7", "Start-up": "as planned"}
    manifest["scenarios"]["volunteer_corps"]["settings"] = {"Caseworkers": "12", "Start-up": "as planned"}
    write_report(
        tmp_path,
        timeseries,
        _with_pi(summary),
        manifest,
        baseline=BASELINE,
        groups=_groups(),
        reached=_reached(),
        constraints={"volunteer_corps": "held back by the coordinator's hours in 14 of 16 replicates"},
    )
    text = _visible((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert "<p>GROUPS 3</p>" in text and "<p>REACHED 4</p>" in text
    assert text.index("id=settings") < text.index("id=groups") < text.index("id=reached")
    settings = text[text.index("id=settings") : text.index("id=groups")]
    assert "<strong>12</strong>" in settings and "<strong>as planned</strong>" not in settings
    people = text[text.index("<table class=people>") :].split("</table>")[0]
    # The interval with parameter uncertainty, under the noise-only one.
    assert "+12 [4, 20]</span><span class='muted pi'>with parameter uncertainty [−3, 27]</span>" in people
    assert "also allows for not knowing the model" in text
    assert "gains most: Long-term unemployed" in text
    assert "for the 84 people the design reached: +9.0 pp in ordinary jobs [3.1, 15.0]" in text
    assert "held back by the coordinator&#x27;s hours in 14 of 16 replicates" in text


def test_design_headline_names_people_group_reached_and_constraint(inputs):
    _, summary, _ = inputs
    sentence = design_headline(_with_pi(summary), _groups(), _reached(), "volunteer_corps")
    assert sentence == (
        "Volunteer corps: +12 residents in ordinary jobs [4, 20] (with parameter uncertainty "
        "[−3, 27]), +3.0 dropouts prevented [1.0, 5.0] (with parameter uncertainty [−2.0, 9.0]); "
        "gains most: Long-term unemployed (+4.1 pp in ordinary jobs [1.0, 7.2], +9.0 people); "
        "for the 84 people the design reached: +9.0 pp in ordinary jobs [3.1, 15.0] (one more per 11 reached), "
        "−2.0 pp NEET [−5.0, 1.0]; held back by the coordinator's hours in 2 of 3 replicates."
    )
    # Without the optional inputs the clauses are left out, not guessed.
    bare = design_headline(summary, None, None, "volunteer_corps", "held back by nothing")
    assert bare == (
        "Volunteer corps: +12 residents in ordinary jobs [4, 20], +3.0 dropouts prevented "
        "[1.0, 5.0]; held back by nothing."
    )


def test_fewer_is_the_gain_for_dropouts_and_intervals_turn_round(inputs):
    _, summary, _ = inputs
    gains = {g.indicator: g for g in people_gains(_with_pi(summary), "volunteer_corps", BASELINE)}
    dropouts = gains["cum_dropouts_area"]
    assert (dropouts.mean, dropouts.ci_low, dropouts.ci_high) == (3.0, 1.0, 5.0)
    assert (dropouts.pi_low, dropouts.pi_high) == (-2.0, 9.0)
    assert dropouts.level == 700.0
    baseline = people_gains(summary, BASELINE, BASELINE)
    assert all(g.mean == 0.0 and g.value() == "±0.0" for g in baseline)


def test_no_target_group_gains_clearly_when_no_interval_excludes_zero():
    groups = _groups()
    groups["rate_diff_ci_low"] = -0.01
    assert top_group(groups, "volunteer_corps").startswith(
        "no target group gains clearly (largest: Long-term unemployed"
    )
    assert top_group(groups, "other") is None
    assert top_group(None, "volunteer_corps") is None
    nobody = _reached().assign(reached=0)
    assert reached_clause(nobody, "volunteer_corps") == "reached no one"


def test_cli_headline_leads_with_people_and_fits_100_columns(inputs):
    _, summary, _ = inputs
    people = ["employed_16_64", "working_16_64", "cum_dropouts_area", "people_reached_cum"]
    rows = headline(_with_pi(summary), people)
    assert list(rows[rows["scenario"] == "volunteer_corps"]["indicator"])[:3] == [
        "employed_16_64",
        "cum_dropouts_area",
        "people_reached_cum",
    ]
    console = Console(width=100, record=True, markup=False, emoji=False)
    print_headline(rows, BASELINE, _groups(), _reached(), out=console)
    printed = console.export_text()
    assert all(len(line) <= 100 for line in printed.splitlines())
    words = " ".join(printed.split())  # sentences wrap at the console's width
    assert printed.index("Extra in ordinary jobs") < printed.index("employment 16-64")
    assert "+12 [4, 20]" in printed and "(−3, 27)" in printed  # both intervals
    assert "+3.0 [1.0, 5.0]" in printed  # dropouts prevented
    assert "gains most: Long-term unemployed" in words
    assert "for the 84 people the design reached" in words
    assert "held back by the coordinator's hours" in words
    assert "…" not in printed  # nothing cut off
    # An empty cost ratio shows its note, not a number (the summary row of "mentors & <co>").
    assert "no gain <b>" not in words  # that note belongs to the dropout ratio, not printed here
    assert "250,000" in printed and "undefined" in words
