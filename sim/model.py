"""The housing-area model: a Mesa model whose ``step()`` only orchestrates (docs/ODD.md 3).

Order of a week, fixed so that runs are reproducible:

1. jobcentre: contacts, assessment, referrals to programmes and mentors;
2. volunteer corps: referrals, recruitment, supervision, matching, training, attrition;
3. professional mentor teams, the area-based employment service and the business-mentor network:
   staff turnover, outreach, matching, placement brokering;
4. the Numba kernel: every resident's weekly transition, mentoring dose and relation endings;
5. newcomers move into vacated dwellings and young people turn 14;
6. costs are booked and indicators recorded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

import mesa
import numpy as np
import pandas as pd

from sim.agents.broker import PlacementBroker
from sim.agents.effort import Effort
from sim.agents.employers import Employers
from sim.agents.firms import FirmNetwork
from sim.agents.jobcentre import Jobcentre
from sim.agents.mentor import Mentor
from sim.agents.mentor_team import MentorTeam
from sim.agents.profile import MentorProfile
from sim.agents.resident import Resident
from sim.agents.volunteers import VolunteerCorps
from sim.engine.costs import CostLedger
from sim.engine.counts import WeekCounts, brokered_counts, stock_counts
from sim.engine.kernel import COUNT_NAMES, step_residents
from sim.engine.kernel_params import (
    barrier_table,
    build_kernel_params,
    demand_index,
    duration_table,
    effect_table,
)
from sim.engine.placement_log import PlacementLog
from sim.engine.population import Population
from sim.engine.records import ResidentRecords
from sim.engine.relation_log import RelationLog
from sim.engine.relations import count_caseloads, count_mentees_by_kind
from sim.engine.rng import spawn_seeds, stream
from sim.engine.runtime import paused_gc
from sim.engine.states import MentorKind
from sim.engine.units import WEEKS_PER_YEAR
from sim.inputs.errors import InputError
from sim.inputs.loader import load_scenario, with_overrides
from sim.inputs.overrides import apply_overrides
from sim.inputs.residents_csv import read_residents_csv
from sim.metrics import KEY_INDICATORS, Recorder
from sim.scenario import EffortStart, Placement, Scenario, TargetGroup

JOBCENTRE_POOL = 3
SOCIAL_POOL = 1
EMPLOYMENT_SERVICE_POOL = 6  # its outreach slot (MENTOR_REFERRAL + 1 + 6) is used by no other effort


class HousingAreaModel(mesa.Model):
    """One housing area, its jobcentre and the interventions of a scenario, for one replicate.

    A finished model should be released (mesa issue #3179, see :meth:`release`); used as a context
    manager it is, when the block ends or raises::

        with HousingAreaModel(scenario, seed) as model:
            frame = model.run()

    Args:
        scenario: A validated scenario.
        seed: The replicate's seed; every random draw derives from it.
        records: The start residents when the scenario names a residents CSV
            (``population.residents_csv``; docs/ODD.md, section 5 'Initialisation'). Runners read
            the file once per scenario and pass the same records to every replicate; when none are
            given, the model reads the file itself.
        create_resident_agents: Register a Mesa ``Resident`` agent per resident (on by default;
            benchmarks of the kernel alone turn it off).
        log_relations: Keep a :class:`~sim.engine.relation_log.RelationLog` of every mentoring relation
            and a :class:`~sim.engine.placement_log.PlacementLog` of every placement attempt
            (calibration and validation need the outcomes of those actually mentored or placed).
        replicate: Without ``seed``: run replicate r's seed, as a comparison spawns it from the
            scenario's base seed (``simulation.seed``); replicate 0 when neither is given.
        collect_every_week: Fill :attr:`datacollector` every week (on by default, as Mesa's
            ``batch_run`` and ``SolaraViz`` expect; the runners turn it off).
        **kwargs: Overrides, so Mesa's ``batch_run`` can vary them: simulation settings by name
            (``residents=300``, ``years=2``, ``record_every_weeks=52``; capacities rescale with
            ``residents``) and parameters by dotted key path
            (``**{"volunteer_corps.coordinator_hours_per_week": 10}``). ``scenario`` may be a
            path to a scenario file. Bad input raises :class:`~sim.inputs.errors.InputError`.

    Attributes:
        population: Resident state in numpy arrays.
        week: Weeks simulated so far.
        recorder: Indicator rows recorded so far.
        datacollector: A ``mesa.DataCollector`` with a model reporter per key indicator
            (:data:`sim.metrics.KEY_INDICATORS`), collected every week from the latest record
            (one every ``simulation.record_every_weeks`` weeks), so Mesa's ``batch_run`` and
            ``SolaraViz`` read the model without a subclass.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        seed: int | None = None,
        records: ResidentRecords | None = None,
        create_resident_agents: bool = True,
        log_relations: bool = False,
        *,
        replicate: int | None = None,
        collect_every_week: bool = True,
        **kwargs: Any,
    ) -> None:
        scenario = scenario_of(scenario, kwargs)
        if seed is None:
            # Replicate r's seed, as `compare` and `sim.api` give it (spawned from the base seed).
            seed = spawn_seeds(scenario.simulation.seed, (replicate or 0) + 1)[replicate or 0]
        super().__init__(seed=seed)
        self.scenario = scenario
        self.seed = int(seed)
        self.week = 0
        self.horizon_weeks = scenario.simulation.years * WEEKS_PER_YEAR
        if records is None and scenario.population.residents_csv:
            records = read_residents_csv(scenario.population.residents_csv)
        self.population = Population(scenario, self.seed, records)
        self.create_resident_agents = create_resident_agents
        if create_resident_agents:
            with paused_gc():
                Resident.create_batch(self, range(self.population.n_used))

        # Kernel inputs that do not change during a run.
        self.kernel_params = build_kernel_params(scenario)
        self.duration_mult = duration_table(scenario)
        self.barrier_mult = barrier_table(scenario)
        self.effects = effect_table(scenario)

        self.relation_log = RelationLog(self.population) if log_relations else None
        self.placement_log = PlacementLog(self.population) if log_relations else None
        self.mentor_by_index: dict[int, Mentor] = {}
        self.caseloads = np.zeros(16, dtype=np.int64)
        self._mentor_indices_used = 0
        self.costs = CostLedger()
        self.tallies: Counter[str] = Counter()
        self.count_places()
        self._youth_owed = 0.0

        self.employers = Employers(self)
        self.jobcentre = Jobcentre(self)
        self.jobcentre_mentors = self._jobcentre_mentor_team()
        self.volunteer_corps = self._volunteer_corps()
        self.social_mentors = self._social_mentor_team()
        self.employment_service = self._employment_service()
        self.firm_network = self._firm_network()
        self.brokers = [
            e.broker
            for e in (self.volunteer_corps, self.social_mentors, self.employment_service, self.firm_network)
            if e is not None and e.broker is not None
        ]
        self.recorder = Recorder(self)
        self.recorder.record()
        self.collect_every_week = collect_every_week
        self.datacollector = key_indicator_collector()
        if collect_every_week:
            self.datacollector.collect(self)

    # -- construction -----------------------------------------------------------------------

    def _jobcentre_mentor_team(self) -> MentorTeam | None:
        jc = self.scenario.jobcentre
        if jc.mentor_support_mentors <= 0:
            return None
        return MentorTeam(
            self,
            MentorProfile.jobcentre(self.scenario),
            Effort(EffortStart(start_up_weeks=0), stream(self.seed, "jobcentre_mentors_effort")),
            pool_id=JOBCENTRE_POOL,
            posts=jc.mentor_support_mentors,
            vacancy_weeks=self.scenario.professional_mentors.vacancy_weeks,  # one labour market for staff
            outreach_per_week=0.0,
            outreach_target=TargetGroup(),
        )

    def _volunteer_corps(self) -> VolunteerCorps | None:
        spec = self.scenario.volunteer_corps
        if not spec.enabled:
            return None
        return VolunteerCorps(
            self,
            MentorProfile.volunteer(self.scenario),
            Effort(spec.effort, stream(self.seed, "volunteer_corps_effort")),
        )

    def _social_mentor_team(self) -> MentorTeam | None:
        pm = self.scenario.professional_mentors
        if pm.mentors <= 0:
            return None
        return MentorTeam(
            self,
            MentorProfile.social(self.scenario),
            Effort(pm.effort, stream(self.seed, "social_mentors_effort")),
            pool_id=SOCIAL_POOL,
            posts=pm.mentors,
            vacancy_weeks=pm.vacancy_weeks,
            outreach_per_week=pm.outreach_per_week,
            outreach_target=pm.target,
            referrals=pm.referrals,
            broker=self._broker(pm.placement, "social_mentors"),
        )

    def _broker(self, spec: Placement, pool: str) -> PlacementBroker | None:
        """An effort's placement brokering, if its ``placement`` section turns it on (docs/ODD.md 7.14)."""
        return PlacementBroker(self, spec, pool) if spec.enabled else None

    def _employment_service(self) -> MentorTeam | None:
        """The area-based employment service (docs/ODD.md 7.15): a mentor team of its own kind."""
        es = self.scenario.employment_service
        if es.staff <= 0:
            return None
        return MentorTeam(
            self,
            MentorProfile.employment_service(self.scenario),
            Effort(es.effort, stream(self.seed, "employment_service_effort")),
            pool_id=EMPLOYMENT_SERVICE_POOL,
            posts=es.staff,
            vacancy_weeks=es.vacancy_weeks,
            outreach_per_week=es.outreach_per_week,
            outreach_target=es.target,
            broker=self._broker(es.placement, "employment_service"),
            youth_target=es.youth_target,
            youth_share=es.youth_outreach_share,
        )

    def _firm_network(self) -> FirmNetwork | None:
        bm = self.scenario.business_mentors
        if bm.firms <= 0:
            return None
        return FirmNetwork(
            self,
            MentorProfile.business(self.scenario),
            Effort(bm.effort, stream(self.seed, "business_mentors_effort")),
        )

    # -- mentor registry --------------------------------------------------------------------

    def register_mentor(self, mentor: Mentor) -> int:
        """Give a mentor the dense index residents' ``mentor_id`` refers to."""
        index = self._mentor_indices_used
        self._mentor_indices_used += 1
        if index >= self.caseloads.size:
            self.caseloads = np.concatenate([self.caseloads, np.zeros(self.caseloads.size, dtype=np.int64)])
        self.mentor_by_index[index] = mentor
        return index

    def deregister_mentor(self, mentor: Mentor) -> None:
        """Forget a mentor who has left."""
        self.mentor_by_index.pop(mentor.index, None)
        self.caseloads[mentor.index] = 0

    def tally(self, key: str, amount: int) -> None:
        """Add to a running count of pipeline events (matches, referrals, departures)."""
        self.tallies[key] += int(amount)

    # -- the week ---------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one week; only orchestrates the stages in their fixed order."""
        self.jobcentre.step()
        for effort in self.efforts():
            effort.step()
        kernel_counts = self.advance_residents()
        if self.relation_log is not None:
            self.relation_log.check(self.week)
        moved_in = self.move_in(kernel_counts["moved_out"])
        self.book_costs()
        self.recorder.observe_week(kernel_counts, moved_in)
        self.week += 1
        self.recorder.snapshot_status()
        if self.week % self.scenario.simulation.record_every_weeks == 0 or self.week == self.horizon_weeks:
            self.recorder.record()
        if self.collect_every_week:
            self.datacollector.collect(self)
        if self.week >= self.horizon_weeks:
            self.running = False
            # Done: nothing steps a model past its horizon, so Mesa's class-level reference can
            # go now (mesa issue #3179); `mesa.batch_run` never releases the models it runs.
            self.release()

    def efforts(self) -> list[mesa.Agent]:
        """Mentor efforts in their fixed weekly order."""
        return [
            e
            for e in (
                self.volunteer_corps,
                self.jobcentre_mentors,
                self.social_mentors,
                self.employment_service,
                self.firm_network,
            )
            if e is not None
        ]

    def count_places(self) -> None:
        """Count programme places and enrolment (afterwards the kernel keeps the counts current)."""
        self.counts = WeekCounts(stock_counts(self.population))

    def advance_residents(self) -> dict[str, int]:
        """Run the Numba kernel over every resident and refresh mentor caseloads."""
        pop = self.population
        counts = step_residents(
            pop.n_used,
            *pop.kernel_arrays(),
            self.duration_mult,
            self.barrier_mult,
            self.effects,
            self.kernel_params,
            self.seed,
            self.week,
            demand_index(self.scenario, self.week),
        )
        if self.mentor_by_index:
            count_caseloads(pop.mentor_id, pop.n_used, self.caseloads)
        named = dict(zip(COUNT_NAMES, counts, strict=True))
        if self.brokers:
            # Brokered internships and subsidy jobs are in the efforts' own networks: they take
            # no employers slots and are not booked as jobcentre programmes (docs/ODD.md 7.14).
            internships, subsidised = brokered_counts(pop)
            named["internships_area"] -= internships
            named["jobcentre_subsidised_area"] -= subsidised
        self.counts = WeekCounts(named)
        return named

    def move_in(self, vacated: int) -> int:
        """Let vacated dwellings to newcomers and let young people turn 14 (ageing into scope)."""
        pop = self.population
        newcomers = vacated if self.scenario.population.refill_vacancies else 0
        # Children growing up in the area: about a quarter of the 14-17 band turns 14 each year.
        self._youth_owed += pop.n_start * self.scenario.population.age_bands.age_14_17 / 4 / WEEKS_PER_YEAR
        youths = int(self._youth_owed)
        self._youth_owed -= youths
        if newcomers + youths == 0:
            return 0
        rows = pop.add_arrivals(newcomers, youths, self.week)
        if self.create_resident_agents:
            Resident.create_batch(self, rows)
        return int(rows.size)

    def book_costs(self) -> None:
        """Book this week's costs (DKK)."""
        c = self.scenario.costs
        ledger = self.costs
        ledger.add("caseworker_contacts", self.jobcentre.contacts * c.caseworker_contact_dkk)
        programmes = (
            self.counts.activation * c.activation_week_dkk,
            self.counts.internships * c.internship_week_dkk,
            self.counts.jobcentre_subsidised * c.subsidy_week_dkk,
        )
        ledger.add("activation", programmes[0])
        ledger.add("internships", programmes[1])
        ledger.add("wage_subsidies", programmes[2])
        self.jobcentre.spent_this_year += sum(programmes)
        if self.volunteer_corps is not None:
            vc = self.scenario.volunteer_corps
            effort = self.volunteer_corps.effort
            # The coordinator is paid from the grant while the effort starts up and runs.
            if not effort.never_starts and effort.state(self.week) != "ended":
                ledger.add(
                    "volunteer_coordinator",
                    vc.coordinator_hours_per_week * vc.coordinator_cost_per_hour_dkk,
                )
        if self.social_mentors is not None:
            per_week = self.scenario.professional_mentors.cost_per_mentor_per_year_dkk / WEEKS_PER_YEAR
            ledger.add("social_mentors", self.social_mentors.staff_in_post() * per_week)
        if self.jobcentre_mentors is not None:
            per_week = c.mentor_support_per_mentor_per_year_dkk / WEEKS_PER_YEAR
            ledger.add("jobcentre_mentors", self.jobcentre_mentors.staff_in_post() * per_week)
        if self.employment_service is not None:
            per_week = self.scenario.employment_service.cost_per_staff_per_year_dkk / WEEKS_PER_YEAR
            ledger.add("employment_service", self.employment_service.staff_in_post() * per_week)
        if self.firm_network is not None:
            bm = self.scenario.business_mentors
            ledger.add("business_mentors", self.firm_network.active_matches() * bm.cost_per_match_week_dkk)

    # -- reporting helpers ------------------------------------------------------------------

    def pipeline(self) -> dict[str, float]:
        """Mentoring pipeline now: waiting, active by kind, volunteers, cumulative matches."""
        active = count_mentees_by_kind(self.population.mentor_kind, self.population.n_used)
        waiting = sum(
            len(e.waiting)
            for e in (
                self.volunteer_corps,
                self.jobcentre_mentors,
                self.social_mentors,
                self.employment_service,
            )
            if e is not None
        )
        corps = self.volunteer_corps
        return {
            "mentees_volunteer": int(active[MentorKind.VOLUNTEER]),
            "mentees_professional": int(active[MentorKind.PROFESSIONAL]),
            "mentees_business": int(active[MentorKind.BUSINESS]),
            "mentees_waiting": waiting,
            "volunteers": len(corps.volunteers) if corps else 0,
            "volunteer_applicants_waiting": corps.applicants if corps else 0,
            "matches_started_cum": sum(v for k, v in self.tallies.items() if k.endswith("_matches")),
            "relations_ended_by_mentor_cum": self.tallies["relations_ended_by_mentor"],
            "mentor_offers_unmet": self.jobcentre.mentor_offers["unmet"],
        }

    def resource_utilisation(self) -> dict[str, float]:
        """Utilisation this week of each possible bottleneck that is running (docs/ODD.md 7.12, "Bottlenecks").

        The jobcentre's caseworkers, programme budget and firm slots always run; an effort's
        capacities only while the effort runs (started and not ended), and brokering hours only in
        weeks some effort brokers. Resources not running this week are left out, so their
        utilisation is averaged over the weeks they run. Besides the capacities proper, each
        mentoring effort's referrals and mentor supply are given as 0/1 shares of the week: 1 for
        referrals when places stand empty and nobody waits, 1 for supply when residents wait and
        every place is taken (read at the end of the week).
        """
        week = self.week
        budget = self.scenario.jobcentre.programme_budget_dkk_per_year
        elapsed = (week % WEEKS_PER_YEAR + 1) / WEEKS_PER_YEAR
        used = {
            "caseworkers": self.jobcentre.utilisation(),
            "programme_budget": self.jobcentre.spent_this_year / (budget * elapsed) if budget > 0 else 0.0,
            "firm_slots": self.employers.utilisation(),
        }
        corps = self.volunteer_corps
        if corps is not None and corps.effort.running(week):
            used["coordinator_hours"] = corps.coordinator_utilisation()
            used["volunteer_places"] = corps.utilisation()
            used.update(_held_back("volunteer", corps.roster.total_free(), len(corps.waiting)))
        for team, name in (
            (self.social_mentors, "social_mentor"),
            (self.jobcentre_mentors, "jobcentre_mentor"),
            (self.employment_service, "employment_service"),
        ):
            if team is not None and team.effort.running(week):
                used[f"{name}_places"] = team.utilisation()
                used.update(_held_back(name, team.roster.total_free(), len(team.waiting)))
        firms = self.firm_network
        if firms is not None and firms.effort.running(week):
            used["business_mentor_places"] = firms.utilisation()
        placement = self.placement_utilisation()
        if placement is not None:
            used["placement_hours"] = placement
        return used

    def placement_utilisation(self) -> float | None:
        """Share of this week's brokering hours spent on attempts, over every brokering effort (docs/ODD.md 7.14).

        None in a week no effort brokered (no hours available).
        """
        used = available = 0.0
        for broker in self.brokers:
            u, a = broker.hours(self.week)
            used += u
            available += a
        return used / available if available > 0 else None

    def run_model(self) -> None:
        """Step to the horizon, with Python's cyclic garbage collector paused (see :func:`sim.engine.runtime.paused_gc`)."""
        with paused_gc():
            while self.running:
                self.step()

    def run(self) -> pd.DataFrame:
        """Run to the horizon and return the recorded indicators, one row per record."""
        self.run_model()
        return self.results()

    def results(self, weeks: Sequence[int] | None = None) -> pd.DataFrame:
        """Indicators recorded so far, or only the records of the given ``weeks``."""
        rows = self.recorder.rows
        if weeks is not None:
            wanted = set(weeks)
            rows = [row for row in rows if row["week"] in wanted]
        return pd.DataFrame(rows)

    def people(self) -> pd.DataFrame:
        """Per-person outcomes of the run so far, keyed by ``person_key`` (docs/ODD.md 'Observation').

        One row per person ever simulated: the help they got, their groups on entry, weeks in
        work, dropouts, their status now and at every snapshot week (see
        :func:`sim.engine.people.person_frame`).
        """
        return self.recorder.people()

    def release(self) -> None:
        """Drop Mesa's class-level reference to this model (mesa issue #3179).

        Mesa 3.3 keeps every model alive through ``Agent._ids``; long-running processes that
        run many models call this when a run is done (leaving a ``with`` block does).
        """
        mesa.Agent._ids.pop(self, None)

    def __enter__(self) -> HousingAreaModel:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Release the model, whether the block finished or raised (the exception goes on)."""
        self.release()


def _held_back(name: str, free_places: int, waiting: int) -> dict[str, float]:
    """This week's referral and supply shares of one effort (see ``resource_utilisation``)."""
    return {
        f"{name}_referrals": 1.0 if free_places > 0 and waiting == 0 else 0.0,
        f"{name}_supply": 1.0 if waiting > 0 and free_places <= 0 else 0.0,
    }


SIMULATION_SETTINGS = ("residents", "years", "replicates", "record_every_weeks")


def scenario_of(scenario: Scenario | str | Path, overrides: dict[str, Any]) -> Scenario:
    """A scenario (or a scenario file's) with simple overrides applied, as the model's keywords give them.

    Args:
        scenario: A validated scenario or the path of a scenario file.
        overrides: Simulation settings by name (:data:`SIMULATION_SETTINGS`) and parameters by
            dotted key path.

    Raises:
        InputError: an unreadable file, an unknown key or a value out of range (one line).
    """
    if isinstance(scenario, str | Path):
        scenario = load_scenario(Path(scenario))
    elif not isinstance(scenario, Scenario):
        raise InputError(
            f"model: scenario = {type(scenario).__name__}: must be a Scenario or a scenario file's path"
        )
    settings = {k: v for k, v in overrides.items() if k in SIMULATION_SETTINGS}
    keys = {k: v for k, v in overrides.items() if k not in SIMULATION_SETTINGS}
    for key, value in keys.items():
        if "." not in key:
            raise InputError(
                f"model: {key} = {value!r}: not a keyword of the model; give a simulation setting "
                f"({', '.join(SIMULATION_SETTINGS)}) or a parameter's dotted key path"
            )
    if settings:
        scenario = with_overrides(scenario, **settings)
    return apply_overrides(scenario, keys, "model") if keys else scenario


def _latest(name: str, model: HousingAreaModel) -> float:
    """An indicator's value in the model's latest record (NaN when it records no such indicator)."""
    return float(model.recorder.rows[-1].get(name, float("nan")))


def key_indicator_collector() -> mesa.DataCollector:
    """A ``mesa.DataCollector`` with a model reporter per key indicator, plus the week."""
    reporters = {"week": partial(_week_of)}
    reporters.update({name: partial(_latest, name) for name in KEY_INDICATORS})
    return mesa.DataCollector(model_reporters=reporters)


def _week_of(model: HousingAreaModel) -> int:
    return int(model.week)


WARM_UP_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "combined_package.toml"
# Every effort, placement brokering and the employment service, all running from week 0, so a
# short run calls every compiled function a comparison calls.
WARM_UP_OVERRIDES: dict[str, Any] = {
    "employment_service.staff": 2,
    "professional_mentors.placement.enabled": True,
    "business_mentors.placement.enabled": True,
    "employment_service.placement.enabled": True,
    **{
        f"{effort}.effort.{key}": value
        for effort in ("volunteer_corps", "professional_mentors", "business_mentors", "employment_service")
        for key, value in (("start_up_weeks", 0), ("extra_delay_mean_weeks", 0.0), ("never_starts", 0.0))
    },
}


def warm_up(scenario: Scenario | Path | None = None, residents: int = 300, years: int = 1) -> None:
    """Load every compiled (Numba) function of a run into this process by running a small model.

    A process's first run loads each compiled function from Numba's cache when it is first called,
    which costs about as much CPU as a whole 5,000-resident run. A long-lived process that starts
    worker processes by fork (a server) can call this once before its workers start: they then
    inherit the loaded functions instead of each loading them again. Results of later runs do not
    depend on it.

    Args:
        scenario: What to run (default: the bundled combined package with every effort and
            brokering running from week 0).
        residents: Residents of the small run.
        years: Its years.
    """
    if scenario is None:
        scenario = apply_overrides(load_scenario(WARM_UP_SCENARIO), WARM_UP_OVERRIDES, "warm-up")
    elif isinstance(scenario, Path):
        scenario = load_scenario(scenario)
    scenario = with_overrides(scenario, residents=residents, years=years)
    with HousingAreaModel(scenario, 0, create_resident_agents=False, collect_every_week=False) as model:
        model.run()
        model.people()
