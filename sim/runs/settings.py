"""A scenario's resolved staffing, capacities and start-up assumptions, in plain words.

What a run actually used, after ``extends``, the area profile, rescaling to the run's size and
command-line settings: printed in the report beside each scenario and written to manifest.json, so
two scenarios that look alike on paper cannot differ unseen (README 'Comparisons').
"""

from __future__ import annotations

from sim.scenario import EffortStart, Placement, Scenario


def _n(value: float) -> str:
    """A number in plain words: whole numbers without decimals, thousands separated."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"


def _plural(count: float, one: str, many: str | None = None) -> str:
    return f"{_n(count)} {one if count == 1 else many or one + 's'}"


def start_up_text(effort: EffortStart) -> str:
    """How an effort starts and ends, in plain words (docs/ODD.md 7.5)."""
    weeks = effort.start_up_weeks
    parts = [f"planned start after {_plural(weeks, 'week')}" if weeks else "planned to start at once"]
    if effort.extra_delay_mean_weeks > 0:
        parts.append(
            f"plus an extra delay averaging {_plural(effort.extra_delay_mean_weeks, 'week')} "
            "(as such efforts usually go)"
        )
    else:
        parts.append("no extra delay (on plan)")
    if effort.never_starts > 0:
        parts.append(f"{100 * effort.never_starts:.0f} % chance it never starts")
    if effort.end_rate_per_year > 0:
        parts.append(
            f"once running, ends at a rate of {effort.end_rate_per_year:.2g} a year "
            f"(on average after {1 / effort.end_rate_per_year:.1f} years)"
        )
    else:
        parts.append("no early end")
    if effort.end_week > 0:
        parts.append(f"planned end in week {effort.end_week} (year {effort.end_week / 52:.1f})")
    return "; ".join(parts)


def brokering_text(placement: Placement) -> str:
    """An effort's placement brokering in words ('' when it does not broker; docs/ODD.md 7.14)."""
    if not placement.enabled:
        return ""
    return (
        f"; brokers placements ({_n(placement.hours_per_staff_per_week)} hours a week per mentor in post, "
        f"{_plural(placement.firm_contacts, 'firm contact')}, {placement.ladder.replace('_', ' ')})"
    )


def resolved_settings(scenario: Scenario) -> dict[str, str]:
    """Staffing, capacities and start-up of one scenario as it runs, in plain words.

    Keys are short headings in a fixed order (estate, jobcentre, then each effort the scenario
    has, its start-up after it); values are one sentence each.
    """
    sim, jc, em = scenario.simulation, scenario.jobcentre, scenario.employers
    area = f" (area profile {scenario.area})" if scenario.area else ""
    csv = f", from {scenario.population.residents_csv}" if scenario.population.residents_csv else ""
    out = {
        "Estate": f"{sim.residents:,} residents aged 14-64{area}{csv}; {sim.years} years, "
        f"{_plural(sim.replicates, 'replicate')}, seed {sim.seed}",
        "Caseworkers": f"{_n(jc.caseworkers)}, {_n(jc.contacts_per_caseworker_per_week)} contacts a week each, "
        f"a client seen about every {_plural(jc.contact_interval_weeks, 'week')}",
        "Programme budget": f"{_n(jc.programme_budget_dkk_per_year)} DKK a year for courses, internships and wage subsidies",
        "Firm places": f"{_n(em.internship_slots)} internship and {_n(em.subsidy_slots)} wage-subsidy places",
        "Jobcentre mentors": (
            f"{_n(jc.mentor_support_mentors)} (the jobcentre's own mentor support, "
            f"{_n(jc.mentor_support_caseload)} mentees each, {jc.mentor_policy} policy, "
            f"{jc.volunteer_attitude} about volunteers)"
            if jc.mentor_support_mentors > 0
            else f"none ({jc.mentor_policy} policy, {jc.volunteer_attitude} about volunteers)"
        ),
    }
    vc = scenario.volunteer_corps
    if vc.enabled:
        keep = (
            f"keeps {_plural(vc.volunteers, 'trained volunteer')}, replacing leavers"
            if vc.volunteers > 0
            else "trains volunteers as mentees wait"
        )
        out["Volunteer corps"] = (
            f"a coordinator with {_n(vc.coordinator_hours_per_week)} hours a week; {keep}; "
            f"{_plural(vc.applicants_per_week, 'applicant')} a week; {_n(vc.mentees_per_volunteer)} mentee(s) "
            f"per volunteer; {_plural(vc.referrals_per_week, 'school referral')} a week; relations planned for "
            f"{_plural(vc.planned_weeks, 'week')}{brokering_text(vc.placement)}"
        )
        out["Volunteer corps start-up"] = start_up_text(vc.effort)
    pm = scenario.professional_mentors
    if pm.mentors > 0:
        out["Social mentors"] = (
            f"{_plural(pm.mentors, 'mentor')}, {_n(pm.caseload)} mentees each ({_n(pm.mentors * pm.caseload)} places); "
            f"relations planned for {_plural(pm.planned_weeks, 'week')}{brokering_text(pm.placement)}"
        )
        out["Social mentors start-up"] = start_up_text(pm.effort)
    bm = scenario.business_mentors
    if bm.firms > 0:
        places = bm.firms * bm.mentors_per_firm * bm.mentees_per_mentor
        out["Business mentors"] = (
            f"{_n(bm.firms)} firms x {_n(bm.mentors_per_firm)} mentor(s) x {_n(bm.mentees_per_mentor)} "
            f"mentee(s) ({_n(places)} places); relations planned for {_plural(bm.planned_weeks, 'week')}"
            f"{brokering_text(bm.placement)}"
        )
        out["Business mentors start-up"] = start_up_text(bm.effort)
    es = scenario.employment_service
    if es.staff > 0:
        out["Employment service"] = (
            f"{_n(es.staff)} staff, {_n(es.caseload)} people each ({_n(es.staff * es.caseload)} places)"
            f"{brokering_text(es.placement)}"
        )
        out["Employment service start-up"] = start_up_text(es.effort)
    return out
