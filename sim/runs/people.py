"""Who gains and the effect on those reached: groups.csv, reached.csv and reached_timeseries.csv.

Both tables are built from each run's per-person frame (:func:`sim.engine.people.person_frame`,
collected by :func:`sim.runs.runner.run_all` with ``people``), paired by replicate with the
baseline (docs/ODD.md 'Observation'):

* **groups** (:func:`groups_table`): for each target group on entry and each outcome, the group's
  total in each run (people, dropouts or person-years) and its rate per member, and the paired
  difference of the totals of replicate r of the scenario and of the baseline. Newcomers are keyed by
  their arrival, so a group can hold different people in two runs: group totals, not people, are
  compared.
* **reached** (:func:`reached_table`): everyone a kind of help reached in the scenario, against the
  same people (the same ``person_key``: common random numbers) in the baseline run of the same
  replicate. The mean difference over them is the average effect on those reached; people of the
  scenario run who do not exist in the baseline run (newcomers whose arrival differs) are left out
  and counted in the note.

Every paired difference goes through :func:`sim.runs.intervals.paired_intervals`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.engine.people import GONE, GROUP_BIT, GROUPS, HELP_BIT, HELP_KINDS
from sim.engine.states import BACKGROUND_NAMES, SEX_NAMES, Status
from sim.engine.units import WEEKS_PER_YEAR
from sim.runs.intervals import paired_intervals
from sim.scenario import Scenario

W = WEEKS_PER_YEAR
Runs = Mapping[tuple[str, int], pd.DataFrame]

# Outcomes of a person: (name, label, sign); the sign says which way is a gain.
OUTCOMES: tuple[tuple[str, str, int], ...] = (
    ("job", "In an ordinary job at the horizon", 1),
    ("work", "In any work (incl. subsidised jobs) at the horizon", 1),
    ("education", "In education at the horizon", 1),
    ("neet", "Aged 15-29 and not in employment, education or training at the horizon", -1),
    ("dropouts", "Dropouts from education during the run", -1),
    ("job_years", "Person-years in ordinary jobs over the run", 1),
    ("work_years", "Person-years in any work over the run", 1),
)
OUTCOME_LABELS = {name: label for name, label, _ in OUTCOMES}
OUTCOME_SIGN = {name: sign for name, _, sign in OUTCOMES}
# Outcomes that are a state at a week, followed over time in reached_timeseries.csv.
STATE_OUTCOMES = ("job", "work", "education", "neet")

ALL = ("all", "Everyone who lived in the area during the run")
GROUP_LABELS: dict[str, str] = {
    ALL[0]: ALL[1],
    **dict(GROUPS),
    **{f"background_{b}": f"Background: {b.replace('_', ' ')}" for b in BACKGROUND_NAMES},
    **{f"sex_{s}": f"Sex: {s}" for s in SEX_NAMES},
}
GROUP_NAMES = tuple(GROUP_LABELS)

GROUP_COLUMNS = (
    "scenario",
    "group",
    "group_label",
    "outcome",
    "outcome_label",
    "group_size",
    "mean",
    "rate",
    "diff_mean",
    "diff_ci_low",
    "diff_ci_high",
    "diff_pi_low",
    "diff_pi_high",
    "rate_diff_mean",
    "rate_diff_ci_low",
    "rate_diff_ci_high",
    "rate_diff_pi_low",
    "rate_diff_pi_high",
    "replicates",
    "note",
)
REACHED_COLUMNS = (
    "scenario",
    "help",
    "group",
    "outcome",
    "outcome_label",
    "reached",
    "scenario_rate",
    "baseline_rate",
    "effect",
    "effect_ci_low",
    "effect_ci_high",
    "effect_pi_low",
    "effect_pi_high",
    "extra_people",
    "reached_per_extra",
    "replicates",
    "note",
)
REACHED_TIMESERIES_COLUMNS = (
    "scenario",
    "help",
    "week",
    "outcome",
    "scenario_rate",
    "baseline_rate",
    "effect",
)


# -- per person ------------------------------------------------------------------------------


def snapshot_weeks(frame: pd.DataFrame) -> list[int]:
    """The weeks of a per-person frame's status snapshots, in order (the last is the horizon)."""
    return sorted(int(c.removeprefix("status_w")) for c in frame.columns if c.startswith("status_w"))


def state_outcomes(status: np.ndarray, age_weeks: np.ndarray) -> dict[str, np.ndarray]:
    """Outcomes that are a state (job, work, education, NEET) as 0/1, from statuses and ages.

    A status below 0 (not yet arrived, or a newcomer no longer followed) counts as none of them.
    """
    s = status.astype(np.int64)
    young = (age_weeks >= 15 * W) & (age_weeks < 30 * W)
    neet = young & ((s == Status.UNEMPLOYED_READY) | (s == Status.UNEMPLOYED_FAR) | (s == Status.INACTIVE))
    return {
        "job": (s == Status.EMPLOYED).astype(np.float64),
        "work": ((s == Status.EMPLOYED) | (s == Status.SUBSIDISED)).astype(np.float64),
        "education": (s == Status.EDUCATION).astype(np.float64),
        "neet": neet.astype(np.float64),
    }


def person_outcomes(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each person's outcomes (:data:`OUTCOMES`) at the horizon and over the run, as floats.

    States at the horizon count only people the model still follows there (the start cohort
    wherever they live, newcomers in the area).
    """
    horizon = snapshot_weeks(frame)[-1]
    followed = frame["followed"].to_numpy() == 1
    status = np.where(followed, frame["status"].to_numpy(np.int64), GONE)
    age = horizon - frame["birth_week"].to_numpy(np.int64)
    out = state_outcomes(status, age)
    out["dropouts"] = frame["dropouts"].to_numpy(np.float64)
    out["job_years"] = frame["job_weeks"].to_numpy(np.float64) / W
    out["work_years"] = frame["work_weeks"].to_numpy(np.float64) / W
    return out


def group_masks(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Membership of every group of :data:`GROUP_NAMES` on entry, one boolean array each."""
    bits = frame["entry_groups"].to_numpy(np.int64)
    background = frame["background"].to_numpy(np.int64)
    sex = frame["sex"].to_numpy(np.int64)
    masks = {ALL[0]: np.ones(len(frame), dtype=bool)}
    masks.update({name: (bits & GROUP_BIT[name]) != 0 for name, _ in GROUPS})
    masks.update({f"background_{b}": background == code for code, b in enumerate(BACKGROUND_NAMES)})
    masks.update({f"sex_{s}": sex == code for code, s in enumerate(SEX_NAMES)})
    return masks


# -- which help a scenario gives ---------------------------------------------------------------


def help_given(scenario: Scenario) -> dict[str, str]:
    """The kinds of help a scenario gives, each with the settings that shape it (as JSON text).

    Two scenarios run a kind the same way when its text is equal. Settings common to every
    mentor (``mentoring``) and to every placement (``placements``) are part of each kind's text.
    """
    sc = scenario
    mentoring = sc.mentoring.model_dump_json()
    given: dict[str, str] = {}
    if sc.volunteer_corps.enabled:
        given["volunteer"] = sc.volunteer_corps.model_dump_json() + mentoring
    if sc.professional_mentors.mentors > 0:
        given["social_mentor"] = sc.professional_mentors.model_dump_json() + mentoring
    if sc.business_mentors.firms > 0:
        given["business_mentor"] = sc.business_mentors.model_dump_json() + mentoring
    if sc.jobcentre.mentor_support_mentors > 0:
        # Only the jobcentre's mentor keys: its other practice shapes everyone, helped or not.
        offers = {
            k: v
            for k, v in sc.jobcentre.model_dump(mode="json").items()
            if k.startswith("mentor_") or k == "obligation_offer"
        }
        given["jobcentre_mentor"] = json.dumps(offers, sort_keys=True) + mentoring
    if sc.employment_service.staff > 0:
        given["employment_service"] = sc.employment_service.model_dump_json() + mentoring
    brokers = [
        (name, section.placement)
        for name, section, on in (
            ("volunteer", sc.volunteer_corps, sc.volunteer_corps.enabled),
            ("social_mentor", sc.professional_mentors, sc.professional_mentors.mentors > 0),
            ("business_mentor", sc.business_mentors, sc.business_mentors.firms > 0),
            ("employment_service", sc.employment_service, sc.employment_service.staff > 0),
        )
        if on and section.placement.enabled
    ]
    if brokers:
        given["placement"] = (
            "".join(f"{name}:{p.model_dump_json()}" for name, p in brokers) + sc.placements.model_dump_json()
        )
    return given


def help_bits(scenario: Scenario, baseline: Scenario | None) -> dict[str, int]:
    """Help rows of a scenario and the bits of ``help`` each selects.

    Each kind the scenario gives, then ``any`` (every kind) and, against a baseline, ``design``: the
    kinds the baseline lacks or runs differently (0 bits when there are none: nobody reached).
    """
    given = help_given(scenario)
    rows = {kind: HELP_BIT[kind] for kind, _ in HELP_KINDS if kind in given}
    rows["any"] = sum(HELP_BIT.values())
    if baseline is not None:
        base = help_given(baseline)
        rows["design"] = sum(HELP_BIT[k] for k, text in given.items() if base.get(k) != text)
    return rows


# -- groups.csv --------------------------------------------------------------------------------


def _replicates(people: Runs, name: str) -> list[int]:
    return sorted(r for s, r in people if s == name)


def _group_totals(frame: pd.DataFrame) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    masks = group_masks(frame)
    outcomes = person_outcomes(frame)
    sizes = {g: float(m.sum()) for g, m in masks.items()}
    totals = {(g, o): float(outcomes[o][m].sum()) for g, m in masks.items() for o, _, _ in OUTCOMES}
    return sizes, totals


def _draws_for(draws: np.ndarray | None, replicates: Sequence[int]) -> np.ndarray | None:
    return None if draws is None else np.asarray(draws)[list(replicates)]


def groups_table(
    people: Runs,
    scenarios: Sequence[Scenario],
    baseline: str | None,
    draws: np.ndarray | None = None,
) -> pd.DataFrame:
    """Outcomes by target group on entry, per scenario, with paired differences from the baseline.

    Args:
        people: Per-person frames keyed by (scenario name, replicate).
        scenarios: The scenarios, in output order.
        baseline: Name of the baseline scenario, or None for levels only.
        draws: Parameter set of each replicate (indexed by replicate), or None at fitted values.

    Returns:
        One row per scenario x group x outcome with :data:`GROUP_COLUMNS`: ``group_size`` (members,
        mean over replicates), ``mean`` (the group's total: people, dropouts or person-years),
        ``rate`` (per member), the paired difference of the totals and of the rates.
    """
    totals = {key: _group_totals(frame) for key, frame in people.items()}
    rows = []
    for sc in scenarios:
        reps = _replicates(people, sc.name)
        if baseline is not None:
            reps = [r for r in reps if (baseline, r) in people]
        if not reps:
            continue
        d = _draws_for(draws, reps)
        size = np.array([[totals[(sc.name, r)][0][g] for r in reps] for g in GROUP_NAMES])
        labels = [(g, o) for g in GROUP_NAMES for o, _, _ in OUTCOMES]
        total = np.array([[totals[(sc.name, r)][1][k] for r in reps] for k in labels])
        size_by_row = np.repeat(size, len(OUTCOMES), axis=0)
        with np.errstate(all="ignore"):
            rate = np.where(size_by_row > 0, total / size_by_row, np.nan)
        if baseline is not None:
            base_size = np.array([[totals[(baseline, r)][0][g] for r in reps] for g in GROUP_NAMES])
            base_total = np.array([[totals[(baseline, r)][1][k] for r in reps] for k in labels])
            base_by_row = np.repeat(base_size, len(OUTCOMES), axis=0)
            with np.errstate(all="ignore"):
                base_rate = np.where(base_by_row > 0, base_total / base_by_row, np.nan)
            diff = paired_intervals(total - base_total, d)
            rate_diff = paired_intervals(rate - base_rate, d)
        for i, (g, o) in enumerate(labels):
            members = size_by_row[i]
            row = {
                "scenario": sc.name,
                "group": g,
                "group_label": GROUP_LABELS[g],
                "outcome": o,
                "outcome_label": OUTCOME_LABELS[o],
                "group_size": members.mean(),
                "mean": total[i].mean(),
                "rate": np.nanmean(rate[i]) if np.isfinite(rate[i]).any() else np.nan,
                "replicates": len(reps),
                "note": "" if members.any() else "nobody in this group",
            }
            if baseline is not None:
                for prefix, iv in (("diff", diff), ("rate_diff", rate_diff)):
                    row[f"{prefix}_mean"] = iv.mean[i]
                    row[f"{prefix}_ci_low"] = iv.ci_low[i]
                    row[f"{prefix}_ci_high"] = iv.ci_high[i]
                    row[f"{prefix}_pi_low"] = iv.pi_low[i]
                    row[f"{prefix}_pi_high"] = iv.pi_high[i]
            else:
                row["note"] = (row["note"] + "; " if row["note"] else "") + "no baseline: levels only"
            rows.append(row)
    return pd.DataFrame(rows, columns=list(GROUP_COLUMNS))


# -- reached.csv -------------------------------------------------------------------------------


def _paired(scenario: pd.DataFrame, base: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the same people (the same ``person_key``) in a scenario run and its baseline run."""
    _, rows_s, rows_b = np.intersect1d(
        scenario["person_key"].to_numpy(),
        base["person_key"].to_numpy(),
        assume_unique=True,
        return_indices=True,
    )
    return rows_s, rows_b


def reached_tables(
    people: Runs,
    scenarios: Sequence[Scenario],
    baseline: str | None,
    draws: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The effect on those reached (reached.csv) and over time (reached_timeseries.csv).

    Args:
        people: Per-person frames keyed by (scenario name, replicate).
        scenarios: The scenarios, in output order (the baseline among them).
        baseline: Name of the baseline scenario, or None: then only who was reached and their
            outcomes (levels) are given.
        draws: Parameter set of each replicate (indexed by replicate), or None at fitted values.

    Returns:
        (reached, over time) with :data:`REACHED_COLUMNS` and :data:`REACHED_TIMESERIES_COLUMNS`.
        ``reached`` is the mean number reached per replicate; ``effect`` the mean over replicates
        of the mean paired difference over those reached (share, or per person for dropouts and
        person-years); ``extra_people`` the mean total difference over them (people, dropouts or
        person-years; negative dropouts are dropouts prevented); ``reached_per_extra`` the people
        to reach for one more of a gain (empty where the effect is no gain).
    """
    by_name = {sc.name: sc for sc in scenarios}
    base_sc = by_name.get(baseline) if baseline is not None else None
    rows: list[dict] = []
    over_time: list[dict] = []
    for sc in scenarios:
        if baseline is not None and sc.name == baseline:
            continue
        reps = _replicates(people, sc.name)
        if baseline is not None:
            reps = [r for r in reps if (baseline, r) in people]
        if not reps:
            continue
        kinds = help_bits(sc, base_sc if baseline is not None else None)
        rows += _reached_rows(people, sc.name, baseline, reps, kinds, _draws_for(draws, reps))
        over_time += _reached_over_time(people, sc.name, baseline, reps, kinds)
    return (
        pd.DataFrame(rows, columns=list(REACHED_COLUMNS)),
        pd.DataFrame(over_time, columns=list(REACHED_TIMESERIES_COLUMNS)),
    )


def reached_table(
    people: Runs, scenarios: Sequence[Scenario], baseline: str | None, draws: np.ndarray | None = None
) -> pd.DataFrame:
    """reached.csv alone (see :func:`reached_tables`)."""
    return reached_tables(people, scenarios, baseline, draws)[0]


def _pairs(people: Runs, name: str, baseline: str | None, r: int):
    """A scenario run paired with its baseline run by person key.

    Returns:
        (scenario frame, its paired rows, baseline frame or None, the baseline's paired rows, a mask
        of the scenario's people absent from the baseline run).
    """
    fs = people[(name, r)]
    if baseline is None:
        return fs, np.arange(len(fs)), None, None, np.zeros(len(fs), dtype=bool)
    fb = people[(baseline, r)]
    rows_s, rows_b = _paired(fs, fb)
    alone = np.ones(len(fs), dtype=bool)
    alone[rows_s] = False
    return fs, rows_s, fb, rows_b, alone


def _reached_rows(
    people: Runs,
    name: str,
    baseline: str | None,
    reps: list[int],
    kinds: dict[str, int],
    draws: np.ndarray | None,
) -> list[dict]:
    labels = [(k, g, o) for k in kinds for g in GROUP_NAMES for o, _, _ in OUTCOMES]
    n = np.zeros((len(labels), len(reps)))
    sum_s = np.zeros_like(n)
    sum_b = np.zeros_like(n)
    left_out = np.zeros((len(kinds), len(reps)))
    for j, r in enumerate(reps):
        fs, rows_s, fb, rows_b, alone = _pairs(people, name, baseline, r)
        help_all = fs["help"].to_numpy(np.int64)
        help_s = help_all[rows_s]
        masks = {g: m[rows_s] for g, m in group_masks(fs).items()}
        out_s = {o: v[rows_s] for o, v in person_outcomes(fs).items()}
        out_b = {o: v[rows_b] for o, v in person_outcomes(fb).items()} if fb is not None else None
        i = 0
        for kk, bits in enumerate(kinds.values()):
            reached = (help_s & bits) != 0
            left_out[kk, j] = np.count_nonzero(((help_all & bits) != 0) & alone)
            for g in GROUP_NAMES:
                m = reached & masks[g]
                count = np.count_nonzero(m)
                for o, _, _ in OUTCOMES:
                    n[i, j] = count
                    sum_s[i, j] = out_s[o][m].sum()
                    if out_b is not None:
                        sum_b[i, j] = out_b[o][m].sum()
                    i += 1
    with np.errstate(all="ignore"):
        mean_s = np.where(n > 0, sum_s / n, np.nan)
        mean_b = np.where(n > 0, sum_b / n, np.nan)
    nobody = ~(n > 0).any(axis=1)
    effect_r = mean_s - mean_b
    # Nobody reached in any replicate: the effect on them is exactly zero, not undefined.
    effect_r[nobody] = 0.0
    iv = paired_intervals(effect_r, draws) if baseline is not None else None
    extra = (sum_s - sum_b).mean(axis=1)
    rows = []
    kind_index = {k: kk for kk, k in enumerate(kinds)}
    for i, (k, g, o) in enumerate(labels):
        reached = n[i].mean()
        notes = []
        row = {
            "scenario": name,
            "help": k,
            "group": g,
            "outcome": o,
            "outcome_label": OUTCOME_LABELS[o],
            "reached": reached,
            "scenario_rate": np.nanmean(mean_s[i]) if not nobody[i] else np.nan,
            "replicates": len(reps),
        }
        if nobody[i]:
            notes.append("reached nobody")
        if iv is not None:
            row["baseline_rate"] = np.nanmean(mean_b[i]) if not nobody[i] else np.nan
            row["effect"] = iv.mean[i]
            row["effect_ci_low"] = iv.ci_low[i]
            row["effect_ci_high"] = iv.ci_high[i]
            row["effect_pi_low"] = iv.pi_low[i]
            row["effect_pi_high"] = iv.pi_high[i]
            row["extra_people"] = extra[i]
            gain = OUTCOME_SIGN[o] * extra[i]
            if gain > 0:
                row["reached_per_extra"] = reached / gain
            elif not nobody[i]:
                notes.append("no gain: no number to reach")
            alone = left_out[kind_index[k]].mean()
            if alone > 0 and g == ALL[0]:
                notes.append(
                    f"{alone:.1f} reached per replicate not in the baseline run (newcomers whose arrival "
                    "differs) left out"
                )
        else:
            notes.append("no baseline: levels only")
        row["note"] = "; ".join(notes)
        rows.append(row)
    return rows


def _reached_over_time(
    people: Runs, name: str, baseline: str | None, reps: list[int], kinds: dict[str, int]
) -> list[dict]:
    """Outcomes that are states, at every snapshot week, of everyone reached by the horizon."""
    weeks = snapshot_weeks(people[(name, reps[0])])
    shape = (len(kinds), len(weeks), len(STATE_OUTCOMES), len(reps))
    sum_s, sum_b, n = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for j, r in enumerate(reps):
        fs, rows_s, fb, rows_b, _ = _pairs(people, name, baseline, r)
        help_s = fs["help"].to_numpy(np.int64)[rows_s]
        birth_s = fs["birth_week"].to_numpy(np.int64)[rows_s]
        for t, week in enumerate(weeks):
            col = f"status_w{week}"
            out_s = state_outcomes(fs[col].to_numpy()[rows_s], week - birth_s)
            out_b = None
            if fb is not None:
                birth_b = fb["birth_week"].to_numpy(np.int64)[rows_b]
                out_b = state_outcomes(fb[col].to_numpy()[rows_b], week - birth_b)
            for kk, bits in enumerate(kinds.values()):
                m = (help_s & bits) != 0
                for oo, o in enumerate(STATE_OUTCOMES):
                    n[kk, t, oo, j] = np.count_nonzero(m)
                    sum_s[kk, t, oo, j] = out_s[o][m].sum()
                    if out_b is not None:
                        sum_b[kk, t, oo, j] = out_b[o][m].sum()
    rows = []
    with np.errstate(all="ignore"):
        mean_s = np.where(n > 0, sum_s / n, np.nan)
        mean_b = np.where(n > 0, sum_b / n, np.nan)
    for kk, k in enumerate(kinds):
        for t, week in enumerate(weeks):
            for oo, o in enumerate(STATE_OUTCOMES):
                reached = n[kk, t, oo] > 0
                s, b = mean_s[kk, t, oo], mean_b[kk, t, oo]
                row = {"scenario": name, "help": k, "week": week, "outcome": o}
                if reached.any():
                    row["scenario_rate"] = np.nanmean(s)
                    if baseline is not None:
                        row["baseline_rate"] = np.nanmean(b)
                        row["effect"] = np.nanmean(s - b)
                elif baseline is not None:
                    row["effect"] = 0.0
                rows.append(row)
    return rows
