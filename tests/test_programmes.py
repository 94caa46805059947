"""Gross and net outcomes of programme participants (sim/calibration/programmes.py, docs/ODD.md 7.12)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration.evaluate import Evaluator, Setting
from sim.calibration.programmes import (
    BASELINE_FILE,
    LOST,
    MOVED,
    PROGRAMMES_DIR,
    RunRecord,
    baseline_resets,
    load_pair,
    paired_replicate,
    paired_specs,
    participants,
    person_outcomes,
    record_run,
    share,
    summarise,
)
from sim.calibration.targets import load_targets
from sim.engine.states import Status
from sim.inputs.errors import InputError
from sim.inputs.loader import load_scenario, with_overrides
from sim.runs.runner import run_replicate

POINTS = ("end", "ever", 13, 26)


def _template(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'extends = "{BASELINE_FILE.as_posix()}"\nname = "{name}"\n{body}')
    return path


def _outcome_columns(frame: pd.DataFrame, kind: str) -> list[str]:
    return [c for c in frame.columns if c.endswith(f":{kind}")]


def test_an_effort_that_reaches_nobody_has_no_participants_and_changes_nobody(tmp_path):
    # An effort that starts only after the horizon: it reaches no one.
    path = _template(
        tmp_path,
        "never_starts",
        "[professional_mentors]\nmentors = 2\n[professional_mentors.effort]\n"
        "start_up_weeks = 520\nextra_delay_mean_weeks = 0.0\n",
    )
    template, baseline = load_pair(path, residents=400, years=1)
    [spec] = paired_specs(template, baseline, [11], POINTS)
    frame = paired_replicate(spec)
    assert frame.empty
    table = summarise([frame], POINTS)
    assert (table["participants"] == 0).all()
    assert (table["net"] == 0.0).all()
    # And the whole area is exactly as in the baseline: every resident, every week.
    t = run_replicate(spec.template, record_run, create_resident_agents=False, log_relations=True)
    b = run_replicate(spec.baseline, record_run, create_resident_agents=False, log_relations=True)
    assert np.array_equal(t.codes, b.codes) and np.array_equal(t.person_key, b.person_key)


def test_a_template_identical_to_the_baseline_has_net_exactly_zero(tmp_path):
    path = _template(tmp_path, "same", "")
    template, baseline = load_pair(path, residents=600, years=2)
    # The jobcentre's own mentors stand in for a template's pool: the same relations in both runs.
    specs = paired_specs(template, baseline, [3, 4], POINTS, pools=["jobcentre_mentors"])
    frames = [paired_replicate(s) for s in specs]
    assert sum(len(f) for f in frames) > 0
    for frame in frames:
        assert (frame["baseline_row"] == frame["row"]).all()
        gross, base = frame[_outcome_columns(frame, "gross")], frame[_outcome_columns(frame, "baseline")]
        for column in gross.columns:
            if column.split(":")[1] in ("completed", "contact_weeks"):
                continue  # gross only
            g, b = gross[column].to_numpy(), base[column.replace(":gross", ":baseline")].to_numpy()
            assert np.array_equal(np.isnan(g), np.isnan(b)) and np.array_equal(
                g[~np.isnan(g)], b[~np.isnan(b)]
            )
    table = summarise(frames, POINTS)
    nets = table[~table["outcome"].isin(["completed", "contact_weeks"])]["net"].dropna()
    assert len(nets) > 0 and (nets == 0.0).all()


def _record(keys, codes, dropouts=None, contacts=None) -> RunRecord:
    codes = np.asarray(codes, dtype=np.int8)
    return RunRecord(
        start_digest="x",
        person_key=np.asarray(keys, dtype=np.int64),
        birth_week=np.full(len(keys), -20 * 52, dtype=np.int64),
        codes=codes,
        dropouts=np.zeros_like(codes) if dropouts is None else np.asarray(dropouts, dtype=np.int8),
        contacts=contacts if contacts is not None else pd.DataFrame(),
    )


def test_participants_are_matched_to_the_same_persons_by_key_not_row():
    job, unemployed, edu = int(Status.EMPLOYED), int(Status.UNEMPLOYED_READY), int(Status.EDUCATION)
    # Template: rows hold persons 10, 20, 30. Baseline: the same persons in another row order,
    # and a person (99) the template does not have.
    contacts = pd.DataFrame(
        {
            "row": [1, 2],
            "pool": ["p", "p"],
            "start_week": [0, 0],
            "end_week": [2, 2],
            "completed": [True, False],
        }
    )
    template = _record(
        [10, 20, 30], [[unemployed] * 3, [unemployed] * 3, [unemployed, job, edu]], contacts=contacts
    )
    baseline = _record(
        [30, 99, 20, 10],
        [[unemployed] * 4, [unemployed] * 4, [job, unemployed, unemployed, edu]],
    )
    people = participants(template, {"p"})
    frame = person_outcomes(template, baseline, people, ("end",))
    assert frame["person_key"].tolist() == [20, 30]
    assert frame["baseline_row"].tolist() == [2, 0]
    # Person 20: job in the template, unemployed in the baseline; person 30: education, job.
    assert frame["end:job:gross"].tolist() == [1.0, 0.0]
    assert frame["end:job:baseline"].tolist() == [0.0, 1.0]
    assert frame["end:education:gross"].tolist() == [0.0, 1.0]
    assert share(frame, "end", "job", "net") == 0.0
    assert share(frame, "end", "education", "net") == 1.0 / 2
    assert share(frame, "end", "completed", "gross") == 0.5


def test_a_participant_missing_from_the_baseline_is_left_out_of_every_measure():
    job, unemployed = int(Status.EMPLOYED), int(Status.UNEMPLOYED_READY)
    contacts = pd.DataFrame(
        {
            "row": [0, 1],
            "pool": ["p", "p"],
            "start_week": [0, 0],
            "end_week": [1, 1],
            "completed": [False, False],
        }
    )
    template = _record([5, 6], [[unemployed, unemployed], [job, job]], contacts=contacts)
    baseline = _record([5], [[unemployed], [unemployed]])
    frame = person_outcomes(template, baseline, participants(template, {"p"}), ("end",))
    assert frame["baseline_row"].tolist() == [0, -1]
    assert share(frame, "end", "job", "gross") == 1.0  # person 5 only
    assert share(frame, "end", "job", "net") == 1.0


def test_movers_are_followed_from_the_start_cohort_and_newcomers_are_lost():
    job = int(Status.EMPLOYED)
    contacts = pd.DataFrame(
        {
            "row": [0, 1],
            "pool": ["p", "p"],
            "start_week": [0, 0],
            "end_week": [1, 1],
            "completed": [False, False],
        }
    )
    template = _record([1, 2], [[job, job], [job + MOVED, LOST]], contacts=contacts)
    frame = person_outcomes(template, template, participants(template, {"p"}), ("end",))
    assert frame["end:job:gross"].tolist() == [1.0, 0.0]
    assert frame["end:moved_out:gross"].tolist() == [1.0, 1.0]
    assert frame["end:lost:gross"].tolist() == [0.0, 1.0]


def test_readings_beyond_the_horizon_and_open_contacts_are_left_out():
    job = int(Status.EMPLOYED)
    contacts = pd.DataFrame(
        {
            "row": [0, 1],
            "pool": ["p", "p"],
            "start_week": [0, 1],
            "end_week": [1, -1],
            "completed": [False, False],
        }
    )
    template = _record([1, 2], [[job, job], [job, job], [job, job]], contacts=contacts)
    frame = person_outcomes(template, template, participants(template, {"p"}), ("end", 1, 2))
    assert np.isnan(frame["end:job:gross"].to_numpy()).tolist() == [False, True]
    assert np.isnan(frame["2w:job:gross"].to_numpy()).tolist() == [False, True]
    assert np.isnan(frame["1w:job:gross"].to_numpy()).tolist() == [False, False]


def test_start_populations_must_be_identical(tmp_path):
    path = _template(tmp_path, "same", "")
    template, baseline = load_pair(path, residents=300, years=1)
    [spec] = paired_specs(template, baseline, [5], ("end",))
    other = with_overrides(baseline, residents=310)
    with pytest.raises(InputError, match="different residents"):
        paired_replicate(
            dataclasses.replace(spec, baseline=dataclasses.replace(spec.baseline, scenario=other))
        )


def test_the_baseline_resets_only_the_templates_own_effort_keys():
    template, baseline = load_pair(PROGRAMMES_DIR / "randers.toml", residents=500, years=1)
    assert template.volunteer_corps.enabled and not baseline.volunteer_corps.enabled
    assert baseline.jobcentre.volunteer_attitude == "expectant"
    assert baseline.population == template.population and baseline.simulation == template.simulation
    assert baseline.labour_market == template.labour_market


def test_a_template_must_extend_the_baseline(tmp_path):
    path = tmp_path / "alone.toml"
    path.write_text('name = "alone"\n')
    with pytest.raises(InputError, match="must extend baseline.toml"):
        baseline_resets(path, load_scenario(path))


def test_programme_outcome_end_to_end_on_a_tiny_budget(tmp_path):
    scenario = (PROGRAMMES_DIR / "jobexpres.toml").as_posix()
    common = (
        'unit = "share"\nsource = "HT-2005 p.7-8"\nconcerns = "contacts"\nquantity = "programme_outcome"\n'
        f'computes = "test"\nscenario = "{scenario}"\nrole = "holdout"\nobserved = 0.3\ntolerance = 0.1\n'
    )
    text = ""
    for measure in ("gross", "baseline", "net"):
        text += (
            f'[[target]]\nid = "job_{measure}"\ndescription = "job {measure}"\n{common}'
            f'options = {{ outcome = "job", measure = "{measure}", at = "end", years = 1 }}\n'
        )
    path = tmp_path / "targets.toml"
    path.write_text(text)
    targets = load_targets(path)
    with Evaluator(targets, tmp_path, Setting(residents=500, replicates=2)) as evaluator:
        values = evaluator.run({})
    gross, base, net = values["job_gross"], values["job_baseline"], values["job_net"]
    assert np.isfinite(gross).all() and ((gross >= 0) & (gross <= 1)).all()
    assert np.allclose(net, gross - base)


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ('{ outcome = "salary" }', "outcome"),
        ('{ outcome = "job", measure = "effect" }', "measure"),
        ('{ outcome = "completed", measure = "net" }', "only a gross measure"),
        ('{ outcome = "job", at = -3 }', "at"),
    ],
)
def test_bad_programme_outcome_options_are_refused_in_one_line(tmp_path, options, said):
    scenario = (PROGRAMMES_DIR / "jobexpres.toml").as_posix()
    path = tmp_path / "targets.toml"
    path.write_text(
        '[[target]]\nid = "bad"\ndescription = "d"\nunit = "share"\nsource = "s"\nconcerns = "c"\n'
        f'quantity = "programme_outcome"\ncomputes = "c"\nscenario = "{scenario}"\nrole = "fit"\n'
        f"observed = 0.3\ntolerance = 0.1\noptions = {options}\n"
    )
    with pytest.raises(InputError) as info:
        load_targets(path)
    message = str(info.value)
    assert "\n" not in message and "'bad'" in message and said in message
