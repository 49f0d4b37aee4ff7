"""Account pages shared by every role (all log in at ``/accounts/login/``): the page shown
when a login is locked out after repeated failures (django-axes) and password reset by
e-mail (Django's views with the site's own templates).

A reset request gets the same answer whether or not the address belongs to an account, so
the form does not tell strangers who is registered. The e-mail leaves through the Celery
task after the request commits (a slow mail server neither delays the answer nor tells
known addresses apart by timing), at most once a minute per account.
"""

import math

from axes.helpers import get_client_username, get_cool_off
from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from marketplace.models import BureauSettings
from workflows import outbox
from workflows.tasks import send_email

TEMPLATES = "marketplace/password_reset"
RESET_EMAIL_INTERVAL_SECONDS = 60


# --- login lockout -------------------------------------------------------------------------
def client_ip(request):
    """The client's address for the lockout: ``REMOTE_ADDR``, or behind
    ``TRUSTED_PROXY_COUNT`` proxies the address the outermost one saw (read from the right
    of X-Forwarded-For, where a client cannot forge it)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


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
class PasswordResetForm(auth_forms.PasswordResetForm):
    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        user = context["user"]
        if not cache.add(f"password-reset:{user.pk}", 1, RESET_EMAIL_INTERVAL_SECONDS):
            return  # one e-mail a minute per account: the form cannot flood a mailbox
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        outbox.schedule(send_email, [to_email], str(subject), body,
                        key=outbox.unique_key("email"))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = f"{TEMPLATES}/form.html"
    subject_template_name = f"{TEMPLATES}/email_subject.txt"
    email_template_name = f"{TEMPLATES}/email.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        self.extra_email_context = {
            "bureau_name": BureauSettings.for_request(self.request).bureau_name,
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }
        return super().form_valid(form)


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
