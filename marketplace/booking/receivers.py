"""What happens after a booking moves: the other side is told, the service agreement is
prepared, the schedule is made, remaining sessions are cancelled.

E-mails and PDFs are side effects in the transition's own transaction (``workflows.outbox``);
the schedule is plain rows, written in that same transaction. A day off added later cancels
the sessions it falls on."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketplace.booking import schedule
from marketplace.models import Booking, DayOff, ScheduleEntry, SessionStatus, User
from workflows import outbox
from workflows.booking import BookingState as B
from workflows.signals import transitioned
from workflows.tasks import send_email
from workflows.transitions import record


def _link(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def vendor_emails(booking) -> list[str]:
    owner = booking.offering.provider.owner
    return [owner.email] if owner and owner.email else []


def school_emails(booking) -> list[str]:
    return list(booking.school.coordinators.filter(is_active=True).exclude(email="")
                .values_list("email", flat=True))


def _tell(to, subject, body, *, key, entry=None):
    if to:
        outbox.schedule(send_email, to, subject, body, key=key, entry=entry)


def _subject(booking, what) -> str:
    return _("[After-school resources] %(school)s · %(offering)s: %(what)s") % {
        "school": booking.school.name, "offering": booking.offering.title, "what": what}


def booking_requested(booking, entry) -> None:
    """A coordinator asked: the vendor answers next."""
    with translation.override(settings.LANGUAGE_CODE):
        body = _("%(school)s asks to book “%(offering)s” (%(slots)s, %(first)s – %(last)s, "
                 "%(n)s students).\n\nAccept or decline: %(link)s") % {
            "school": booking.school.name, "offering": booking.offering.title,
            "slots": "、".join(str(s) for s in booking.slots.all()),
            "first": booking.first_date, "last": booking.last_date,
            "n": booking.student_count,
            "link": _link(reverse("vendor:booking", args=[booking.pk]))}
        _tell(vendor_emails(booking), _subject(booking, _("new booking request")), body,
              key=f"timeline:{entry.pk}:notify")


# Who is told after each transition, and what it asks of them.
def _after(booking, target):
    school_link = _link(reverse("school:booking", args=[booking.pk]))
    vendor_link = _link(reverse("vendor:booking", args=[booking.pk]))
    return {
        B.ACCEPTED: [(vendor_emails(booking), _("accepted: sign the service agreement"),
                      _("The service agreement is being prepared. Sign it: %(link)s")
                      % {"link": vendor_link}),
                     (school_emails(booking), _("accepted"),
                      _("The provider accepted. Once it has signed the service agreement, "
                        "sign it too: %(link)s") % {"link": school_link})],
        B.DECLINED: [(school_emails(booking), _("declined"),
                      _("The provider declined the booking: %(link)s") % {"link": school_link})],
        B.AGREED: [(vendor_emails(booking) + school_emails(booking), _("agreed"),
                    _("Both sides have signed. The schedule is ready: %(link)s")
                    % {"link": school_link})],
        B.CANCELLED: [(vendor_emails(booking) + school_emails(booking), _("cancelled"),
                       _("The booking was cancelled; its remaining sessions are cancelled "
                         "too: %(link)s") % {"link": school_link})],
    }.get(target, [])


@receiver(transitioned, sender=Booking, dispatch_uid="marketplace.booking_transitioned")
def booking_transitioned(sender, instance, name, source, target, by, entry=None, **kwargs):
    if target == B.ACCEPTED:
        from marketplace.booking.tasks import prepare_service_agreement

        outbox.schedule(prepare_service_agreement, instance.pk, entry=entry,
                        key=outbox.entry_key(entry, "agreement"))
    elif target == B.AGREED:
        schedule.generate(instance)
    elif target == B.CANCELLED:
        from marketplace.booking.services import cancel_remaining_sessions

        cancel_remaining_sessions(instance, by=by, reason=entry.get_reason_display()
                                  if entry and entry.reason else _("Booking cancelled"))
    with translation.override(settings.LANGUAGE_CODE):
        for index, (to, what, body) in enumerate(_after(instance, target)):
            _tell(to, _subject(instance, what), body,
                  key=outbox.entry_key(entry, f"notify-{index}"))


def coordinators_of(booking) -> list[User]:
    return list(booking.school.coordinators.filter(is_active=True))


@receiver(post_save, sender=DayOff, dispatch_uid="marketplace.booking_day_off")
def day_off_saved(sender, instance, created, **kwargs):
    """A day off added after bookings were agreed: their planned sessions that day are
    cancelled with its name, and each booking's timeline says so."""
    with transaction.atomic():
        sessions = ScheduleEntry.objects.select_for_update().filter(
            date=instance.date, status=SessionStatus.PLANNED,
            booking__state__in=(B.AGREED, B.ACTIVE))
        if instance.school_id:
            sessions = sessions.filter(booking__school_id=instance.school_id)
        affected = list(sessions.order_by("booking_id", "starts_at"))
        if not affected:
            return
        now = timezone.now()
        for session in affected:
            session.status, session.status_reason = SessionStatus.CANCELLED, instance.name[:200]
            session.status_by, session.status_at = None, now
        ScheduleEntry.objects.bulk_update(
            affected, ["status", "status_reason", "status_by", "status_at"])
        for booking_id in sorted({s.booking_id for s in affected}):
            record(Booking(pk=booking_id), "session_cancelled", by=None,
                   item=f"{instance.date:%Y-%m-%d}", comment=instance.name)
