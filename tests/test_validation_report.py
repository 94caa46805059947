"""Validation report: figures and a self-contained HTML file from small hand-made inputs."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.reporting.validation import (
    AREA_FIGURE,
    DOSE_FIGURE,
    FIGURE_FILES,
    TARGETS_FIGURE,
    headline,
    normalised,
    targets_frame,
    write_validation_report,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')

# (target, observed, tolerance, sim_mean, unit, role): counts by construction
#   fitted: 3 inside (t_fit_a, t_fit_b, t_fit_c), 1 outside (t_fit_out), so "3 of 4"
#   held out: 1 inside (t_held_in), 1 outside (t_held_out), 1 not computed (t_held_nan), so "1 of 3"
TARGETS = (
    ("t_fit_a", 0.14, 0.02, 0.145, "share", "fitted"),
    ("t_fit_b", 26.0, 4.0, 24.0, "weeks", "fitted"),
    ("t_fit_c", 1.5, 0.2, 1.69, "ratio", "fitted"),
    ("t_fit_out", 0.30, 0.03, 0.40, "share", "fitted"),
    ("t_held_in", 0.25, 0.1, 0.2, "d", "held out"),
    ("t_held_out", 5.0, 1.0, 7.5, "pp", "held out"),
    ("t_held_nan <&>", 0.5, 0.05, np.nan, "share", "held out"),
)


def _validation() -> pd.DataFrame:
    rows = []
    for target, observed, tol, sim, unit, role in TARGETS:
        rows.append(
            {
                "target": target,
                "description": f"Description of {target}",
                "observed": observed,
                "source": "CFBU-2015 p.7, 13-14",
                "concerns": "residents aged 18-64",
                "quantity": "share of weeks in long-term unemployment",
                "unit": unit,
                "sim_mean": sim,
                "sim_lo": sim - tol / 2,
                "sim_hi": sim + tol / 2,
                "tolerance": tol,
                "lower": observed - tol,
                "upper": observed + tol,
                "inside": bool(abs(sim - observed) <= tol) if np.isfinite(sim) else False,
                "role": role,
                "replicates": 16,
            }
        )
    return pd.DataFrame(rows)


def _area_series() -> pd.DataFrame:
    rows = []
    for profile, level in (("estate_2013", 0.14), ("national_2013", 0.05)):
        for indicator, shift in (("ltu_share_18_64", 0.0), ("ltu_share_30_39", 0.02)):
            for year in np.arange(0.0, 3.01, 0.25):
                mean = level + shift + 0.005 * np.sin(year)
                rows.append(
                    {
                        "profile": profile,
                        "indicator": indicator,
                        "year": float(year),
                        "mean": mean,
                        "lo": mean - 0.01,
                        "hi": mean + 0.01,
                    }
                )
    return pd.DataFrame(rows)


def _area_figures() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "profile": "estate_2013",
                "indicator": "ltu_share_18_64",
                "observed": 0.14,
                "lower": 0.12,
                "upper": 0.16,
                "source": "CFBU-2015 p.7",
                "label": "Estates 2013",
            },
            {
                "profile": "national_2013",
                "indicator": "ltu_share_18_64",
                "observed": 0.05,
                "lower": 0.04,
                "upper": 0.06,
                "source": "CFBU-2015 p.7",
                "label": "Whole country 2013",
            },
            {
                "profile": "estate_2013",
                "indicator": "unemployed_share_16_50",
                "observed": 0.2,
                "lower": 0.18,
                "upper": 0.22,
                "source": "CFBU-2015 p.13",
                "label": "Unemployed 16-50 in estates",
            },
        ]
    )


def _dose_response() -> pd.DataFrame:
    rows = []
    for kind in ("volunteer", "business"):
        for hours in (0.5, 1.0, 2.5, 4.0):
            for weeks in (4, 8, 13, 26, 39, 52, 78, 104):
                effect = (-0.02 if weeks < 13 else 0.01 * np.log(weeks / 13)) * (1 + hours / 4)
                rows.append(
                    {
                        "kind": kind,
                        "planned_weeks": weeks,
                        "hours_per_week": hours,
                        "effect": effect,
                        "lo": effect - 0.01,
                        "hi": effect + 0.01,
                        "outcome": "in education or work one year after the relation ended",
                    }
                )
    return pd.DataFrame(rows)


def _fitted() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "parameter": "mentoring.dose.saturation_weeks",
                "value": 48.5,
                "lo": 40.0,
                "hi": 57.0,
                "prior_low": 13.0,
                "prior_high": 104.0,
                "default_before": 52.0,
                "unit": "weeks",
            },
            {
                "parameter": "jobcentre.exit_hazard_scale",
                "value": 2.0,
                "lo": 1.9,
                "hi": 2.0,
                "prior_low": 0.5,
                "prior_high": 2.0,
                "default_before": 1.0,
                "unit": "factor",
            },
        ]
    )


def _assumptions() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "parameter": "mentoring.dose.saturation_weeks",
                "default": 52.0,
                "unit": "weeks",
                "description": "Weeks until relation quality saturates",
                "fitted": True,
            },
            {
                "parameter": "volunteer_corps.effort.never_starts",
                "default": 0.1,
                "unit": "share",
                "description": "Share of efforts that never start",
                "fitted": False,
            },
            {
                "parameter": "population.moves_when_employed",
                "default": "<higher>",
                "unit": "",
                "description": "Employed residents move out more often",
                "fitted": False,
            },
        ]
    )


def _manifest() -> dict:
    return {
        "command": ["housing-sim", "validate", "--replicates", "16"],
        "created": "2026-01-01T00:00:00+00:00",
        "versions": {"python": "3.11.9", "sim": "0.1.0"},
        "base_seed": 7,
        "targets_sha256": "ef" * 32,
        "fitted_parameters_file": "calibration/fitted.toml",
        "seconds": 123.4,
    }


def _inputs(**changes) -> dict:
    inputs = {
        "validation": _validation(),
        "area_series": _area_series(),
        "area_figures": _area_figures(),
        "dose_response": _dose_response(),
        "fitted": _fitted(),
        "assumptions": _assumptions(),
        "manifest": _manifest(),
    }
    inputs.update(changes)
    return inputs


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("validation")
    report = write_validation_report(folder, **_inputs())
    return report, report.read_text(encoding="utf-8")


def _visible(text: str) -> str:
    """The HTML without the embedded image data."""
    return DATA_URI.sub('src=""', text)


def test_writes_report_and_every_figure(written):
    report, _ = written
    assert report.name == "report.html" and report.is_file()
    for name in FIGURE_FILES:
        assert (report.parent / name).read_bytes().startswith(PNG_MAGIC), name


def test_html_is_self_contained_with_embedded_figures(written):
    report, text = written
    images = DATA_URI.findall(text)
    assert len(images) == len(FIGURE_FILES)
    # Each embedded image is one of the PNGs written, byte for byte.
    on_disk = {(report.parent / name).read_bytes() for name in FIGURE_FILES}
    assert {base64.b64decode(data) for data in images} == on_disk
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text, flags=re.IGNORECASE)
    assert "http://" not in text and "https://" not in text
    assert "<script" not in text.lower() and "<link" not in text.lower()


def test_headline_counts_fitted_and_held_out(written):
    _, text = written
    headline = re.search(r"<p class=headline id=headline>(.*?)</p>", text).group(1)
    assert "3 of 4 fitted targets inside tolerance; 1 of 3 held-out targets inside" in headline
    assert "1 target could not be computed and counts as outside" in text
    assert text.index("id=headline") < text.index("<table")


def test_every_target_listed_and_escaped(written):
    _, text = written
    for target, *_ in TARGETS[:-1]:
        assert f"data-target='{target}'" in text
    assert "t_held_nan &lt;&amp;&gt;" in text and "t_held_nan <&>" not in text
    assert "CFBU-2015 p.7, 13-14" in text


def test_held_out_rows_are_marked(written):
    _, text = written
    rows = re.findall(r"<tr( class=heldout)? data-target='([^']*)' data-role='([^']*)'>", text)
    assert len(rows) == len(TARGETS)
    roles = {target: role for _, target, role in rows}
    marked = {target for cls, target, _ in rows if cls}
    held = {t for t, *_, role in TARGETS if role == "held out"}
    assert marked == {t.replace("<&>", "&lt;&amp;&gt;") for t in held}
    assert {r for t, r in roles.items() if t in marked} == {"held out"}
    # Fitted rows come first, held-out rows after them.
    order = [role for _, _, role in rows]
    assert order == sorted(order, key=lambda r: r == "held out")


def test_inside_marks_and_not_computed(written):
    _, text = written
    assert text.count("\u2713 inside") == 4
    assert text.count("\u2717 outside") == 2
    assert "\u2717 not computed" in text
    # Values in their units: shares as percentages, pp and weeks with their suffix.
    assert "14.0%" in text and "14.5%" in text
    assert "24.0 weeks" in text
    assert "7.5 pp" in text
    # Decimals follow the tolerance: a band of 4-6 % shows one decimal, not "5.00%".
    assert "4.0 \u2013 6.0%" in text and "5.00%" not in text
    visible = _visible(text)
    assert not re.search(r"\b(nan|inf|infinity|none)\b", visible, flags=re.IGNORECASE)


def test_sections_in_the_required_order(written):
    _, text = written
    ids = ["headline", "targets", "forest", "area", "dose", "fitted", "assumptions", "manifest"]
    positions = [text.index(f"id={i}") for i in ids]
    assert positions == sorted(positions)
    # Figures appear in their sections: forest, area, dose-response.
    figure_positions = [m.start() for m in DATA_URI.finditer(text)]
    assert positions[2] < figure_positions[0] < positions[3] < figure_positions[1] < positions[4]
    assert positions[4] < figure_positions[2] < positions[5]


def test_fitted_parameters_assumptions_and_manifest(written):
    _, text = written
    assert "mentoring.dose.saturation_weeks" in text
    assert "48.5" in text and "40 \u2013 57" in text and "13 \u2013 104" in text
    assert "at the edge of the prior range" in text  # exit_hazard_scale sits at its upper bound
    assert text.count("class=setbycal") == 1
    assert "&lt;higher&gt;" in text
    assert "3 parameters of the scenario schema have no source but an assumption. 1 of them is" in text
    assert "housing-sim validate --replicates 16" in text
    assert "ef" * 32 in text and "calibration/fitted.toml" in text and "3.11.9" in text


def test_writing_twice_is_byte_identical(tmp_path, written):
    report, _ = written
    second = write_validation_report(tmp_path, **_inputs())
    for name in (*FIGURE_FILES, "report.html"):
        assert (tmp_path / name).read_bytes() == (report.parent / name).read_bytes(), name
    assert second == tmp_path / "report.html"


def test_empty_series_and_dose_response_give_notes(tmp_path):
    # A figure left over from an earlier report must not survive next to the new one.
    for name in FIGURE_FILES:
        (tmp_path / name).write_bytes(b"stale")
    report = write_validation_report(
        tmp_path, **_inputs(area_series=pd.DataFrame(), dose_response=pd.DataFrame())
    )
    text = report.read_text(encoding="utf-8")
    assert (tmp_path / TARGETS_FIGURE).read_bytes().startswith(PNG_MAGIC)
    assert not (tmp_path / AREA_FIGURE).exists() and not (tmp_path / DOSE_FIGURE).exists()
    assert len(DATA_URI.findall(text)) == 1
    assert "Baseline against the area figures: not computed." in text
    assert "Dose-response: not computed." in text
    assert "Estates 2013" in text  # the observed figures are still listed


def test_everything_empty_does_not_crash(tmp_path):
    empty = pd.DataFrame()
    report = write_validation_report(
        tmp_path,
        validation=empty,
        area_series=empty,
        area_figures=empty,
        dose_response=empty,
        fitted=empty,
        assumptions=empty,
        manifest={},
    )
    text = report.read_text(encoding="utf-8")
    assert "No calibration targets were given." in text
    assert "not computed" in text
    assert "data:image/png" not in text


def test_all_nan_and_missing_columns(tmp_path):
    validation = _validation().drop(columns=["inside", "lower", "upper", "sim_lo", "sim_hi"])
    validation["sim_mean"] = np.nan
    dose = _dose_response().drop(columns=["lo", "hi", "outcome"])
    dose = dose[dose["kind"] == "business"]
    report = write_validation_report(
        tmp_path, **_inputs(validation=validation, dose_response=dose, area_figures=pd.DataFrame())
    )
    text = report.read_text(encoding="utf-8")
    assert "0 of 4 fitted targets inside tolerance; 0 of 3 held-out targets inside" in text
    assert "7 targets could not be computed" in text
    assert len(DATA_URI.findall(text)) == len(FIGURE_FILES)


def test_inside_recomputed_when_missing_and_bands_from_tolerance():
    frame = _validation().drop(columns=["inside", "lower", "upper"])
    targets = targets_frame(frame)
    assert targets["inside_ok"].tolist() == [True, True, True, False, True, False, False]
    assert headline(targets) == "3 of 4 fitted targets inside tolerance; 1 of 3 held-out targets inside"
    only_fitted = targets_frame(frame[frame["role"] == "fitted"].assign(role="fitted"))
    assert headline(only_fitted) == "3 of 4 fitted targets inside tolerance; no held-out targets"
    single = targets_frame(frame.iloc[[4]].assign(role="held_out"))
    assert headline(single) == "no fitted targets; 1 of 1 held-out target inside"


def test_normalised_distance_maps_band_to_unit_interval():
    assert normalised(0.16, 0.14, 0.12, 0.16) == pytest.approx(1.0)
    assert normalised(0.12, 0.14, 0.12, 0.16) == pytest.approx(-1.0)
    assert normalised(0.17, 0.14, 0.10, 0.16) == pytest.approx(1.5)  # asymmetric band
    assert normalised(0.08, 0.14, 0.10, 0.16) == pytest.approx(-1.5)
    assert np.isnan(normalised(np.nan, 0.14, 0.12, 0.16))


def _programmes() -> pd.DataFrame:
    rows = []
    for at in ("end", "26w"):
        for outcome, gross, base in (
            ("job", 0.30, 0.20),
            ("education", 0.05, 0.05),
            ("completed", 0.6, np.nan),
        ):
            reported = at == "end" and outcome == "job"
            rows.append(
                {
                    "template": "jobexpres <x>",
                    "pools": "social_mentors",
                    "at": at,
                    "outcome": outcome,
                    "participants": 120.0,
                    "matched": 119.0,
                    "readable": 100.0,
                    "gross": gross,
                    "gross_lo": gross - 0.02,
                    "gross_hi": gross + 0.02,
                    "baseline": base,
                    "baseline_lo": base - 0.02,
                    "baseline_hi": base + 0.02,
                    "net": gross - base,
                    "net_lo": gross - base - 0.01,
                    "net_hi": gross - base + 0.01,
                    "target": "jobexpres_contacts_job" if reported else "",
                    "target_measure": "gross" if reported else "",
                    "observed": 0.384 if reported else np.nan,
                    "lower": 0.334 if reported else np.nan,
                    "upper": 0.434 if reported else np.nan,
                    "source": "HT-2005 p.7-8" if reported else "",
                    "target_sim": 0.31 if reported else np.nan,
                    "inside": False if reported else None,
                }
            )
    return pd.DataFrame(rows)


def _trajectories() -> pd.DataFrame:
    rows = []
    for year in range(1, 11):
        for indicator, mean in (
            ("long_term_unemployed_18_64", 0.16 + 0.003 * year),
            ("employment_rate", 0.40),
        ):
            banded = indicator == "long_term_unemployed_18_64"
            rows.append(
                {
                    "indicator": indicator,
                    "year": year,
                    "mean": mean,
                    "lo": mean - 0.01,
                    "hi": mean + 0.01,
                    "lower": 0.15 if banded else np.nan,
                    "upper": 0.18 if banded else np.nan,
                    "source": "CFBU-2015 p.13, fig. 1" if banded else "",
                    "inside": bool(0.15 <= mean <= 0.18) if banded else None,
                    "change": (0.003 * (year - 1)) if banded else 0.0,
                }
            )
    return pd.DataFrame(rows)


def test_programmes_and_trajectories_sections_render(tmp_path):
    from sim.reporting.validation import TRAJECTORY_FIGURE

    report = write_validation_report(
        tmp_path, **_inputs(), programmes=_programmes(), trajectories=_trajectories()
    )
    text = _visible(report.read_text(encoding="utf-8"))
    assert (tmp_path / TRAJECTORY_FIGURE).read_bytes().startswith(PNG_MAGIC)
    section = text[text.index("id=programmes") : text.index("id=fitted")]
    # Gross, the same people in the baseline and net side by side, escaped template names.
    assert "Gross at end of contact" in section and "Same people in the baseline" in section
    assert "jobexpres &lt;x&gt;" in section and "<x>" not in section
    assert "30.0%" in section and "20.0%" in section and "+10.0 pp" in section
    # The reported figure, its target and the verdict on that target.
    assert "38.4%" in section and "jobexpres_contacts_job" in section and "outside" in section
    trajectories = text[text.index("id=trajectories") : text.index("id=programmes")]
    # Year 7 (0.181) is outside the reported 15-18 % band, year 1 (0.163) inside.
    assert trajectories.count("outside band") == 4 and trajectories.count("in band") == 6
    assert "+2.7 pp" in trajectories  # change from year 1 to year 10


def test_programmes_and_trajectories_missing_give_notes(tmp_path):
    report = write_validation_report(tmp_path, **_inputs(), programmes=pd.DataFrame())
    text = report.read_text(encoding="utf-8")
    assert "Programme templates: not computed." in text
    assert "The baseline year by year: not computed." in text
