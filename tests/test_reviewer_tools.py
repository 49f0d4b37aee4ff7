"""The reviewer's entry page: verifying several items at once, coming back to the row a
decision was taken on, and prices above a policy cap flagged for a conscious choice."""

from decimal import Decimal

import pytest
from django.urls import reverse

from marketplace.admission.content_review import price_flags
from marketplace.choices import VerificationState
from marketplace.models import Credential, Offering
from tests.factories import OfferingFactory
from tests.test_admin_views import (  # noqa: F401
    browser,
    entry_url,
    in_review,
    message_texts,
    review_url,
    staff,
    submitted,
)
from workflows.admission import AdmissionState as S
from workflows.models import TimelineEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]

IN_REVIEW = {"expected_state": S.QUALIFICATION_REVIEW}


def verify_selected_url(provider, kind):
    return reverse("admissions:verify_selected", args=[provider.pk, kind])


def verified_log(provider) -> list[str]:
    return sorted(TimelineEntry.objects.filter(object_id=provider.pk, action="item_verified")
                  .values_list("item", flat=True))


def states(model, items) -> list[str]:
    field = "verification" if model is Credential else "review"
    return [getattr(model.objects.get(pk=item.pk), field) for item in items]


# --- verify selected ---------------------------------------------------------------------
def test_verify_selected_verifies_exactly_the_ticked_items_and_logs_each(staff):  # noqa: F811
    provider = in_review(staff)
    credentials = list(provider.active_credentials().order_by("pk"))
    ticked, left = credentials[:2], credentials[2:]
    assert left, "the entry needs an item that stays unticked"

    response = browser(staff["reviewer"]).post(verify_selected_url(provider, "credential"), {
        **IN_REVIEW, "items": [c.pk for c in ticked]})

    assert response.status_code == 302
    assert response["Location"] == entry_url(provider) + "#credentials"
    assert states(Credential, ticked) == [VerificationState.VERIFIED] * 2
    assert states(Credential, left) == [VerificationState.PENDING] * len(left)
    assert {Credential.objects.get(pk=c.pk).reviewed_by for c in ticked} == {staff["reviewer"]}
    assert verified_log(provider) == sorted(c.label for c in ticked)


def test_verify_selected_works_for_offerings_too(staff):  # noqa: F811
    provider = in_review(staff)
    offerings = [*provider.active_offerings(), OfferingFactory(provider=provider)]
    response = browser(staff["reviewer"]).post(verify_selected_url(provider, "offering"), {
        **IN_REVIEW, "items": [o.pk for o in offerings]})
    assert response["Location"] == entry_url(provider) + "#offerings"
    assert states(Offering, offerings) == [VerificationState.VERIFIED] * 2
    assert verified_log(provider) == sorted(o.title for o in offerings)


def test_verify_selected_is_refused_to_a_user_without_the_review_permission(staff):  # noqa: F811
    provider = in_review(staff)
    credentials = list(provider.active_credentials())
    response = browser(staff["checker"]).post(verify_selected_url(provider, "credential"), {
        **IN_REVIEW, "items": [c.pk for c in credentials]})
    assert message_texts(response)
    assert states(Credential, credentials) == [VerificationState.PENDING] * len(credentials)
    assert verified_log(provider) == []


def test_verify_selected_is_refused_for_an_entry_not_in_review(staff):  # noqa: F811
    provider = submitted()
    credentials = list(provider.active_credentials())
    response = browser(staff["reviewer"]).post(verify_selected_url(provider, "credential"), {
        "expected_state": S.SUBMITTED, "items": [c.pk for c in credentials]})
    assert message_texts(response)
    assert states(Credential, credentials) == [VerificationState.PENDING] * len(credentials)
    assert verified_log(provider) == []


def test_verify_selected_changes_nothing_when_an_item_belongs_to_another_entry(staff):  # noqa: F811
    provider, other = in_review(staff), in_review(staff)
    mine = provider.active_credentials().first()
    theirs = other.active_credentials().first()
    response = browser(staff["reviewer"]).post(verify_selected_url(provider, "credential"), {
        **IN_REVIEW, "items": [mine.pk, theirs.pk]})
    assert response.status_code == 404
    assert states(Credential, [mine, theirs]) == [VerificationState.PENDING] * 2


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("bad", [
    "full-width digits", "-1", "99999999999999999999999", str(2**63), "²", "1.0", " 1"])
def test_verify_selected_refuses_an_id_that_is_not_a_plain_number_and_changes_nothing(
        staff, bad):  # noqa: F811
    provider = in_review(staff)
    mine, other = provider.active_credentials().order_by("pk")[:2]
    if bad == "full-width digits":
        bad = str(other.pk).translate(FULL_WIDTH)  # int() would read it as other.pk
    response = browser(staff["reviewer"]).post(verify_selected_url(provider, "credential"), {
        **IN_REVIEW, "items": [str(mine.pk), bad]})
    assert response.status_code == 404
    assert states(Credential, [mine, other]) == [VerificationState.PENDING] * 2
    assert verified_log(provider) == []


def test_verify_selected_with_nothing_ticked_says_so(staff):  # noqa: F811
    provider = in_review(staff)
    response = browser(staff["reviewer"]).post(verify_selected_url(provider, "credential"),
                                               IN_REVIEW)
    assert response.status_code == 302 and message_texts(response)
    assert verified_log(provider) == []


def test_entry_page_offers_a_checkbox_for_each_item_not_yet_verified(staff):  # noqa: F811
    provider = in_review(staff)
    done, *pending = provider.active_credentials().order_by("pk")
    client = browser(staff["reviewer"])
    client.post(review_url(provider, "credential", done), {**IN_REVIEW, "verdict": "verify"})
    page = client.get(entry_url(provider)).content.decode()
    assert f'action="{verify_selected_url(provider, "credential")}"' in page
    for credential in pending:
        assert f'id="select-credential-{credential.pk}"' in page
    assert f'id="select-credential-{done.pk}"' not in page


# --- coming back to the row ----------------------------------------------------------------
def test_verifying_or_refusing_one_item_returns_to_its_row(staff):  # noqa: F811
    provider = in_review(staff)
    credential = provider.active_credentials().first()
    offering = provider.active_offerings().get()
    client = browser(staff["reviewer"])
    response = client.post(review_url(provider, "credential", credential),
                           {**IN_REVIEW, "verdict": "verify"})
    assert response["Location"] == f"{entry_url(provider)}#credential-{credential.pk}"
    response = client.post(review_url(provider, "offering", offering),
                           {**IN_REVIEW, "verdict": "refuse", "note": "请补充安全措施"})
    assert response["Location"] == f"{entry_url(provider)}#offering-{offering.pk}"
    page = client.get(entry_url(provider)).content.decode()
    assert f'id="credential-{credential.pk}"' in page and f'id="offering-{offering.pk}"' in page


# --- prices above a cap ----------------------------------------------------------------------
def offering_rows(client, provider) -> dict:
    response = client.get(entry_url(provider))
    return {row["obj"].title: row for row in response.context["offerings"]}, \
        response.content.decode()


def test_an_offering_above_the_fee_cap_is_flagged_and_one_at_the_cap_is_not(staff):  # noqa: F811
    provider = in_review(staff)
    OfferingFactory(provider=provider, title="高价编程课", price_per_session=Decimal("260"))
    OfferingFactory(provider=provider, title="封顶编程课", price_per_session=Decimal("200"))
    rows, page = offering_rows(browser(staff["reviewer"]), provider)

    flags = rows["高价编程课"]["price_flags"]
    assert len(flags) == 1 and "260" in flags[0] and "200" in flags[0]
    assert page.count(flags[0]) == 2  # beside the price and beside the verify button
    assert rows["封顶编程课"]["price_flags"] == []


def test_a_per_term_price_above_the_personalised_course_cap_is_flagged(staff):  # noqa: F811
    provider = in_review(staff)
    offering = OfferingFactory(provider=provider, title="家长自选课")
    # The vendor's form refuses it; an entry seeded or imported may still hold one.
    Offering.objects.filter(pk=offering.pk).update(price_per_student_term=Decimal("650"))
    rows, page = offering_rows(browser(staff["reviewer"]), provider)
    flags = rows["家长自选课"]["price_flags"]
    assert len(flags) == 1 and "650" in flags[0] and "600" in flags[0]
    assert flags[0] in page


def test_the_flag_names_the_configured_cap(settings):
    settings.POLICY = {**settings.POLICY, "PROFESSIONAL_FEE_CAP_PER_SESSION": 300}
    assert price_flags(Offering(price_per_session=Decimal("300"))) == []
    [flag] = price_flags(Offering(price_per_session=Decimal("301")))
    assert "300" in flag and "301" in flag
