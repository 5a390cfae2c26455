"""The meter import is bounded before openpyxl parses anything: a small zip that unpacks to a huge workbook, a sheet
with too many rows or too many shared strings is refused naming `file`, and memory stays flat."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from wuye.billing import meters
from wuye.billing.models import MeterReading
from wuye.billing.tests.test_meters import xlsx
from wuye.core.errors import InvalidInput
from wuye.people.access import actor_for


@pytest.fixture
def caiwu(world):
    return actor_for(world.user("caiwu"))


@pytest.fixture
def no_parsing(monkeypatch):
    """openpyxl must never be reached."""
    import openpyxl

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def bomb(unpacked_mb: int) -> bytes:
    """A real .xlsx whose shared strings unpack to `unpacked_mb` MB of one repeated text (a few hundred KB)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx([("W-1", "2026-11-30", 1)]).read()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in base.infolist():
            if not info.filename.endswith("sharedStrings.xml"):
                archive.writestr(info.filename, base.read(info.filename))
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            piece = b"<si><t>" + b"x" * 1000 + b"</t></si>"
            for _ in range(unpacked_mb * 1024 * 1024 // len(piece)):
                member.write(piece)
            member.write(b"</sst>")
    return out.getvalue()


def test_a_small_file_that_unpacks_huge_is_refused_before_parsing_and_memory_stays_flat(caiwu, world, no_parsing):
    data = bomb(200)
    assert len(data) < 2 * 1024 * 1024  # the upload is small
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput) as refused:
            meters.import_readings(caiwu, world.project1, SimpleUploadedFile("bomb.xlsx", data))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.problems[0].field == "file" and "MB" in refused.value.problems[0].message
    assert peak < len(data) * 4 + 4 * 1024 * 1024  # the upload and a little more, not the 200 MB inside
    assert not MeterReading.objects.exists()


def test_too_many_rows_or_shared_strings_are_refused_before_parsing(caiwu, world, no_parsing):
    rows = [(f"W-{i}", "2026-11-30", i) for i in range(12)]
    with override_settings(WUYE_METER_IMPORT_LIMITS={"max_rows": 10}), pytest.raises(InvalidInput) as too_many_rows:
        meters.import_readings(caiwu, world.project1, xlsx(rows))
    assert too_many_rows.value.problems[0].field == "file" and "10" in too_many_rows.value.problems[0].message
    strings = override_settings(WUYE_METER_IMPORT_LIMITS={"max_shared_strings": 5})
    with strings, pytest.raises(InvalidInput) as too_many_strings:
        meters.import_readings(caiwu, world.project1, xlsx(rows))
    assert too_many_strings.value.problems[0].field == "file"

