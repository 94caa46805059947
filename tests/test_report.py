"""Report: figures and a self-contained HTML file from small hand-made inputs (no simulation)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.reporting.comparison import FIGURE_FILES, write_report

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
                "note": "coordinator_hours (binding)",
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
    assert "coordinator hours (binding)" in text
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
