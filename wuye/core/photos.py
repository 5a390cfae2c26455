"""Photos kept as evidence anywhere in the product (a repair, an inspection item, a rectification, an
assessment): checked before anything is written (JPEG, PNG or WebP by their first bytes, at most 5 MB each, at
most `MAX_PHOTOS`), then re-encoded so what is kept is only the pixels.

`reencode` decodes the upload with Pillow and writes the pixels again, so EXIF (a phone's GPS position of the
owner's home, the camera's serial) and anything appended after the picture are gone, and a picture of more than
`WUYE_PHOTO_MAX_PIXELS` pixels (a decompression bomb) is refused before it is decoded."""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InvalidInput

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 9
_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def photo_type(head: bytes) -> str | None:
    """The image type from the file's first bytes (never from its name or the client's say-so)."""
    for signature, content_type in _SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_photos(files, field: str = "photos") -> list:
    """The uploads, or InvalidInput naming `field` for the first one that would be refused."""
    files = list(files or [])
    if len(files) > MAX_PHOTOS:
        raise InvalidInput(field, _("At most %(count)s photos.") % {"count": MAX_PHOTOS})
    for upload in files:
        if upload.size > MAX_PHOTO_BYTES:
            raise InvalidInput(field, _("%(name)s is larger than 5 MB.") % {"name": upload.name})
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if photo_type(head) is None:
            raise InvalidInput(field, _("%(name)s is not a JPEG, PNG or WebP picture.") % {"name": upload.name})
    return files


# Pillow format → (content type, extension, save options). Options name no `exif` or `icc_profile`: none is written.
_FORMATS = {
    "JPEG": ("image/jpeg", "jpg", {"quality": 88, "optimize": True}),
    "PNG": ("image/png", "png", {"optimize": True}),
    "WEBP": ("image/webp", "webp", {"quality": 88}),
}


def reencode(upload, field: str = "image") -> tuple[ContentFile, str]:
    """The photo decoded and encoded again (same format, turned upright by its EXIF orientation, without EXIF or
    trailing bytes) and its content type; InvalidInput naming `field` when it is not a readable JPEG, PNG or WebP
    or has more pixels than `WUYE_PHOTO_MAX_PIXELS`."""
    max_pixels = int(settings.WUYE_PHOTO_MAX_PIXELS)
    too_large = _("The picture has more than %(count)s pixels.") % {"count": f"{max_pixels:,}"}
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in _FORMATS:
                    raise InvalidInput(field, _("Upload a JPEG, PNG or WebP photo."))
                width, height = image.size
                if width * height > max_pixels:  # read from the header: nothing is decoded yet
                    raise InvalidInput(field, too_large)
                content_type, extension, options = _FORMATS[image.format]
                picture = ImageOps.exif_transpose(image)  # decodes; the copy carries no orientation to lose
                if image.format == "JPEG" and picture.mode not in ("RGB", "L", "CMYK"):
                    picture = picture.convert("RGB")
                out = io.BytesIO()
                picture.save(out, format=image.format, **options)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(field, too_large) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput(field, _("The picture cannot be read; upload a JPEG, PNG or WebP photo.")) from None
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name=f"photo.{extension}"), content_type
