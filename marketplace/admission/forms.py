"""Forms of the vendor portal: registration, the application's steps and signing.

Forms validate what a vendor typed; the writes themselves go through
``marketplace.admission.services`` (which checks ownership and the entry's state).
"""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.admission import credentials as credential_rules
from marketplace.choices import CredentialType, ProviderKind
from marketplace.models import (
    Credential,
    Offering,
    Person,
    Provider,
    Signature,
    Town,
    id_number_digest,
)
from marketplace.validators import (
    TextLengthValidator,
    normalise_identifier,
    normalise_phone,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)
from media.validation import PrivateFileField
from workflows import policy
from workflows.admission import AdmissionState

#: One line for each kind of provider, shown where a vendor chooses it.
KIND_EXPLANATIONS = {
    ProviderKind.INSTITUTION: _(
        "A non-academic training school or company that sends its own teachers into schools."
    ),
    ProviderKind.VENUE: _(
        "A museum, science centre, sports ground, farm or other practice base that pupils "
        "visit, or that brings its activities to schools."
    ),
    ProviderKind.PROFESSIONAL: _(
        "A coach, artist, designer, intangible-heritage inheritor or science populariser "
        "applying in person."
    ),
    ProviderKind.RETIRED_TEACHER: _(
        "A retired teacher who would like to run after-school activities near home."
    ),
    ProviderKind.VOLUNTEER: _("A volunteer who offers activities free of charge."),
}


def _label(model, field_name):
    """A model field's verbose name as a form label (re-uses its translation)."""
    return capfirst(model._meta.get_field(field_name).verbose_name)


def limit_long_texts(form) -> None:
    """Each text box with a limit says it, and says by how much a text is too long.

    No ``maxlength`` attribute: a browser would silently cut a pasted text at the limit
    (and count its line breaks differently); the server's message loses nothing.
    """
    for field in form.fields.values():
        if not isinstance(field.widget, forms.Textarea) or not field.max_length:
            continue
        field.validators = [v for v in field.validators
                            if not isinstance(v, MaxLengthValidator)]
        field.validators.append(TextLengthValidator(field.max_length))
        field.widget.attrs.pop("maxlength", None)
        limit = format_lazy(_("At most {} characters."), field.max_length)
        field.help_text = format_lazy("{} {}", field.help_text, limit) if field.help_text \
            else limit


def _bound_numbers(form) -> None:
    """A number box takes its model column's range: one range, one message (the form's
    own "at least 0" of a positive column would otherwise speak before the model's)."""
    for name, field in form.fields.items():
        if not isinstance(field, forms.IntegerField):  # DecimalField included
            continue
        bounds = [v for v in form._meta.model._meta.get_field(name).validators
                  if isinstance(v, MinValueValidator | MaxValueValidator)]
        if not bounds:
            continue
        field.validators = [v for v in field.validators
                            if not isinstance(v, MinValueValidator | MaxValueValidator)]
        field.validators += bounds
        field.min_value = next(
            (v.limit_value for v in bounds if isinstance(v, MinValueValidator)), None)
        field.max_value = next(
            (v.limit_value for v in bounds if isinstance(v, MaxValueValidator)), None)
        if isinstance(field.widget, forms.NumberInput):
            for attr, value in (("min", field.min_value), ("max", field.max_value)):
                if value is None:
                    field.widget.attrs.pop(attr, None)
                else:
                    field.widget.attrs[attr] = value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# --- registration ------------------------------------------------------------------------
DUPLICATE_EMAIL = _(
    "An account with this e-mail address already exists. Log in with it, or ask for a new "
    "confirmation link if you have not confirmed it yet."
)


class RegistrationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), max_length=150,
        help_text=_("You log in with this address, and we send the confirmation link to it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    display_name = forms.CharField(
        label=_("Your name"), max_length=150,
        help_text=_("The contact person's name, as the education bureau should address you."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=32, validators=[validate_phone],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request so that it is in the visitor's language.
        self.fields["password1"].help_text = (
            password_validation.password_validators_help_text_html())

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        taken = get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
        if taken.exists():
            raise ValidationError(DUPLICATE_EMAIL, code="duplicate")
        return email

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])

    def clean_display_name(self):
        return self.cleaned_data["display_name"].strip()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            # Django's own message (and its translation).
            self.add_error("password2", gettext("The two password fields didn’t match."))
        elif password1:
            user = get_user_model()(username=cleaned.get("email") or "",
                                    email=cleaned.get("email") or "",
                                    first_name=cleaned.get("display_name") or "")
            try:
                password_validation.validate_password(password1, user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned

    def save(self):
        """Create the account, inactive until the e-mail address is confirmed."""
        data = self.cleaned_data
        user = get_user_model()(
            username=data["email"], email=data["email"], first_name=data["display_name"],
            phone=data["phone"], is_active=False,
        )
        user.set_password(data["password1"])
        user.save()
        return user


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=150,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


# --- starting an application ----------------------------------------------------------------
class ApplyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Who is applying?"), choices=ProviderKind.choices,
                             widget=forms.RadioSelect)
    name = forms.CharField(
        label=_("Name"), max_length=200,
        help_text=_("The full registered name of the institution or venue, or your own full "
                    "name if you apply in person."),
    )

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    @staticmethod
    def kinds():
        """Each kind with its explanation and the documents it needs, for the template."""
        labels = dict(CredentialType.choices)
        person_docs = gettext(", ").join(
            str(labels[t]) for t in credential_rules.REQUIRED_FOR_PERSON)
        result = []
        for value, label in ProviderKind.choices:
            docs = [str(labels[t]) for t in credential_rules.required_for_provider(value)]
            result.append({
                "value": value, "label": label, "explanation": KIND_EXPLANATIONS[value],
                "documents": gettext(", ").join(docs), "person_documents": person_docs,
            })
        return result


# --- the application's steps ---------------------------------------------------------------
#: How long an identifier may be as typed (with spaces); it is stored without them.
CREDIT_CODE_TYPED_LENGTH = ID_NUMBER_TYPED_LENGTH = 24


class ProviderDetailsForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = [
            "name", "credit_code", "legal_representative", "contact_name", "contact_phone",
            "contact_email", "address", "service_area", "description",
        ]
        widgets = {
            "service_area": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 6}),
            "contact_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "credit_code": forms.TextInput(attrs={"autocapitalize": "characters",
                                                  "spellcheck": "false"}),
        }
        help_texts = {
            "service_area": _("The towns and streets where you can serve schools."),
            "description": _("What you do, your experience with schools and your teachers; "
                             "this text appears in the public catalogue once you are listed."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.is_organisation:
            # A person applying in person has no credit code and no legal representative.
            del self.fields["credit_code"]
            del self.fields["legal_representative"]
        else:
            field = self.fields["credit_code"]
            field.required = True
            field.error_messages["required"] = gettext(
                "Institutions and venues must give their unified social credit code.")
            # Typed with spaces or in full-width characters it is longer than the 18
            # characters it is stored as: the length is checked once normalised.
            field.max_length = CREDIT_CODE_TYPED_LENGTH
            field.validators = [v for v in field.validators
                                if not isinstance(v, MaxLengthValidator)]
            field.widget.attrs["maxlength"] = CREDIT_CODE_TYPED_LENGTH
        self.fields["service_area"].queryset = Town.objects.order_by("district", "name")
        limit_long_texts(self)

    def clean_credit_code(self):
        code = normalise_identifier(self.cleaned_data.get("credit_code"))
        if code:
            validate_credit_code(code)
        return code

    def clean_contact_phone(self):
        return normalise_phone(self.cleaned_data["contact_phone"])


class PersonForm(forms.ModelForm):
    """Someone who will enter schools. On an existing person the identity number is not
    shown again: it stays on file unless a new one is typed."""

    id_number = forms.CharField(
        label=_label(Person, "id_number"), max_length=ID_NUMBER_TYPED_LENGTH, required=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}),
    )

    class Meta:
        model = Person
        fields = ["full_name", "id_number", "role_title", "phone", "subject", "is_principal"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def __init__(self, *args, provider, **kwargs):
        kwargs["instance"] = kwargs.get("instance") or Person(provider=provider)
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.restored = False
        field = self.fields["id_number"]
        if self.instance.pk:
            field.required = False
            self.initial["id_number"] = ""
            field.help_text = _(
                "On file: %(masked)s. Leave empty to keep it, or type the full number to "
                "correct it."
            ) % {"masked": self.instance.id_number_masked}
        else:
            field.help_text = _(
                "18 characters; the last one may be X. Only the education bureau's check "
                "officers see the full number."
            )
            if not provider.is_organisation and not provider.active_people().exists():
                self.initial.setdefault("full_name", provider.name)
                self.initial.setdefault("is_principal", True)

    def clean_id_number(self):
        number = normalise_identifier(self.cleaned_data.get("id_number"))
        if not number and self.instance.pk:
            return self.instance.id_number
        validate_id_number(number)
        return number

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone"))

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("id_number")
        if number and "id_number" not in self.errors:
            same = (Person.objects.filter(provider=self.provider,
                                          id_number_digest=id_number_digest(number))
                    .exclude(pk=self.instance.pk).first())
            if same is not None:
                if same.removed_at is not None and not self.instance.pk:
                    # Someone removed earlier comes back with their archive (and any bar).
                    same.removed_at = None
                    self.instance = same
                    self.restored = True
                else:
                    self.add_error("id_number", gettext(
                        "This person is already listed for this provider."))
        return cleaned


class OfferingForm(forms.ModelForm):
    class Meta:
        model = Offering
        fields = [
            "title", "category", "resource_type", "delivery", "grade_from", "grade_to",
            "session_minutes", "capacity", "price_per_session", "price_per_student_term",
            "outline", "safety_measures", "materials",
        ]
        widgets = {
            "outline": forms.Textarea(attrs={"rows": 6}),
            "safety_measures": forms.Textarea(attrs={"rows": 4}),
            "materials": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "outline": _("The content of each session or unit. Academic-subject teaching is "
                         "not allowed."),
            "safety_measures": _("How pupils are kept safe: supervision, equipment, first aid, "
                                 "handing over at the end."),
        }

    def __init__(self, *args, provider, **kwargs):
        kwargs["instance"] = kwargs.get("instance") or Offering(provider=provider)
        super().__init__(*args, **kwargs)
        grades = [(n, gettext("Grade %(n)s") % {"n": n}) for n in range(1, 10)]
        for name in ("grade_from", "grade_to"):
            self.fields[name].widget = forms.Select(choices=grades)
        if not self.instance.pk:
            self.initial.setdefault("grade_to", 6)
        if provider.kind == ProviderKind.PROFESSIONAL:
            self.fields["price_per_session"].help_text = _(
                "External professionals may charge at most %(cap)s yuan per session."
            ) % {"cap": policy.professional_fee_cap()}
        self.fields["price_per_student_term"].help_text = _(
            "Only for courses that parents pay for; at most %(cap)s yuan. Leave empty "
            "otherwise."
        ) % {"cap": policy.personalised_course_cap()}
        limit_long_texts(self)
        _bound_numbers(self)


class CredentialForm(forms.Form):
    """Upload of one credential of the entry, or of one of its people."""

    type = forms.ChoiceField(label=_label(Credential, "type"))
    number = forms.CharField(label=_label(Credential, "number"), max_length=64, required=False)
    issuer = forms.CharField(label=_label(Credential, "issuer"), max_length=128, required=False)
    issued_on = forms.DateField(label=_label(Credential, "issued_on"), required=False,
                                widget=DateInput())
    expires_on = forms.DateField(
        label=_label(Credential, "expires_on"), required=False, widget=DateInput(),
        help_text=Credential._meta.get_field("expires_on").help_text,
    )
    file = PrivateFileField(
        label=_("File"),
        help_text=_("A PDF, or a photo or scan saved as JPEG or PNG; all pages readable."),
    )

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        if person is not None:
            required = list(credential_rules.REQUIRED_FOR_PERSON)
            allowed = [t for t in CredentialType.values
                       if t not in credential_rules.ORGANISATION_TYPES]
        else:
            required = []
            allowed = [t for t in CredentialType.values
                       if t not in credential_rules.REQUIRED_FOR_PERSON]
        labels = dict(CredentialType.choices)
        ordered = required + [t for t in allowed if t not in required]
        self.fields["type"].choices = [(t, labels[t]) for t in ordered]

    def clean(self):
        cleaned = super().clean()
        issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
        today = timezone.localdate()
        if issued and issued > today:
            self.add_error("issued_on", gettext("The issue date cannot be in the future."))
        if issued and expires and expires <= issued:
            self.add_error("expires_on",
                           gettext("The expiry date must come after the issue date."))
        elif expires and expires < today:
            self.add_error("expires_on", gettext(
                "This document has already expired. Please upload a current one."))
        return cleaned

    def service_kwargs(self) -> dict:
        """The arguments of ``services.add_credential`` this form supplies."""
        data = self.cleaned_data
        file = data["file"]
        return {
            "type": data["type"], "file": file, "person": self.person,
            "number": data["number"].strip(), "issuer": data["issuer"].strip(),
            "issued_on": data["issued_on"], "expires_on": data["expires_on"],
            "content_type": getattr(file, "detected_content_type", ""),
        }


class SubmitForm(forms.Form):
    comment = forms.CharField(
        label=_("Note to the education bureau (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example what you changed since the last review."),
    )
    expected_state = forms.ChoiceField(choices=AdmissionState.choices, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_long_texts(self)


class SignForm(forms.Form):
    typed_name = forms.CharField(
        label=_label(Signature, "typed_name"), max_length=64,
        help_text=_("Type the full name of the person signing for the provider."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        label=_("I have read the agreement and sign it electronically. My typed name, the "
                "time, my IP address and the agreement's SHA-256 are recorded."),
    )

    def clean_typed_name(self):
        return self.cleaned_data["typed_name"].strip()
