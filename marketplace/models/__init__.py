"""The domain (SPEC §3): who provides what, who may enter schools, and what schools book.

One module per domain; everything is re-exported here, so ``from marketplace.models import
Provider`` keeps working and every model stays in the ``marketplace`` app. Lifecycles come
from ``workflows``: each stateful model composes its workflow mixin, so the machine is one
import away from the model.
"""

from marketplace.models.agreements import Contract, Signature
from marketplace.models.base import (
    DESCRIPTION_LIMIT,
    GRADE_VALIDATORS,
    NOTE_LIMIT,
    OUTLINE_LIMIT,
    TimeStamped,
    Town,
    User,
    bounded_text,
)
from marketplace.models.bookings import (
    Booking,
    BookingSlot,
    CalendarFeed,
    ScheduleEntry,
    SessionStatus,
)
from marketplace.models.bureau import BureauSettings
from marketplace.models.candidate_lists import CandidateList, candidate_list_path
from marketplace.models.credentials import Credential
from marketplace.models.evaluation import Evaluation, ExitCase
from marketplace.models.offerings import Offering, reindex_offerings
from marketplace.models.people import BackgroundCheck, Person, id_number_digest
from marketplace.models.providers import Provider
from marketplace.models.schools import DayOff, School, Term, Venue

__all__ = [
    "BackgroundCheck",
    "Booking",
    "BookingSlot",
    "BureauSettings",
    "CalendarFeed",
    "CandidateList",
    "Contract",
    "Credential",
    "DESCRIPTION_LIMIT",
    "DayOff",
    "Evaluation",
    "ExitCase",
    "GRADE_VALIDATORS",
    "NOTE_LIMIT",
    "OUTLINE_LIMIT",
    "Offering",
    "Person",
    "Provider",
    "ScheduleEntry",
    "School",
    "SessionStatus",
    "Signature",
    "Term",
    "TimeStamped",
    "Town",
    "User",
    "Venue",
    "bounded_text",
    "candidate_list_path",
    "id_number_digest",
    "reindex_offerings",
]
