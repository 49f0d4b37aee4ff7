"""The bureau's back office in the Wagtail admin: queues per role, the entry page, and
every decision taken from it (transitions, item review, checks, countersignature)."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from marketplace.admission import selectors, services
from marketplace.admission.content_review import looks_academic
from marketplace.choices import (
    CharacterResult,
    CheckAdapter,
    CredentialType,
    CriminalRecordResult,
    HealthResult,
    SignatureParty,
    VerificationState,
)
from marketplace.models import BackgroundCheck, Provider, Signature
from marketplace.roles import Role
from tests.factories import (
    TINY_PDF,
    BackgroundCheckFactory,
    CredentialFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    UserFactory,
    complete_application,
)
from workflows.admission import AdmissionState as S
from workflows.checks import CheckState
from workflows.models import Reason
from workflows.transitions import run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]


# --- helpers -------------------------------------------------------------------------------
@pytest.fixture
def staff():
    return {
        "reviewer": UserFactory(groups=[Role.REVIEWER]),
        "checker": UserFactory(groups=[Role.CHECK_OFFICER]),
        "manager": UserFactory(groups=[Role.MANAGER]),
    }


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def entry_url(provider):
    return reverse("admissions:entry", args=[provider.pk])


def transition_url(provider, name):
    return reverse("admissions:transition", args=[provider.pk, name])


def review_url(provider, kind, item):
    return reverse("admissions:review", args=[provider.pk, kind, item.pk])


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def in_ui_language(msgid: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(msgid)


def submitted():
    provider = complete_application()
    return run(provider, "submit", by=provider.owner)


def in_review(staff):
    return run(submitted(), "start_review", by=staff["reviewer"])


def verify_everything(provider, reviewer):
    for credential in provider.active_credentials():
        services.review_item(credential, by=reviewer, verified=True)
    for offering in provider.active_offerings():
        services.review_item(offering, by=reviewer, verified=True)


def in_background_check(staff):
    provider = in_review(staff)
    verify_everything(provider, staff["reviewer"])
    return run(provider, "approve_qualification", by=staff["reviewer"])


def in_contract(staff, *, vendor_signs=True):
    provider = in_background_check(staff)
    for person in provider.active_people():
        BackgroundCheckFactory(person=person)
    provider = run(provider, "confirm_checks", by=staff["checker"])
    if vendor_signs:
        services.sign_agreement(provider.admission_agreement(), by=provider.owner,
                                party=SignatureParty.VENDOR, typed_name="王建华",
                                consent=True, ip_address="10.0.0.8")
    return provider


def state_of(provider):
    return Provider.objects.get(pk=provider.pk).state


# --- the queue -----------------------------------------------------------------------------
def test_queue_shows_each_role_the_entries_waiting_for_it(staff):
    new = submitted()
    reviewing = in_review(staff)
    checking = in_background_check(staff)
    countersign = in_contract(staff)
    unsigned = in_contract(staff, vendor_signs=False)
    listed = ProviderFactory(listed=True)

    def waiting(user):
        response = browser(user).get(reverse("admissions:queue"))
        assert response.status_code == 200
        return {row["provider"].pk for row in response.context["rows"]}

    assert waiting(staff["reviewer"]) == {new.pk, reviewing.pk}
    assert waiting(staff["checker"]) == {checking.pk}
    assert waiting(staff["manager"]) == {countersign.pk}
    both = UserFactory(groups=[Role.REVIEWER, Role.MANAGER])
    assert waiting(both) == {new.pk, reviewing.pk, countersign.pk}
    assert unsigned.pk not in waiting(both) and listed.pk not in waiting(both)


def test_queue_narrows_to_one_queue_and_all_entries_filter_by_state_and_search(staff):
    new = submitted()
    reviewing = in_review(staff)
    listed = ProviderFactory(listed=True, name="滨江区星火科技培训学校")
    client = browser(staff["reviewer"])
    url = reverse("admissions:queue")

    rows = client.get(url, {"queue": "new"}).context["rows"]
    assert [r["provider"].pk for r in rows] == [new.pk]
    rows = client.get(url, {"tab": "all", "state": S.QUALIFICATION_REVIEW}).context["rows"]
    assert [r["provider"].pk for r in rows] == [reviewing.pk]
    rows = client.get(url, {"tab": "all", "q": "星火"}).context["rows"]
    assert [r["provider"].pk for r in rows] == [listed.pk]
    rows = client.get(url, {"tab": "all", "q": listed.credit_code.lower()}).context["rows"]
    assert [r["provider"].pk for r in rows] == [listed.pk]
    full_width = listed.credit_code.translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"})
    rows = client.get(url, {"tab": "all", "q": full_width}).context["rows"]
    assert [r["provider"].pk for r in rows] == [listed.pk]


def test_queue_says_what_is_waiting(staff):
    reviewing = in_review(staff)
    response = browser(staff["reviewer"]).get(reverse("admissions:queue"))
    row = next(r for r in response.context["rows"] if r["provider"].pk == reviewing.pk)
    unreviewed = reviewing.active_credentials().count()
    assert row["provider"].unreviewed_credentials == unreviewed
    assert row["provider"].unreviewed_offerings == 1
    assert row["provider"].submitted_at is not None
    assert any(str(unreviewed) in text for text in row["waiting"])


def _queue_entry():
    provider = ProviderFactory(state=S.QUALIFICATION_REVIEW)
    CredentialFactory(provider=provider)
    CredentialFactory(provider=provider, for_person=True)
    OfferingFactory(provider=provider)
    PersonFactory(provider=provider)
    return provider


@pytest.mark.parametrize("params", [{}, {"tab": "all"}])
def test_queue_page_costs_the_same_number_of_queries_for_2_and_20_entries(
        staff, params, django_assert_max_num_queries):
    client = browser(staff["reviewer"])
    url = reverse("admissions:queue")
    for _n in range(2):
        _queue_entry()
    client.get(url, params)  # warm caches (content types, permissions, session)
    with CaptureQueriesContext(connection) as two:
        response = client.get(url, params)
    assert len(response.context["rows"]) == 2
    for _n in range(18):
        _queue_entry()
    with django_assert_max_num_queries(len(two)):
        response = client.get(url, params)
    assert len(response.context["rows"]) == 20


def test_queue_is_paginated_by_25(staff):
    for _n in range(27):
        ProviderFactory(state=S.SUBMITTED)
    client = browser(staff["reviewer"])
    assert len(client.get(reverse("admissions:queue")).context["rows"]) == 25
    assert len(client.get(reverse("admissions:queue"), {"p": 2}).context["rows"]) == 2


# --- who may enter -------------------------------------------------------------------------
def test_entry_page_renders_for_reviewer_check_officer_and_manager(staff):
    provider = in_background_check(staff)
    for user in staff.values():
        response = browser(user).get(entry_url(provider))
        assert response.status_code == 200
        assert provider.name in response.content.decode()


def test_vendors_schools_and_anonymous_visitors_are_refused(staff):
    provider = in_review(staff)
    school = UserFactory(groups=[Role.SCHOOL])
    for user in (None, provider.owner, school):
        client = browser(user)
        for url in (reverse("admissions:queue"), entry_url(provider)):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
        response = client.post(transition_url(provider, "reject"),
                               {"reason": Reason.OTHER, "comment": "x"})
        assert response.status_code == 302
    assert state_of(provider) == S.QUALIFICATION_REVIEW


def test_an_editor_in_the_admin_gets_403(staff):
    provider = in_review(staff)
    editor = UserFactory(groups=[Role.EDITOR])
    client = browser(editor)
    assert client.get(reverse("admissions:queue")).status_code == 403
    assert client.get(entry_url(provider)).status_code == 403
    assert client.post(transition_url(provider, "reject"),
                       {"reason": Reason.OTHER, "comment": "x"}).status_code == 403
    assert state_of(provider) == S.QUALIFICATION_REVIEW


def test_menu_item_is_shown_to_bureau_staff_only(staff):
    queue = reverse("admissions:queue")
    assert queue in browser(staff["reviewer"]).get(reverse("wagtailadmin_home")).content.decode()
    editor = UserFactory(groups=[Role.EDITOR])
    assert queue not in browser(editor).get(reverse("wagtailadmin_home")).content.decode()


# --- what the entry page shows ---------------------------------------------------------------
def test_identity_numbers_are_masked_for_reviewers_and_full_for_check_officers(staff):
    provider = in_background_check(staff)
    person = provider.active_people().get()
    BackgroundCheckFactory(person=person, reference="滨教查〔2099〕7777号")

    page = browser(staff["reviewer"]).get(entry_url(provider)).content.decode()
    assert person.id_number not in page
    assert person.id_number_masked in page
    assert "滨教查〔2099〕7777号" not in page  # check results are for check officers
    assert "/files/checks/" not in page

    page = browser(staff["checker"]).get(entry_url(provider)).content.decode()
    assert person.id_number in page
    assert "滨教查〔2099〕7777号" in page


def test_entry_page_links_every_file_and_shows_images_inline(staff):
    provider = in_review(staff)
    png = CredentialFactory(provider=provider, type=CredentialType.OTHER,
                            original_filename="licence-scan.png")
    page = browser(staff["reviewer"]).get(entry_url(provider)).content.decode()
    for credential in provider.active_credentials():
        assert reverse("files:credential", args=[credential.pk]) in page
    assert f'src="{reverse("files:credential", args=[png.pk])}"' in page
    assert 'target="_blank"' in page


def test_academic_looking_offerings_carry_a_warning(staff):
    provider = in_review(staff)
    OfferingFactory(provider=provider, title="小学奥数思维拓展", outline="行程问题、鸡兔同笼")
    response = browser(staff["reviewer"]).get(entry_url(provider))
    flagged = {row["obj"].title: row["academic"] for row in response.context["offerings"]}
    assert flagged["小学奥数思维拓展"] == ["奥数"]
    assert [a for title, a in flagged.items() if title != "小学奥数思维拓展"] == [[]]


def test_looks_academic_tells_subjects_from_everyday_words():
    assert looks_academic("初中物理同步辅导") == ["同步辅导", "物理"]
    assert looks_academic("阅读理解专项训练") == ["阅读理解"]
    assert looks_academic("亲子阅读与绘本分享") == []
    assert looks_academic("了解剪纸历史与流派") == []
    assert looks_academic("非学科类科技社团；跨学科项目") == []
    assert looks_academic("历史课本知识点梳理") == ["历史"]


def test_dossier_button_only_for_users_who_may_export(staff):
    provider = in_review(staff)
    dossier = reverse("files:dossier", args=[provider.pk])
    assert dossier in browser(staff["manager"]).get(entry_url(provider)).content.decode()
    assert dossier not in browser(staff["reviewer"]).get(entry_url(provider)).content.decode()


def test_timeline_shows_reason_comment_and_the_internal_note_to_staff(staff):
    provider = in_review(staff)
    run(provider, "request_changes", by=staff["reviewer"], reason=Reason.UNREADABLE,
        comment="营业执照看不清", internal_note="疑似复印件")
    response = browser(staff["manager"]).get(entry_url(provider))
    row = next(r for r in response.context["timeline"] if r["obj"].action == "request_changes")
    assert row["reason"] == Reason.UNREADABLE.label
    page = response.content.decode()
    assert "营业执照看不清" in page and "疑似复印件" in page and "mp-internal" in page


# --- transitions -------------------------------------------------------------------------------
def test_actions_offered_are_the_ones_the_user_may_take_now(staff):
    provider = in_review(staff)
    response = browser(staff["reviewer"]).get(entry_url(provider))
    offered = {d["action"].name: d for d in response.context["decisions"]}
    assert {"request_changes", "reject"} <= {n for n, d in offered.items() if "form" in d}
    assert offered["approve_qualification"]["reasons"]  # blocked, with why
    response = browser(staff["checker"]).get(entry_url(provider))
    offered = {d["action"].name for d in response.context["decisions"] if "form" in d}
    assert offered == {"reject"}  # any bureau decider may reject; reviewing is not theirs


def test_request_changes_without_a_reason_is_refused_and_keeps_the_comment(staff):
    provider = in_review(staff)
    response = browser(staff["reviewer"]).post(
        transition_url(provider, "request_changes"),
        {"expected_state": S.QUALIFICATION_REVIEW, "comment": "请补充清晰的营业执照"})
    assert response.status_code == 200
    assert in_ui_language("Choose a reason from the list.") in " ".join(message_texts(response))
    assert "请补充清晰的营业执照" in response.content.decode()
    assert state_of(provider) == S.QUALIFICATION_REVIEW


def test_an_overlong_comment_is_refused_with_the_limit_and_kept_as_typed(staff):
    provider = in_review(staff)
    comment = "营业执照" * 251  # 1,004 characters
    response = browser(staff["reviewer"]).post(
        transition_url(provider, "request_changes"),
        {"expected_state": S.QUALIFICATION_REVIEW, "reason": Reason.UNREADABLE,
         "comment": comment})
    assert response.status_code == 200
    assert "1004" in " ".join(message_texts(response))
    assert comment in response.content.decode()
    assert state_of(provider) == S.QUALIFICATION_REVIEW


def test_an_overlong_item_review_note_is_refused_and_nothing_changes(staff):
    provider = in_review(staff)
    credential = provider.credentials.first()
    response = browser(staff["reviewer"]).post(
        reverse("admissions:review", args=[provider.pk, "credential", credential.pk]),
        {"expected_state": S.QUALIFICATION_REVIEW, "verdict": "refuse", "note": "x" * 1001})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.verification == VerificationState.PENDING


def test_request_changes_with_a_reason_moves_the_entry(staff):
    provider = in_review(staff)
    response = browser(staff["reviewer"]).post(
        transition_url(provider, "request_changes"),
        {"expected_state": S.QUALIFICATION_REVIEW, "reason": Reason.UNREADABLE,
         "comment": "看不清", "internal_note": "内部"})
    assert response.status_code == 302 and response["Location"].startswith(entry_url(provider))
    assert state_of(provider) == S.CHANGES_REQUESTED


def test_approval_is_refused_with_the_guard_reasons_until_every_item_is_verified(staff):
    provider = in_review(staff)
    client = browser(staff["reviewer"])
    data = {"expected_state": S.QUALIFICATION_REVIEW}

    response = client.post(transition_url(provider, "approve_qualification"), data)
    assert response.status_code == 302
    text = " ".join(message_texts(response))
    assert provider.active_offerings().get().title in text
    assert state_of(provider) == S.QUALIFICATION_REVIEW

    for credential in provider.active_credentials():
        response = client.post(review_url(provider, "credential", credential),
                               {**data, "verdict": "verify"})
        assert response.status_code == 302
    offering = provider.active_offerings().get()
    client.post(review_url(provider, "offering", offering), {**data, "verdict": "verify"})
    assert not provider.unreviewed_items()

    response = client.post(transition_url(provider, "approve_qualification"), data)
    assert response.status_code == 302
    assert state_of(provider) == S.BACKGROUND_CHECK


def test_a_stale_page_is_refused_with_the_reload_message(staff):
    provider = in_review(staff)
    response = browser(staff["reviewer"]).post(
        transition_url(provider, "reject"),
        {"expected_state": S.SUBMITTED, "reason": Reason.NOT_ELIGIBLE, "comment": "x"})
    assert response.status_code == 302
    assert any("Reload" in t or "刷新" in t or "重新加载" in t for t in message_texts(response))
    assert state_of(provider) == S.QUALIFICATION_REVIEW


# --- item review ---------------------------------------------------------------------------------
def test_item_review_verifies_and_refusing_needs_a_note(staff):
    provider = in_review(staff)
    client = browser(staff["reviewer"])
    credential = provider.active_credentials().first()
    offering = provider.active_offerings().get()
    data = {"expected_state": S.QUALIFICATION_REVIEW}

    client.post(review_url(provider, "credential", credential), {**data, "verdict": "verify"})
    credential.refresh_from_db()
    assert credential.verification == VerificationState.VERIFIED
    assert credential.reviewed_by == staff["reviewer"]

    response = client.post(review_url(provider, "offering", offering),
                           {**data, "verdict": "refuse"})
    assert message_texts(response)
    offering.refresh_from_db()
    assert offering.review == VerificationState.PENDING

    client.post(review_url(provider, "offering", offering),
                {**data, "verdict": "refuse", "note": "含学科内容"})
    offering.refresh_from_db()
    assert (offering.review, offering.review_note) == (VerificationState.REFUSED, "含学科内容")


def test_item_review_is_for_reviewers_and_for_items_of_this_entry(staff):
    provider = in_review(staff)
    other = in_review(staff)
    credential = provider.active_credentials().first()
    data = {"expected_state": S.QUALIFICATION_REVIEW, "verdict": "verify"}
    browser(staff["checker"]).post(review_url(provider, "credential", credential), data)
    credential.refresh_from_db()
    assert credential.verification == VerificationState.PENDING
    response = browser(staff["reviewer"]).post(
        review_url(other, "credential", credential), data)
    assert response.status_code == 404


# --- background checks ------------------------------------------------------------------------
def _results(**overrides):
    data = {
        "criminal_record": CriminalRecordResult.CLEAR, "health": HealthResult.FIT,
        "character": CharacterResult.GOOD, "checked_on": timezone.localdate().isoformat(),
        "reference": "滨教查〔2026〕0099号", "note": "",
        "result_file": SimpleUploadedFile("result.pdf", TINY_PDF,
                                          content_type="application/pdf"),
    }
    data.update(overrides)
    return data


def test_check_flow_request_record_results_with_a_pdf_and_clear(staff):
    provider = in_background_check(staff)
    person = provider.active_people().get()
    client = browser(staff["checker"])

    response = client.post(
        reverse("admissions:request_check", args=[provider.pk, person.pk]),
        {"adapter": CheckAdapter.MANUAL})
    assert response.status_code == 302
    check = BackgroundCheck.objects.get(person=person)
    assert check.state == CheckState.REQUESTED

    response = client.post(reverse("admissions:check_results", args=[provider.pk, check.pk]),
                           _results())
    assert response.status_code == 302, response.content.decode()[:500]
    check.refresh_from_db()
    assert check.result_file and check.reference == "滨教查〔2026〕0099号"
    assert check.valid_until is not None

    page = client.get(entry_url(provider)).content.decode()
    assert reverse("files:check_result", args=[check.pk]) in page

    response = client.post(reverse("admissions:decide_check", args=[provider.pk, check.pk]),
                           {"decision": "clear", "comment": "通过"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.state == CheckState.CLEARED

    client.post(transition_url(provider, "confirm_checks"),
                {"expected_state": S.BACKGROUND_CHECK})
    assert state_of(provider) == S.CONTRACT


def test_a_flagged_check_bars_the_person_and_blocks_confirmation(staff):
    provider = in_background_check(staff)
    person = provider.active_people().get()
    check = BackgroundCheckFactory(person=person, requested=True)
    client = browser(staff["checker"])
    client.post(reverse("admissions:check_results", args=[provider.pk, check.pk]),
                _results(criminal_record=CriminalRecordResult.FLAGGED))

    response = client.post(reverse("admissions:decide_check", args=[provider.pk, check.pk]),
                           {"decision": "clear"})
    check.refresh_from_db()
    assert check.state == CheckState.REQUESTED and message_texts(response)

    client.post(reverse("admissions:decide_check", args=[provider.pk, check.pk]),
                {"decision": "flag", "comment": "有违法记录"})
    check.refresh_from_db()
    person.refresh_from_db()
    assert check.state == CheckState.FLAGGED and person.barred

    response = client.post(transition_url(provider, "confirm_checks"),
                           {"expected_state": S.BACKGROUND_CHECK})
    assert person.full_name in " ".join(message_texts(response))
    assert state_of(provider) == S.BACKGROUND_CHECK


def test_an_invalid_results_form_keeps_what_was_typed(staff):
    provider = in_background_check(staff)
    check = BackgroundCheckFactory(person=provider.active_people().get(), requested=True)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = browser(staff["checker"]).post(
        reverse("admissions:check_results", args=[provider.pk, check.pk]),
        _results(result_file="", reference="REF-TYPED-123", checked_on=tomorrow))
    assert response.status_code == 200
    page = response.content.decode()
    assert "REF-TYPED-123" in page and tomorrow in page
    form = next(row["results_form"] for row in response.context["people"])
    assert {"result_file", "checked_on"} <= set(form.errors)
    check.refresh_from_db()
    assert check.reference != "REF-TYPED-123"


def test_a_renamed_file_is_refused_as_a_result_file(staff):
    provider = in_background_check(staff)
    check = BackgroundCheckFactory(person=provider.active_people().get(), requested=True)
    fake = SimpleUploadedFile("result.pdf", b"<html>not a pdf</html>",
                              content_type="application/pdf")
    response = browser(staff["checker"]).post(
        reverse("admissions:check_results", args=[provider.pk, check.pk]),
        _results(result_file=fake))
    assert response.status_code == 200
    check.refresh_from_db()
    assert not check.result_file


def test_only_check_officers_record_checks(staff):
    provider = in_background_check(staff)
    person = provider.active_people().get()
    for user in (staff["reviewer"], staff["manager"]):
        response = browser(user).post(
            reverse("admissions:request_check", args=[provider.pk, person.pk]),
            {"adapter": CheckAdapter.MANUAL})
        assert response.status_code == 403
    assert not BackgroundCheck.objects.filter(person=person).exists()


# --- countersignature ----------------------------------------------------------------------
def test_manager_countersigns_then_lists(staff):
    provider = in_contract(staff)
    contract = provider.admission_agreement()
    client = browser(staff["manager"])
    url = reverse("admissions:countersign", args=[provider.pk])

    response = client.post(url, {"contract": contract.pk, "typed_name": "张卫东"})
    assert response.status_code == 200  # consent missing: the form again
    assert "张卫东" in response.content.decode()
    assert not Signature.objects.filter(contract=contract, party=SignatureParty.BUREAU).exists()

    response = client.post(url, {"contract": contract.pk, "typed_name": "张卫东",
                                 "consent": "on"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    signature = Signature.objects.get(contract=contract, party=SignatureParty.BUREAU)
    assert (signature.signer, signature.typed_name, signature.ip_address) == (
        staff["manager"], "张卫东", "10.1.2.3")

    client.post(transition_url(provider, "approve_listing"), {"expected_state": S.CONTRACT})
    assert state_of(provider) == S.LISTED


def test_countersign_form_only_after_the_vendor_signed(staff):
    provider = in_contract(staff, vendor_signs=False)
    response = browser(staff["manager"]).get(entry_url(provider))
    assert "form" not in response.context["agreement"]
    response = browser(staff["manager"]).post(
        reverse("admissions:countersign", args=[provider.pk]),
        {"contract": provider.admission_agreement().pk, "typed_name": "张卫东",
         "consent": "on"})
    assert response.status_code == 302 and message_texts(response)
    assert not Signature.objects.filter(party=SignatureParty.BUREAU).exists()


# --- dashboard -----------------------------------------------------------------------------
def test_dashboard_panel_counts_each_queue_of_the_user(staff):
    submitted()
    submitted()
    in_review(staff)
    in_contract(staff)
    response = browser(staff["reviewer"]).get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="waiting-for-me-section"' in page
    assert f'{reverse("admissions:queue")}?queue=new' in page

    counts = {q.key: n for q, n in selectors.queue_counts(staff["reviewer"])}
    assert counts == {"new": 2, "review": 1}
    counts = {q.key: n for q, n in selectors.queue_counts(staff["manager"])}
    assert counts == {"countersign": 1, "listing": 0}
    assert selectors.queue_counts(UserFactory(groups=[Role.EDITOR])) == []


def test_queue_counts_is_one_query(staff, django_assert_num_queries):
    submitted()
    user = UserFactory(groups=[Role.REVIEWER, Role.CHECK_OFFICER, Role.MANAGER])
    user.get_all_permissions()  # permissions are cached on the user
    with django_assert_num_queries(1):
        selectors.queue_counts(user)
