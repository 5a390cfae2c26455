from django.test import RequestFactory

from wuye.web.htmx import is_htmx


def test_is_htmx_reads_the_hx_request_header():
    factory = RequestFactory()
    assert is_htmx(factory.get("/", headers={"hx-request": "true"}))
    assert not is_htmx(factory.get("/"))
    # history restoration needs the whole page
    assert not is_htmx(factory.get("/", headers={"hx-request": "true", "hx-history-restore-request": "true"}))
