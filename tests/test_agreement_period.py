"""One configured period for admission agreements (准入协议): ``ADMISSION_AGREEMENT_YEARS``
(3 years unless the environment says otherwise), for agreements the workflow generates
and for the demo's seeded ones alike."""

import datetime as dt

import pytest

from marketplace.admission.agreements import generate_admission_agreement
from marketplace.choices import ContractKind
from marketplace.management.commands import _seed_admission as seed_admission
from marketplace.models import Contract
from tests.factories import OfferingFactory, PersonFactory, ProviderFactory, UserFactory
from tests.test_settings import show
from workflows.admission import AdmissionState as S

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)
BUREAU = {"bureau_name": "滨江区教育局", "district_name": "滨江区"}


def new_agreement():
    provider = ProviderFactory()
    OfferingFactory(provider=provider, verified=True)
    PersonFactory(provider=provider)
    return generate_admission_agreement(provider, today=TODAY, **BUREAU)


def seeded_agreement(listed_on):
    """The agreement the demo seed prepares for an entry listed on ``listed_on``."""
    provider = ProviderFactory(owner=UserFactory(), state=S.CONTRACT)
    OfferingFactory(provider=provider, verified=True)
    PersonFactory(provider=provider)
    seed_admission.agreement(provider, listed_on)
    return Contract.objects.get(provider=provider, kind=ContractKind.ADMISSION)


def test_a_new_agreement_runs_three_years_by_default(settings):
    assert settings.POLICY["ADMISSION_AGREEMENT_YEARS"] == 3
    contract = new_agreement()
    assert (contract.period_start, contract.period_end) == (TODAY, dt.date(2029, 2, 28))


def test_the_configured_period_changes_new_agreements(settings):
    settings.POLICY = {**settings.POLICY, "ADMISSION_AGREEMENT_YEARS": 2}
    contract = new_agreement()
    assert (contract.period_start, contract.period_end) == (TODAY, dt.date(2028, 2, 29))


def test_seeded_agreements_run_the_same_configured_period(settings):
    assert seeded_agreement(TODAY).period_end == new_agreement().period_end
    settings.POLICY = {**settings.POLICY, "ADMISSION_AGREEMENT_YEARS": 1}
    contract = seeded_agreement(TODAY)
    assert (contract.period_start, contract.period_end) == (TODAY, dt.date(2027, 2, 28))


def test_the_period_is_read_from_the_environment(tmp_path):
    setting = 'settings.POLICY["ADMISSION_AGREEMENT_YEARS"]'
    env = {"VAR_DIR": str(tmp_path)}
    assert show(setting, env) == "3"
    assert show(setting, {**env, "ADMISSION_AGREEMENT_YEARS": "5"}) == "5"
