"""The same matter (条例 Art. 19 ¶3): groups of linked matters and proposed matches."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.petitions.choices import CandidateStatus
from xinfang.petitions.querysets import PetitionChildQuerySet


class MatterGroup(models.Model):
    """Matters about the same request; each member keeps its own ``level_reached``."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("同一事项组")
        verbose_name_plural = _("同一事项组")

    def __str__(self) -> str:
        return f"同一事项组 #{self.pk}"


class SameMatterCandidate(models.Model):
    """A proposed match found on intake; the registrar links or dismisses it."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="candidates"
    )
    candidate = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("相似度"))
    same_petitioner = models.BooleanField(_("同一信访人"), default=False)
    # 条例 Art. 36: the earlier matter ended with a re-review opinion and the same
    # petitioner asks something similar; until staff decide, the new one is not accepted.
    after_final = models.BooleanField(_("终结后再次提出"), default=False)
    status = models.CharField(
        max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.PROPOSED
    )
    version = models.PositiveIntegerField(default=0, editable=False)  # the engine's CAS
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "candidate"], name="unique_candidate")
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} ~ {self.candidate_id} ({self.score})"
