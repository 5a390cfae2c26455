"""Photos on tickets: type decided by the file's bytes, 5 MB at most, only on tickets in scope."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wuye.workorders.models import Photo


def picture(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 40, 40)).save(out, kind)
    return out.getvalue()


PNG = picture("PNG")
JPEG = picture("JPEG")


def upload(client, ticket_id, name, content, content_type="image/png"):
    return client.client.post(f"/api/v1/tickets/{ticket_id}/photos",
                              {"image": SimpleUploadedFile(name, content, content_type=content_type)},
                              **client.headers)


def test_owner_adds_a_photo_to_own_repair(world, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = world.ticket(world.project1, unit=world.owner_unit("yezhu"))
    response = upload(api("yezhu"), ticket.pk, "leak.jpg", JPEG, "image/jpeg")
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/jpeg"
    image = api("yezhu").client.get(response.json()["url"], **api("yezhu").headers)
    served = b"".join(image.streaming_content)
    assert image.status_code == 200 and Photo.objects.get(ticket=ticket).size == len(served)
    assert Image.open(io.BytesIO(served)).size == (16, 12)  # kept as a picture (re-encoded, see test_photo_privacy)
    assert api("kefu2").client.get(response.json()["url"], **api("kefu2").headers).status_code == 404


def test_a_renamed_file_that_is_not_an_image_is_refused(world, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = world.ticket(world.project1)
    response = upload(api("kefu"), ticket.pk, "photo.png", b"MZ\x90\x00 not an image", "image/png")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "image"
    assert not Photo.objects.exists()


def test_a_photo_over_5_mb_is_refused(world, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = world.ticket(world.project1)
    response = upload(api("kefu"), ticket.pk, "big.png", PNG + b"\x00" * (5 * 1024 * 1024))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "image"
    assert not Photo.objects.exists()


def test_photos_on_others_tickets_are_404(world, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = world.ticket(world.project1)
    assert upload(api("kefu2"), ticket.pk, "x.png", PNG).status_code == 404
    assert upload(api("yezhu"), ticket.pk, "x.png", PNG).status_code == 404
