"""Vocabularies of the domain (SPEC §3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    INSTITUTION = "institution", _("Training institution")
    VENUE = "venue", _("Venue or practice base")
    PROFESSIONAL = "professional", _("Individual professional")
    RETIRED_TEACHER = "retired_teacher", _("Retired teacher")
    VOLUNTEER = "volunteer", _("Volunteer")

    @classmethod
    def organisations(cls):
        return {cls.INSTITUTION, cls.VENUE}

    @classmethod
    def named_in_public(cls):
        """Kinds whose listings are published by name. A retired teacher's provider name
        is their own name: the public sees the retired-teacher pool only in aggregate."""
        return [kind for kind in cls if kind != cls.RETIRED_TEACHER]


class CredentialType(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    SCHOOL_PERMIT = "school_permit", _("School-running permit")
    TEACHER_CERTIFICATE = "teacher_certificate", _("Teacher certificate")
    VOCATIONAL_QUALIFICATION = "vocational_qualification", _("Vocational qualification")
    PROFESSIONAL_CERTIFICATE = "professional_certificate", _("Professional or skill certificate")
    COACH_LICENCE = "coach_licence", _("Coach licence")
    HERITAGE_INHERITOR = "heritage_inheritor", _("Intangible-heritage inheritor certificate")
    HEALTH_CERTIFICATE = "health_certificate", _("Health certificate")
    NO_CRIMINAL_RECORD = "no_criminal_record", _("No-criminal-record proof")
    OTHER = "other", _("Other")


class VerificationState(models.TextChoices):
    PENDING = "pending", _("Not yet reviewed")
    VERIFIED = "verified", _("Verified")
    REFUSED = "refused", _("Refused")


class Category(models.TextChoices):
    MORAL = "moral", _("Moral education")
    READING = "reading", _("Reading")
    TECHNOLOGY = "technology", _("Science and technology")
    SCIENCE = "science", _("Popular science")
    SPORTS = "sports", _("Sports")
    ARTS = "arts", _("Arts")
    LABOUR = "labour", _("Labour education")
    SAFETY = "safety", _("Safety training")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    HERITAGE = "heritage", _("Intangible heritage")
    ECOLOGY = "ecology", _("Ecological education")
    FILM = "film", _("Film and media")
    FIRST_AID = "first_aid", _("Hygiene and first aid")
    HOMEWORK = "homework", _("Homework guidance")
    OTHER = "other", _("Other")


class ResourceType(models.TextChoices):
    COURSE = "course", _("Course content")
    VENUE = "venue", _("Venue resource")


class Delivery(models.TextChoices):
    IN_SCHOOL = "in_school", _("In school")
    AT_VENUE = "at_venue", _("At the venue")
    ONLINE = "online", _("Online")


class SchoolLevel(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary school")
    NINE_YEAR = "nine_year", _("Nine-year school")


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


class CheckAdapter(models.TextChoices):
    MANUAL = "manual", _("Manual entry by a check officer")
    SIMULATED = "simulated", _("Simulated query (demonstration)")


class CriminalRecordResult(models.TextChoices):
    PENDING = "pending", _("Not yet known")
    CLEAR = "clear", _("No record found")
    FLAGGED = "flagged", _("Record found")


class HealthResult(models.TextChoices):
    PENDING = "pending", _("Not yet known")
    FIT = "fit", _("Fit")
    UNFIT = "unfit", _("Unfit")


class CharacterResult(models.TextChoices):
    PENDING = "pending", _("Not yet known")
    GOOD = "good", _("Good")
    CONCERN = "concern", _("Concern")


class ContractKind(models.TextChoices):
    ADMISSION = "admission", _("Admission agreement")
    SERVICE = "service", _("Service agreement")


class SignatureParty(models.TextChoices):
    VENDOR = "vendor", _("Provider")
    BUREAU = "bureau", _("Education bureau")
    SCHOOL = "school", _("School")


class EvaluationKind(models.TextChoices):
    SCHOOL_RATING = "school_rating", _("School rating")
    SURVEY = "survey", _("Parent or student survey")
    INSPECTION = "inspection", _("Bureau inspection")
    INCIDENT = "incident", _("Incident")


class InspectionKind(models.TextChoices):
    SPOT_CHECK = "spot_check", _("Random spot check")
    FLYING = "flying", _("Unannounced (flying) inspection")
    STAGED = "staged", _("Staged assessment")


class ExitTrigger(models.TextChoices):
    LOW_SCORE = "low_score", _("Low evaluation score")
    INSPECTION = "inspection", _("Inspection finding")
    COMPLAINT = "complaint", _("School complaint")
    EXPIRED_CREDENTIAL = "expired_credential", _("Expired mandatory credential")
    FLAGGED_CHECK = "flagged_check", _("Flagged background check")
    VOLUNTARY = "voluntary", _("Voluntary request")


class ExitReason(models.TextChoices):
    LOW_RESPONSIBILITY = "low_responsibility", _("Low sense of responsibility")
    LOW_QUALITY = "low_quality", _("Low service quality")
    LOW_SATISFACTION = "low_satisfaction", _("Low satisfaction")
    RECRUITING = "recruiting", _("Recruiting students in school")
    NOT_AS_AGREED = "not_as_agreed", _("Not serving as agreed")
    DISTURBING_ORDER = "disturbing_order", _("Disturbing school order")
    ACADEMIC_TEACHING = "academic_teaching", _("Academic-subject teaching")
    VOLUNTARY = "voluntary", _("Leaving voluntarily")


class NoticeKind(models.TextChoices):
    LISTING = "listing", _("Listing")
    EXIT = "exit", _("Exit")
    GENERAL = "general", _("General")
