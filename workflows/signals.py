from django.dispatch import Signal

# Sent after the transaction that made a transition has committed, with
# ``instance`` (fresh from the database), ``name``, ``source``, ``target`` and ``by``.
# Receivers schedule their side effects (publishing, PDFs, e-mail) as Celery tasks.
transitioned = Signal()
