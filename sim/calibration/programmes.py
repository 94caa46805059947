"""Gross and net outcomes of a programme template's participants (docs/ODD.md 1.2, 7.12).

Reports count *gross* outcomes: of the residents a programme reached, how many got a job, kept
their education or completed. The literature measures *net* effects: the outcome of the treated
against the same people without the programme. Every random draw of a resident is keyed by who
they are (common random numbers), so a programme template and its baseline run on the same seed
contain the same people with the same luck. For the residents the template's effort reached
(its *participants*) this module computes, per replicate:

* gross: their outcome in the template run (what a report would count);
* baseline: the same persons' outcome in the baseline run, matched by ``person_key`` (rows may
  differ for newcomers, whose rows depend on how many moved in before them);
* net: gross minus baseline, the effect on the treated, with a paired interval over replicates.

The baseline of a template is ``scenarios/baseline.toml`` with the template's area, population and
simulation settings (the template must extend it): every key the template's own files set, other
than those, is reset to the baseline's value, and keys neither sets keep the template's values (the
fitted parameters, or a calibration candidate's). Both runs must start from identical populations;
otherwise the comparison is refused.

Participants are the mentees of the template's pools (the relation log) and, where the model keeps
one, the residents its placement brokering tried to place (``model.placement_log``). A template's
pools are the pools that appear in its run but are neither enabled in the baseline scenario nor seen
in the baseline run, so the jobcentre's own mentors are business as usual.

Outcomes are read at the end of contact (the week after the participant's last relation ended or
last placement attempt), during contact (ever between first contact and its end), and at fixed
weeks after first contact. Participants who move out are followed when they belong to the start
cohort (the model keeps simulating them); newcomers who move away again are no longer simulated
and are counted as ``lost`` (moved away, not followed), never in a status. A reading that falls
beyond the horizon, or a contact still open at the horizon, leaves the participant out of that
reading.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.engine.population import FIELDS
from sim.engine.runtime import paused_gc
from sim.engine.states import Status
from sim.engine.units import WEEKS_PER_YEAR
from sim.inputs.errors import InputError
from sim.inputs.loader import flat_keys, load_scenario, read_toml, resolve_chain, with_overrides
from sim.inputs.overrides import apply_overrides, check_key, get_value
from sim.runs.runner import RunSpec, read_records, run_replicate, worker_pool
from sim.runs.summary import mean_interval
from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.model import HousingAreaModel

BASELINE_FILE = Path(__file__).resolve().parent.parent.parent / "scenarios" / "baseline.toml"
PROGRAMMES_DIR = BASELINE_FILE.parent / "programmes"

# Sections a template shares with its baseline so the people are the same.
SHARED_PREFIXES = ("simulation.", "population.")
SHARED_KEYS = ("name", "description", "area")
# Population fields that describe who a resident is (the rest is the efforts' bookkeeping).
BOOKKEEPING = ("mentor_", "relation_", "waiting_", "match_quality", "next_contact", "assessed", "events")

FOLLOW_WEEKS = (26, 52, 104)
MEASURES = ("gross", "baseline", "net")

# Per-week outcome code: the status (0..8), plus MOVED when out of the area, or LOST when a
# newcomer has moved away again (no longer simulated, so no status).
MOVED = 16
LOST = 64
ABSENT = -1  # no row yet (a newcomer before arrival)

_WORK = (int(Status.EMPLOYED), int(Status.SUBSIDISED))
_UNEMPLOYED = (int(Status.UNEMPLOYED_READY), int(Status.UNEMPLOYED_FAR))
_INACTIVE = (int(Status.INACTIVE), int(Status.RETIRED))
_ENGAGED = (*_WORK, int(Status.EDUCATION))

# Status-based outcomes: the share of participants followed and in one of these statuses.
STATUS_OUTCOMES: dict[str, tuple[int, ...]] = {
    "job": (int(Status.EMPLOYED),),
    "subsidised": (int(Status.SUBSIDISED),),
    "any_work": _WORK,
    "internship": (int(Status.INTERNSHIP),),
    "course": (int(Status.ACTIVATION),),
    "education": (int(Status.EDUCATION),),
    "unemployed": _UNEMPLOYED,
    "inactive": _INACTIVE,
    "engaged": _ENGAGED,
}
OUTCOMES = (
    *STATUS_OUTCOMES,
    "moved_out",
    "lost",
    "dropout",
    "kept_education",
    "completed",
    "contact_weeks",
)
OUTCOME_LABELS = {
    "job": "ordinary job",
    "subsidised": "wage subsidy",
    "any_work": "any work (incl. subsidised)",
    "internship": "internship",
    "course": "course",
    "education": "in education",
    "unemployed": "unemployed",
    "inactive": "inactive or retired",
    "engaged": "in work or education",
    "moved_out": "moved out",
    "lost": "moved away, not followed",
    "dropout": "dropped out since first contact",
    "kept_education": "kept in education (of those enrolled at first contact)",
    "completed": "completed a relation (gross only)",
    "contact_weeks": "weeks from first contact to its end (gross only, in weeks)",
}
GROSS_ONLY = ("completed", "contact_weeks")


def point_name(at: str | int) -> str:
    """Column label of a reading: ``end``, ``ever`` or ``<weeks>w``."""
    return at if isinstance(at, str) else f"{int(at)}w"


# -------------------------------------------------------------------------------------------
# The paired baseline
# -------------------------------------------------------------------------------------------


def _layer_keys(chain: Sequence[Path]) -> set[str]:
    keys: set[str] = set()
    for layer in chain:
        keys |= flat_keys(read_toml(layer))
    return keys


def baseline_resets(
    template_file: str | Path, template: Scenario, baseline_file: str | Path = BASELINE_FILE
) -> dict[str, Any]:
    """Key paths (and baseline values) that turn a loaded template into its paired baseline.

    Args:
        template_file: The template's scenario file; its ``extends`` chain must reach ``baseline_file``.
        template: The template as it will be run (size, horizon and any overrides already set).
        baseline_file: The baseline scenario file.

    Raises:
        InputError: when the template does not extend the baseline.
    """
    template_file, baseline_file = Path(template_file), Path(baseline_file).resolve()
    _, chain = resolve_chain(template_file)
    resolved = [p.resolve() for p in chain]
    if baseline_file not in resolved:
        raise InputError(
            f"{template_file}: extends = {chain[1].name if len(chain) > 1 else ''!r}: a programme template "
            f"must extend {baseline_file.name} so its participants can be compared with the baseline"
        )
    own = _layer_keys(chain[: resolved.index(baseline_file)])
    keys = sorted(
        k for k in own if not check_key(k) and k not in SHARED_KEYS and not k.startswith(SHARED_PREFIXES)
    )
    base = load_scenario(baseline_file)
    if base.simulation.residents != template.simulation.residents and not base.population.residents_csv:
        base = with_overrides(base, residents=template.simulation.residents)
    return {k: get_value(base, k) for k in keys}


def paired_baseline(template: Scenario, resets: dict[str, Any]) -> Scenario:
    """The template with its own effort keys reset to the baseline's values."""
    scenario = apply_overrides(template, resets, "paired baseline")
    return scenario.model_copy(update={"name": f"{template.name} (baseline)"})


def load_pair(
    template_file: str | Path,
    residents: int | None = None,
    years: int | None = None,
    baseline_file: str | Path = BASELINE_FILE,
) -> tuple[Scenario, Scenario]:
    """Load a programme template and its paired baseline at the given size and horizon."""
    template = load_scenario(template_file)
    if residents or years:
        template = with_overrides(template, residents=residents, years=years)
    return template, paired_baseline(template, baseline_resets(template_file, template, baseline_file))


# -------------------------------------------------------------------------------------------
# One run, recorded week by week
# -------------------------------------------------------------------------------------------


@dataclass
class RunRecord:
    """What one run leaves for the comparison: who is who, and each resident's outcome code by week.

    Attributes:
        start_digest: Hash of the start population (who the residents are), to check pairing.
        person_key: Identity of each row.
        birth_week: Birth week of each row.
        codes: (weeks + 1, rows) outcome code at the start of each week (see :data:`MOVED`).
        dropouts: (weeks + 1, rows) dropouts so far.
        contacts: Per contact of an effort: row, pool, start week, end week (-1: open at the
            horizon), completed (relations that reached their planned length).
    """

    start_digest: str
    person_key: np.ndarray
    birth_week: np.ndarray
    codes: np.ndarray
    dropouts: np.ndarray
    contacts: pd.DataFrame
    pools: set[str] = field(default_factory=set)

    @property
    def horizon(self) -> int:
        """Weeks run."""
        return self.codes.shape[0] - 1


def start_digest(model: HousingAreaModel) -> str:
    """Hash of the attributes that say who the start residents are (not the efforts' bookkeeping)."""
    pop = model.population
    digest = hashlib.sha256()
    for name in sorted(FIELDS):
        if not name.startswith(BOOKKEEPING):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(pop.view(name)).tobytes())
    return digest.hexdigest()


def _codes(model: HousingAreaModel) -> tuple[np.ndarray, np.ndarray]:
    pop = model.population
    status = pop.view("status").astype(np.int8)
    away = pop.view("in_area") == 0
    code = status + np.where(away, MOVED, 0).astype(np.int8)
    code = np.where(away & (pop.view("cohort") == 0), LOST, code).astype(np.int8)
    return code, pop.view("prior_dropouts").astype(np.int8)


def _contacts(model: HousingAreaModel) -> pd.DataFrame:
    """Every contact of any effort: relations (relation log) and placement attempts (placement log)."""
    columns = ["row", "pool", "start_week", "end_week", "completed"]
    parts = []
    log = model.relation_log
    if log is not None:
        rel = log.frame()
        if not rel.empty:
            parts.append(
                pd.DataFrame(
                    {
                        "row": rel["row"].astype(np.int64),
                        "pool": rel["pool"].astype(str),
                        "start_week": rel["start_week"].astype(np.int64),
                        "end_week": rel["end_week"].astype(np.int64),
                        "completed": rel["end_reason"] == "completed",
                    }
                )
            )
    placements = getattr(model, "placement_log", None)
    if placements is not None:
        frame = placements.frame() if hasattr(placements, "frame") else pd.DataFrame(placements)
        if not frame.empty:
            week = frame["week"].astype(np.int64)
            parts.append(
                pd.DataFrame(
                    {
                        "row": frame["row"].astype(np.int64),
                        "pool": frame["pool"].astype(str),
                        "start_week": week,
                        "end_week": week + 1,
                        "completed": False,
                    }
                )
            )
    if not parts:
        return pd.DataFrame(
            {
                c: pd.Series(dtype=t)
                for c, t in zip(columns, ("int64", "str", "int64", "int64", "bool"), strict=True)
            }
        )
    return pd.concat(parts, ignore_index=True)[columns]


def record_run(model: HousingAreaModel, pools_of: Callable[[Scenario], set[str]] | None = None) -> RunRecord:
    """Run a model to its horizon, keeping each resident's outcome code at the start of every week."""
    digest = start_digest(model)
    codes, dropouts = [], []
    code, drop = _codes(model)
    codes.append(code.copy())
    dropouts.append(drop.copy())
    with paused_gc():
        while model.week < model.horizon_weeks:
            model.step()
            code, drop = _codes(model)
            codes.append(code.copy())
            dropouts.append(drop.copy())
    n = model.population.n_used
    code_matrix = np.full((len(codes), n), ABSENT, dtype=np.int8)
    drop_matrix = np.zeros((len(codes), n), dtype=np.int8)
    for k, (c, d) in enumerate(zip(codes, dropouts, strict=True)):
        code_matrix[k, : c.size] = c
        drop_matrix[k, : d.size] = d
    contacts = _contacts(model)
    return RunRecord(
        start_digest=digest,
        person_key=model.population.view("person_key").copy(),
        birth_week=model.population.view("birth_week").astype(np.int64),
        codes=code_matrix,
        dropouts=drop_matrix,
        contacts=contacts,
        pools=set(contacts["pool"].unique().tolist()),
    )


def _record(model: HousingAreaModel) -> RunRecord:
    return record_run(model)


def enabled_pools(scenario: Scenario) -> set[str]:
    """Mentor pools a scenario's settings enable (as :class:`~sim.model.HousingAreaModel` builds them)."""
    pools = set()
    if scenario.volunteer_corps.enabled:
        pools.add("volunteer_corps")
    if scenario.professional_mentors.mentors > 0:
        pools.add("social_mentors")
    if scenario.business_mentors.firms > 0:
        pools.add("business_mentors")
    if scenario.jobcentre.mentor_support_mentors > 0:
        pools.add("jobcentre_mentors")
    return pools


# -------------------------------------------------------------------------------------------
# Participants and their outcomes, template against baseline
# -------------------------------------------------------------------------------------------


def participants(record: RunRecord, pools: set[str]) -> pd.DataFrame:
    """One row per resident the given pools reached: first contact, end of contact, completed."""
    c = record.contacts[record.contacts["pool"].isin(sorted(pools))]
    if c.empty:
        return pd.DataFrame(
            {
                "row": pd.Series(dtype="int64"),
                "first_week": pd.Series(dtype="int64"),
                "end_week": pd.Series(dtype="int64"),
                "completed": pd.Series(dtype="bool"),
            }
        )
    c = c.assign(open=c["end_week"] < 0)
    grouped = c.groupby("row", sort=True)
    out = pd.DataFrame(
        {
            "first_week": grouped["start_week"].min(),
            "end_week": grouped["end_week"].max(),
            "open": grouped["open"].any(),
            "completed": grouped["completed"].any(),
        }
    ).reset_index()
    out.loc[out["open"], "end_week"] = -1  # still in contact at the horizon
    return out.drop(columns="open").astype({"row": np.int64, "first_week": np.int64, "end_week": np.int64})


def match_rows(template: RunRecord, baseline: RunRecord, rows: np.ndarray) -> np.ndarray:
    """Baseline rows of the persons in template ``rows`` (by ``person_key``); -1 where absent."""
    keys = template.person_key[rows]
    order = np.argsort(baseline.person_key, kind="stable")
    sorted_keys = baseline.person_key[order]
    pos = np.searchsorted(sorted_keys, keys)
    pos = np.minimum(pos, max(sorted_keys.size - 1, 0))
    found = sorted_keys.size > 0
    hit = (sorted_keys[pos] == keys) if found else np.zeros(keys.size, dtype=bool)
    return np.where(hit, order[pos] if found else -1, -1).astype(np.int64)


def _reading_weeks(people: pd.DataFrame, at: str | int, horizon: int) -> np.ndarray:
    """Week of each participant's reading; -1 where it cannot be read (open contact, past horizon)."""
    first = people["first_week"].to_numpy()
    end = people["end_week"].to_numpy()
    if at in ("end", "ever"):
        week = end.copy()
    else:
        week = first + int(at)
    week[(week < 0) | (week > horizon)] = -1
    return week


def status_of(codes: np.ndarray) -> np.ndarray:
    """The status in outcome codes; -1 where the resident is not followed (moved away, a newcomer)."""
    return np.where(codes == LOST, -1, codes % MOVED)


def _indicator(outcome: str, codes: np.ndarray, drop_now: np.ndarray, drop_first: np.ndarray) -> np.ndarray:
    if outcome in STATUS_OUTCOMES:
        return np.isin(status_of(codes), STATUS_OUTCOMES[outcome])
    if outcome == "moved_out":
        return codes >= MOVED
    if outcome == "lost":
        return codes == LOST
    if outcome == "dropout":
        return drop_now > drop_first
    if outcome == "kept_education":
        return drop_now == drop_first
    raise ValueError(f"unknown outcome {outcome!r}")


def _ever(
    record: RunRecord, rows: np.ndarray, first: np.ndarray, last: np.ndarray, outcome: str
) -> np.ndarray:
    """Whether each participant was ever in the outcome between first contact and ``last`` (inclusive)."""
    out = np.zeros(rows.size, dtype=bool)
    for k, (row, a, b) in enumerate(zip(rows.tolist(), first.tolist(), last.tolist(), strict=True)):
        codes = record.codes[a : b + 1, row]
        drops = record.dropouts[a : b + 1, row]
        out[k] = bool(_indicator(outcome, codes, drops, np.full(drops.shape, record.dropouts[a, row])).any())
    return out


def person_outcomes(
    template: RunRecord,
    baseline: RunRecord,
    people: pd.DataFrame,
    points: Sequence[str | int],
    outcomes: Sequence[str] = OUTCOMES,
) -> pd.DataFrame:
    """Per participant and reading: the outcome in the template run and in the baseline run.

    Columns: ``row``, ``baseline_row`` (-1 where the person is not in the baseline run),
    ``first_week``, ``end_week``, ``age_weeks`` and ``status_at_first`` (at first contact, template
    run), ``completed``, and for every reading and outcome ``<point>:<outcome>:gross`` and
    ``<point>:<outcome>:baseline`` (1.0, 0.0, or NaN where it cannot be read).
    """
    rows = people["row"].to_numpy(dtype=np.int64)
    brow = match_rows(template, baseline, rows)
    first = people["first_week"].to_numpy(dtype=np.int64)
    out = {
        "row": rows,
        "person_key": template.person_key[rows] if rows.size else np.empty(0, dtype=np.int64),
        "baseline_row": brow,
        "first_week": first,
        "end_week": people["end_week"].to_numpy(dtype=np.int64),
        "age_weeks": first - template.birth_week[rows] if rows.size else np.empty(0, dtype=np.int64),
        "status_at_first": template.codes[first, rows] if rows.size else np.empty(0, dtype=np.int8),
        "completed": people["completed"].to_numpy(dtype=bool),
    }
    matched = brow >= 0
    enrolled = status_of(out["status_at_first"]) == int(Status.EDUCATION)
    for at in points:
        week = _reading_weeks(people, at, min(template.horizon, baseline.horizon))
        ok = week >= 0
        for outcome in outcomes:
            gross = np.full(rows.size, np.nan)
            base = np.full(rows.size, np.nan)
            if outcome == "completed":
                gross[ok] = out["completed"][ok]
            elif outcome == "contact_weeks":
                ended = out["end_week"] >= 0
                gross[ended] = (out["end_week"] - first)[ended]
            else:
                for values, record, r, usable in (
                    (gross, template, rows, ok),
                    (base, baseline, brow, ok & matched),
                ):
                    if not usable.any():
                        continue
                    rr, ww, ff = r[usable], week[usable], first[usable]
                    if at == "ever":
                        values[usable] = _ever(record, rr, ff, ww, outcome)
                    else:
                        values[usable] = _indicator(
                            outcome, record.codes[ww, rr], record.dropouts[ww, rr], record.dropouts[ff, rr]
                        )
                if outcome == "kept_education":
                    gross[~enrolled] = np.nan
                    base[~enrolled] = np.nan
            out[f"{point_name(at)}:{outcome}:gross"] = gross
            out[f"{point_name(at)}:{outcome}:baseline"] = base
    return pd.DataFrame(out)


# -------------------------------------------------------------------------------------------
# A replicate: template and baseline on one seed
# -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairedSpec:
    """One replicate of a template and its paired baseline (same seed, same start residents)."""

    template: RunSpec
    baseline: RunSpec
    points: tuple[str | int, ...] = ("end", "ever", *FOLLOW_WEEKS)
    outcomes: tuple[str, ...] = OUTCOMES
    pools: tuple[str, ...] | None = None


_CACHE: dict[tuple[str, str, int], tuple[RunRecord, RunRecord]] = {}
_CACHE_SIZE = 4


def _records(template: RunSpec, baseline: RunSpec) -> tuple[RunRecord, RunRecord]:
    """Both runs of a replicate, kept for the next few calls in this process.

    Several targets read different outcomes of the same pair of runs (the Jobexpres mix), so a
    worker that gets them one after another runs the pair once. The key is the full scenarios and
    the seed, so a cached pair is the pair that would be run.
    """
    key = (template.scenario.model_dump_json(), baseline.scenario.model_dump_json(), int(template.seed))
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (
            run_replicate(template, _record, create_resident_agents=False, log_relations=True),
            run_replicate(baseline, _record, create_resident_agents=False, log_relations=True),
        )
    return _CACHE[key]


def paired_replicate(spec: PairedSpec) -> pd.DataFrame:
    """Run the template and its baseline on one seed; return the participants' outcomes.

    Raises:
        InputError: when the two runs do not start from the same residents.
    """
    t, b = _records(spec.template, spec.baseline)
    if t.start_digest != b.start_digest:
        raise InputError(
            f"{spec.template.scenario.name}: the template and its baseline start from different "
            "residents (population or simulation settings differ); gross and net need the same people"
        )
    if spec.pools is not None:
        pools = set(spec.pools)
    else:
        pools = t.pools - b.pools - enabled_pools(spec.baseline.scenario)
    people = participants(t, pools)
    frame = person_outcomes(t, b, people, spec.points, spec.outcomes)
    frame.insert(0, "replicate", spec.template.replicate)
    frame.attrs["pools"] = sorted(pools)
    return frame


def paired_specs(
    template: Scenario,
    baseline: Scenario,
    seeds: Sequence[int],
    points: Sequence[str | int] = ("end", "ever", *FOLLOW_WEEKS),
    pools: Sequence[str] | None = None,
) -> list[PairedSpec]:
    """One :class:`PairedSpec` per replicate seed."""
    t_records, b_records = read_records(template), read_records(baseline)
    return [
        PairedSpec(
            RunSpec(template, r, seed, t_records),
            RunSpec(baseline, r, seed, b_records),
            tuple(points),
            pools=tuple(pools) if pools is not None else None,
        )
        for r, seed in enumerate(seeds)
    ]


# -------------------------------------------------------------------------------------------
# Shares per replicate and over replicates
# -------------------------------------------------------------------------------------------


def select(frame: pd.DataFrame, min_age: float | None = None, max_age: float | None = None) -> pd.DataFrame:
    """Participants aged ``min_age``..``max_age`` (years, inclusive) at first contact."""
    age = frame["age_weeks"] / WEEKS_PER_YEAR
    keep = np.ones(len(frame), dtype=bool)
    if min_age is not None:
        keep &= age.to_numpy() >= min_age
    if max_age is not None:
        keep &= age.to_numpy() < max_age + 1
    return frame[keep]


def share(frame: pd.DataFrame, at: str | int, outcome: str, measure: str) -> float:
    """One replicate's share (gross, baseline) or difference (net) over matched participants.

    Gross, baseline and net are all taken over the participants found in both runs and readable at
    that point, so net is exactly gross minus baseline. With no participants at all, net is 0 (no
    one was treated, so nothing changed) and gross and baseline are undefined (NaN).
    """
    name = f"{point_name(at)}:{outcome}"
    if frame.empty:
        return 0.0 if measure == "net" else float("nan")
    gross = frame[f"{name}:gross"].to_numpy(dtype=float)
    base = frame[f"{name}:baseline"].to_numpy(dtype=float)
    if outcome in GROSS_ONLY:
        usable = np.isfinite(gross)
        if measure != "gross":
            return float("nan")
        return float(gross[usable].mean()) if usable.any() else float("nan")
    usable = np.isfinite(gross) & np.isfinite(base)
    if not usable.any():
        return float("nan")
    g, b = float(gross[usable].mean()), float(base[usable].mean())
    if measure == "gross":
        return g
    if measure == "baseline":
        return b
    if measure == "net":
        return g - b
    if measure == "d":
        # Standardised difference of a binary outcome, pooled over both runs (as the paired trials).
        pooled = 0.5 * (g + b)
        sd = math.sqrt(pooled * (1.0 - pooled))
        return (g - b) / sd if sd > 0 else 0.0 if g == b else float("nan")
    raise ValueError(f"unknown measure {measure!r}")


def summarise(
    frames: Sequence[pd.DataFrame],
    points: Sequence[str | int],
    outcomes: Sequence[str] = OUTCOMES,
) -> pd.DataFrame:
    """Per reading and outcome: participants, gross, baseline and net with 95 % intervals over replicates."""
    rows = []
    n_participants = np.array([len(f) for f in frames], dtype=float)
    n_matched = np.array([int((f["baseline_row"] >= 0).sum()) if len(f) else 0 for f in frames], dtype=float)
    for at in points:
        for outcome in outcomes:
            row: dict[str, Any] = {
                "at": point_name(at),
                "outcome": outcome,
                "participants": float(n_participants.mean()) if frames else 0.0,
                "matched": float(n_matched.mean()) if frames else 0.0,
            }
            name = f"{point_name(at)}:{outcome}:gross"
            readable = [
                float(np.isfinite(f[name].to_numpy(dtype=float)).sum()) if len(f) else 0.0 for f in frames
            ]
            row["readable"] = float(np.mean(readable)) if readable else 0.0
            notes = []
            for measure in MEASURES:
                values = np.array([share(f, at, outcome, measure) for f in frames], dtype=float)
                mean, lo, hi = mean_interval(values)
                row[measure], row[f"{measure}_lo"], row[f"{measure}_hi"] = mean, lo, hi
                if measure == "gross":
                    missing = int((~np.isfinite(values)).sum())
                    if missing:
                        notes.append(
                            f"undefined in {missing} of {values.size} replicates "
                            "(no participant readable at this point)"
                        )
                    elif values.size == 1:
                        notes.append("interval needs at least two replicates")
            if outcome in GROSS_ONLY:
                notes.append("gross only")
            row["note"] = "; ".join(notes)
            rows.append(row)
    return pd.DataFrame(rows)


def run_pairs(
    specs: Sequence[PairedSpec], workers: int = 1, on_done: Callable[[], None] | None = None
) -> list[pd.DataFrame]:
    """Run paired replicates (in this process or a pool of workers), in replicate order."""
    if workers <= 1 or len(specs) <= 1:
        out = []
        for s in specs:
            out.append(paired_replicate(s))
            if on_done:
                on_done()
        return out
    with worker_pool(min(workers, len(specs))) as pool:
        futures = [pool.submit(paired_replicate, s) for s in specs]
        out = []
        for f in futures:
            out.append(f.result())
            if on_done:
                on_done()
        return out


def programme_table(
    templates: Sequence[Path],
    seeds: Sequence[int],
    residents: int | None = None,
    years: int | None = None,
    workers: int = 1,
    points: Sequence[str | int] = ("end", *FOLLOW_WEEKS),
    on_done: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Gross, baseline and net outcomes of every template's participants, side by side.

    Returns:
        One row per (template, reading, outcome) with the columns of :func:`summarise`, the
        template's name and file stem and the pools its participants came from.
    """
    specs: list[PairedSpec] = []
    owners: list[str] = []
    for path in templates:
        template, baseline = load_pair(path, residents, years)
        made = paired_specs(template, baseline, seeds, points)
        specs += made
        owners += [Path(path).stem] * len(made)
    frames = run_pairs(specs, workers, on_done)
    tables = []
    for path in templates:
        stem = Path(path).stem
        mine = [f for f, o in zip(frames, owners, strict=True) if o == stem]
        table = summarise(mine, points)
        pools = sorted({p for f in mine for p in f.attrs.get("pools", [])})
        table.insert(0, "template", stem)
        table.insert(1, "pools", " ".join(pools))
        tables.append(table)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
