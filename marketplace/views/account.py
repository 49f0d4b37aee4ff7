"""Account pages shared by every role (all log in at ``/accounts/login/``): the page shown
when a login is locked out after repeated failures (django-axes) and password reset by
e-mail (Django's views with the site's own templates).

A reset request gets the same answer whether or not the address belongs to an account, so
the form does not tell strangers who is registered: either way it records one Celery task
(``marketplace.tasks.send_password_reset``) with the ids of the accounts found, possibly
none, at most once a minute per address. The task makes the one-time link and sends the
e-mail after the request commits, so a slow mail server neither delays the answer nor tells
known addresses apart by timing, and no token is kept in the outbox.
"""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import (
    get_client_username,
    get_cool_off,
    get_failure_limit,
    get_lockout_parameters,
)
from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db.models import Sum
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode

from marketplace.tasks import request_origin, send_password_reset
from workflows import outbox

TEMPLATES = "marketplace/password_reset"
RESET_EMAIL_INTERVAL_SECONDS = 60


# --- login lockout -------------------------------------------------------------------------
def client_ip(request):
    """The client's address for the lockout: ``REMOTE_ADDR``, or behind
    ``TRUSTED_PROXY_COUNT`` proxies the address the outermost one saw (read from the right
    of X-Forwarded-For, where a client cannot forge it). Axes' own ``AXES_IPWARE_*``
    settings would need django-ipware, which is not installed for these few lines."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with a failure limit for each lockout parameter.

    ``AXES_LOCKOUT_PARAMETERS`` counts failures for one account from one address and for
    one address whatever the accounts. One account from one address is locked after
    ``AXES_FAILURE_LIMIT`` failures; an address after ``LOGIN_ADDRESS_FAILURE_LIMIT``, set
    higher because a whole school or the bureau may log in from behind one NAT address.
    (Axes itself has one limit, compared with the largest of the counts.)
    """

    def limits(self, request, credentials=None) -> list[int]:
        """The limit of each lockout parameter, in ``AXES_LOCKOUT_PARAMETERS`` order."""
        limit = get_failure_limit(request, credentials)
        return [settings.LOGIN_ADDRESS_FAILURE_LIMIT if parameter == "ip_address" else limit
                for parameter in get_lockout_parameters(request, credentials)]

    def get_failures(self, request, credentials=None) -> int:
        """The count nearest to its limit, on the scale of the one limit axes compares it
        with: a parameter whose own limit is L counts its failures plus
        (``AXES_FAILURE_LIMIT`` - L), so it reaches that limit when it reaches L."""
        limit = get_failure_limit(request, credentials)
        counts = [attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
                  for attempts in self.get_user_attempts(request, credentials)]
        return max((count + limit - own_limit for count, own_limit
                    in zip(counts, self.limits(request, credentials), strict=True)), default=0)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login clears that account's failures from that address only: were
        the address's count cleared too, one working account would let an address try
        other accounts' passwords without end."""
        deleted = 0
        for parameter, attempts in zip(get_lockout_parameters(request, credentials),
                                       self.filter_user_attempts(request, credentials),
                                       strict=True):
            if "username" in ([parameter] if isinstance(parameter, str) else parameter):
                deleted += attempts.delete()[0]
        return deleted


def lockout(request, original_response=None, credentials=None):
    """The login page again, with what was typed, saying how long to wait (HTTP 429).

    Every attempt while locked starts the wait again, so the full cool-off is what is left."""
    minutes = max(1, math.ceil(get_cool_off(request).total_seconds() / 60))
    username = get_client_username(request, credentials) or ""
    redirect_to = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME, ""))
    if not url_has_allowed_host_and_scheme(redirect_to, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        redirect_to = ""
    form = auth_forms.AuthenticationForm(request, initial={"username": username})
    return render(request, "marketplace/login.html", {
        "form": form, REDIRECT_FIELD_NAME: redirect_to, "locked_minutes": minutes,
    }, status=settings.AXES_HTTP_RESPONSE_CODE)


# --- password reset --------------------------------------------------------------------------
RESET_SUBJECT_TEMPLATE = f"{TEMPLATES}/email_subject.txt"
RESET_BODY_TEMPLATE = f"{TEMPLATES}/email.txt"


class PasswordResetForm(auth_forms.PasswordResetForm):
    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        """Record the e-mail task: the same work for an address with or without an account.
        It is given the ids of the accounts found, never a token or a link."""
        email = self.cleaned_data["email"]
        user_ids = [user.pk for user in self.get_users(email)]
        address = salted_hmac("password-reset", email.casefold()).hexdigest()
        if not cache.add(f"password-reset:{address}", 1, RESET_EMAIL_INTERVAL_SECONDS):
            return  # one e-mail a minute per address: the form cannot flood a mailbox
        outbox.schedule(send_password_reset, user_ids,
                        request_origin(request, domain=domain_override),
                        key=outbox.unique_key("password-reset"))


def password_reset_email(user, origin: dict) -> EmailMessage:
    """The e-mail with a fresh one-time link for ``user``, written as Django's form writes
    it; made by the worker (``send_password_reset``) when it sends it."""
    to_email = getattr(user, user.get_email_field_name())
    context = {
        "email": to_email, "domain": origin["domain"], "site_name": origin["site_name"],
        "uid": urlsafe_base64_encode(force_bytes(user._meta.pk.value_to_string(user))),
        "user": user, "token": default_token_generator.make_token(user),
        "protocol": origin["protocol"], "bureau_name": origin["bureau_name"],
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    subject = "".join(render_to_string(RESET_SUBJECT_TEMPLATE, context).splitlines())
    body = render_to_string(RESET_BODY_TEMPLATE, context)
    return EmailMessage(subject, body, None, [to_email])


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = f"{TEMPLATES}/form.html"
    subject_template_name = RESET_SUBJECT_TEMPLATE
    email_template_name = RESET_BODY_TEMPLATE
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = f"{TEMPLATES}/done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = f"{TEMPLATES}/confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever proved they read the account's mailbox may log in at once.
        reset_login_failures(username=self.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = f"{TEMPLATES}/complete.html"
