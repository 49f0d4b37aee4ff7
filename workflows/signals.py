from django.dispatch import Signal

# Sent inside the transaction that made a transition, right after it was saved and
# logged, with ``instance``, ``name``, ``source``, ``target``, ``by`` and ``entry`` (its
# TimelineEntry). Receivers record their side effects (publishing, PDFs, e-mail) with
# ``workflows.outbox.schedule``: they run as Celery tasks once the transaction commits.
transitioned = Signal()
