"""Command line: ``python run_sim.py [run|compare] ...`` (typer, rich progress bars).

With no command, every bundled scenario is compared against the baseline. Bad input (a missing
file, a misspelt key, a value out of range) prints one line naming the file, the key, the value
and what is allowed, and exits with code 2 without writing anything.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from sim.calibration.targets import FITTED_FILE, PARAMETERS_FILE, TARGETS_FILE
from sim.inputs.comparable import check_comparable
from sim.inputs.errors import InputError, one_line
from sim.inputs.loader import load_scenario, with_overrides
from sim.inputs.overrides import (
    PLANNER_EFFORT,
    PLANNER_OPTIONS,
    has_effort,
    planner_overrides,
    planner_targets,
)
from sim.inputs.overrides import (
    as_planned as on_plan,
)
from sim.runs.folders import derived_folder
from sim.runs.progress import progress_bar
from sim.scenario import Scenario

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
DEFAULT_OUT = Path("outputs")
BASELINE_FILE = "baseline.toml"
MAX_DOSE_WEEKS = 520  # the longest planned relation the schema allows (planned_weeks of a mentor kind)
MAX_DOSE_HOURS = 40.0  # the most weekly hours the schema allows a mentor (hours_per_week)


class OneLineErrors(TyperGroup):
    """Command-line usage errors (a value that is not a number, an unknown option) in one line, exit 2."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):  # noqa: D102 (click's own)
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except typer.TyperException as exc:  # typer's usage errors (its own copy of click's)
            message = one_line(" ".join(exc.format_message().split()))
            errors.print(f"error: command line: {message}", markup=False)
            sys.exit(exc.exit_code)
        except typer.Abort:
            errors.print("error: aborted", markup=False)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=OneLineErrors,
    add_completion=False,
    no_args_is_help=False,
    invoke_without_command=True,
    help="Simulate employment and education interventions in a disadvantaged housing area.",
)
# Wide enough for the headline table when output goes to a file or a narrow pipe.
# Names and paths are the user's: printed literally (no rich markup, no :emoji: codes).
console = Console(width=None if sys.stdout.isatty() else 150, markup=False, emoji=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)

ResidentsOpt = Annotated[
    int | None,
    typer.Option(
        "--residents",
        "-n",
        help="Residents aged 14-64 at the start (capacities scale in proportion).",
    ),
]
YearsOpt = Annotated[int | None, typer.Option("--years", "-y", help="Horizon in years.")]
ReplicatesOpt = Annotated[int | None, typer.Option("--replicates", "-r", help="Replicates per scenario.")]
SeedOpt = Annotated[int | None, typer.Option("--seed", "-s", help="Base seed of the replicates.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default outputs/<name>).")]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", "-w", min=1, help="Worker processes (default: one per core).")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an existing output folder.")]
AreaOpt = Annotated[
    Path | None,
    typer.Option(
        "--area",
        "-a",
        help="Area profile (TOML) to use instead of the scenarios' own, e.g. areas/national_2013.toml.",
    ),
]
ParametersOpt = Annotated[
    str | None,
    typer.Option(
        "--parameters",
        help="Parameter values: 'fitted' (the installed calibration) or 'posterior' (pairs of replicates "
        "share a parameter set drawn from calibration/posterior.csv). Default: posterior when it exists "
        "and matches the calibration, else fitted.",
    ),
]
CsvOpt = Annotated[
    Path | None,
    typer.Option(
        "--residents-csv",
        help="Start from these residents (CSV of individual records, docs/residents_csv.md).",
    ),
]


NOT_BASELINE = "Applied to every scenario but the baseline"
SocialMentorsOpt = Annotated[
    int | None,
    typer.Option(
        "--social-mentors",
        help=f"Professional social mentors (professional_mentors.mentors). {NOT_BASELINE}, "
        "where it has social mentors.",
    ),
]
CoordinatorHoursOpt = Annotated[
    float | None,
    typer.Option(
        "--coordinator-hours",
        help="Volunteer coordinator's hours a week (volunteer_corps.coordinator_hours_per_week). "
        f"{NOT_BASELINE}, where it has a volunteer corps.",
    ),
]
VolunteersOpt = Annotated[
    int | None,
    typer.Option(
        "--volunteers",
        help="Trained volunteers the corps aims to keep (volunteer_corps.volunteers). "
        f"{NOT_BASELINE}, where it has a volunteer corps.",
    ),
]
JobcentreMentorsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobcentre-mentors",
        help=f"Jobcentre mentors (jobcentre.mentor_support_mentors). {NOT_BASELINE}.",
    ),
]
BusinessFirmsOpt = Annotated[
    int | None,
    typer.Option(
        "--business-firms",
        help=f"Firms in the business-mentor network (business_mentors.firms). {NOT_BASELINE}, "
        "where it has the network.",
    ),
]
EndWeekOpt = Annotated[
    int | None,
    typer.Option(
        "--end-week",
        help="Planned end of every effort (effort.end_week): no new mentees from this week on, "
        f"mentors leave, costs stop. {NOT_BASELINE}.",
    ),
]
GroupsOpt = Annotated[
    str | None,
    typer.Option(
        "--groups",
        help="Comma-separated target groups to report in groups.csv, reached.csv and the headline's "
        "'gains most' (everyone is always kept); default: every group.",
    ),
]
AsPlannedOpt = Annotated[
    bool,
    typer.Option(
        "--as-planned",
        help="Run every effort on plan: no extra start-up delay, no chance of never starting, no "
        "early end (instead of as such efforts usually go).",
    ),
]


@dataclass(frozen=True)
class PlannerSettings:
    """Planner-level settings of the command line (README 'Planner settings'); None leaves a value be."""

    social_mentors: int | None = None
    coordinator_hours: float | None = None
    volunteers: int | None = None
    jobcentre_mentors: int | None = None
    business_firms: int | None = None
    end_week: int | None = None
    as_planned: bool = False

    def values(self) -> dict[str, float | int | None]:
        """The settings given as numbers, by name (as in :data:`sim.inputs.overrides.PLANNER_KEYS`)."""
        return {name: getattr(self, name) for name in PLANNER_EFFORT}


def _run_options(given: dict[str, Any]) -> RunOptions:
    """The shared options of ``run``, ``compare`` and the default command from their parameters."""
    planner = PlannerSettings(**{f.name: given[f.name] for f in fields(PlannerSettings)})
    shared = {f.name: given[f.name] for f in fields(RunOptions) if f.name in given}
    return RunOptions(**shared, planner=planner)


def _fail(message: str) -> None:
    errors.print(f"error: {one_line(message)}", markup=False)
    raise typer.Exit(code=2)


@dataclass(frozen=True)
class RunOptions:
    """Options every command shares; ``None`` keeps the scenario file's own value."""

    residents: int | None = None
    years: int | None = None
    replicates: int | None = None
    seed: int | None = None
    workers: int | None = None
    force: bool = False
    area: Path | None = None
    residents_csv: Path | None = None
    planner: PlannerSettings = PlannerSettings()
    parameters: str | None = None  # --parameters: fitted, posterior, or None (posterior if it matches)
    groups: str | None = None  # --groups: the target groups reported, or None for all


def _load(paths: list[Path], opts: RunOptions, baseline: str | None = None) -> list[Scenario]:
    # --residents rescales from the capacities as stated, as a size in the file does (one rule).
    # with_overrides validates the other settings against the schema (e.g. years >= 1).
    overrides = {"years": opts.years, "replicates": opts.replicates, "seed": opts.seed}
    scenarios = [
        with_overrides(load_scenario(path, opts.area, opts.residents_csv, opts.residents), **overrides)
        for path in paths
    ]
    names = [s.name for s in scenarios]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise InputError(
            f"{paths[names.index(duplicated[0])]}: name = {duplicated[0]!r}: scenario names must be unique in a comparison"
        )
    scenarios = _planner_settings(scenarios, opts.planner, compared=baseline is not None)
    if baseline is not None:
        check_comparable(scenarios, paths)
    return scenarios


EFFORT_NAMES = {
    "volunteer_corps": "volunteer corps",
    "professional_mentors": "social mentors",
    "business_mentors": "business-mentor network",
    "": "effort",
}


def _planner_settings(scenarios: list[Scenario], planner: PlannerSettings, compared: bool) -> list[Scenario]:
    """Apply --as-planned (every scenario) and the planner settings (every scenario but the baseline).

    A setting that would change no scenario, or --as-planned with no effort anywhere, is refused:
    the run would silently be the one without it.
    """
    designs = scenarios[1:] if compared else scenarios
    for name, value in planner.values().items():
        if value is not None and not any(planner_targets(name, sc) for sc in designs):
            effort = EFFORT_NAMES[PLANNER_EFFORT[name] or ""]
            where = "no scenario besides the baseline has" if compared else "the scenario has no"
            raise InputError(
                f"command line: {PLANNER_OPTIONS[name]} = {value}: {where} {effort}, so the option would "
                "change nothing"
            )
    start = 1 if compared else 0
    scenarios = scenarios[:start] + [planner_overrides(sc, planner.values()) for sc in scenarios[start:]]
    if planner.as_planned:
        if not any(has_effort(sc) for sc in scenarios):
            raise InputError(
                "command line: --as-planned: no scenario in the command has an effort (volunteer corps, "
                "social mentors, business mentors or employment service) to run on plan"
            )
        scenarios = [on_plan(sc) for sc in scenarios]
    return scenarios


def execute(paths: list[Path], baseline: str | None, out: Path, opts: RunOptions) -> None:
    """Load, validate, run, summarise and write; the shared body of every command."""
    # Before the heavy imports: a typo or a mismatched comparison is reported at once.
    scenarios = _load(paths, opts, baseline)
    from sim.runs.people import chosen_groups

    groups_shown = chosen_groups(opts.groups)
    from sim.pipeline import parameter_choice, simulate, write_outputs
    from sim.reporting.headline import people_indicators
    from sim.runs.outputs import atomic_folder, prepare_target
    from sim.runs.runner import check_memory, default_workers
    from sim.runs.summary import headline

    first = scenarios[0].simulation
    workers = opts.workers if opts.workers is not None else default_workers()
    if workers < 1:
        raise InputError(f"command line: --workers = {workers}: must be at least 1")
    check_memory(scenarios, min(workers, len(scenarios) * first.replicates))
    total = len(scenarios) * first.replicates
    choice = parameter_choice(opts.parameters, paths, scenarios, opts.area)
    if choice.note:
        errors.print(one_line(choice.note), markup=False)
    # Every input is valid: now the destination, before any simulation.
    prepare_target(out, opts.force, keep=paths)
    with progress_bar(console, "runs") as progress:
        task = progress.add_task("simulating", total=total)
        result = simulate(
            scenarios,
            paths,
            baseline,
            workers=workers,
            parameters=opts.parameters,
            area=opts.area,
            residents_csv=opts.residents_csv,
            groups_shown=groups_shown,
            planner_manifest={
                "as_planned": opts.planner.as_planned,
                "planner_settings": {
                    PLANNER_OPTIONS[k]: v for k, v in opts.planner.values().items() if v is not None
                },
            },
            on_done=lambda spec: progress.advance(task),
            choice=choice,
        )
    with atomic_folder(out, opts.force, keep=paths) as folder:
        write_outputs(folder, result)
    people = [indicator for indicator, _, _ in people_indicators()]
    print_headline(
        headline(result.summary, people),
        baseline,
        result.groups,
        result.reached,
        result.constraints,
    )
    console.print(
        f"{total} run{'s' if total != 1 else ''} in {result.elapsed:.1f} s. Outputs in {out}/: summary.csv, groups.csv, "
        "reached.csv, reached_timeseries.csv, timeseries.parquet/.csv, "
        "figures/, report.html, manifest.json"
    )


# People counts in the CLI's two people tables (the report shows every count).
CLI_WORK = ("employed_16_64", "working_16_64", "employed_person_years_area")
CLI_REST = ("cum_dropouts_area", "neet_15_29", "people_reached_cum", "matches_started_cum")


def _pct(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{100 * x:.1f}%"


def _num(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{x:.1f}"


def _value(row, key: str) -> float:
    try:
        return float(row[key])
    except (KeyError, TypeError, ValueError):
        return float("nan")


def print_headline(
    rows,
    baseline: str | None,
    groups=None,
    reached=None,
    constraints: dict[str, str] | None = None,
    out: Console | None = None,
) -> None:
    """Print the comparison at the horizon: people first, then reach, rates and cost, then in words.

    Two tables fit a 100-column terminal: the people each design adds against the baseline (with
    the noise-only interval, and under it the one with parameter uncertainty where the run has
    one), then people reached, rates and the cost per extra job; then one sentence per design
    (:func:`sim.reporting.headline.design_headline`) naming the group that gains most, the effect
    on those reached and the binding constraint where those are known.

    Args:
        rows: The summary's headline rows (:func:`sim.runs.summary.headline`).
        baseline: The baseline's name; None for a run without one (levels only).
        groups: groups.csv as a frame, or None.
        reached: reached.csv as a frame, or None.
        constraints: Binding-constraint sentence per scenario, or None to read the bottleneck rows.
        out: Where to print (default: standard output).
    """
    from sim.reporting.headline import design_headline, has_parameter_intervals, intervals_note, people_gains

    out = out or console
    names = list(dict.fromkeys(map(str, rows["scenario"])))
    designs = [n for n in names if n != baseline] if baseline is not None else []
    gains = {name: {g.indicator: g for g in people_gains(rows, name, baseline)} for name in designs}
    both = has_parameter_intervals(rows)
    present = [k for k in (*CLI_WORK, *CLI_REST) if any(k in g for g in gains.values())]
    for title, keys in (("people in work", CLI_WORK), ("dropouts, NEET and reach", CLI_REST)):
        keys = [k for k in keys if k in present]
        if not designs or not keys:
            continue
        table = Table(
            title=f"At the horizon: {title}, design minus baseline",
            caption="[ ] 95% interval, chance alone" + ("; ( ) with parameter uncertainty" if both else ""),
            title_justify="left",
            caption_justify="left",
            box=box.SIMPLE_HEAD,
        )
        table.add_column("scenario", overflow="fold", max_width=28)
        headers = {k: next(g[k].header for g in gains.values() if k in g) for k in keys}
        for key in keys:
            table.add_column(headers[key], justify="right")
        for name in designs:
            cells = []
            for key in keys:
                g = gains[name].get(key)
                text = "-" if g is None else " ".join(filter(None, (g.value(), g.ci())))
                if g is not None and both and g.pi():
                    text += f"\n({g.pi()[1:-1]})"
                cells.append(text)
            table.add_row(name, *cells)
        out.print(table)
    table = Table(
        title="At the horizon: rates (mean, and paired difference vs baseline [95% CI]) and cost",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for col in (
        "scenario",
        "employment 16-64",
        "dropouts /100 enrolled/yr",
        "NEET 15-29",
        "DKK per extra job",
    ):
        table.add_column(col, justify="left" if col == "scenario" else "right", overflow="fold", max_width=28)
    for name in names:
        r = rows[rows["scenario"].astype(str) == name].set_index("indicator")

        def level_diff(key: str, pct: bool, r=r, name=name) -> str:
            if key not in r.index:
                return "-"
            row = r.loc[key]
            level = _pct(_value(row, "mean")) if pct else _num(_value(row, "mean"))
            if baseline is None or name == baseline:
                return level
            scale, unit = (100, " pp") if pct else (1, "")
            diff, low, high = (scale * _value(row, k) for k in ("diff_mean", "diff_ci_low", "diff_ci_high"))
            if not math.isfinite(diff):
                return level
            if not (math.isfinite(low) and math.isfinite(high)):
                return f"{level}\n{diff:+.2f}{unit}"  # no interval: see the note under the table
            return f"{level}\n{diff:+.2f}{unit}\n[{low:+.2f}, {high:+.2f}]"

        per_job = "-"
        if "cost_per_additional_employed" in r.index:
            row = r.loc["cost_per_additional_employed"]
            value, note = _value(row, "mean"), row.get("note")
            # An empty ratio says why (saves money, no gain...) instead of showing a number.
            per_job = (
                f"{value:,.0f}"
                if math.isfinite(value)
                else note
                if isinstance(note, str) and note
                else "undefined"
            )
        table.add_row(
            name,
            level_diff("employment_rate", True),
            level_diff("dropouts_per_100_enrolled", False),
            level_diff("neet_rate_15_29", True),
            per_job,
        )
    out.print(table)
    for name in designs:
        sentence = design_headline(rows, groups, reached, name, (constraints or {}).get(name))
        out.print(f"- {sentence}", markup=False, highlight=False)
    if designs:
        out.print(intervals_note(rows), markup=False, highlight=False)
    if baseline is not None and (rows["replicates"] < 2).any():
        out.print(
            "Note: confidence intervals need at least two replicates; differences are shown without one "
            "(run with --replicates 2 or more).",
            markup=False,
        )


def _bundled() -> list[Path]:
    files = sorted(SCENARIO_DIR.glob("*.toml"))
    base = SCENARIO_DIR / BASELINE_FILE
    return [base, *[f for f in files if f != base]]


@app.callback()
def default(
    ctx: typer.Context,
    residents: ResidentsOpt = None,
    years: YearsOpt = None,
    replicates: ReplicatesOpt = None,
    seed: SeedOpt = None,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    force: ForceOpt = False,
    area: AreaOpt = None,
    residents_csv: CsvOpt = None,
    social_mentors: SocialMentorsOpt = None,
    coordinator_hours: CoordinatorHoursOpt = None,
    volunteers: VolunteersOpt = None,
    jobcentre_mentors: JobcentreMentorsOpt = None,
    business_firms: BusinessFirmsOpt = None,
    end_week: EndWeekOpt = None,
    as_planned: AsPlannedOpt = False,
    groups: GroupsOpt = None,
    parameters: ParametersOpt = None,
) -> None:
    """With no command: compare every bundled scenario against the baseline."""
    options = _run_options(locals())
    if ctx.invoked_subcommand is not None:
        return
    paths = _bundled()
    _guard(
        lambda: execute(
            paths,
            "baseline",
            out or DEFAULT_OUT / "comparison",
            options,
        )
    )


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    residents: ResidentsOpt = None,
    years: YearsOpt = None,
    replicates: ReplicatesOpt = None,
    seed: SeedOpt = None,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    force: ForceOpt = False,
    area: AreaOpt = None,
    residents_csv: CsvOpt = None,
    social_mentors: SocialMentorsOpt = None,
    coordinator_hours: CoordinatorHoursOpt = None,
    volunteers: VolunteersOpt = None,
    jobcentre_mentors: JobcentreMentorsOpt = None,
    business_firms: BusinessFirmsOpt = None,
    end_week: EndWeekOpt = None,
    as_planned: AsPlannedOpt = False,
    groups: GroupsOpt = None,
    parameters: ParametersOpt = None,
) -> None:
    """Run one scenario over its replicates."""
    options = _run_options(locals())
    _guard(
        lambda: execute(
            [scenario],
            None,
            out or derived_folder(DEFAULT_OUT, _stem(scenario)),
            options,
        )
    )


@app.command()
def compare(
    baseline: Annotated[Path, typer.Argument(help="Baseline scenario file.")],
    scenarios: Annotated[list[Path], typer.Argument(help="Intervention scenario files.")],
    residents: ResidentsOpt = None,
    years: YearsOpt = None,
    replicates: ReplicatesOpt = None,
    seed: SeedOpt = None,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    force: ForceOpt = False,
    area: AreaOpt = None,
    residents_csv: CsvOpt = None,
    social_mentors: SocialMentorsOpt = None,
    coordinator_hours: CoordinatorHoursOpt = None,
    volunteers: VolunteersOpt = None,
    jobcentre_mentors: JobcentreMentorsOpt = None,
    business_firms: BusinessFirmsOpt = None,
    end_week: EndWeekOpt = None,
    as_planned: AsPlannedOpt = False,
    groups: GroupsOpt = None,
    parameters: ParametersOpt = None,
) -> None:
    """Compare intervention scenarios with a baseline (paired, common random numbers)."""
    options = _run_options(locals())

    def body() -> None:
        base = load_scenario(baseline, area, residents_csv)
        # A derived name is a bounded slug inside outputs/ whatever the scenario's name holds.
        name = f"{base.name}-vs-{'-'.join(_stem(p) for p in scenarios)}"
        execute(
            [baseline, *scenarios],
            base.name,
            out or derived_folder(DEFAULT_OUT, name),
            options,
        )

    _guard(body)


def _numbers(option: str, text: str, kind: type, high: float) -> tuple:
    """Parse a comma-separated list of finite numbers in (0, high] given to ``option``."""
    what = f"comma-separated {'whole numbers' if kind is int else 'numbers'} above 0 and at most {high:g}"
    try:
        values = tuple(kind(part) for part in text.split(","))
    except ValueError:
        raise InputError(f"command line: {option} = {text!r}: must be {what}") from None
    if not all(math.isfinite(v) and 0 < v <= high for v in values):
        raise InputError(f"command line: {option} = {text!r}: must be {what}")
    return values


@app.command("calibrate")
def calibrate_command(
    targets: Annotated[Path, typer.Option("--targets", help="Calibration targets file.")] = TARGETS_FILE,
    parameters: Annotated[
        Path, typer.Option("--parameters", help="Free parameters and their priors.")
    ] = PARAMETERS_FILE,
    trials: Annotated[
        int | None, typer.Option("--trials", min=1, help="Candidates per block (default: each block's own).")
    ] = None,
    residents: Annotated[int, typer.Option("--residents", "-n", min=100, help="Residents per run.")] = 3000,
    replicates: Annotated[
        int, typer.Option("--replicates", "-r", min=1, help="Replicate seeds per candidate.")
    ] = 4,
    seed: SeedOpt = None,
    workers: WorkersOpt = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder of the study (resumable) and its tables.")
    ] = DEFAULT_OUT / "calibration",
    install: Annotated[
        bool,
        typer.Option(
            "--install",
            help="Also replace the bundled calibration/fitted.toml (and .csv) that every scenario extends; "
            "needs --force when it holds other values.",
        ),
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue a calibration that was stopped.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace an existing output folder (and, with --install, the bundled fit)."
        ),
    ] = False,
    params_out: Annotated[Path | None, typer.Option("--params-out", hidden=True)] = None,
    posterior: Annotated[
        bool,
        typer.Option(
            "--posterior",
            help="Also sample the posterior of the new fit (posterior.csv; installed beside the fit with --install).",
        ),
    ] = False,
) -> None:
    """Fit the free parameters to the fitted targets (simulated moments, optuna TPE); report held-out ones.

    Everything is written under --out (the fit as fitted.toml); the bundled calibration/fitted.toml is
    replaced only with --install.
    """
    from sim.calibration.commands import CalibrateArgs, run_calibrate
    from sim.calibration.evaluate import Setting
    from sim.calibration.fit import FitOptions
    from sim.runs.runner import default_workers

    if params_out is not None:
        _fail(
            f"command line: --params-out = {params_out}: no longer taken; the fit is written to "
            f"{out / 'fitted.toml'}, and --install replaces the bundled calibration/fitted.toml"
        )
    setting = Setting(
        residents,
        replicates,
        seed if seed is not None else Setting.seed,
        workers if workers is not None else default_workers(),
    )
    args = CalibrateArgs(
        targets,
        parameters,
        out,
        FitOptions(trials, setting),
        resume,
        force,
        install,
        posterior=_posterior_options(seed, workers, residents=residents) if posterior else None,
    )

    def body() -> None:
        _check_setting_memory(setting, years=10)
        run_calibrate(args, console)

    _guard(body)


def _posterior_options(seed: int | None, workers: int | None, **given):
    from sim.calibration.evaluate import Setting
    from sim.calibration.posterior import PosteriorOptions
    from sim.runs.runner import default_workers

    setting = Setting(
        given.pop("residents", 3000),
        given.pop("replicates", PosteriorOptions.setting.replicates),
        seed if seed is not None else Setting.seed,
        workers if workers is not None else default_workers(),
    )
    return PosteriorOptions(**given, setting=setting)


@app.command("posterior")
def posterior_command(
    targets: Annotated[Path, typer.Option("--targets", help="Calibration targets file.")] = TARGETS_FILE,
    parameters: Annotated[
        Path, typer.Option("--parameters", help="Free parameters and their priors.")
    ] = PARAMETERS_FILE,
    fitted: Annotated[
        Path, typer.Option("--fitted", help="The fit the sample is conditional on (and belongs to).")
    ] = FITTED_FILE,
    residents: Annotated[int, typer.Option("--residents", "-n", min=100, help="Residents per run.")] = 3000,
    replicates: Annotated[
        int, typer.Option("--replicates", "-r", min=1, help="Replicate seeds per point.")
    ] = 2,
    per_parameter: Annotated[
        int, typer.Option("--per-parameter", min=4, help="Sobol points per parameter of a block.")
    ] = 24,
    min_effective: Annotated[
        int,
        typer.Option(
            "--min-effective", min=2, help="Effective sample size each block's kernel weights must reach."
        ),
    ] = 10,
    rows: Annotated[int, typer.Option("--rows", min=2, help="Parameter sets in the sample.")] = 200,
    check_draws: Annotated[
        int, typer.Option("--check-draws", min=0, help="Draws checked against every target.")
    ] = 3,
    seed: SeedOpt = None,
    workers: WorkersOpt = None,
    out: OutOpt = None,
    install: Annotated[
        bool, typer.Option("--install", help="Also write the sample beside the fitted file (posterior.csv).")
    ] = False,
    force: ForceOpt = False,
) -> None:
    """Sample the calibrated parameters' posterior (block-conditional ABC) around an installed fit."""
    from sim.calibration.commands import PosteriorArgs, run_posterior
    from sim.runs.folders import check_file_target, fresh_folder

    target = out or DEFAULT_OUT / "posterior"

    def body() -> None:
        options = _posterior_options(
            seed,
            workers,
            residents=residents,
            replicates=replicates,
            per_parameter=per_parameter,
            min_effective=min_effective,
            rows=rows,
        )
        _check_setting_memory(options.setting, years=10)
        installed = fitted.with_name("posterior.csv") if install else None
        args = PosteriorArgs(targets, parameters, fitted, target, options, check_draws, installed)
        if installed is not None:
            check_file_target(installed)
        fresh_folder(target, force, "posterior", keep=[targets, parameters, fitted])
        run_posterior(args, console)

    _guard(body)


@app.command("validate")
def validate_command(
    targets: Annotated[Path, typer.Option("--targets", help="Calibration targets file.")] = TARGETS_FILE,
    residents: Annotated[int, typer.Option("--residents", "-n", min=100, help="Residents per run.")] = 3000,
    replicates: Annotated[int, typer.Option("--replicates", "-r", min=1, help="Replicates per target.")] = 8,
    years: Annotated[int, typer.Option("--years", "-y", min=1, help="Horizon of the area series.")] = 10,
    dose_weeks: Annotated[
        str, typer.Option("--dose-weeks", help="Relation lengths of the dose-response grid.")
    ] = "4,8,13,26,52,104",
    dose_hours: Annotated[
        str, typer.Option("--dose-hours", help="Weekly hours of the dose-response grid.")
    ] = "1,2.5,4",
    seed: SeedOpt = None,
    workers: WorkersOpt = None,
    out: OutOpt = None,
    force: ForceOpt = False,
) -> None:
    """Every calibration target against the model, the area figures over time, and the dose-response."""
    from sim.calibration.commands import ValidateArgs, run_validate
    from sim.calibration.evaluate import Setting
    from sim.runs.runner import default_workers

    def body() -> None:
        setting = Setting(
            residents,
            replicates,
            seed if seed is not None else Setting.seed,
            workers if workers is not None else default_workers(),
        )
        _check_setting_memory(setting, years)
        args = ValidateArgs(
            targets,
            out or DEFAULT_OUT / "validation",
            setting,
            years,
            _numbers("--dose-weeks", dose_weeks, int, MAX_DOSE_WEEKS),
            _numbers("--dose-hours", dose_hours, float, MAX_DOSE_HOURS),
            force=force,
        )
        run_validate(args, console)

    _guard(body)


@app.command("sweep")
def sweep_command(
    sweep_file: Annotated[
        Path, typer.Argument(help="Sweep file (TOML), e.g. sweeps/coordinator_hours.toml.")
    ],
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", min=1, help="Local Dask workers (default: one per core).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Address of a running Dask scheduler, e.g. tcp://HOST:8786."),
    ] = None,
    out: OutOpt = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue a stopped sweep, skipping finished runs.")
    ] = False,
    force: ForceOpt = False,
    part_rows: Annotated[int, typer.Option("--part-rows", min=1, help="Runs per parquet part.")] = 500,
    yes: Annotated[
        bool, typer.Option("--yes", help="Run a sweep of more runs than the confirmation threshold.")
    ] = False,
) -> None:
    """Run a parameter sweep on Dask, streaming one row per run to outputs/<sweep>/runs/part-*.parquet."""
    from sim.runs.runner import default_workers
    from sim.sweep.progress import run_with_progress
    from sim.sweep.run import SweepOptions

    def body() -> None:
        target = out or derived_folder(DEFAULT_OUT, sweep_file.stem)
        options = SweepOptions(
            target,
            workers if workers is not None else default_workers(),
            scheduler,
            resume,
            force,
            part_rows=part_rows,
            yes=yes,
        )
        result = run_with_progress(sweep_file, options, console)
        if result.failed:
            # The sweep went on and kept every other run, but a script must not read it as a success.
            raise typer.Exit(code=1)

    _guard(body)


@app.command("analyse")
def analyse_command(
    folder: Annotated[Path, typer.Argument(help="A sweep's output folder, e.g. outputs/coordinator_hours.")],
    out: OutOpt = None,
    force: ForceOpt = False,
) -> None:
    """Summarise a sweep: per design point, paired differences, Sobol or Morris indices, plots, HTML."""
    from sim.sweep.analyse import analyse

    def body() -> None:
        if not (folder / "sweep.json").is_file():
            raise InputError(f"{folder}: not a sweep's output folder (sweep.json not found)")
        written = analyse(folder, out, force)
        console.print(f"wrote {written}/")

    _guard(body)


@app.command("app")
def app_command(
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. The default serves this machine only; another exposes the app."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8765,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Run on a Dask cluster at this scheduler address instead of local worker processes."
        ),
    ] = None,
) -> None:
    """Serve the web app for planners in the browser (README 'Web app'); runs go to <out>/app/."""

    def body() -> None:
        import socket

        from sim.app.server import LOCAL_HOSTS, serve

        if workers is not None and workers < 1:
            raise InputError(f"command line: --workers = {workers}: must be at least 1")
        try:
            with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((host, port))
        except OSError as exc:
            raise InputError(
                f"command line: --host {host} --port {port}: cannot listen there ({exc.strerror})"
            ) from None
        if host not in LOCAL_HOSTS:
            errors.print(
                f"warning: --host {host}: the app is reachable from other machines; it has no login, "
                "so anyone who can reach this address can run simulations and read their results",
                markup=False,
            )
        console.print(
            f"Serving the app at http://{host if ':' not in host else f'[{host}]'}:{port}/ (Ctrl+C stops it)"
        )
        serve(host, port, out or DEFAULT_OUT, workers, scheduler)

    _guard(body)


def _check_setting_memory(setting, years: int) -> None:
    """Refuse a calibration or validation whose runs cannot fit in memory (estimated on the baseline)."""
    from sim.runs.runner import check_memory

    base = with_overrides(
        load_scenario(SCENARIO_DIR / BASELINE_FILE),
        residents=setting.residents,
        years=max(years, 10),  # targets' own scenarios run up to ten years
        replicates=setting.replicates,
    )
    check_memory([base], setting.workers)


def _stem(path: Path) -> str:
    return Path(path).stem


def _guard(body) -> None:
    try:
        body()
    except InputError as exc:
        _fail(str(exc))


def main() -> None:
    """Entry point of ``run_sim.py`` and the ``housing-sim`` script."""
    app(prog_name=Path(sys.argv[0]).name)
