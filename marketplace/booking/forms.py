"""Forms of the booking screens. Rules that need other rows (clashes, caps, the term
calendar) live in ``services.check_request``; a refused request comes back here as
field errors with everything typed kept."""

import contextlib
import datetime as dt

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from marketplace.booking.clashes import Slot
from marketplace.booking.services import Request
from marketplace.choices import Delivery, Weekday
from marketplace.models import NOTE_LIMIT, Person, SessionStatus, Term, Venue
from workflows.booking import BookingReason

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


class SlotForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("weekday"), coerce=int, required=False,
                                     choices=[("", "—"), *Weekday.choices[:5]])
    starts_at = forms.TimeField(label=_("starts at"), required=False, widget=TIME)
    ends_at = forms.TimeField(label=_("ends at"), required=False, widget=TIME)

    def clean(self):
        data = super().clean()
        given = [data.get(k) not in (None, "") for k in ("weekday", "starts_at", "ends_at")]
        if any(given) and not all(given):
            raise forms.ValidationError(_("Give the weekday, the start and the end of the slot."))
        return data

    def slot(self) -> Slot | None:
        data = self.cleaned_data
        if data.get("weekday") in (None, ""):
            return None
        return Slot(int(data["weekday"]), data["starts_at"], data["ends_at"])


SlotFormSet = forms.formset_factory(SlotForm, extra=3, max_num=5, validate_max=True)


class BookingForm(forms.Form):
    school = forms.ModelChoiceField(label=_("school"), queryset=None, empty_label=None)
    term = forms.ModelChoiceField(label=_("term"), queryset=None, empty_label=None)
    grade_from = forms.IntegerField(label=_("from grade"), min_value=1, max_value=9)
    grade_to = forms.IntegerField(label=_("to grade"), min_value=1, max_value=9)
    student_count = forms.IntegerField(label=_("number of students"), min_value=1,
                                       max_value=500)
    delivery = forms.ChoiceField(label=_("delivery"), choices=Delivery.choices)
    venue = forms.ModelChoiceField(label=_("venue in the school"), queryset=None,
                                   required=False,
                                   help_text=_("Leave empty when students go to the "
                                               "provider's venue."))
    price_per_session = forms.DecimalField(label=_("price per session (CNY)"), min_value=0,
                                           max_digits=8, decimal_places=2)
    first_date = forms.DateField(label=_("first date"), widget=DATE)
    last_date = forms.DateField(label=_("last date"), widget=DATE)
    note = forms.CharField(label=_("note"), required=False, max_length=NOTE_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, offering, user, **kwargs):
        self.offering = offering
        schools = user.schools.order_by("name")
        terms = Term.objects.filter(ends_on__gte=timezone.localdate()).order_by("starts_on")
        term = terms.first()
        kwargs.setdefault("initial", {}).update({
            "grade_from": offering.grade_from, "grade_to": offering.grade_to,
            "delivery": offering.delivery, "price_per_session": offering.price_per_session,
            "student_count": min(offering.capacity, 30),
            **({"first_date": max(term.starts_on, timezone.localdate()),
                "last_date": term.ends_on, "term": term} if term else {}),
        })
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["term"].queryset = terms
        self.fields["venue"].queryset = Venue.objects.filter(school__in=schools).select_related(
            "school").order_by("school__name", "name")
        self.fields["venue"].label_from_instance = lambda v: f"{v.school.name} · {v.name}"
        self.slots = SlotFormSet(*args[:1], prefix="slot")

    def is_valid(self):
        return all([super().is_valid(), self.slots.is_valid()])

    def request(self) -> Request:
        data = self.cleaned_data
        return Request(
            school=data["school"], offering=self.offering, term=data["term"],
            grade_from=data["grade_from"], grade_to=data["grade_to"],
            student_count=data["student_count"], price_per_session=data["price_per_session"],
            first_date=data["first_date"], last_date=data["last_date"],
            slots=[s for s in (f.slot() for f in self.slots.forms if f.cleaned_data) if s],
            venue=data.get("venue"), delivery=data["delivery"], note=data.get("note", ""),
        )

    def add_service_errors(self, errors: dict) -> None:
        for field, messages in errors.items():
            for message in messages:
                if field == "slots":
                    self.slots_errors.append(message)
                else:
                    self.add_error(None if field == "__all__" else field, message)

    @property
    def slots_errors(self) -> list:
        if not hasattr(self, "_slots_errors"):
            self._slots_errors = []
        return self._slots_errors


class AcceptForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("responsible persons"), queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each needs a cleared background check valid until the last session."))
    comment = forms.CharField(label=_("comment"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people


class ReasonForm(forms.Form):
    reason = forms.ChoiceField(label=_("reason"), choices=[("", "—"), *BookingReason.choices])
    comment = forms.CharField(label=_("comment"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.fields["reason"].choices = [("", "—"), *choices]


class SessionChangeForm(forms.Form):
    """A change to one session that needs a reason (cancel, move, swap, not delivered).

    The session page shows one form per change, each under its own prefix (the action's
    name), so their fields never share an HTML id and a refused one keeps what was typed."""

    reason = forms.CharField(label=_("reason"), max_length=200,
                             error_messages={"required": _("Give a reason.")})


class DeliveredForm(forms.Form):
    """Mark the session delivered: nothing to type."""


class NotDeliveredForm(SessionChangeForm):
    pass


class CancelSessionForm(SessionChangeForm):
    pass


class MoveSessionForm(SessionChangeForm):
    date = forms.DateField(label=_("new date"), widget=DATE)
    starts_at = forms.TimeField(label=_("starts at"), widget=TIME)
    ends_at = forms.TimeField(label=_("ends at"), widget=TIME)
    field_order = ["date", "starts_at", "ends_at", "reason"]


class SwapPersonForm(SessionChangeForm):
    person = forms.ModelChoiceField(
        label=_("responsible person"), queryset=Person.objects.none(),
        error_messages={"required": _("Choose the person who will come instead.")})
    field_order = ["person", "reason"]

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


#: The session page's forms by action; the action is also each form's prefix.
SESSION_FORMS = {
    "delivered": DeliveredForm, "not_delivered": NotDeliveredForm,
    "cancel": CancelSessionForm, "move": MoveSessionForm, "swap": SwapPersonForm,
}


def session_forms(data=None, *, action: str | None = None, people) -> dict[str, forms.Form]:
    """Every form of the session page, prefixed by its action; only ``action``'s form is
    bound to ``data`` (the one that was sent), the others start empty."""
    built = {}
    for name, form_class in SESSION_FORMS.items():
        kwargs = {"prefix": name, **({"people": people} if form_class is SwapPersonForm
                                     else {})}
        built[name] = form_class(data if name == action else None, **kwargs)
    return built


class ScheduleFilterForm(forms.Form):
    """What the schedule's list by month shows: a month of the term (``YYYY-MM``) and,
    optionally, one school, one booking and one session status. A school, booking or
    status not offered counts as not given."""

    month = forms.ChoiceField(label=_("Month"), required=False)
    school = forms.TypedChoiceField(label=_("School"), coerce=int, required=False)
    booking = forms.TypedChoiceField(label=_("Offering"), coerce=int, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, months=(), bookings=(), **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["month"].choices = [
            (f"{m:%Y-%m}", formats.date_format(m, "YEAR_MONTH_FORMAT")) for m in months]
        schools = {b.school_id: b.school.name for b in bookings}
        self.fields["school"].choices = every + sorted(schools.items(), key=lambda c: c[1])
        several = len(schools) > 1
        self.fields["booking"].choices = every + [
            (b.pk, f"{b.school.name} · {b.offering.title}" if several else b.offering.title)
            for b in sorted(bookings, key=lambda b: (b.school.name, b.offering.title, b.pk))]
        self.fields["status"].choices = every + list(SessionStatus.choices)

    def values(self) -> dict:
        """The valid values given (a value not offered counts as not given)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        values = {k: data.get(k) for k in ("school", "booking", "status")
                  if k not in self.errors and data.get(k) not in (None, "")}
        # A month outside the term is no error: the list moves it to the nearest month.
        with contextlib.suppress(ValueError):
            values["month"] = dt.date.fromisoformat(f"{self.data.get('month', '')}-01")
        return values
