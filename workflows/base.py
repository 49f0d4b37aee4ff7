from django.db import models
from django_fsm import FSMModelMixin


class ProtectedStateModel(FSMModelMixin, models.Model):
    """A model whose ``state`` only transitions may change. Validation leaves the state
    alone: ``clean_fields`` would otherwise assign it and trip the protection."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude={*(exclude or ()), "state"})
