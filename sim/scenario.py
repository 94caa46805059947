"""Scenario schema (pydantic): every parameter with its unit, its source and its allowed range.

A scenario file is TOML. It may say ``extends = "baseline.toml"`` and override only what differs;
the chain of files is merged key by key before validation. Sources are cited by the short names of
``shared/domain.md`` (e.g. ``CFBU-2013 p.23``); every other number is marked ``assumption``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from sim.params import ASSUMPTION, SETTING, param, relative_bound, share, weekly, yearly_rate

MAX_UNIT_COST_DKK = 1e9
"""Upper bound of every unit cost (assumption): a thousand times the dearest unit cost in the sources
(a professional mentor's 550,000 DKK a year), so any realistic cost fits and every total stays finite."""

MENTOR_NEEDS_MENTEE = "a mentor needs a mentee"

STRICT_INPUT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
"""Schema settings of every input file: unknown keys are errors, values are never coerced from
another type (``"yes"`` is not a flag, ``"5"`` not a number; whole numbers are still accepted as
decimals), and numbers must be finite."""


class Section(BaseModel):
    """Base of every scenario section: strict input (:data:`STRICT_INPUT`), checked on assignment."""

    model_config = ConfigDict(**STRICT_INPUT, validate_assignment=True)


def _check_sums_to_one(values: dict[str, float], what: str) -> None:
    total = sum(values.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"{what} must sum to 1 (they sum to {total:.6g})")


# ---------------------------------------------------------------------------------------------
# Simulation settings
# ---------------------------------------------------------------------------------------------


class Simulation(Section):
    """Size, horizon, replicates and seed of a run."""

    residents: int = param(
        5000,
        "residents",
        SETTING,
        "Residents aged 14-64 at the start; one estate holds 1,000-10,000 (docs/ODD.md 2.4).",
        ge=1,
    )
    years: int = param(10, "years", SETTING, "Horizon of the run.", ge=1, le=100)
    replicates: int = param(
        16,
        "runs",
        SETTING,
        "Replicate runs per scenario, with seeds spawned from one base seed.",
        ge=1,
        le=10000,
    )
    seed: int = param(20131201, "integer", SETTING, "Base seed of the replicates.", ge=0)
    record_every_weeks: int = param(
        4, "weeks", SETTING, "Indicators are recorded every this many weeks.", ge=1, le=52
    )
    start_year: int = param(
        2013,
        "calendar year",
        "CFBU-2015 p.7",
        "Calendar year of week 0 (the area figures are for 2013).",
        ge=1900,
        le=2100,
    )


# ---------------------------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------------------------


class AgeBands(Section):
    """Shares of residents by age band at the start."""

    age_14_17: float = share(
        0.09, ASSUMPTION, "Share aged 14-17 (many children and young people, HT-2005 p.3-4)."
    )
    age_18_29: float = share(0.24, ASSUMPTION, "Share aged 18-29.")
    age_30_49: float = share(0.38, ASSUMPTION, "Share aged 30-49.")
    age_50_64: float = share(0.29, ASSUMPTION, "Share aged 50-64.")

    @model_validator(mode="after")
    def _sums_to_one(self) -> AgeBands:
        _check_sums_to_one(self.model_dump(), "age band shares")
        return self


class StatusShares(Section):
    """Shares of an age band in each status at the start."""

    employed: float = share(0.40, ASSUMPTION, "Ordinary employment.")
    subsidised: float = share(0.02, ASSUMPTION, "Wage-subsidy or flex job.")
    internship: float = share(0.01, ASSUMPTION, "Company internship.")
    activation: float = share(0.03, ASSUMPTION, "Course or upskilling.")
    unemployed_ready: float = share(0.12, ASSUMPTION, "Unemployed, job- or education-ready.")
    unemployed_far: float = share(0.14, ASSUMPTION, "Unemployed, activity-ready.")
    education: float = share(0.10, ASSUMPTION, "Enrolled in education.")
    inactive: float = share(0.18, ASSUMPTION, "Sick, parental leave, disability pension.")

    @model_validator(mode="after")
    def _sums_to_one(self) -> StatusShares:
        _check_sums_to_one(self.model_dump(), "status shares")
        return self


def _status_shares(**kw: float) -> StatusShares:
    return StatusShares(**kw)


class StatusByAge(Section):
    """Status shares per age band at the start (assumptions shaped to the area figures of CFBU-2015 p.7, 13-14)."""

    age_14_17: StatusShares = _status_shares(
        employed=0.0,
        subsidised=0.0,
        internship=0.0,
        activation=0.0,
        unemployed_ready=0.03,
        unemployed_far=0.03,
        education=0.93,
        inactive=0.01,
    )
    age_18_29: StatusShares = _status_shares(
        employed=0.30,
        subsidised=0.02,
        internship=0.02,
        activation=0.04,
        unemployed_ready=0.10,
        unemployed_far=0.10,
        education=0.36,
        inactive=0.06,
    )
    age_30_49: StatusShares = _status_shares(
        employed=0.47,
        subsidised=0.03,
        internship=0.01,
        activation=0.04,
        unemployed_ready=0.10,
        unemployed_far=0.15,
        education=0.03,
        inactive=0.17,
    )
    age_50_64: StatusShares = _status_shares(
        employed=0.42,
        subsidised=0.03,
        internship=0.01,
        activation=0.02,
        unemployed_ready=0.07,
        unemployed_far=0.13,
        education=0.0,
        inactive=0.32,
    )


class BarrierPrevalence(Section):
    """Share of activity-ready residents with each barrier (CFBU-2015 p.14; CFBU-2013 p.15, 18, 22).

    Poor schooling is not drawn here: it is the barrier of everyone whose education level is basic.
    """

    health: float = share(0.35, ASSUMPTION, "Physical illness.")
    mental_health: float = share(0.30, ASSUMPTION, "Mental illness.")
    substance_use: float = share(0.10, ASSUMPTION, "Substance use (hash among the young, CFBU-2013 p.18).")
    criminal_record: float = share(0.08, ASSUMPTION, "Criminal record or ties to criminal groups.")
    childcare: float = share(
        0.10,
        ASSUMPTION,
        "Childcare that limits availability (split between the sexes by population.childcare_women_share).",
    )


# --- who people are: background and sex (issue 11, item 3) ---------------------------------


class BackgroundShares(Section):
    """Shares of residents by ethnic background, at the start and among newcomers.

    The estates house many residents of non-Danish background (HT-2005 p.3-4), whose employment
    rate was 55 % in Høje-Taastrup in 2002 (HT-2005 p.8); the shares themselves are assumptions.
    Background has no direct effect on any hazard: it acts through the language barrier
    (:class:`LanguageByBackground`) and schooling, and target groups can select by it.
    """

    danish_origin: float = share(0.50, ASSUMPTION, "Share of Danish origin.")
    immigrant: float = share(
        0.35, ASSUMPTION, "Share of immigrants (many residents of non-Danish background, HT-2005 p.3-4)."
    )
    descendant: float = share(
        0.15, ASSUMPTION, "Share of descendants of immigrants, born in Denmark (HT-2005 p.3-4)."
    )

    @model_validator(mode="after")
    def _sums_to_one(self) -> BackgroundShares:
        _check_sums_to_one(self.model_dump(), "background shares")
        return self


class LanguageByBackground(Section):
    """Share of activity-ready residents with weak Danish (the language barrier), by background.

    Weak Danish is a barrier named by CFBU-2015 p.14 and HT-2005 p.7-10; it is tied to background:
    mostly immigrants, few descendants, almost no one of Danish origin (values assumptions, chosen
    so that with the estate's background mix about a third of activity-ready residents have it).
    Residents who are not activity-ready have it at ``barrier_prevalence_ratio_others`` times this.
    """

    danish_origin: float = share(0.02, ASSUMPTION, "Residents of Danish origin.")
    immigrant: float = share(0.85, ASSUMPTION, "Immigrants.")
    descendant: float = share(0.15, ASSUMPTION, "Descendants of immigrants.")


class EducationLevels(Section):
    """Highest education completed by residents aged 16-64 at the start (poor schooling, CFBU-2015 p.14)."""

    basic: float = share(0.45, ASSUMPTION, "Primary and lower secondary only (the poor-schooling barrier).")
    youth_education: float = share(
        0.40, ASSUMPTION, "A completed youth education (upper secondary or vocational)."
    )
    higher: float = share(0.15, ASSUMPTION, "A completed further or higher education.")

    @model_validator(mode="after")
    def _sums_to_one(self) -> EducationLevels:
        _check_sums_to_one(self.model_dump(), "education level shares")
        return self


class Newcomers(Section):
    """Who moves into vacated dwellings (docs/ODD.md 7.9): the area's selective in-migration.

    Easy access to housing let the worst-off concentrate in the estates [HT-2005 p.3-4]. An adult
    newcomer (18-64) is drawn with chance ``selection`` from the on-benefit part of their age band's
    status mix (internship, course, unemployed ready or activity-ready, inactive; renormalised),
    otherwise from the whole mix. Zero (the default, and the national profile) means newcomers
    follow the start marginals.
    """

    selection: float = share(
        0.0,
        ASSUMPTION,
        "Chance an adult newcomer (18-64) is drawn from the on-benefit statuses of their age band "
        "rather than the whole status mix: the worst-off concentrate (HT-2005 p.3-4; value fitted "
        "for the bundled estate, 0 for no selection).",
    )


UNEMPLOYED_LIKE = ("internship", "activation", "unemployed_ready", "unemployed_far")
"""Statuses counted as unemployed: jobless or outside the labour force except leave, pension or
education (CFBU-2015 p.13-14); people on company internships and courses are still on benefit."""

WORKING_AGE_BANDS = ("age_18_29", "age_30_49", "age_50_64")


class Population(Section):
    """Marginals of the start population and of people moving in: the area profile.

    An area profile file (``areas/*.toml``) sets this section and ``simulation.residents``; the
    synthesis reproduces these marginals within sampling error.
    """

    age_bands: AgeBands = AgeBands()
    status_by_age: StatusByAge = StatusByAge()
    long_term_unemployed_share_18_64: float = share(
        0.17,
        "CFBU-2015 p.7, 13-14",
        "Share of residents aged 18-64 held in unemployment two years or more at the start (areas "
        "17 %, whole population 8 %). Must not exceed the unemployed share the status shares imply.",
    )
    long_term_unemployed_share_30_39: float = share(
        0.22,
        "CFBU-2015 p.7, 13-14",
        "Share of residents aged 30-39 long-term unemployed at the start (areas more than 1 in 5, "
        "whole population 9 %); the other ages share the rest of the 18-64 figure.",
    )
    education_levels: EducationLevels = EducationLevels()
    match_group_3_share_of_activity_ready: float = share(
        0.5,
        ASSUMPTION,
        "Share of activity-ready residents in match group 3 (temporarily passive) rather than 2 "
        "(CFBU-2015 p.10, 14); sets their readiness below jobcentre.passive_threshold.",
    )
    barrier_prevalence: BarrierPrevalence = BarrierPrevalence()
    background: BackgroundShares = BackgroundShares()
    language_by_background: LanguageByBackground = LanguageByBackground()
    childcare_women_share: float = share(
        0.8,
        ASSUMPTION,
        "Share of the childcare barrier carried by women (sex is drawn with even odds, so women have "
        "it at 2 x this x barrier_prevalence.childcare); many single parents (HT-2005 p.3-4).",
    )
    barrier_prevalence_ratio_others: float = param(
        0.3,
        "ratio",
        ASSUMPTION,
        "Barrier prevalence among residents who are not activity-ready, relative to activity-ready.",
        ge=0.0,
        le=1.0,
    )
    motivation_mean: float = share(0.6, ASSUMPTION, "Mean motivation (0..1) at the start.")
    prior_dropout_share_young: float = share(
        0.25,
        ASSUMPTION,
        "Share of residents 16-29 with one or more earlier dropouts (CFBU-2013 p.23).",
    )
    move_out_rate_per_year: float = yearly_rate(
        0.10,
        ASSUMPTION,
        "Move-out rate of residents not in work; move-out rates are high (HT-2005 p.4).",
        le=5.0,
    )
    employed_move_out_multiplier: float = param(
        2.0,
        "ratio",
        ASSUMPTION,
        "Move-out rate of the employed relative to others: those who get on move out (HT-2005 p.3-4).",
        ge=0.0,
        le=20.0,
    )
    educated_move_out_multiplier: float = param(
        1.0,
        "ratio",
        ASSUMPTION,
        "Move-out rate of residents with a completed youth or further education relative to others "
        "(multiplies with employed_move_out_multiplier): those who get on move out (HT-2005 p.3-4; "
        "value fitted for the bundled estate, 1 for no selection).",
        ge=0.0,
        le=20.0,
    )
    newcomers: Newcomers = Newcomers()
    refill_vacancies: bool = param(
        True,
        "flag",
        ASSUMPTION,
        "Dwellings vacated one week are let to newcomers the next, drawn from the start marginals and "
        "population.newcomers.",
    )
    residents_csv: str = param(
        "",
        "path",
        SETTING,
        "CSV of individual records (docs/residents_csv.md) to start from instead of synthesised "
        "residents; newcomers are still drawn from the marginals above. Relative to the file that sets it.",
    )

    def _unemployed_by_band(self) -> list[float]:
        return [
            sum(getattr(getattr(self.status_by_age, band), k) for k in UNEMPLOYED_LIKE)
            for band in WORKING_AGE_BANDS
        ]

    def long_term_chances(self) -> tuple[float, float]:
        """Chance an unemployed-like resident is long-term unemployed: (aged 30-39, other ages 18-64).

        Chosen so the start population has the profile's long-term shares of residents 30-39 and
        18-64; ages are uniform within a band, so 30-39 is half the 30-49 band.
        """
        weights = [getattr(self.age_bands, band) for band in WORKING_AGE_BANDS]
        unemployed = self._unemployed_by_band()
        working_age = sum(weights)
        u_30_39 = unemployed[1]
        w_30_39 = weights[1] / 2
        at_30_39 = self.long_term_unemployed_share_30_39 / u_30_39 if u_30_39 > 0 else 0.0
        rest_unemployed = sum(w * u for w, u in zip(weights, unemployed, strict=True)) - w_30_39 * u_30_39
        rest_long_term = self.long_term_unemployed_share_18_64 * working_age - w_30_39 * u_30_39 * at_30_39
        others = rest_long_term / rest_unemployed if rest_unemployed > 0 else 0.0
        return at_30_39, others

    def childcare_by_sex(self) -> tuple[float, float]:
        """Childcare barrier prevalence among activity-ready (men, women): the average is the profile's."""
        prevalence, women = self.barrier_prevalence.childcare, self.childcare_women_share
        return 2.0 * prevalence * (1.0 - women), 2.0 * prevalence * women

    @model_validator(mode="after")
    def _childcare_within_one(self) -> Population:
        men, women = self.childcare_by_sex()
        if max(men, women) > 1.0 + 1e-9:
            raise ValueError(
                f"barrier_prevalence.childcare ({self.barrier_prevalence.childcare:g}) with childcare_women_share "
                f"({self.childcare_women_share:g}) needs a prevalence of {max(men, women):.3g} in one sex: "
                "their product, and that of childcare and 1 - childcare_women_share, must not exceed 0.5"
            )
        return self

    @model_validator(mode="after")
    def _long_term_within_unemployed(self) -> Population:
        at_30_39, others = self.long_term_chances()
        if at_30_39 > 1.0 + 1e-9:
            raise ValueError(
                f"long_term_unemployed_share_30_39 ({self.long_term_unemployed_share_30_39:g}) exceeds the "
                f"unemployed share that status_by_age.age_30_49 implies ({self._unemployed_by_band()[1]:.3g})"
            )
        if not -1e-9 <= others <= 1.0 + 1e-9:
            raise ValueError(
                f"long_term_unemployed_share_18_64 ({self.long_term_unemployed_share_18_64:g}) cannot be reached "
                f"with long_term_unemployed_share_30_39 = {self.long_term_unemployed_share_30_39:g} and the "
                f"unemployed shares of status_by_age (it needs {others:.3g} of the other unemployed to be long-term)"
            )
        return self


# ---------------------------------------------------------------------------------------------
# Labour market, education, programmes
# ---------------------------------------------------------------------------------------------


class LabourMarket(Section):
    """Weekly hazards of the labour market and the labour-demand index."""

    job_finding_ready: float = weekly(
        0.018,
        ASSUMPTION,
        "Job finding of a job-ready unemployed resident with average readiness and motivation.",
    )
    job_finding_far: float = weekly(0.003, ASSUMPTION, "Job finding of an activity-ready resident.")
    job_loss: float = weekly(0.0035, ASSUMPTION, "Loss of an ordinary job.")
    duration_dependence: float = param(
        0.35,
        "exponent",
        ASSUMPTION,
        "Job finding falls as (1 + weeks unemployed / 52) ** -exponent.",
        ge=0.0,
        le=3.0,
    )
    readiness_effect: float = param(
        2.0,
        "log-hazard per unit readiness",
        ASSUMPTION,
        "Effect of readiness (0..1, centred at 0.5) on job finding.",
        ge=0.0,
        le=10.0,
    )
    motivation_effect: float = param(
        1.0,
        "log-hazard per unit motivation",
        ASSUMPTION,
        "Effect of motivation (0..1, centred at 0.5) on job finding and, reversed, on dropout.",
        ge=0.0,
        le=10.0,
    )
    barrier_effect: float = param(
        0.20,
        "log-hazard per barrier",
        ASSUMPTION,
        "Each barrier lowers job finding by this much on the log scale (CFBU-2015 p.14).",
        ge=0.0,
        le=3.0,
    )
    to_inactive: float = weekly(
        0.0015, ASSUMPTION, "Unemployed or employed resident becomes sick or goes on leave."
    )
    inactive_return: float = weekly(0.006, ASSUMPTION, "Inactive resident returns as activity-ready.")
    unemployed_to_education: float = weekly(
        0.004, ASSUMPTION, "Unemployed resident under 30 starts an education."
    )
    employed_to_education: float = weekly(
        0.0005, ASSUMPTION, "Employed resident under 30 starts an education."
    )
    readiness_loss_unemployed: float = param(
        0.0010,
        "readiness per week",
        ASSUMPTION,
        "Readiness lost each week out of work (scarring).",
        ge=0.0,
        le=0.1,
    )
    readiness_gain_employed: float = param(
        0.0030,
        "readiness per week",
        ASSUMPTION,
        "Readiness gained each week in work or education.",
        ge=0.0,
        le=0.1,
    )
    motivation_loss_long_term: float = param(
        0.0010,
        "motivation per week",
        ASSUMPTION,
        "Motivation lost each week of unemployment beyond 52 weeks.",
        ge=0.0,
        le=0.1,
    )
    demand_amplitude: float = param(
        0.10,
        "relative",
        "CFBU-2015 p.13",
        "Amplitude of the business cycle in job finding; the area long-term unemployment share "
        "moved between about 15 % and 18 % over ten years (value an assumption).",
        ge=0.0,
        le=0.9,
    )
    demand_period_years: float = param(
        8.0, "years", ASSUMPTION, "Length of one business cycle.", gt=0.0, le=50.0
    )
    demand_phase_years: float = param(
        0.0, "years", ASSUMPTION, "Where in the cycle week 0 lies.", ge=0.0, le=50.0
    )
    # --- sex: parental leave (issue 11, item 3) ---
    parental_leave_women_20_44: float = weekly(
        0.0006,
        "HT-2005 p.7-8",
        "Extra hazard into inactivity (parental leave) of women aged 20-44 in work, a programme or "
        "unemployment, on top of to_inactive: 18 of Jobexpres's 586 contacts went on parental leave "
        "in about two years (value an assumption).",
    )


class Education(Section):
    """Education completion and dropout (CFBU-2013 p.23; CABI-2011 p.4)."""

    completion: float = weekly(0.0065, ASSUMPTION, "Completion of the current education (about three years).")
    dropout: float = weekly(
        0.0022,
        ASSUMPTION,
        "Dropout of an enrolled resident with no earlier dropouts and average motivation.",
    )
    prior_dropout_effect: float = param(
        0.35,
        "relative per earlier dropout",
        "CABI-2011 p.4",
        "Each earlier dropout raises dropout risk by this share; Middelfart's mentees had 4-8 "
        "earlier dropouts (value an assumption).",
        ge=0.0,
        le=5.0,
    )
    dropout_motivation_penalty: float = param(
        0.10, "motivation", ASSUMPTION, "Motivation lost at a dropout.", ge=0.0, le=1.0
    )
    completion_to_job: float = share(0.40, ASSUMPTION, "Share of completers who go straight into a job.")
    completion_to_further_education: float = share(
        0.40,
        ASSUMPTION,
        "Share of completers under 25 who go on to a further education (the rest seek work).",
    )
    completion_readiness_gain: float = param(
        0.15,
        "readiness",
        ASSUMPTION,
        "Readiness gained by completing an education.",
        ge=0.0,
        le=1.0,
    )
    retirement_age: int = param(
        65, "years", ASSUMPTION, "Age at which residents leave working age.", ge=50, le=80
    )


class Programmes(Section):
    """Active labour-market programmes: lengths, lock-in and later gain, conversions."""

    activation_weeks: int = param(13, "weeks", ASSUMPTION, "Length of a course or upskilling.", ge=1, le=260)
    internship_weeks: int = param(13, "weeks", ASSUMPTION, "Length of a company internship.", ge=1, le=260)
    subsidy_weeks: int = param(26, "weeks", ASSUMPTION, "Length of a wage-subsidy job.", ge=1, le=260)
    lock_in: float = param(
        0.4,
        "ratio",
        ASSUMPTION,
        "Job finding while in a programme relative to outside it: effects near zero in the short "
        "run (Card, Kluve and Weber 2018; docs/ODD.md 7.6).",
        ge=0.0,
        le=1.0,
    )
    activation_readiness_gain: float = param(
        0.006,
        "readiness per week",
        ASSUMPTION,
        "Readiness gained per programme week; pays off later, after the lock-in.",
        ge=0.0,
        le=0.1,
    )
    internship_conversion: float = share(
        0.20, ASSUMPTION, "Internship that ends in an ordinary job at the firm."
    )
    subsidy_conversion: float = share(0.30, ASSUMPTION, "Wage-subsidy job that ends in an ordinary job.")


class Employers(Section):
    """Firm slots open to the area's residents."""

    internship_slots: int = param(
        60,
        "places",
        ASSUMPTION,
        "Company internship places at any time.",
        ge=0,
        scales=True,
        per_resident=1,
        why="a place needs a resident to fill it",
    )
    subsidy_slots: int = param(
        120,
        "places",
        ASSUMPTION,
        "Wage-subsidy places at any time.",
        ge=0,
        scales=True,
        per_resident=1,
        why="a place needs a resident to fill it",
    )


# ---------------------------------------------------------------------------------------------
# Jobcentre
# ---------------------------------------------------------------------------------------------


class Jobcentre(Section):
    """Caseworkers, contacts, assessment, referrals and mentor policy (CFBU-2013 p.23; CFBU-2015 p.10)."""

    caseworkers: int = param(
        12,
        "caseworkers",
        ASSUMPTION,
        "Caseworkers serving the area's residents.",
        ge=0,
        scales=True,
        per_resident=1,
        why="a caseworker needs a client",
    )
    contacts_per_caseworker_per_week: float = param(
        30.0,
        "contacts per week",
        ASSUMPTION,
        "Client contacts one caseworker holds in a week.",
        ge=0.0,
    )
    contact_interval_weeks: int = param(
        4,
        "weeks",
        "CFBU-2013 p.23",
        "Caseworkers meet a client about once a month, or less.",
        ge=1,
        le=104,
    )
    ready_threshold: float = share(
        0.5,
        ASSUMPTION,
        "Readiness at or above which assessment finds a person job-ready (match group 1).",
    )
    passive_threshold: float = share(
        0.3, ASSUMPTION, "Readiness below which a person is in match group 3 (temporarily passive)."
    )
    activation_referral_ready: float = share(
        0.06, ASSUMPTION, "Chance a contact refers a job-ready person to a course."
    )
    activation_referral_far: float = share(
        0.12, ASSUMPTION, "Chance a contact refers an activity-ready person to a course."
    )
    internship_referral: float = share(
        0.06, ASSUMPTION, "Chance a contact refers a job-ready person to a company internship."
    )
    subsidy_referral: float = share(
        0.05, ASSUMPTION, "Chance a contact refers a job-ready person to a wage-subsidy job."
    )
    programme_budget_dkk_per_year: float = param(
        30_000_000.0,
        "DKK per year",
        ASSUMPTION,
        "Budget for courses, internships and subsidies; referrals stop when it is spent.",
        ge=0.0,
        scales=True,
        per_resident=1_000_000,
        why="assumption: six years of wage subsidy for every resident, far above any real budget",
    )
    mentor_policy: Literal["pre2014", "obligation2014"] = param(
        "pre2014",
        "choice",
        "CFBU-2015 p.10",
        "pre2014: mentors mainly for match groups 1-2; obligation2014: activity-ready people who "
        "cannot take part in upskilling must be offered mentor support.",
    )
    mentor_offer_group1: float = share(
        0.08,
        ASSUMPTION,
        "Pre-2014: share of match group 1 contacts offered a mentor (mainly groups 1-2, CFBU-2015 p.10).",
    )
    mentor_offer_group2: float = share(
        0.08, ASSUMPTION, "Pre-2014: share of match group 2 contacts offered a mentor."
    )
    mentor_offer_group3: float = share(
        0.03,
        "CFBU-2015 p.10",
        "Pre-2014: chance a contact offers a match group 3 client a mentor; calibrated so that only "
        "about 3 % of match group 3 are offered one in a year (Mploy 2011).",
    )
    obligation_offer: float = share(
        0.6,
        ASSUMPTION,
        "2014 obligation: share of activity-ready contacts outside upskilling offered mentor support.",
    )
    volunteer_attitude: Literal["enthusiastic", "expectant", "sceptical"] = param(
        "expectant",
        "choice",
        "CABI-2011 p.7-9",
        "Attitude to volunteers; sets the share of mentor referrals sent to the volunteer corps.",
    )
    mentor_support_mentors: int = param(
        0,
        "mentors",
        ASSUMPTION,
        "Jobcentre-paid professional mentors for mentor support.",
        ge=0,
        scales=True,
        per_resident=1,
        why=MENTOR_NEEDS_MENTEE,
    )
    mentor_support_caseload: int = param(
        12, "mentees per mentor", ASSUMPTION, "Caseload of a jobcentre mentor.", ge=1, le=100
    )
    mentor_support_hours_per_week: float = param(
        1.0,
        "hours per mentee per week",
        ASSUMPTION,
        "Meeting time; the aim is only to stabilise, not to get a job (CFBU-2015 p.10).",
        ge=0.0,
        le=40.0,
    )
    mentor_support_emotional_support: float = share(
        0.5, ASSUMPTION, "Emphasis on emotional support in jobcentre mentor support."
    )
    mentor_support_match_quality: float = share(
        0.6, ASSUMPTION, "Quality of matching in jobcentre mentor support."
    )
    mentor_support_weeks: int = param(
        26, "weeks", ASSUMPTION, "Planned length of jobcentre mentor support.", ge=1, le=520
    )


VOLUNTEER_SHARE_BY_ATTITUDE = {"enthusiastic": 0.6, "expectant": 0.3, "sceptical": 0.05}
"""Share of jobcentre mentor referrals sent to volunteers, by attitude (CABI-2011 p.7-9; values assumptions)."""


# ---------------------------------------------------------------------------------------------
# Mentoring
# ---------------------------------------------------------------------------------------------


class KindEffects(Section):
    """Effects of one kind of mentor at full relation quality."""

    job_finding: float = param(0.3, "relative", ASSUMPTION, "Relative rise in job finding.", ge=0.0, le=10.0)
    dropout_reduction: float = share(0.4, ASSUMPTION, "Relative fall in education dropout.")
    readiness_gain: float = param(
        0.004, "readiness per week", ASSUMPTION, "Readiness gained per week.", ge=0.0, le=0.1
    )
    motivation_gain: float = param(
        0.004, "motivation per week", ASSUMPTION, "Motivation gained per week.", ge=0.0, le=0.1
    )
    conversion_boost: float = param(
        0.2,
        "relative",
        ASSUMPTION,
        "Relative rise in programme-to-job conversion.",
        ge=0.0,
        le=10.0,
    )
    education_entry: float = param(
        0.5,
        "relative",
        "CFBU-2013 p.22-23",
        "Relative rise in (re)starting an education for a young person out of work (value an assumption).",
        ge=0.0,
        le=10.0,
    )


class Mentoring(Section):
    """The mentoring dose per the four criteria (CFBU-2013 p.10-11)."""

    quality_growth: float = param(
        0.06,
        "per week",
        "CFBU-2013 p.10-11",
        "Weekly growth of relation quality at the reference dose; quality saturates over about a "
        "year (criterion 1: at least one year; value an assumption).",
        ge=0.0,
        le=1.0,
    )
    reference_hours_per_week: float = param(
        2.5,
        "hours per week",
        "CFBU-2013 p.10, 13",
        "Meeting hours at which the dose is full: weekly meetings of several hours (criterion 2); "
        "BBBS pairs met about 3 times a month for about 4 h.",
        gt=0.0,
        le=40.0,
    )
    early_end_weeks: int = param(
        13,
        "weeks",
        "CFBU-2013 p.11",
        "Relations ending before about three months can be counterproductive.",
        ge=0,
        le=104,
    )
    early_end_motivation_penalty: float = param(
        0.12,
        "motivation",
        ASSUMPTION,
        "Motivation lost when a relation ends before the threshold.",
        ge=0.0,
        le=1.0,
    )
    breakdown: float = weekly(
        0.012, ASSUMPTION, "Relation breakdown at average match quality and motivation."
    )
    breakdown_match_effect: float = param(
        2.5,
        "log-hazard per unit",
        "CFBU-2013 p.10-11",
        "Better screening and matching (criterion 4) lowers breakdown (value an assumption).",
        ge=0.0,
        le=10.0,
    )
    breakdown_motivation_effect: float = param(
        1.5,
        "log-hazard per unit",
        "CFBU-2015 p.17",
        "Unmotivated mentees drop out (Tingbjerg: 7 of 13 completed; value an assumption).",
        ge=0.0,
        le=10.0,
    )
    volunteer: KindEffects = KindEffects(
        job_finding=0.3,
        dropout_reduction=0.45,
        readiness_gain=0.003,
        motivation_gain=0.004,
        conversion_boost=0.1,
        education_entry=0.5,
    )
    professional: KindEffects = KindEffects(
        job_finding=0.35,
        dropout_reduction=0.5,
        readiness_gain=0.005,
        motivation_gain=0.005,
        conversion_boost=0.2,
        education_entry=1.0,
    )
    business: KindEffects = KindEffects(
        job_finding=0.8,
        dropout_reduction=0.2,
        readiness_gain=0.002,
        motivation_gain=0.003,
        conversion_boost=1.0,
        education_entry=0.0,
    )


class EffortStart(Section):
    """Start-up and end of an intervention effort (CFBU-2015 p.9, 16: of 26 efforts, 8 running, 2 ended, 16 starting).

    The effort takes mentees from week ``start_up_weeks + extra delay`` (the extra delay drawn once
    per replicate from an exponential distribution) until it ends; when it ends its mentors leave,
    so relations under way end too (early ones counterproductively, CFBU-2013 p.11). The draws are
    made in a fixed order, so a replicate's effort has the same fate in every scenario sharing the seed.
    """

    start_up_weeks: int = param(
        26,
        "weeks",
        "CFBU-2015 p.16",
        "Planned weeks before the effort starts taking mentees (value an assumption).",
        ge=0,
        le=520,
    )
    extra_delay_mean_weeks: float = param(
        0.0,
        "weeks",
        "CFBU-2015 p.9, 16",
        "Mean of an exponential delay beyond the plan (cooperation problems, unmotivated target "
        "group, new staff); 0 runs to plan. Calibrated to the record of 26 efforts.",
        ge=0.0,
        le=5200.0,
    )
    never_starts: float = share(
        0.0,
        "CFBU-2015 p.16",
        "Chance the effort never gets running, drawn once per replicate (value an assumption).",
    )
    end_rate_per_year: float = yearly_rate(
        0.0,
        "CFBU-2015 p.9, 16",
        "Rate at which a running effort ends (2 of 10 started had ended); calibrated.",
        le=52.0,
    )
    # --- planner-level settings (issue 12, item 7) ---
    end_week: int = param(
        0,
        "week",
        SETTING,
        "Planned last week plus one: from this week on the effort takes no new mentees, its mentors "
        "leave (relations under way end, as when an effort ends early) and its costs stop; 0: no "
        "planned end (docs/ODD.md 7.5).",
        ge=0,
        le=5200,
    )


TargetStatus = Literal[
    "employed",
    "subsidised",
    "internship",
    "activation",
    "unemployed_ready",
    "unemployed_far",
    "education",
    "inactive",
]


TargetSex = Literal["male", "female"]
TargetBackground = Literal["danish_origin", "immigrant", "descendant"]
TargetBarrier = Literal[
    "health", "mental_health", "substance_use", "criminal_record", "language", "low_schooling", "childcare"
]
MAX_TARGET_WEEKS = 3380  # working life, 65 x 52 weeks: no unemployment spell is longer
SELF_REFERRAL_MIN_MOTIVATION = 0.5
"""Assumption: residents who come to an effort by themselves are at least this motivated (HT-2005 p.13)."""


class TargetGroup(Section):
    """Who an effort reaches by its own recruitment (referrals from schools, outreach, firm hiring)."""

    statuses: list[TargetStatus] = param(
        ["education"],
        "statuses",
        "CFBU-2013 p.23",
        "Statuses of the target group (default: young people in education at dropout risk).",
        min_length=1,
    )
    min_age: int = param(14, "years", ASSUMPTION, "Youngest in the target group.", ge=14, le=64)
    max_age: int = param(29, "years", ASSUMPTION, "Oldest in the target group.", ge=14, le=64)
    min_readiness: float = share(0.0, ASSUMPTION, "Lowest readiness of those out of education reached.")
    max_motivation: float = share(
        1.0,
        "CFBU-2015 p.17",
        "Highest motivation of those reached: below 1 targets people who did not ask for a mentor "
        "(Tingbjerg).",
    )
    enrolled_at_risk_only: bool = param(
        True,
        "flag",
        "CFBU-2013 p.23",
        "Reach enrolled young people only when at dropout risk (an earlier dropout or low motivation).",
    )

    # --- who people are (issue 11, item 3); the defaults select everyone, as before ---
    sexes: list[TargetSex] = param(
        ["male", "female"], "sexes", SETTING, "Sexes of the target group (e.g. women only).", min_length=1
    )
    backgrounds: list[TargetBackground] = param(
        ["danish_origin", "immigrant", "descendant"],
        "backgrounds",
        SETTING,
        "Backgrounds of the target group (e.g. young people of immigrant background, HT-2005 p.10-11).",
        min_length=1,
    )
    barriers_any: list[TargetBarrier] = param(
        [],
        "barriers",
        SETTING,
        "Reach only residents with at least one of these barriers (empty: no condition).",
    )
    barriers_all: list[TargetBarrier] = param(
        [],
        "barriers",
        SETTING,
        "Reach only residents with every one of these barriers (empty: no condition).",
    )
    match_groups: list[Literal[0, 1, 2, 3]] = param(
        [0, 1, 2, 3],
        "match groups",
        SETTING,
        "Match groups at the last assessment (0: never assessed; CFBU-2015 p.10, 14).",
        min_length=1,
    )
    min_unemployment_weeks: int = param(
        0,
        "weeks",
        SETTING,
        "Shortest current unemployment spell (104: long-term unemployed, CFBU-2015 p.13-14).",
        ge=0,
        le=MAX_TARGET_WEEKS,
    )
    max_unemployment_weeks: int = param(
        MAX_TARGET_WEEKS, "weeks", SETTING, "Longest current unemployment spell.", ge=0, le=MAX_TARGET_WEEKS
    )
    min_prior_dropouts: int = param(
        0,
        "dropouts",
        SETTING,
        "Fewest earlier dropouts from education (Middelfart's mentees had 4-8, CABI-2011 p.4).",
        ge=0,
        le=100,
    )
    min_motivation: float = share(
        0.0, SETTING, "Lowest motivation of those reached (self-referrals come from the motivated)."
    )

    @model_validator(mode="after")
    def _ages_ordered(self) -> TargetGroup:
        if self.min_age > self.max_age:
            raise ValueError(f"min_age ({self.min_age}) must not exceed max_age ({self.max_age})")
        if self.min_unemployment_weeks > self.max_unemployment_weeks:
            raise ValueError(
                f"min_unemployment_weeks ({self.min_unemployment_weeks}) must not exceed "
                f"max_unemployment_weeks ({self.max_unemployment_weeks})"
            )
        if self.min_motivation > self.max_motivation:
            raise ValueError(
                f"min_motivation ({self.min_motivation:g}) must not exceed max_motivation ({self.max_motivation:g})"
            )
        return self


class ReferralSources(Section):
    """Referral flows into an effort besides schools, outreach and the jobcentre (docs/ODD.md 7.2).

    Each flow picks residents of the effort's own target group; referrals that find no one, or a
    full waiting list, are counted as unmet demand of their source. The defaults add no flow.
    """

    housing_plan_per_week: float = param(
        0.0,
        "referrals per week",
        "CFBU-2015 p.20",
        "Mentees the housing plan's staff recruit for the effort (its supporting role; value an assumption).",
        ge=0.0,
        scales=True,
        per_resident=1,
        why="referrals are residents",
    )
    self_per_week: float = param(
        0.0,
        "referrals per week",
        "HT-2005 p.13",
        "Residents of the target group who come by themselves; target groups often lack motivation "
        "and do not, so only the motivated do (value an assumption).",
        ge=0.0,
        scales=True,
        per_resident=1,
        why="referrals are residents",
    )


# ---------------------------------------------------------------------------------------------
# Placement brokering and leisure jobs (docs/ODD.md 7.14, 7.15, 7.7)
# ---------------------------------------------------------------------------------------------

PlacementKind = Literal["job", "internship", "subsidy", "education", "leisure_job"]
PLACEMENT_KIND_NAMES: tuple[str, ...] = ("job", "internship", "subsidy", "education", "leisure_job")


class Placement(Section):
    """Placement brokering by one effort: staff search placements for the people it works with (docs/ODD.md 7.14).

    Projekt A til B, Jobexpres and Ishøj found people jobs, internships, wage-subsidy places,
    education places and leisure jobs, and tried again elsewhere when one failed (CFBU-2013 p.15-19;
    HT-2005 p.7-8). Off by default, so a scenario brokers only where it says so.
    """

    enabled: bool = param(False, "flag", "CFBU-2013 p.19", "Whether the effort brokers placements.")
    hours_per_staff_per_week: float = param(
        4.0,
        "hours per week per mentor in post",
        ASSUMPTION,
        "Hours each mentor or staff member in post spends searching placements for its mentees.",
        ge=0.0,
        le=40.0,
    )
    hours_per_attempt: float = param(
        3.0,
        "hours per attempt",
        ASSUMPTION,
        "Staff time of one attempt: calling firms or schools about one person, a visit, follow-up "
        "(HT-2005 p.18: firms respond to concrete requests about one citizen).",
        ge=0.1,
        le=100.0,
    )
    firm_contacts: int = param(
        10,
        "firms",
        "CFBU-2013 p.15",
        "Firms the effort has contacts with (Ishøj: a network of 30); value an assumption.",
        ge=0,
        le=10_000,
    )
    kinds: list[PlacementKind] = param(
        list(PLACEMENT_KIND_NAMES),
        "placement kinds",
        "HT-2005 p.7-8",
        "Kinds of placement the effort brokers: job, internship, subsidy, education, leisure_job.",
        min_length=1,
    )
    ladder: Literal["stepwise", "work_first"] = param(
        "stepwise",
        "choice",
        "CFBU-2015 p.11; HT-2005 p.7-8",
        "Order in which kinds are tried: 'stepwise' puts an internship or a wage subsidy before a job "
        "for the activity-ready and education first for the young (CFBU-2015 p.11); 'work_first' "
        "tries an ordinary job first for everyone it places, then the stepwise kinds, as an "
        "area-based employment service whose outcomes were mostly jobs did (HT-2005 p.7-8).",
    )


class Placements(Section):
    """Success of a placement attempt, shared by every brokering effort (docs/ODD.md 7.14).

    The chance an attempt succeeds is the kind's base chance, times the network factor (firm
    kinds only), times exp(readiness_effect (r - 0.5) + motivation_effect (m - 0.5) -
    barrier_effect x barriers), at most 1. All values are assumptions to be calibrated against
    Jobexpres's outcome mix over its contacts (HT-2005 p.7-8).
    """

    success_job: float = share(0.45, ASSUMPTION, "Base chance an attempt at an ordinary job succeeds.")
    success_internship: float = share(
        0.3, ASSUMPTION, "Base chance an attempt at a company internship succeeds."
    )
    success_subsidy: float = share(0.25, ASSUMPTION, "Base chance an attempt at a wage-subsidy job succeeds.")
    success_education: float = share(
        0.25, ASSUMPTION, "Base chance an attempt at an education or apprenticeship place succeeds."
    )
    success_leisure_job: float = share(
        0.3, ASSUMPTION, "Base chance an attempt at a leisure job for a young person in school succeeds."
    )
    network_half_contacts: float = param(
        10.0,
        "firms",
        ASSUMPTION,
        "Firm contacts at which the network factor is one half: factor = contacts / (contacts + this).",
        gt=0.0,
        le=10_000.0,
    )
    readiness_effect: float = param(
        2.0,
        "log per unit",
        ASSUMPTION,
        "Log effect of readiness on an attempt's success.",
        ge=0.0,
        le=10.0,
    )
    motivation_effect: float = param(
        1.5,
        "log per unit",
        ASSUMPTION,
        "Log effect of motivation on an attempt's success.",
        ge=0.0,
        le=10.0,
    )
    barrier_effect: float = param(
        0.2, "log per barrier", ASSUMPTION, "Log fall of an attempt's success per barrier.", ge=0.0, le=5.0
    )
    retry_after_weeks: int = param(
        4,
        "weeks",
        "CFBU-2013 p.19",
        "Weeks after a failed attempt before the next one, elsewhere ('never give up'); value an assumption.",
        ge=1,
        le=520,
    )
    youth_max_age: int = param(
        24,
        "years",
        "HT-2005 p.5",
        "Oldest age at which education comes first on the ladder (the partnership's 'young people under 25').",
        ge=14,
        le=64,
    )


class LeisureJobs(Section):
    """Leisure jobs of residents 14-17 in education, a state alongside schooling (docs/ODD.md 7.7).

    The partnership targeted 50 leisure jobs (HT-2005 p.5); Nye Muligheder aimed at 75 % of its
    pupils and reached 80 % (HT-2005 p.10-11). A leisure job ends on leaving education or at 18.
    """

    start: float = weekly(
        0.004, ASSUMPTION, "Weekly hazard that an enrolled 14-17-year-old without one gets a leisure job."
    )
    loss: float = weekly(0.02, ASSUMPTION, "Weekly hazard that a leisure job ends (about a year on average).")
    dropout_reduction: float = share(
        0.15,
        ASSUMPTION,
        "Relative fall in the dropout hazard while holding a leisure job (HT-2005 p.10-11 counts leisure "
        "jobs as a success criterion of keeping pupils in school).",
    )
    readiness_gain: float = param(
        0.0005,
        "per week",
        ASSUMPTION,
        "Weekly readiness gain while holding a leisure job (work experience: later job entry goes "
        "through readiness).",
        ge=0.0,
        le=0.1,
    )


class VolunteerCorps(Section):
    """A volunteer mentor corps run by a coordinator (CABI-2011 p.4; FR-2012 p.6; CFBU-2013 p.13-14)."""

    enabled: bool = param(False, "flag", ASSUMPTION, "Whether the area has a volunteer corps.")
    effort: EffortStart = EffortStart()
    coordinator_hours_per_week: float = param(
        0.0,
        "hours per week",
        "CABI-2011 p.4",
        "Coordinator time: the bottleneck on training and matching.",
        ge=0.0,
        scales=True,
        per_resident=0.4,
        at_least=400.0,
        why="ten full-time coordinators per 1,000 residents, far beyond the one coordinator of CABI-2011 p.4",
    )
    volunteers: int = param(
        0,
        "volunteers",
        SETTING,
        "Trained volunteers the corps aims to keep: applicants are taken in and trained (coordinator "
        "hours permitting) until this many are on the roster, and leavers are replaced; 0: train only "
        "as many as the waiting list needs (docs/ODD.md 7.2).",
        ge=0,
        scales=True,
        per_resident=1,
        why=MENTOR_NEEDS_MENTEE,
    )
    applicants_per_week: float = param(
        1.0,
        "applicants per week",
        "CABI-2011 p.4",
        "Volunteer applicants: interest is very high (value an assumption).",
        ge=0.0,
        scales=True,
        per_resident=1,
        why="a volunteer needs a mentee among the residents",
    )
    screening_training_hours: float = param(
        8.0,
        "coordinator hours per volunteer",
        ASSUMPTION,
        "Screening and basic training of one volunteer.",
        ge=0.0,
    )
    matching_hours: float = param(
        3.0,
        "coordinator hours per match",
        ASSUMPTION,
        "Deliberate matching of a mentee with a volunteer (CFBU-2013 p.10-11).",
        ge=0.0,
    )
    supervision_hours_per_match: float = param(
        0.25,
        "coordinator hours per match per week",
        "CFBU-2013 p.13",
        "Supervision of active matches (BBBS: monthly contact in year one).",
        ge=0.0,
    )
    mentees_per_volunteer: int = param(
        1, "mentees", "CFBU-2013 p.5", "Caseload of a volunteer (one or two).", ge=1, le=5
    )
    hours_per_week: float = param(
        2.5,
        "hours per week",
        "CFBU-2013 p.13",
        "Meeting time per match (BBBS: about 3 times a month, about 4 h).",
        ge=0.0,
        le=40.0,
    )
    emotional_support: float = share(0.8, "CFBU-2013 p.10", "Emphasis on emotional support (criterion 3).")
    match_quality: float = share(
        0.7,
        "CFBU-2013 p.10-11",
        "Quality of screening and matching (criterion 4; value an assumption).",
    )
    planned_weeks: int = param(
        52,
        "weeks",
        "CFBU-2013 p.10, 13",
        "Planned relation length: at least one year.",
        ge=1,
        le=520,
    )
    attrition_per_year: float = yearly_rate(0.25, ASSUMPTION, "Volunteers leaving when supervised.")
    unsupervised_attrition_multiplier: float = param(
        3.0, "ratio", ASSUMPTION, "Attrition when supervision hours fall short.", ge=1.0, le=50.0
    )
    referrals_per_week: float = param(
        0.4,
        "referrals per week",
        "CABI-2011 p.4",
        "Mentees from the target group referred by schools or recruited by the effort itself "
        "(besides jobcentre, housing-plan and self-referrals).",
        ge=0.0,
        scales=True,
        per_resident=1,
        why="referrals are residents",
    )
    target: TargetGroup = TargetGroup()
    referrals: ReferralSources = ReferralSources()
    mentor_kind: Literal["volunteer", "business"] = param(
        "volunteer",
        "choice",
        "CFBU-2015 p.17",
        "Kind of mentor the corps provides; a volunteer organisation may supply business mentors (Tingbjerg).",
    )
    max_waiting: int = param(
        60,
        "mentees",
        ASSUMPTION,
        "Waiting list length beyond which referrals are turned away.",
        ge=0,
        scales=True,
        per_resident=1,
        why="the waiting list holds residents",
    )
    coordinator_cost_per_hour_dkk: float = param(
        400.0, "DKK per hour", ASSUMPTION, "Coordinator wage cost.", ge=0.0, le=MAX_UNIT_COST_DKK
    )
    cost_per_match_dkk: float = param(
        6500.0,
        "DKK per match",
        "CFBU-2013 p.13",
        "Staff support and supervision per match: $1,000 in BBBS (exchange rate an assumption).",
        ge=0.0,
        le=MAX_UNIT_COST_DKK,
    )
    placement: Placement = Placement()


class ProfessionalMentors(Section):
    """Professional social mentors placed in the area (CFBU-2013 p.18-23)."""

    mentors: int = param(
        0,
        "mentors",
        "CFBU-2013 p.18",
        "Social mentors placed in the area (A til B: 2 staff).",
        ge=0,
        scales=True,
        per_resident=1,
        why=MENTOR_NEEDS_MENTEE,
    )
    effort: EffortStart = EffortStart(start_up_weeks=13)
    caseload: int = param(
        12,
        "mentees per mentor",
        "CFBU-2013 p.18-23",
        "Each mentors several people; 12 lies in an assumed range of 10-15.",
        ge=1,
        le=100,
    )
    hours_per_week: float = param(
        1.5, "hours per mentee per week", ASSUMPTION, "Meeting time per mentee.", ge=0.0, le=40.0
    )
    emotional_support: float = share(0.9, "CFBU-2013 p.22-23", "Relations built on trust in the area.")
    match_quality: float = share(0.75, ASSUMPTION, "Quality of matching by a trained professional.")
    planned_weeks: int = param(
        104,
        "weeks",
        "CFBU-2013 p.19, 22",
        "Relations often over a year, known for 2-3 years.",
        ge=1,
        le=520,
    )
    outreach_per_week: float = param(
        1.0,
        "mentees per week per mentor",
        "CFBU-2013 p.22-23",
        "New mentees a mentor finds in the target group.",
        ge=0.0,
    )
    target: TargetGroup = TargetGroup(
        statuses=["unemployed_ready", "unemployed_far", "inactive", "education"], min_age=15, max_age=29
    )
    referrals: ReferralSources = ReferralSources()
    turnover_per_year: float = yearly_rate(
        0.15, "HT-2005 p.5", "Staff leaving; turnover stalled projects (value an assumption)."
    )
    vacancy_weeks: int = param(12, "weeks", ASSUMPTION, "Weeks to refill a vacated post.", ge=0, le=520)
    cost_per_mentor_per_year_dkk: float = param(
        550_000.0,
        "DKK per year",
        ASSUMPTION,
        "Salary and overhead of one mentor.",
        ge=0.0,
        le=MAX_UNIT_COST_DKK,
    )
    # Social mentors link the young people they work with to firms, schools and education (CFBU-2013
    # p.18-23): professional mentors broker placements unless a scenario turns it off.
    placement: Placement = Placement(enabled=True)


class BusinessMentors(Section):
    """A business-mentor network of firms (CFBU-2013 p.15-17)."""

    firms: int = param(
        0,
        "firms",
        "CFBU-2013 p.15",
        "Firms in the network (Ishøj: 30); firms x mentors_per_firm is the number of business mentors.",
        ge=0,
        scales=True,
        per_resident=1,
        why=MENTOR_NEEDS_MENTEE,
    )
    effort: EffortStart = EffortStart(start_up_weeks=26)
    mentors_per_firm: int = param(
        1, "mentors", ASSUMPTION, "Employees acting as business mentors per firm.", ge=1, le=50
    )
    mentees_per_mentor: int = param(
        1, "mentees", "CFBU-2013 p.15", "An employee mentors one or two.", ge=1, le=5
    )
    hours_per_week: float = param(
        3.0,
        "hours per week",
        "CFBU-2013 p.16",
        "Young people meet their mentor several times a week.",
        ge=0.0,
        le=40.0,
    )
    emotional_support: float = share(0.4, ASSUMPTION, "Emphasis on emotional support.")
    match_quality: float = share(0.65, ASSUMPTION, "Quality of matching by the coordinators.")
    planned_weeks: int = param(52, "weeks", "CFBU-2013 p.15", "Mentoring typically for a year.", ge=1, le=520)
    target: TargetGroup = TargetGroup(
        statuses=["unemployed_ready", "unemployed_far", "education"],
        min_age=16,
        max_age=29,
        min_readiness=0.3,
    )
    intake_per_mentor_per_week: float = param(
        0.25,
        "mentees per mentor per week",
        ASSUMPTION,
        "Pace of hiring: a firm takes on about one young person a month while it has places.",
        ge=0.0,
        le=10.0,
    )
    turnover_per_year: float = yearly_rate(0.2, ASSUMPTION, "Business mentors leaving.")
    cost_per_match_week_dkk: float = param(
        350.0,
        "DKK per match-week",
        ASSUMPTION,
        "Coordination and compensation per active match.",
        ge=0.0,
        le=MAX_UNIT_COST_DKK,
    )
    placement: Placement = Placement()


class EmploymentService(Section):
    """An area-based employment service: a jobcentre presence in the estate (Jobexpres, HT-2005 p.7-8; docs/ODD.md 7.15).

    Staff meet the people they reach often, in the estate, and broker placements through their
    own firm contacts. The target group is adults on cash or integration benefit; a share of the
    outreach goes to young people 14-17 in school who want a leisure job.
    """

    staff: int = param(
        0,
        "staff",
        "HT-2005 p.7",
        "Staff of the service in the estate (0: no service); the number is not given, value an assumption.",
        ge=0,
        scales=True,
        per_resident=1,
        why=MENTOR_NEEDS_MENTEE,
    )
    effort: EffortStart = EffortStart(start_up_weeks=13)
    caseload: int = param(
        25, "people per staff member", ASSUMPTION, "People one staff member works with at once.", ge=1, le=200
    )
    contact_hours_per_week: float = param(
        1.0,
        "hours per person per week",
        "HT-2005 p.7",
        "Contact time per person: frequent contact in the estate (value an assumption).",
        ge=0.0,
        le=40.0,
    )
    emotional_support: float = share(
        0.4, ASSUMPTION, "Emphasis on emotional support: a service, not a mentor."
    )
    match_quality: float = share(0.6, ASSUMPTION, "Quality of the fit between staff member and person.")
    planned_weeks: int = param(
        26,
        "weeks",
        ASSUMPTION,
        "Contact period before the person returns to the caseworker (HT-2005 p.7-8: 106 of 586 returned).",
        ge=1,
        le=520,
    )
    outreach_per_week: float = param(
        1.5,
        "people per week per staff member",
        "HT-2005 p.7",
        "New people a staff member reaches (586 contacts in about two years).",
        ge=0.0,
    )
    target: TargetGroup = TargetGroup(
        statuses=["unemployed_ready", "unemployed_far"], min_age=18, max_age=64, enrolled_at_risk_only=False
    )
    youth_outreach_share: float = share(
        0.07,
        "HT-2005 p.7-8",
        "Share of outreach that goes to young people 14-17 in school wanting a leisure job (40 of 586).",
    )
    youth_target: TargetGroup = TargetGroup(
        statuses=["education"], min_age=14, max_age=17, enrolled_at_risk_only=False
    )
    turnover_per_year: float = yearly_rate(
        0.15, "HT-2005 p.5", "Staff leaving; turnover stalled projects (value an assumption)."
    )
    vacancy_weeks: int = param(12, "weeks", ASSUMPTION, "Weeks to refill a vacated post.", ge=0, le=520)
    placement: Placement = Placement(enabled=True, firm_contacts=30, hours_per_staff_per_week=8.0)
    cost_per_staff_per_year_dkk: float = param(
        550_000.0,
        "DKK per year",
        ASSUMPTION,
        "Salary and overhead of one staff member (as a social mentor).",
        ge=0.0,
        le=MAX_UNIT_COST_DKK,
    )


class Costs(Section):
    """Unit costs (all assumptions in 2013 DKK)."""

    caseworker_contact_dkk: float = param(
        700.0, "DKK per contact", ASSUMPTION, "One caseworker contact.", ge=0.0, le=MAX_UNIT_COST_DKK
    )
    activation_week_dkk: float = param(
        1200.0, "DKK per week", ASSUMPTION, "One week of a course.", ge=0.0, le=MAX_UNIT_COST_DKK
    )
    internship_week_dkk: float = param(
        400.0,
        "DKK per week",
        ASSUMPTION,
        "One week of a company internship (administration).",
        ge=0.0,
        le=MAX_UNIT_COST_DKK,
    )
    subsidy_week_dkk: float = param(
        3000.0, "DKK per week", ASSUMPTION, "One week of wage subsidy.", ge=0.0, le=MAX_UNIT_COST_DKK
    )
    mentor_support_per_mentor_per_year_dkk: float = param(
        500_000.0, "DKK per year", ASSUMPTION, "One jobcentre mentor.", ge=0.0, le=MAX_UNIT_COST_DKK
    )


# ---------------------------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------------------------


class Scenario(Section):
    """A complete scenario: an area, its jobcentre, and the interventions put into it."""

    name: str = param("baseline", "text", SETTING, "Short name used in outputs.")
    description: str = param("", "text", SETTING, "What the scenario represents.")
    area: str = param("", "text", SETTING, "Name of the area profile the population section comes from.")
    simulation: Simulation = Simulation()
    population: Population = Population()
    labour_market: LabourMarket = LabourMarket()
    education: Education = Education()
    programmes: Programmes = Programmes()
    employers: Employers = Employers()
    jobcentre: Jobcentre = Jobcentre()
    mentoring: Mentoring = Mentoring()
    volunteer_corps: VolunteerCorps = VolunteerCorps()
    professional_mentors: ProfessionalMentors = ProfessionalMentors()
    business_mentors: BusinessMentors = BusinessMentors()
    costs: Costs = Costs()
    employment_service: EmploymentService = EmploymentService()
    placements: Placements = Placements()
    leisure_jobs: LeisureJobs = LeisureJobs()

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Scenario:
        jc = self.jobcentre
        if jc.passive_threshold > jc.ready_threshold:
            raise ValueError(
                f"jobcentre.passive_threshold ({jc.passive_threshold}) must not exceed "
                f"jobcentre.ready_threshold ({jc.ready_threshold})"
            )
        return self

    @model_validator(mode="after")
    def _within_population(self) -> Scenario:
        """Capacities (staff, mentors, firms, places, referrals) are bounded relative to the residents.

        The bounds are declared on the fields (``per_resident`` in :func:`sim.params.param`); the
        number of mentors of all efforts together is bounded too, since a mentor needs a mentee.
        """
        residents = self.simulation.residents
        for path, value, extra in _leaves(self):
            bound = relative_bound(extra, residents)
            if bound is not None and value > bound:
                _refuse(path, value, f"at most {bound:,.6g} for {residents:,} residents ({extra['why']})")
        bm = self.business_mentors
        mentors = {
            "professional_mentors.mentors": self.professional_mentors.mentors,
            "jobcentre.mentor_support_mentors": self.jobcentre.mentor_support_mentors,
            "business_mentors.firms": bm.firms * bm.mentors_per_firm,
            "employment_service.staff": self.employment_service.staff,
        }
        if sum(mentors.values()) > residents:
            key = max(mentors, key=mentors.__getitem__)  # the largest share names the key to lower
            _refuse(
                key,
                bm.firms if key == "business_mentors.firms" else mentors[key],
                f"{sum(mentors.values()):,} mentors in all (professional {mentors['professional_mentors.mentors']:,}, "
                f"jobcentre {mentors['jobcentre.mentor_support_mentors']:,}, business {bm.firms:,} firms x "
                f"{bm.mentors_per_firm}, employment service {mentors['employment_service.staff']:,}) "
                f"for {residents:,} residents: at most one per resident ({MENTOR_NEEDS_MENTEE})",
            )
        return self


def _leaves(model: BaseModel, prefix: str = "") -> list[tuple[str, Any, dict[str, Any]]]:
    """(key path, value, schema extras) of every leaf parameter of a validated model."""
    out = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            out += _leaves(value, f"{prefix}{name}.")
        else:
            out.append((f"{prefix}{name}", value, field.json_schema_extra or {}))
    return out


def _refuse(path: str, value: Any, allowed: str) -> None:
    """Raise a validation error located at the key path, so the message names the key and value."""
    error = PydanticCustomError("relative_bound", allowed)  # type: ignore[arg-type]
    loc = tuple(path.split("."))
    raise ValidationError.from_exception_data(
        "Scenario", [InitErrorDetails(type=error, loc=loc, input=value)]
    )


def _is_section(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def iter_parameters(model: type[BaseModel] | BaseModel = Scenario, prefix: str = ""):
    """Yield (key path, field, default value) for every leaf parameter, defaults taken from the instance."""
    instance = model if isinstance(model, BaseModel) else model()
    for name, field in type(instance).model_fields.items():
        value = getattr(instance, name)
        path = f"{prefix}{name}"
        if _is_section(field.annotation):
            yield from iter_parameters(value, f"{path}.")
        else:
            yield path, field, value
