"""Which credentials each kind of provider must hold: one table, read by forms,
the submit guard and the expiry task alike.

Organisation credentials belong to the provider entry; personal credentials belong
to each person the provider sends into schools.
"""

from marketplace.choices import CredentialType as C
from marketplace.choices import ProviderKind as K

REQUIRED_FOR_PROVIDER: dict[str, tuple[str, ...]] = {
    K.INSTITUTION: (C.BUSINESS_LICENCE, C.SCHOOL_PERMIT),
    K.VENUE: (C.BUSINESS_LICENCE,),
    K.PROFESSIONAL: (C.PROFESSIONAL_CERTIFICATE,),
    K.RETIRED_TEACHER: (C.TEACHER_CERTIFICATE,),
    K.VOLUNTEER: (),
}

# Every person who enters a school brings these, whatever the provider kind
# [000 §五(三)2: illegal-record check, physical and mental health].
REQUIRED_FOR_PERSON: tuple[str, ...] = (C.HEALTH_CERTIFICATE, C.NO_CRIMINAL_RECORD)

# Types that describe an organisation rather than a person.
ORGANISATION_TYPES = frozenset({C.BUSINESS_LICENCE, C.SCHOOL_PERMIT})


def required_for_provider(kind: str) -> tuple[str, ...]:
    return REQUIRED_FOR_PROVIDER[kind]


def missing_types(required, held) -> list[str]:
    held = set(held)
    return [t for t in required if t not in held]
