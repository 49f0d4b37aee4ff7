"""Limits on what people type: long texts stop at a stated length, numbers have one
range and one message."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation

from marketplace.admission.admin import CheckResultsForm
from marketplace.admission.forms import OfferingForm, ProviderDetailsForm
from marketplace.models import NOTE_LIMIT, Provider
from marketplace.roles import Role
from marketplace.validators import TextLengthValidator
from tests.factories import (
    BackgroundCheckFactory,
    OfferingFactory,
    ProviderFactory,
    TownFactory,
    UserFactory,
)
from workflows.transitions import COMMENT_LIMIT, TransitionRefused, check_comment_length

pytestmark = pytest.mark.django_db

HUGE = "课" * 200_000


@pytest.fixture
def vendor_client(client):
    vendor = UserFactory(groups=[Role.VENDOR])
    client.force_login(vendor)
    client.vendor = vendor
    return client


@pytest.fixture
def draft(vendor_client):
    return ProviderFactory(owner=vendor_client.vendor, name="滨江区测试创客中心")


def offering_data(**overrides):
    return {
        "title": "少儿机器人", "category": "technology", "resource_type": "course",
        "delivery": "in_school", "grade_from": 3, "grade_to": 6, "session_minutes": 60,
        "capacity": 30, "price_per_session": "150", "price_per_student_term": "",
        "outline": "第1课 认识机器人", "safety_measures": "全程看护", "materials": "",
        **overrides,
    }


def details_data(provider, **overrides):
    return {"name": provider.name, "credit_code": provider.credit_code,
            "legal_representative": "王建华", "contact_name": "赵老师",
            "contact_phone": "13900001111", "contact_email": "zhao@example.cn",
            "address": "滨江区人民路 1 号", "service_area": [TownFactory().pk],
            "description": "机器人与编程课程。", **overrides}


def typed_text_fields():
    """Every free-text column people type into (derived columns are not typed)."""
    for model in apps.get_app_config("marketplace").get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.TextField) and field.editable:
                yield model, field


# --- long texts ---------------------------------------------------------------------------------
def test_a_huge_offering_outline_is_refused_with_the_limit_and_its_length(vendor_client, draft):
    with translation.override("zh-hans"):
        response = vendor_client.post(reverse("vendor:offering_add", args=[draft.pk]),
                                      offering_data(outline=HUGE), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    errors = response.context["form"].errors["outline"]
    assert errors == ["最多可填 3000 个字符，现在是 200000 个。请精简后再保存。"]
    assert 'value="少儿机器人"' in response.content.decode()
    assert not draft.offerings.exists()


def test_a_huge_provider_description_is_refused_and_nothing_is_saved(vendor_client, draft):
    response = vendor_client.post(reverse("vendor:entry", args=[draft.pk]),
                                  details_data(draft, description=HUGE))

    assert response.status_code == 200
    [message] = response.context["form"].errors["description"]
    assert "2000" in message and "200000" in message
    assert Provider.objects.get(pk=draft.pk).description != HUGE


@pytest.mark.parametrize(("model", "field"), list(typed_text_fields()),
                         ids=lambda v: getattr(v, "__name__", getattr(v, "name", "")))
def test_every_typed_text_column_has_a_limit_the_model_enforces(model, field):
    assert field.max_length and field.max_length <= 5000
    limits = [v for v in field.validators if isinstance(v, TextLengthValidator)]
    assert [v.limit_value for v in limits] == [field.max_length]


def test_the_model_refuses_a_long_text_without_any_form():
    offering = OfferingFactory.build(provider=ProviderFactory(), outline=HUGE,
                                     materials="料" * 1001)
    with pytest.raises(ValidationError) as exc:
        offering.full_clean()
    assert set(exc.value.message_dict) == {"outline", "materials"}


def test_windows_line_breaks_count_as_one_character(vendor_client, draft):
    lines = [f"第{n}课 认识机器人" for n in range(1, 200)]
    text = "\r\n".join(lines)
    text += "课" * (3000 - len("\n".join(lines)))
    assert len(text.replace("\r\n", "\n")) == 3000 < len(text)

    response = vendor_client.post(reverse("vendor:offering_add", args=[draft.pk]),
                                  offering_data(outline=text))

    assert response.status_code == 302
    assert len(draft.offerings.get().outline.replace("\r\n", "\n")) == 3000


def test_long_text_boxes_state_their_limit_and_do_not_cut_pasted_text(draft):
    with translation.override("zh-hans"):
        html = str(OfferingForm(provider=draft)["outline"]) + str(
            ProviderDetailsForm(instance=draft)["description"])
        help_text = str(OfferingForm(provider=draft).fields["outline"].help_text)
    # A browser silently cuts a pasted text at maxlength; the server says what is too long.
    assert "maxlength" not in html
    assert "3000" in help_text


def check_results_data(**overrides):
    return {"criminal_record": "clear", "health": "fit", "character": "good",
            "checked_on": "2026-01-05", "reference": "滨教查〔2026〕0001号", **overrides}


def test_a_check_officers_note_over_the_note_limit_is_refused_by_the_form():
    check = BackgroundCheckFactory()  # has a result file: no new file is required
    with translation.override("zh-hans"):
        form = CheckResultsForm(check_results_data(note="查" * (NOTE_LIMIT + 1)), check=check)
        assert not form.is_valid()
        assert form.errors["note"] == [
            f"最多可填 {NOTE_LIMIT} 个字符，现在是 {NOTE_LIMIT + 1} 个。请精简后再保存。"]
    assert CheckResultsForm(check_results_data(note="查" * NOTE_LIMIT), check=check).is_valid()


def test_the_check_officers_note_box_states_its_limit_and_does_not_cut_pasted_text():
    form = CheckResultsForm(check=BackgroundCheckFactory())
    assert "maxlength" not in str(form["note"])
    assert str(NOTE_LIMIT) in str(form.fields["note"].help_text)


def test_a_transition_comment_gets_the_same_check_and_message_as_a_form():
    """The entry point's comment limit is the forms' validator: same count, same words."""
    text = "评" * (COMMENT_LIMIT - 2) + "\r\n" + "语"
    check_comment_length(comment=text)  # CR LF counts as one: exactly at the limit
    for language in ("zh-hans", "en"):
        with translation.override(language):
            too_long = text + "！"
            with pytest.raises(TransitionRefused) as refused:
                check_comment_length(internal_note=too_long)
            with pytest.raises(ValidationError) as invalid:
                TextLengthValidator(COMMENT_LIMIT)(too_long)
            assert refused.value.code == "internal_note_too_long"
            assert str(refused.value) == invalid.value.messages[0]


# --- numbers ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("field", "values", "message"), [
    ("capacity", ["-1", "0", "501"], "请输入 1 到 500 之间的数。"),
    ("session_minutes", ["-1", "0", "19", "241"], "请输入 20 到 240 之间的数。"),
    ("price_per_session", ["-1", "-0.01"], "请输入不小于 0 的数。"),
])
def test_a_number_out_of_range_gets_one_message_whatever_side_it_misses(
        vendor_client, draft, field, values, message):
    for value in values:
        with translation.override("zh-hans"):
            form = OfferingForm(offering_data(**{field: value}), provider=draft)
            assert not form.is_valid()
            assert form.errors[field] == [message], value


def test_number_boxes_carry_the_same_range_for_the_browser(draft):
    html = str(OfferingForm(provider=draft)["capacity"])
    assert 'min="1"' in html and 'max="500"' in html


def test_the_model_speaks_of_the_same_range():
    offering = OfferingFactory.build(provider=ProviderFactory(), capacity=0)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        offering.full_clean()
    assert exc.value.message_dict["capacity"] == ["请输入 1 到 500 之间的数。"]


def test_the_demo_data_fits_the_limits():
    from marketplace.management.commands import seed_marketplace

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list | tuple | set):
            for item in value:
                yield from strings(item)

    longest = max(len(s) for name in dir(seed_marketplace) if name.isupper()
                  for s in strings(getattr(seed_marketplace, name)))
    shortest_limit = min(f.max_length for _m, f in typed_text_fields())
    assert longest <= shortest_limit
