"""2,000 units with their owners import in well under a minute (the issue's "one afternoon" with room to spare):
the units sheet, then the owners sheet, each checked whole before anything is written. The figures are printed
(`pytest -s`) for docs/benchmarks."""

from __future__ import annotations

import time

from wuye.core.validators import id_check_character
from wuye.onboarding.tests.test_onboarding import filled, upload
from wuye.people.models import Residency
from wuye.tenancy.models import Unit

UNITS = 2000


def _id_number(serial: int) -> str:
    first17 = f"1101051980{serial // 28000 % 12 + 1:02d}{serial // 1000 % 28 + 1:02d}{serial % 1000:03d}"
    return first17 + id_check_character(first17)


def test_2000_units_with_owners_import_well_under_a_minute(world, api, fresh):
    admin = api("admin")
    # 10 buildings × 2 entrances × 25 floors × 4 flats
    units = [(str(b), f"{b}号楼", str(e), f"{floor}{flat:02d}", floor, "住宅", 80 + flat * 10)
             for b in range(1, 11) for e in (1, 2) for floor in range(1, 26) for flat in range(1, 5)]
    owners = [(f"{b}-{e}-{room}", f"业主{index}", f"139{index:08d}", "身份证", _id_number(index), "业主", "2020-01-01")
              for index, (b, _name, e, room, *_rest) in enumerate(units)]
    assert len(units) == UNITS and len({row[4] for row in owners}) == UNITS
    units_file, owners_file = filled("units", units), filled("owners", owners)

    started = time.perf_counter()
    response = upload(admin, fresh.pk, "units", units_file)
    units_seconds = time.perf_counter() - started
    assert response.status_code == 200, response.content[:500]
    started = time.perf_counter()
    response = upload(admin, fresh.pk, "owners", owners_file)
    owners_seconds = time.perf_counter() - started
    assert response.status_code == 200, response.content[:500]
    assert Unit.objects.filter(project=fresh).count() == UNITS
    assert Residency.objects.filter(unit__project=fresh).count() == UNITS

    owners_file = filled("owners", owners)
    started = time.perf_counter()
    again = upload(admin, fresh.pk, "owners", owners_file).json()
    again_seconds = time.perf_counter() - started
    assert again["skipped"] == UNITS
    print(f"\nimport of {UNITS} units: {units_seconds:.1f} s; their owners: {owners_seconds:.1f} s; "
          f"owners again (all skipped): {again_seconds:.1f} s")
    assert units_seconds + owners_seconds < 30
