"""Console filters and forms of facilities with digits Python calls digits but int() refuses ('²', '١'): the page
answers (200 or a 4xx naming the field), never a 500."""

import pytest

ODD = ("²", "١٢", "-", "9" * 30)
PAGES = [
    ("/console/facilities/faults/", ("project", "equipment", "status")),
    ("/console/facilities/faults/new/", ("equipment", "ticket")),
    ("/console/facilities/readings/", ("project",)),
    ("/console/facilities/tasks/", ("plan", "equipment", "project")),
    ("/console/facilities/plans/", ("project",)),
    ("/console/facilities/equipment/", ("project", "building", "category")),
    ("/console/facilities/entrapments/start/", ("equipment", "project")),
    ("/console/facilities/sweeps/", ("project", "year", "month")),
    ("/console/facilities/drills/", ("project", "year")),
    ("/console/facilities/handovers/", ("post", "project")),
    ("/console/facilities/equipment/labels/", ("project", "building")),
]


@pytest.mark.parametrize("path, params", PAGES)
def test_odd_digits_never_break_a_facilities_page(login, path, params):
    browser = login("gongcheng")
    for value in ODD:
        for name in params:
            response = browser.get(path, {name: value})
            assert response.status_code < 500, (path, name, value)
