"""The admission machine: every guard, every refusal, the four-eyes rule, the timeline,
publishing, and two staff acting at once."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django_fsm_log.models import StateLog

from cms.models import ProviderPage
from marketplace.admission import services
from marketplace.choices import CriminalRecordResult, SignatureParty
from marketplace.models import Provider
from marketplace.roles import Role
from tests.factories import (
    BackgroundCheckFactory,
    ProviderFactory,
    UserFactory,
    complete_application,
)
from workflows.admission import AdmissionState as S
from workflows.models import Reason
from workflows.transitions import StaleEntry, TransitionRefused, run, timeline

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]


def staff(role):
    return UserFactory(groups=[role])


@pytest.fixture
def people():
    return {
        "reviewer": staff(Role.REVIEWER), "checker": staff(Role.CHECK_OFFICER),
        "manager": staff(Role.MANAGER), "manager2": staff(Role.MANAGER),
    }


class _Refused:
    def __init__(self, code):
        self.code = code

    def __enter__(self):
        self.ctx = pytest.raises(TransitionRefused)
        self.info = self.ctx.__enter__()
        return self.info

    def __exit__(self, *exc):
        result = self.ctx.__exit__(*exc)
        assert self.info.value.code == self.code, (self.info.value.code, str(self.info.value))
        return result


def to_review(people):
    provider = complete_application()
    provider = run(provider, "submit", by=provider.owner)
    return run(provider, "start_review", by=people["reviewer"])


def verify_everything(provider, reviewer):
    for credential in provider.active_credentials():
        services.review_item(credential, by=reviewer, verified=True)
    for offering in provider.active_offerings():
        services.review_item(offering, by=reviewer, verified=True)


def to_contract(people):
    provider = to_review(people)
    verify_everything(provider, people["reviewer"])
    provider = run(provider, "approve_qualification", by=people["reviewer"])
    for person in provider.active_people():
        BackgroundCheckFactory(person=person)
    return run(provider, "confirm_checks", by=people["checker"])


def sign_both(provider, manager):
    contract = provider.admission_agreement()
    services.sign_agreement(contract, by=provider.owner, party=SignatureParty.VENDOR,
                            typed_name="王建华", consent=True, ip_address="10.0.0.8")
    services.sign_agreement(contract, by=manager, party=SignatureParty.BUREAU,
                            typed_name="李主任", consent=True, ip_address="10.0.0.9")


# --- submit ------------------------------------------------------------------------------
def test_submit_lists_everything_that_is_missing():
    provider = ProviderFactory(owner=UserFactory(groups=[Role.VENDOR]))
    with _Refused("guard") as info:
        run(provider, "submit", by=provider.owner)
    text = " ".join(info.value.reasons)
    assert "营业执照" in text and "办学许可证" in text
    assert "至少一项课程服务" in text or "offering" in text
    assert Provider.objects.get(pk=provider.pk).state == S.DRAFT


def test_a_person_without_their_own_certificates_blocks_submission():
    provider = complete_application()
    provider.active_people().first().credentials.filter(type="health_certificate").delete()
    with _Refused("guard") as info:
        run(provider, "submit", by=provider.owner)
    assert "健康证明" in " ".join(info.value.reasons)


def test_only_the_owner_may_submit(people):
    provider = complete_application()
    for user in (UserFactory(groups=[Role.VENDOR]), people["reviewer"], people["manager"]):
        with _Refused("forbidden"):
            run(provider, "submit", by=user)


def test_submit_is_logged_and_tells_the_reviewers(people):
    provider = complete_application()
    mail.outbox.clear()
    provider = run(provider, "submit", by=provider.owner, comment="请审核")
    assert provider.state == S.SUBMITTED
    log = StateLog.objects.for_(provider).get()
    assert (log.by, log.source_state, log.state, log.transition) == (
        provider.owner, S.DRAFT, S.SUBMITTED, "submit")
    entry = timeline(provider, staff=False).get(action="submit")
    assert entry.statelog == log and entry.comment == "请审核"
    assert any(people["reviewer"].email in m.to for m in mail.outbox)


# --- qualification review ----------------------------------------------------------------
def test_a_vendor_cannot_review_their_own_entry(people):
    provider = complete_application()
    provider = run(provider, "submit", by=provider.owner)
    with _Refused("forbidden"):
        run(provider, "start_review", by=provider.owner)


def test_request_changes_needs_a_reason_and_the_vendor_can_resubmit(people):
    provider = to_review(people)
    with _Refused("reason_required"):
        run(provider, "request_changes", by=people["reviewer"], comment="请补充")
    with _Refused("comment_required"):
        run(provider, "request_changes", by=people["reviewer"], reason=Reason.OTHER)
    provider = run(provider, "request_changes", by=people["reviewer"],
                   reason=Reason.UNREADABLE, comment="营业执照看不清",
                   internal_note="疑似过期复印件")
    assert provider.state == S.CHANGES_REQUESTED
    vendor_view = timeline(provider, staff=False).get(action="request_changes")
    assert vendor_view.reason == Reason.UNREADABLE and vendor_view.comment == "营业执照看不清"
    assert any(provider.owner.email in m.to for m in mail.outbox)
    provider = run(provider, "resubmit", by=provider.owner)
    assert provider.state == S.QUALIFICATION_REVIEW


def test_approval_waits_until_every_item_is_reviewed_and_none_refused(people):
    provider = to_review(people)
    with _Refused("guard") as info:
        run(provider, "approve_qualification", by=people["reviewer"])
    assert "营业执照" in " ".join(info.value.reasons)
    credential = provider.active_credentials().first()
    with _Refused("note_required"):
        services.review_item(credential, by=people["reviewer"], verified=False)
    services.review_item(credential, by=people["reviewer"], verified=False, note="已过期")
    verify_everything_but = [c for c in provider.active_credentials() if c.pk != credential.pk]
    for c in verify_everything_but:
        services.review_item(c, by=people["reviewer"], verified=True)
    for o in provider.active_offerings():
        services.review_item(o, by=people["reviewer"], verified=True)
    with _Refused("guard") as info:
        run(provider, "approve_qualification", by=people["reviewer"])
    assert credential.label in " ".join(info.value.reasons)
    services.review_item(credential, by=people["reviewer"], verified=True)
    provider = run(provider, "approve_qualification", by=people["reviewer"])
    assert provider.state == S.BACKGROUND_CHECK
    assert provider.qualification_reviewer == people["reviewer"]


def test_item_review_is_refused_outside_qualification_review(people):
    provider = complete_application()
    with _Refused("wrong_state"):
        services.review_item(provider.active_offerings().first(), by=people["reviewer"],
                             verified=True)


# --- background checks -------------------------------------------------------------------
def test_everyone_must_hold_a_valid_cleared_check(people):
    provider = to_review(people)
    verify_everything(provider, people["reviewer"])
    provider = run(provider, "approve_qualification", by=people["reviewer"])
    with _Refused("guard") as info:
        run(provider, "confirm_checks", by=people["checker"])
    person = provider.active_people().get()
    assert person.full_name in " ".join(info.value.reasons)
    with _Refused("forbidden"):
        run(provider, "confirm_checks", by=people["reviewer"])


def test_a_flagged_person_is_barred_and_blocks_until_removed(people, tmp_path):
    provider = to_review(people)
    verify_everything(provider, people["reviewer"])
    provider = run(provider, "approve_qualification", by=people["reviewer"])
    flagged_person = provider.active_people().get()
    check = BackgroundCheckFactory(person=flagged_person, requested=True)
    from django.core.files.base import ContentFile

    from tests.factories import TINY_PDF
    check = services.record_check_results(
        check, by=people["checker"], criminal_record=CriminalRecordResult.FLAGGED,
        health="fit", character="good", checked_on=check.created_at.date(),
        result_file=ContentFile(TINY_PDF, name="result.pdf"))
    with _Refused("guard"):
        services.decide_check(check, by=people["checker"], clear=True)
    services.decide_check(check, by=people["checker"], clear=False, comment="有记录")
    flagged_person.refresh_from_db()
    assert flagged_person.barred
    with _Refused("guard") as info:
        run(provider, "confirm_checks", by=people["checker"])
    assert "禁止" in " ".join(info.value.reasons) or "barred" in " ".join(info.value.reasons)
    from tests.factories import PersonFactory
    replacement = PersonFactory(provider=provider)
    BackgroundCheckFactory(person=replacement)
    services.remove_person(person=flagged_person, by=provider.owner)
    provider = run(provider, "confirm_checks", by=people["checker"])
    assert provider.state == S.CONTRACT


# --- agreement, four eyes, listing ---------------------------------------------------------
def test_entering_contract_prepares_the_agreement_pdf(people):
    provider = to_contract(people)
    contract = provider.admission_agreement()
    assert contract is not None and contract.pdf and len(contract.pdf_sha256) == 64


def test_listing_needs_both_signatures_and_a_manager_who_did_not_review(people):
    provider = to_contract(people)
    with _Refused("guard"):
        run(provider, "approve_listing", by=people["manager"])
    contract = provider.admission_agreement()
    with _Refused("order"):
        services.sign_agreement(contract, by=people["manager"], party=SignatureParty.BUREAU,
                                typed_name="李主任", consent=True, ip_address="10.0.0.9")
    with _Refused("consent_required"):
        services.sign_agreement(contract, by=provider.owner, party=SignatureParty.VENDOR,
                                typed_name="王建华", consent=False, ip_address="10.0.0.8")
    with _Refused("forbidden"):
        services.sign_agreement(contract, by=UserFactory(groups=[Role.VENDOR]),
                                party=SignatureParty.VENDOR, typed_name="冒名", consent=True,
                                ip_address="10.0.0.7")
    mail.outbox.clear()
    sign_both(provider, people["manager"])
    assert any(people["manager2"].email in m.to for m in mail.outbox)  # told to countersign
    signature = contract.signatures.get(party=SignatureParty.VENDOR)
    assert signature.pdf_sha256 == contract.pdf_sha256 and signature.ip_address == "10.0.0.8"

    # Four eyes: a manager who also reviewed the qualification may not list it.
    people["reviewer"].groups.add(Group.objects.get(name=Role.MANAGER))
    with _Refused("forbidden"):
        run(provider, "approve_listing", by=people["reviewer"])
    provider = run(provider, "approve_listing", by=people["manager2"])
    assert provider.state == S.LISTED and provider.listed_on is not None


def test_listing_publishes_the_public_page_and_suspension_takes_it_down(people, client):
    provider = to_contract(people)
    sign_both(provider, people["manager"])
    provider = run(provider, "approve_listing", by=people["manager"])
    page = ProviderPage.objects.get(provider=provider)
    assert page.live
    body = client.get(page.url).content.decode()
    assert provider.name in body
    person = provider.active_people().get()
    assert person.id_number not in body and person.id_number_masked not in body
    provider = run(provider, "suspend", by=people["manager"], reason=Reason.VIOLATION,
                   comment="飞行检查发现在校招揽生源")
    page.refresh_from_db()
    assert not page.live
    assert client.get(page.url).status_code == 404
    provider = run(provider, "reinstate", by=people["manager"])
    page.refresh_from_db()
    assert page.live


def test_an_action_from_the_wrong_state_is_refused(people):
    provider = complete_application()
    with _Refused("wrong_state"):
        run(provider, "approve_listing", by=people["manager"])
    with _Refused("unknown"):
        run(provider, "delete_everything", by=people["manager"])


def test_acting_on_a_state_the_user_no_longer_sees_is_refused_as_stale(people):
    provider = to_review(people)
    with pytest.raises(StaleEntry):
        run(provider, "request_changes", by=people["reviewer"], reason=Reason.EXPIRED,
            expected_state=S.SUBMITTED)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks need PostgreSQL; SQLite serialises all writes")
def test_two_reviewers_at_once_one_wins_the_other_is_told_to_reload():
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    from marketplace.roles import sync_roles

    ContentType.objects.clear_cache()  # earlier transactional tests flushed the tables
    sync_roles(apps)
    reviewers = [staff(Role.REVIEWER), staff(Role.REVIEWER)]
    provider = complete_application()
    provider = run(provider, "submit", by=provider.owner)
    barrier = threading.Barrier(2)
    results = {}

    def act(index):
        try:
            barrier.wait(timeout=10)
            run(Provider.objects.get(pk=provider.pk), "start_review", by=reviewers[index],
                expected_state=S.SUBMITTED)
            results[index] = "ok"
        except StaleEntry as exc:
            results[index] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results.values()) == ["ok", "stale"]
    provider.refresh_from_db()
    assert provider.state == S.QUALIFICATION_REVIEW
    assert StateLog.objects.for_(provider).filter(transition="start_review").count() == 1


def test_the_simulated_adapter_answers_as_a_celery_task(people):
    provider = to_review(people)
    verify_everything(provider, people["reviewer"])
    provider = run(provider, "approve_qualification", by=people["reviewer"])
    person = provider.active_people().get()
    check = services.request_check(person=person, by=people["checker"], adapter="simulated")
    check.refresh_from_db()
    flagged = person.id_number_digest.startswith("0")
    assert check.state == ("flagged" if flagged else "cleared")
    assert check.result_file and check.checked_on and check.officer == people["checker"]
    assert check.valid_until is not None
    if not flagged:
        assert run(provider, "confirm_checks", by=people["checker"]).state == S.CONTRACT


def test_an_exited_provider_waits_twelve_months_unless_a_manager_allows_it(people, client):
    provider = ProviderFactory(owner=UserFactory(groups=[Role.VENDOR]), listed=True)
    run(provider, "exit", by=people["manager"], reason=Reason.VIOLATION, comment="在校招揽生源")
    with _Refused("reapply_barred") as info:
        services.start_application(owner=provider.owner, kind="institution", name="新机构")
    assert str(services.reapply_barred_until(owner=provider.owner).year) in str(info.value)
    client.force_login(people["manager"])
    response = client.post(f"/admin/admissions/{provider.pk}/allow-reapplication/",
                           {"comment": "整改到位"})
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.reapply_allowed_by == people["manager"]
    assert services.start_application(owner=provider.owner, kind="institution",
                                      name="新机构").state == S.DRAFT


def test_only_a_manager_may_lift_the_waiting_period(people):
    provider = ProviderFactory(owner=UserFactory(groups=[Role.VENDOR]), listed=True)
    run(provider, "exit", by=people["manager"], reason=Reason.VIOLATION, comment="违规")
    for user in (people["reviewer"], provider.owner):
        with _Refused("forbidden"):
            services.allow_reapplication(provider, by=user)


@pytest.mark.parametrize("stage", ["submitted", "qualification_review", "background_check"])
def test_reject_works_from_every_review_state(people, stage):
    provider = complete_application()
    provider = run(provider, "submit", by=provider.owner)
    if stage != "submitted":
        provider = run(provider, "start_review", by=people["reviewer"])
    if stage == "background_check":
        verify_everything(provider, people["reviewer"])
        provider = run(provider, "approve_qualification", by=people["reviewer"])
    provider = run(provider, "reject", by=people["manager"], reason=Reason.NOT_ELIGIBLE,
                   comment="不符合准入条件")
    assert provider.state == S.REJECTED


def test_during_checks_only_a_barred_person_may_be_removed(people):
    provider = to_review(people)
    verify_everything(provider, people["reviewer"])
    provider = run(provider, "approve_qualification", by=people["reviewer"])
    person = provider.active_people().get()
    with _Refused("not_barred"):
        services.remove_person(person=person, by=provider.owner)
    assert provider.active_people().count() == 1


def test_checks_cannot_be_decided_on_a_closed_entry(people):
    provider = ProviderFactory(owner=UserFactory(groups=[Role.VENDOR]), state=S.REJECTED)
    check = BackgroundCheckFactory(person__provider=provider, requested=True)
    with _Refused("wrong_state"):
        services.decide_check(check, by=people["checker"], clear=True)
