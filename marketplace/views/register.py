"""Vendor registration with e-mail confirmation.

A new account is created inactive. The e-mail carries a link with a signed token
(``TimestampSigner``, valid ``CONFIRMATION_DAYS``) that names the account and a
fingerprint of its current state; once the account is active (or its password
changed) the fingerprint no longer matches, so every link works only once.

The e-mail is written by a Celery task (``marketplace.tasks.send_registration_confirmation``)
that is given only the account's id: the token is made when the e-mail is sent, so it is
never kept in the outbox.

Following the link shows a page with one button: the account is activated, given the
vendor role and logged in only when that button is pressed (POST). Mail scanners that
open every link in an e-mail (GET) therefore neither activate the account nor obtain a
logged-in session.
"""

import datetime as dt
import logging

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from marketplace.admission.forms import DUPLICATE_EMAIL, RegistrationForm, ResendConfirmationForm
from marketplace.roles import Role
from marketplace.tasks import request_origin, send_registration_confirmation
from workflows import outbox

logger = logging.getLogger(__name__)

SALT = "marketplace.vendor-registration"
CONFIRMATION_DAYS = 3
RESEND_INTERVAL_SECONDS = 60
SESSION_KEY = "vendor_registration_email"
BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- tokens --------------------------------------------------------------------------------
def _fingerprint(user) -> str:
    state = f"{user.pk}|{user.password}|{user.is_active}|{user.last_login}|{user.email}"
    return salted_hmac(SALT, state).hexdigest()[:24]


def make_token(user) -> str:
    return TimestampSigner(salt=SALT).sign_object({"u": user.pk, "f": _fingerprint(user)})


class TokenProblem(Exception):
    def __init__(self, code: str, user=None):
        super().__init__(code)
        self.code = code  # "invalid", "expired" or "used"
        self.user = user


def read_token(token: str, *, for_update: bool = False):
    """The inactive account ``token`` confirms, or ``TokenProblem``."""
    signer = TimestampSigner(salt=SALT)
    User = get_user_model()
    users = User.objects.select_for_update() if for_update else User.objects
    try:
        payload = signer.unsign_object(token, max_age=dt.timedelta(days=CONFIRMATION_DAYS))
    except SignatureExpired as exc:
        # Genuine but old: find the account so the resend form can be filled in.
        try:
            payload = signer.unsign_object(token)
            user = User.objects.filter(pk=payload["u"], is_active=False).first()
        except (BadSignature, KeyError, TypeError):
            user = None
        raise TokenProblem("expired", user) from exc
    except BadSignature as exc:
        raise TokenProblem("invalid") from exc
    try:
        user = users.get(pk=payload["u"])
    except (User.DoesNotExist, KeyError, TypeError) as exc:
        raise TokenProblem("invalid") from exc
    if payload.get("f") != _fingerprint(user):
        raise TokenProblem("used" if user.is_active else "invalid", user)
    if user.is_active or user.last_login is not None:
        raise TokenProblem("used", user)
    return user


# --- e-mail --------------------------------------------------------------------------------
def send_confirmation(request, user) -> None:
    """Send the confirmation link once the account is committed."""
    outbox.schedule(send_registration_confirmation, user.pk, request_origin(request),
                    key=outbox.unique_key("registration-confirmation"))


def confirmation_email(user, origin: dict) -> EmailMessage:
    """The e-mail with a fresh confirmation link for ``user``; made by the worker when it
    sends it (``origin``: see ``marketplace.tasks.request_origin``)."""
    path = reverse("vendor:register_confirm", args=[make_token(user)])
    context = {"name": user.first_name or user.email,
               "link": f"{origin['protocol']}://{origin['domain']}{path}",
               "days": CONFIRMATION_DAYS, "bureau_name": origin["bureau_name"]}
    subject = _("Confirm your e-mail address to activate your provider account")
    body = render_to_string("marketplace/registration/confirm_email.txt", context)
    return EmailMessage(str(subject), body, None, [user.email])


# --- views -----------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        messages.info(request, _("You are already logged in."))
        return redirect("start")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
                send_confirmation(request, user)
        except IntegrityError:
            # Someone registered the same address a moment ago.
            form.add_error("email", DUPLICATE_EMAIL)
        else:
            logger.info("vendor account %s registered, waiting for confirmation", user.pk)
            request.session[SESSION_KEY] = user.email
            return redirect("vendor:register_done")
    return render(request, "marketplace/registration/register.html", {"form": form})


def done(request):
    return render(request, "marketplace/registration/done.html", {
        "email": request.session.get(SESSION_KEY, ""), "days": CONFIRMATION_DAYS,
    })


def _failed(request, problem: TokenProblem):
    initial = {"email": problem.user.email} if problem.user and problem.code == "expired" else {}
    return render(request, "marketplace/registration/confirm_failed.html", {
        "problem": problem.code, "form": ResendConfirmationForm(initial=initial),
        "days": CONFIRMATION_DAYS,
    })


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    if request.method == "GET":
        try:
            user = read_token(token)
        except TokenProblem as problem:
            return _failed(request, problem)
        return render(request, "marketplace/registration/confirm.html",
                      {"account": user, "token": token})

    with transaction.atomic():
        try:
            user = read_token(token, for_update=True)
        except TokenProblem as problem:
            return _failed(request, problem)
        user.is_active = True
        user.save(update_fields=["is_active"])
        user.groups.add(Group.objects.get(name=Role.VENDOR))
    login(request, user, backend=BACKEND)
    request.session.pop(SESSION_KEY, None)
    logger.info("vendor account %s confirmed", user.pk)
    messages.success(request, _("Your account is active. Start your first application below."))
    return redirect("vendor:home")


@require_http_methods(["GET", "POST"])
def resend(request):
    """Send a new link. The answer is the same whether or not the address is registered,
    so this page does not tell strangers who has an account."""
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        user = (get_user_model().objects
                .filter(email__iexact=email, is_active=False, last_login__isnull=True)
                .first())
        # At most one e-mail a minute per account: the form cannot be used to flood a mailbox.
        if user is not None and cache.add(f"{SALT}:resend:{user.pk}", 1,
                                          RESEND_INTERVAL_SECONDS):
            send_confirmation(request, user)
        request.session[SESSION_KEY] = email
        messages.info(request, _(
            "If an account waiting for confirmation is registered with this address, a new "
            "link is on its way."))
        return redirect("vendor:register_done")
    return render(request, "marketplace/registration/resend.html", {"form": form})
