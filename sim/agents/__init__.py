"""Mesa agents of the model: residents, mentors, the jobcentre, volunteer corps, teams and firms."""

from sim.agents.employers import Employers
from sim.agents.firms import FirmNetwork
from sim.agents.jobcentre import Jobcentre
from sim.agents.mentor import Mentor
from sim.agents.mentor_team import MentorTeam
from sim.agents.resident import Resident
from sim.agents.volunteers import VolunteerCorps

__all__ = [
    "Employers",
    "FirmNetwork",
    "Jobcentre",
    "Mentor",
    "MentorTeam",
    "Resident",
    "VolunteerCorps",
]
