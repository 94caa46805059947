"""Mentor profiles: what kind of mentor an effort provides, built once from its scenario section.

Every mentor of an effort has the same kind, caseload, dose (hours, emotional support, match
quality, planned length) and weekly leave hazard (docs/ODD.md 2.3). The effort builds one
:class:`MentorProfile` from its scenario section when the model is built, with one factory per
kind of effort (docs/ODD.md 7.2-7.4), and each mentor it enlists or hires carries that profile.
Fields are keyword-only, so two 0..1 shares cannot trade places unnoticed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

from sim.engine.states import MentorKind
from sim.engine.units import weekly_hazard
from sim.scenario import Scenario


@dataclass(frozen=True, slots=True, kw_only=True)
class MentorProfile:
    """The kind of mentor one effort provides (docs/ODD.md 2.3, 7.8).

    Attributes:
        kind: Volunteer, professional or business mentor.
        pool: Name of the effort the mentors belong to (relation log, tallies and reports).
        capacity: Mentees one mentor can hold at once (the caseload).
        hours_per_week: Meeting hours per mentee per week.
        emotional_support: Emphasis on emotional support, 0..1 (criterion 3, CFBU-2013 p.10).
        match_quality: Quality of screening and matching, 0..1 (criterion 4).
        planned_weeks: Planned relation length.
        leave_hazard: Weekly hazard that a mentor leaves (attrition or staff turnover).

    Raises:
        ValueError: If a field lies outside its range.
    """

    kind: MentorKind
    pool: str
    capacity: int
    hours_per_week: float
    emotional_support: float
    match_quality: float
    planned_weeks: int
    leave_hazard: float

    def __post_init__(self) -> None:
        if self.kind not in (MentorKind.VOLUNTEER, MentorKind.PROFESSIONAL, MentorKind.BUSINESS):
            raise ValueError(
                f"mentor profile: kind must be volunteer, professional or business, got {self.kind!r}"
            )
        # Stored as the enum, so a plain int given for the kind reads back by name.
        object.__setattr__(self, "kind", MentorKind(self.kind))
        if not isinstance(self.pool, str) or not self.pool:
            raise ValueError(f"mentor profile: pool must be a non-empty name, got {self.pool!r}")
        self._check_count("capacity", minimum=1)
        self._check_count("planned_weeks", minimum=1)
        self._check_real("hours_per_week", upper=math.inf)
        self._check_real("emotional_support", upper=1.0)
        self._check_real("match_quality", upper=1.0)
        self._check_real("leave_hazard", upper=math.inf)

    def _check_count(self, field: str, minimum: int) -> None:
        value = getattr(self, field)
        if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
            raise ValueError(
                f"mentor profile {self.pool!r}: {field} must be a whole number of at least {minimum}, "
                f"got {value!r}"
            )

    def _check_real(self, field: str, upper: float) -> None:
        value = getattr(self, field)
        ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or not 0.0 <= value <= upper:
            span = "0..1" if upper == 1.0 else "a finite number of at least 0"
            raise ValueError(f"mentor profile {self.pool!r}: {field} must be {span}, got {value!r}")

    @classmethod
    def volunteer(cls, scenario: Scenario) -> MentorProfile:
        """Volunteers of the volunteer corps (docs/ODD.md 7.2).

        The corps supplies business mentors instead when ``volunteer_corps.mentor_kind`` is
        ``"business"`` (CFBU-2015 p.17).
        """
        vc = scenario.volunteer_corps
        return cls(
            kind=MentorKind.BUSINESS if vc.mentor_kind == "business" else MentorKind.VOLUNTEER,
            pool="volunteer_corps",
            capacity=vc.mentees_per_volunteer,
            hours_per_week=vc.hours_per_week,
            emotional_support=vc.emotional_support,
            match_quality=vc.match_quality,
            planned_weeks=vc.planned_weeks,
            leave_hazard=weekly_hazard(vc.attrition_per_year),
        )

    @classmethod
    def social(cls, scenario: Scenario) -> MentorProfile:
        """Professional social mentors placed in the area (docs/ODD.md 7.3)."""
        pm = scenario.professional_mentors
        return cls(
            kind=MentorKind.PROFESSIONAL,
            pool="social_mentors",
            capacity=pm.caseload,
            hours_per_week=pm.hours_per_week,
            emotional_support=pm.emotional_support,
            match_quality=pm.match_quality,
            planned_weeks=pm.planned_weeks,
            leave_hazard=weekly_hazard(pm.turnover_per_year),
        )

    @classmethod
    def jobcentre(cls, scenario: Scenario) -> MentorProfile:
        """The jobcentre's own mentor support (docs/ODD.md 7.3).

        Its dose comes from ``jobcentre.mentor_support_*``; its staff turnover from
        ``professional_mentors``, one labour market for mentor staff.
        """
        jc = scenario.jobcentre
        return cls(
            kind=MentorKind.PROFESSIONAL,
            pool="jobcentre_mentors",
            capacity=jc.mentor_support_caseload,
            hours_per_week=jc.mentor_support_hours_per_week,
            emotional_support=jc.mentor_support_emotional_support,
            match_quality=jc.mentor_support_match_quality,
            planned_weeks=jc.mentor_support_weeks,
            leave_hazard=weekly_hazard(scenario.professional_mentors.turnover_per_year),
        )

    @classmethod
    def employment_service(cls, scenario: Scenario) -> MentorProfile:
        """Staff of an area-based employment service (docs/ODD.md 7.15; HT-2005 p.7-8).

        Professional staff: the professional mentoring effects apply to their contact, at the
        service's own dose (frequent, employment-focused contact).
        """
        es = scenario.employment_service
        return cls(
            kind=MentorKind.PROFESSIONAL,
            pool="employment_service",
            capacity=es.caseload,
            hours_per_week=es.contact_hours_per_week,
            emotional_support=es.emotional_support,
            match_quality=es.match_quality,
            planned_weeks=es.planned_weeks,
            leave_hazard=weekly_hazard(es.turnover_per_year),
        )

    @classmethod
    def business(cls, scenario: Scenario) -> MentorProfile:
        """Employees of the business-mentor network's firms (docs/ODD.md 7.4)."""
        bm = scenario.business_mentors
        return cls(
            kind=MentorKind.BUSINESS,
            pool="business_mentors",
            capacity=bm.mentees_per_mentor,
            hours_per_week=bm.hours_per_week,
            emotional_support=bm.emotional_support,
            match_quality=bm.match_quality,
            planned_weeks=bm.planned_weeks,
            leave_hazard=weekly_hazard(bm.turnover_per_year),
        )
