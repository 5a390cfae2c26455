"""Satisfaction (满意度) of a repair or a complaint, 1–5, in one place: the labels every face shows (the owner's own
rating in the portal, the staff return visit, reports), and what counts as satisfied."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Satisfaction(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEUTRAL = 3, _("Neutral")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


# Best first, as the choices are offered (a radio list, never a "---------" prompt).
CHOICES = [(value, label) for value, label in Satisfaction.choices]
SATISFIED_FROM = 4  # 满意 and 非常满意 count as satisfied in the satisfaction rate


def label(score) -> str:
    """The label of a score ("满意"), "" for none."""
    return str(Satisfaction(score).label) if score else ""


def owner_rating_sentence(event, fields=None) -> str:
    """ "业主评价：满意（4 分）" — the owner's own rating, as the staff timeline reads it."""
    score = (event.data or {}).get("score")
    if not score:
        return str(_("Rated by the owner"))
    return str(_("Rated by the owner: %(label)s (%(score)s of 5)")) % {"label": label(score), "score": score}
