"""Codes for resident statuses, barriers, mentor kinds and weekly event flags.

The codes are plain integers so that the Numba kernel and numpy masks can use them directly.
"""

from enum import IntEnum


class Status(IntEnum):
    """Labour-market and education status of a resident (docs/ODD.md 2.2)."""

    EMPLOYED = 0  # ordinary job
    SUBSIDISED = 1  # wage-subsidy job or flex job
    INTERNSHIP = 2  # company internship
    ACTIVATION = 3  # course, upskilling
    UNEMPLOYED_READY = 4  # job- or education-ready (match group 1)
    UNEMPLOYED_FAR = 5  # activity-ready, far from the labour market (match groups 2-3)
    EDUCATION = 6  # enrolled in education
    INACTIVE = 7  # sick, parental leave, disability pension
    RETIRED = 8  # past working age; absorbing


STATUS_NAMES = [s.name.lower() for s in Status]
PROGRAMMES = (Status.ACTIVATION, Status.INTERNSHIP, Status.SUBSIDISED)


class Barrier(IntEnum):
    """Bit positions of barriers beyond unemployment (CFBU-2015 p.14; CFBU-2013 p.15, 18, 22)."""

    HEALTH = 0
    MENTAL_HEALTH = 1
    SUBSTANCE_USE = 2
    CRIMINAL_RECORD = 3
    LANGUAGE = 4
    LOW_SCHOOLING = 5
    CHILDCARE = 6


N_BARRIERS = len(Barrier)


class Background(IntEnum):
    """Ethnic background of a resident (HT-2005 p.3-4: many residents of non-Danish background)."""

    DANISH_ORIGIN = 0
    IMMIGRANT = 1
    DESCENDANT = 2  # born in Denmark to immigrant parents


BACKGROUND_NAMES = [b.name.lower() for b in Background]
SEX_NAMES = ("male", "female")  # codes 0 and 1 of the ``sex`` array


class MentorKind(IntEnum):
    """The three kinds of mentor (CFBU-2013 p.5; CFBU-2015 p.20); NONE marks no relation."""

    NONE = -1
    VOLUNTEER = 0
    PROFESSIONAL = 1
    BUSINESS = 2


class Event(IntEnum):
    """Bit flags the kernel sets in a resident's weekly event word."""

    DROPOUT = 0
    COMPLETED_EDUCATION = 1
    FOUND_JOB = 2
    MOVED_OUT = 3
    RELATION_COMPLETED = 4
    RELATION_ENDED_EARLY = 5  # ended before the counterproductive threshold (about 13 weeks)
    RELATION_BROKE_DOWN = 6
    RETIRED = 7


class RandomSlot(IntEnum):
    """Event slots of the counter-based random numbers; one slot per kind of draw."""

    TRANSITION = 0
    RELATION_BREAKDOWN = 1
    JOBCENTRE_REFERRAL = 2
    JOBCENTRE_PROGRAMME = 3
    MENTOR_REFERRAL = 4
    # Referral sources of an effort besides schools and outreach (docs/ODD.md 7.2); the effort's
    # pool number is added in thousands so that two efforts do not pick the same people.
    HOUSING_PLAN_REFERRAL = 10
    SELF_REFERRAL = 11
    SYNTHESIS = 16  # 16.. are used by population synthesis, one per attribute
    # Placement brokering and leisure jobs (docs/ODD.md 7.14, 7.7); above synthesis's 16..47.
    PLACEMENT_ORDER = 64
    PLACEMENT_SUCCESS = 65
    LEISURE_JOB = 66
