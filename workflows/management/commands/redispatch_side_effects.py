"""Hand pending side effects (e-mails, PDFs, publishing) to the broker again.

Celery beat does this every minute; run it by hand after a broker outage to catch up at
once (``--all`` ignores the waiting times). Running it twice is harmless: each effect
runs once."""

from django.core.management.base import BaseCommand, CommandError

from workflows import outbox
from workflows.models import SideEffect


class Command(BaseCommand):
    help = "Hand pending side effects to the broker again."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help="every pending effect, without waiting times")

    def handle(self, *args, **options):
        sent, failed = outbox.redispatch(everything=options["all"])
        waiting = SideEffect.objects.filter(done_at__isnull=True).count()
        self.stdout.write(f"handed over: {sent}; not yet done: {waiting}")
        if failed:
            raise CommandError("The broker cannot be reached; pending effects stay pending.")
