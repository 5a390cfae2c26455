"""Photos are decoded and encoded again before they are kept (issue 9, point 8): a phone's EXIF with the GPS
position of the owner's home and anything appended after the picture never reach the disk; a decompression bomb
is refused naming the field."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wuye.workorders.models import Photo

PAYLOAD = b"<?php system($_GET['c']); ?>"
GPS_IFD = 0x8825


def jpeg_with_gps_and_payload() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (31.0, 13.0, 40.0), 3: "E", 4: (121.0, 28.0, 30.0)}  # a home in Shanghai
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 160, 200)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue() + PAYLOAD


def upload(client, ticket, name, content, content_type):
    return client.client.post(f"/api/v1/tickets/{ticket.pk}/photos",
                              {"image": SimpleUploadedFile(name, content, content_type=content_type)},
                              **client.headers)


def test_the_kept_photo_has_no_exif_and_no_trailing_payload(world, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    original = jpeg_with_gps_and_payload()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the upload does carry a position
    ticket = world.ticket(world.project1, unit=world.owner_unit("yezhu"))
    response = upload(api("yezhu"), ticket, "leak.jpg", original, "image/jpeg")
    assert response.status_code == 201, response.content

    stored = Photo.objects.get(ticket=ticket).image.read()
    kept = Image.open(io.BytesIO(stored))
    assert kept.format == "JPEG" and kept.size == (40, 30)
    assert not kept.getexif() and b"Exif" not in stored and b"Phone maker" not in stored
    assert PAYLOAD not in stored and stored.endswith(b"\xff\xd9")  # nothing after the end-of-image marker
    assert Photo.objects.get(ticket=ticket).size == len(stored)


def test_a_picture_with_too_many_pixels_is_refused_naming_the_field(world, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.WUYE_PHOTO_MAX_PIXELS = 1_000_000
    out = io.BytesIO()
    Image.new("1", (2_000, 1_000)).save(out, "PNG")  # 2 megapixels in a few hundred bytes: a small bomb
    assert len(out.getvalue()) < 5_000
    ticket = world.ticket(world.project1)
    response = upload(api("kefu"), ticket, "bomb.png", out.getvalue(), "image/png")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["image"]
    assert not Photo.objects.exists()


def test_a_truncated_picture_is_refused_naming_the_field(world, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = world.ticket(world.project1)
    response = upload(api("kefu"), ticket, "cut.jpg", jpeg_with_gps_and_payload()[:200], "image/jpeg")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["image"]
