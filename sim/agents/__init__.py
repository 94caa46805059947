"""Mesa agents of the model: residents, mentors, the jobcentre, volunteer corps, teams and firms.

Mentor profiles (:class:`MentorProfile`) describe the kind of mentor each effort provides.
"""

from sim.agents.employers import Employers
from sim.agents.firms import FirmNetwork
from sim.agents.jobcentre import Jobcentre
from sim.agents.mentor import Mentor
from sim.agents.mentor_team import MentorTeam
from sim.agents.profile import MentorProfile
from sim.agents.resident import Resident
from sim.agents.volunteers import VolunteerCorps

__all__ = [
    "Employers",
    "FirmNetwork",
    "Jobcentre",
    "Mentor",
    "MentorProfile",
    "MentorTeam",
    "Resident",
    "VolunteerCorps",
]
