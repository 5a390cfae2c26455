"""Photo evidence (`quality.Evidence`) of any quality record: an inspection item's score, a rectification step,
an assessment record. Every upload is checked and re-encoded by `wuye.core.photos` (JPEG, PNG or WebP, at most
5 MB, no EXIF/GPS kept) before anything is written; a subject keeps at most `MAX_PHOTOS` photos.

The caller records the event of the change the photos belong to (e.g. `inspection.scored`), in its own
transaction: these functions never open one of their own."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.errors import InvalidInput
from wuye.core.photos import MAX_PHOTOS, check_photos, reencode

from .models import Evidence


def evidence_for(subject):
    """The photos kept for `subject` (any saved model instance), oldest first."""
    return Evidence.objects.filter(subject_type=ContentType.objects.get_for_model(subject),
                                   subject_id=subject.pk).order_by("created_at", "id")


def attach_evidence(actor, subject, uploads, *, project, field: str = "photos", caption: str = "",
                    at=None) -> list[Evidence]:
    """Keep `uploads` as photos of `subject` in `project`: all are checked first (InvalidInput naming `field`,
    nothing written), at most nine per subject counting those already kept. Runs in the caller's transaction."""
    uploads = check_photos(uploads, field)
    if not uploads:
        return []
    kept = evidence_for(subject).count()
    if kept + len(uploads) > MAX_PHOTOS:
        raise InvalidInput(field, _("At most %(count)s photos; %(kept)s are already kept.")
                           % {"count": MAX_PHOTOS, "kept": kept})
    images = [reencode(upload, field) for upload in uploads]  # every one readable before the first is written
    subject_type = ContentType.objects.get_for_model(subject)
    user = getattr(actor, "user", actor)
    when = at or timezone.now()
    rows = []
    for number, (image, content_type) in enumerate(images, start=kept + 1):
        extension = content_type.split("/")[1].replace("jpeg", "jpg")
        image.name = f"{subject_type.model}-{subject.pk}-{number}.{extension}"
        rows.append(Evidence.objects.create(
            subject_type=subject_type, subject_id=subject.pk, project=project, image=image,
            caption=caption[:200], uploaded_by=user if getattr(user, "pk", None) else None, created_at=when))
    return rows
