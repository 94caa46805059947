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


def _column(frame: pd.DataFrame, name: str, rows: np.ndarray | None, dtype: type = np.int64) -> np.ndarray:
    values = frame[name].to_numpy()
    return (values if rows is None else values[rows]).astype(dtype, copy=False)


def person_outcomes(frame: pd.DataFrame, rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Each person's outcomes (:data:`OUTCOMES`) at the horizon and over the run, as floats.

    States at the horizon count only people the model still follows there (the start cohort
    wherever they live, newcomers in the area). ``rows`` selects some people (default: all).
    """
    horizon = snapshot_weeks(frame)[-1]
    followed = _column(frame, "followed", rows) == 1
    status = np.where(followed, _column(frame, "status", rows), GONE)
    age = horizon - _column(frame, "birth_week", rows)
    out = state_outcomes(status, age)
    out["dropouts"] = _column(frame, "dropouts", rows, np.float64)
    out["job_years"] = _column(frame, "job_weeks", rows, np.float64) / W
    out["work_years"] = _column(frame, "work_weeks", rows, np.float64) / W
    return out


def group_masks(frame: pd.DataFrame, rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Membership of every group of :data:`GROUP_NAMES` on entry, one boolean array each."""
    bits = _column(frame, "entry_groups", rows)
    background = _column(frame, "background", rows)
    sex = _column(frame, "sex", rows)
    masks = {ALL[0]: np.ones(bits.size, dtype=bool)}
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


def _matrices(frame: pd.DataFrame, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Group membership (groups x people, 0/1) and outcomes (people x outcomes), optionally of some rows."""
    masks = group_masks(frame, rows)
    outcomes = person_outcomes(frame, rows)
    members = np.stack([masks[g] for g in GROUP_NAMES]).astype(np.float64)
    values = np.column_stack([outcomes[o] for o, _, _ in OUTCOMES])
    return members, values


def _group_totals(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Members of each group, and each group's total of each outcome (groups x outcomes)."""
    members, values = _matrices(frame)
    return members.sum(axis=1), members @ values


def _draws_for(draws: np.ndarray | None, replicates: Sequence[int]) -> np.ndarray | None:
    return None if draws is None else np.asarray(draws)[list(replicates)]


def _row_means(values: np.ndarray) -> np.ndarray:
    """Mean over replicates (axis 1) of the finite values; NaN where there are none."""
    finite = np.isfinite(values)
    count = finite.sum(axis=1)
    with np.errstate(all="ignore"):
        return np.where(count > 0, np.where(finite, values, 0.0).sum(axis=1) / count, np.nan)


def _notes(*parts: np.ndarray) -> np.ndarray:
    """Join per-row note fragments (empty strings are left out) with '; '."""
    stacked = np.stack([np.asarray(p, dtype=object) for p in parts], axis=1)
    return np.array(["; ".join(x for x in row if x) for row in stacked], dtype=object)


def _stacked(totals: dict, name: str, reps: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Members and totals of one scenario's runs, as (group x outcome rows, replicates)."""
    size = np.stack([totals[(name, r)][0] for r in reps], axis=1)
    total = np.stack([totals[(name, r)][1].reshape(-1) for r in reps], axis=1)
    return np.repeat(size, len(OUTCOMES), axis=0), total


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
    n_groups, n_outcomes = len(GROUP_NAMES), len(OUTCOMES)
    blocks = []
    for sc in scenarios:
        reps = _replicates(people, sc.name)
        if baseline is not None:
            reps = [r for r in reps if (baseline, r) in people]
        if not reps:
            continue
        d = _draws_for(draws, reps)

        size, total = _stacked(totals, sc.name, reps)
        with np.errstate(all="ignore"):
            rate = np.where(size > 0, total / size, np.nan)
        rows = n_groups * n_outcomes
        block = {
            "scenario": np.full(rows, sc.name, dtype=object),
            "group": np.repeat(GROUP_NAMES, n_outcomes),
            "group_label": np.repeat([GROUP_LABELS[g] for g in GROUP_NAMES], n_outcomes),
            "outcome": np.tile([o for o, _, _ in OUTCOMES], n_groups),
            "outcome_label": np.tile([label for _, label, _ in OUTCOMES], n_groups),
            "group_size": size.mean(axis=1),
            "mean": total.mean(axis=1),
            "rate": _row_means(rate),
            "replicates": np.full(rows, len(reps)),
        }
        empty = np.where(size.any(axis=1), "", "nobody in this group")
        if baseline is not None:
            base_size, base_total = _stacked(totals, baseline, reps)
            with np.errstate(all="ignore"):
                base_rate = np.where(base_size > 0, base_total / base_size, np.nan)
            for prefix, iv in (
                ("diff", paired_intervals(total - base_total, d)),
                ("rate_diff", paired_intervals(rate - base_rate, d)),
            ):
                block[f"{prefix}_mean"] = iv.mean
                block[f"{prefix}_ci_low"] = iv.ci_low
                block[f"{prefix}_ci_high"] = iv.ci_high
                block[f"{prefix}_pi_low"] = iv.pi_low
                block[f"{prefix}_pi_high"] = iv.pi_high
            few = "intervals need at least two replicates" if len(reps) < 2 else ""
            block["note"] = _notes(empty, np.full(rows, few))
        else:
            block["note"] = _notes(empty, np.full(rows, "no baseline: levels only"))
        blocks.append(pd.DataFrame(block))
    if not blocks:
        return pd.DataFrame(columns=list(GROUP_COLUMNS))
    return pd.concat(blocks, ignore_index=True).reindex(columns=list(GROUP_COLUMNS))


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
    blocks: list[pd.DataFrame] = []
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
        blocks.append(_reached_rows(people, sc.name, baseline, reps, kinds, _draws_for(draws, reps)))
        over_time += _reached_over_time(people, sc.name, baseline, reps, kinds)
    reached = (
        pd.concat(blocks, ignore_index=True).reindex(columns=list(REACHED_COLUMNS))
        if blocks
        else pd.DataFrame(columns=list(REACHED_COLUMNS))
    )
    return reached, pd.DataFrame(over_time, columns=list(REACHED_TIMESERIES_COLUMNS))


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
) -> pd.DataFrame:
    n_kinds, n_groups, n_outcomes = len(kinds), len(GROUP_NAMES), len(OUTCOMES)
    shape = (n_kinds, n_groups, n_outcomes, len(reps))
    n, sum_s, sum_b = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    left_out = np.zeros((n_kinds, len(reps)))
    bits = np.array(list(kinds.values()), dtype=np.int64)
    for j, r in enumerate(reps):
        fs, rows_s, fb, rows_b, alone = _pairs(people, name, baseline, r)
        help_all = fs["help"].to_numpy(np.int64)
        left_out[:, j] = (((help_all[None, :] & bits[:, None]) != 0) & alone[None, :]).sum(axis=1)
        # Only the helped matter: the few, not the whole population.
        helped = help_all[rows_s] != 0
        rows_s, rows_b = rows_s[helped], rows_b[helped] if rows_b is not None else None
        members, values_s = _matrices(fs, rows_s)
        values_b = _matrices(fb, rows_b)[1] if fb is not None else None
        reached = ((help_all[rows_s][None, :] & bits[:, None]) != 0).astype(np.float64)  # kinds x people
        # (kinds x groups) x people, then one product per run: sums over those reached in each group.
        selected = (reached[:, None, :] * members[None, :, :]).reshape(n_kinds * n_groups, -1)
        n[..., j] = selected.sum(axis=1).reshape(n_kinds, n_groups)[:, :, None]
        sum_s[..., j] = (selected @ values_s).reshape(n_kinds, n_groups, n_outcomes)
        if values_b is not None:
            sum_b[..., j] = (selected @ values_b).reshape(n_kinds, n_groups, n_outcomes)
    rows = n_kinds * n_groups * n_outcomes
    n, sum_s, sum_b = (a.reshape(rows, len(reps)) for a in (n, sum_s, sum_b))
    with np.errstate(all="ignore"):
        mean_s = np.where(n > 0, sum_s / n, np.nan)
        mean_b = np.where(n > 0, sum_b / n, np.nan)
    nobody = ~(n > 0).any(axis=1)
    kind_names = np.repeat(list(kinds), n_groups * n_outcomes)
    groups = np.tile(np.repeat(GROUP_NAMES, n_outcomes), n_kinds)
    outcomes = np.tile([o for o, _, _ in OUTCOMES], n_kinds * n_groups)
    reached_mean = n.mean(axis=1)
    block = {
        "scenario": np.full(rows, name, dtype=object),
        "help": kind_names,
        "group": groups,
        "outcome": outcomes,
        "outcome_label": np.array([OUTCOME_LABELS[o] for o in outcomes], dtype=object),
        "reached": reached_mean,
        "scenario_rate": np.where(nobody, np.nan, _row_means(mean_s)),
        "replicates": np.full(rows, len(reps)),
    }
    nobody_note = np.where(nobody, "reached nobody", "")
    if baseline is None:
        block["note"] = _notes(nobody_note, np.full(rows, "no baseline: levels only"))
        return pd.DataFrame(block)
    effect_r = mean_s - mean_b
    # Nobody reached in any replicate: the effect on them is exactly zero, not undefined.
    effect_r[nobody] = 0.0
    iv = paired_intervals(effect_r, draws)
    extra = (sum_s - sum_b).mean(axis=1)
    gain = np.array([OUTCOME_SIGN[o] for o in outcomes]) * extra
    with np.errstate(all="ignore"):
        per_extra = np.where(gain > 0, reached_mean / gain, np.nan)
    block.update(
        {
            "baseline_rate": np.where(nobody, np.nan, _row_means(mean_b)),
            "effect": iv.mean,
            "effect_ci_low": iv.ci_low,
            "effect_ci_high": iv.ci_high,
            "effect_pi_low": iv.pi_low,
            "effect_pi_high": iv.pi_high,
            "extra_people": extra,
            "reached_per_extra": per_extra,
        }
    )
    few = np.where(
        ~nobody & (iv.count < 2), "intervals need at least two replicates that reached someone", ""
    )
    no_gain = np.where(~nobody & ~(gain > 0), "no gain: no number to reach", "")
    alone = np.repeat(left_out.mean(axis=1), n_groups * n_outcomes)
    absent = np.array(
        [
            f"{a:.1f} reached per replicate not in the baseline run (newcomers whose arrival differs) left out"
            if a > 0 and g == ALL[0]
            else ""
            for a, g in zip(alone, groups, strict=True)
        ],
        dtype=object,
    )
    block["note"] = _notes(nobody_note, few, no_gain, absent)
    return pd.DataFrame(block)


def _reached_over_time(
    people: Runs, name: str, baseline: str | None, reps: list[int], kinds: dict[str, int]
) -> list[dict]:
    """Outcomes that are states, at every snapshot week, of everyone reached by the horizon."""
    weeks = snapshot_weeks(people[(name, reps[0])])
    bits = np.array(list(kinds.values()), dtype=np.int64)
    shape = (len(kinds), len(weeks), len(STATE_OUTCOMES), len(reps))
    sum_s, sum_b, n = np.zeros(shape), np.zeros(shape), np.zeros(shape)

    def states(frame: pd.DataFrame, rows: np.ndarray, week: int) -> np.ndarray:
        out = state_outcomes(
            _column(frame, f"status_w{week}", rows), week - _column(frame, "birth_week", rows)
        )
        return np.column_stack([out[o] for o in STATE_OUTCOMES])  # people x outcomes

    for j, r in enumerate(reps):
        fs, rows_s, fb, rows_b, _ = _pairs(people, name, baseline, r)
        help_all = fs["help"].to_numpy(np.int64)
        helped = help_all[rows_s] != 0
        rows_s, rows_b = rows_s[helped], rows_b[helped] if rows_b is not None else None
        reached = ((help_all[rows_s][None, :] & bits[:, None]) != 0).astype(np.float64)  # kinds x people
        n[..., j] = reached.sum(axis=1)[:, None, None]
        for t, week in enumerate(weeks):
            sum_s[:, t, :, j] = reached @ states(fs, rows_s, week)
            if fb is not None:
                sum_b[:, t, :, j] = reached @ states(fb, rows_b, week)
    rows = []
    with np.errstate(all="ignore"):
        mean_s = np.where(n > 0, sum_s / n, np.nan)
        mean_b = np.where(n > 0, sum_b / n, np.nan)
    for kk, k in enumerate(kinds):
        for t, week in enumerate(weeks):
            for oo, o in enumerate(STATE_OUTCOMES):
                reached_any = n[kk, t, oo] > 0
                s, b = mean_s[kk, t, oo], mean_b[kk, t, oo]
                row = {"scenario": name, "help": k, "week": week, "outcome": o}
                if reached_any.any():
                    row["scenario_rate"] = np.nanmean(s)
                    if baseline is not None:
                        row["baseline_rate"] = np.nanmean(b)
                        row["effect"] = np.nanmean(s - b)
                elif baseline is not None:
                    row["effect"] = 0.0
                rows.append(row)
    return rows


# -- for headlines ---------------------------------------------------------------------------


def gains_most(groups: pd.DataFrame, scenario: str, outcome: str = "job") -> pd.Series | None:
    """The row of groups.csv of the group (not everyone) whose rate of ``outcome`` gained most.

    Gains are per member (``rate_diff_mean`` times the outcome's sign), so a large group does not
    win by its size; None when the scenario has no compared group with members.
    """
    rows = groups[
        (groups["scenario"] == scenario)
        & (groups["outcome"] == outcome)
        & (groups["group"] != ALL[0])
        & (groups["group_size"] > 0)
    ]
    rows = rows[rows["rate_diff_mean"].notna()]
    if rows.empty:
        return None
    return rows.loc[(OUTCOME_SIGN[outcome] * rows["rate_diff_mean"]).idxmax()]


def effect_on_reached(
    reached: pd.DataFrame, scenario: str, outcome: str = "job", help_kind: str = "design", group: str = "all"
) -> pd.Series | None:
    """The row of reached.csv for a scenario's help, group and outcome (None when absent)."""
    rows = reached[
        (reached["scenario"] == scenario)
        & (reached["help"] == help_kind)
        & (reached["group"] == group)
        & (reached["outcome"] == outcome)
    ]
    return None if rows.empty else rows.iloc[0]
