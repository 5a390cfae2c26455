"""Jobs you can see: the scheduler and the Celery workers beat; a silent engine shows as an admins' banner and on a
queued billing run's page ("后台任务未运行"); a fresh start is heard at once."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wuye.billing.models import BillingRun
from wuye.core import scheduling
from wuye.core.access import Role
from wuye.core.models import JobState
from wuye.people.models import StaffProfile

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 10, 36, tzinfo=SHANGHAI)


def english(client):
    client.cookies["django_language"] = "en"
    return client


def banner(client) -> str:
    html = english(client).get(reverse("web:console")).content.decode()
    start = html.find('id="jobs-warning"')
    return html[start:html.find("</div>", start)] if start >= 0 else ""


def test_the_silence_limit_is_two_minutes_by_default(settings):
    from django.conf import settings as live

    assert live.WUYE_HEARTBEAT_SILENCE == 120
    assert scheduling.silence_limit() == timedelta(minutes=2)


@pytest.mark.django_db
def test_silent_for_119_seconds_is_quiet_121_seconds_is_reported(settings):
    settings.CELERY_BROKER_URL = ""
    scheduling.beat(scheduling.SCHEDULER, now=NOW - timedelta(seconds=119))
    assert scheduling.silent_engines(now=NOW) == []
    [silence] = scheduling.silent_engines(now=NOW + timedelta(seconds=2))
    assert silence.engine == "scheduler" and silence.minutes == 2
    assert silence.last_heard == NOW - timedelta(seconds=119)


@pytest.mark.django_db
def test_the_limit_is_a_setting(settings):
    settings.CELERY_BROKER_URL = ""
    settings.WUYE_HEARTBEAT_SILENCE = 600
    scheduling.beat(scheduling.SCHEDULER, now=NOW - timedelta(minutes=9))
    assert scheduling.silent_engines(now=NOW) == []
    assert scheduling.silent_engines(now=NOW + timedelta(minutes=2))


@pytest.mark.django_db
def test_a_beat_is_one_row_updated_in_place_and_never_a_job_to_claim():
    scheduling.beat(scheduling.SCHEDULER, now=NOW - timedelta(minutes=1))
    scheduling.beat(scheduling.SCHEDULER, now=NOW)
    row = JobState.objects.get(name="heartbeat.scheduler")
    assert row.last_finished_at == NOW and row.next_run_at > NOW + timedelta(days=3650)
    assert JobState.objects.filter(name__startswith="heartbeat.").count() == 1
    assert "heartbeat.scheduler" not in scheduling.run_due_jobs(NOW)


@pytest.mark.django_db
def test_with_a_broker_the_celery_workers_are_watched_and_the_heartbeat_job_proves_them(settings):
    from wuye.celery import run_registered_job

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    assert "core.heartbeat" in scheduling.REGISTRY
    assert scheduling.REGISTRY["core.heartbeat"].every == timedelta(seconds=30)
    scheduling.beat(scheduling.SCHEDULER)  # the embedded scheduler beating does not speak for the workers
    [silence] = scheduling.silent_engines()
    assert silence.engine == "celery" and silence.last_heard is None
    run_registered_job("core.heartbeat")  # what a worker runs when beat sends the job
    assert scheduling.silent_engines() == []
    assert JobState.objects.get(name="heartbeat.celery").last_finished_at > timezone.now() - timedelta(seconds=5)


@pytest.mark.django_db(transaction=True)
def test_the_embedded_scheduler_beats_as_it_starts(monkeypatch):
    ticked = threading.Event()
    monkeypatch.setattr(scheduling, "run_due_jobs", lambda: ticked.set() or [])  # its first tick, jobs aside
    scheduler = scheduling.EmbeddedScheduler(tick=60)
    scheduler.start()
    try:
        assert ticked.wait(timeout=10)  # the beat comes before the tick's jobs (no database reads meanwhile)
    finally:
        scheduler.stop()
        scheduler.join(timeout=5)
    assert not scheduler.is_alive()
    assert scheduling.last_heard("scheduler") is not None
    assert scheduling.silent_engines() == []  # a fresh `make run` shows no banner


@pytest.fixture
def company_admin(world):
    user = get_user_model().objects.create_user("zongbu", password="x", first_name="总部")
    StaffProfile.objects.create(user=user, company=world.company, role=Role.COMPANY_ADMIN, all_projects=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def frozen(monkeypatch):
    """The heartbeat's clock stopped at NOW (12-02 10:36 in Shanghai) while pages are asked."""
    monkeypatch.setattr(scheduling, "timezone", type("FrozenClock", (), {"now": staticmethod(lambda: NOW)}))
    return NOW


def test_admins_see_a_banner_naming_the_silent_scheduler_and_when_it_was_last_heard(world, login, company_admin,
                                                                                      settings, frozen):
    settings.CELERY_BROKER_URL = ""
    scheduling.beat(scheduling.SCHEDULER, now=NOW - timedelta(seconds=119))
    assert banner(company_admin) == "" and banner(login("admin")) == ""
    scheduling.beat(scheduling.SCHEDULER, now=NOW - timedelta(seconds=121))
    shown = banner(company_admin)
    assert "The background job scheduler has not responded for 2 minutes (last heard 12-02 10:33)" in shown
    scheduling.beat(scheduling.SCHEDULER, now=NOW - timedelta(minutes=5, seconds=30))
    assert "has not responded for 5 minutes (last heard 12-02 10:30)" in banner(company_admin)
    assert "scheduler has not responded" in banner(login("admin"))  # the superuser too
    for username in ("kefu", "caiwu", "jingli"):  # not the administration: no banner
        assert banner(login(username)) == ""


def test_the_banner_names_the_celery_workers_when_they_are_the_engine(world, login, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    scheduling.beat(scheduling.CELERY, now=timezone.now() - timedelta(minutes=5, seconds=10))
    assert "The background job service (Celery workers) has not responded for 5 minutes" in banner(login("admin"))


def test_an_engine_never_heard_is_named_as_not_running_yet(world, login, settings):
    settings.CELERY_BROKER_URL = ""
    assert "The background job scheduler has not run yet" in banner(login("admin"))


def test_a_queued_billing_run_says_background_jobs_are_not_running(world, login, settings):
    settings.CELERY_BROKER_URL = ""
    run = BillingRun.objects.create(project=world.project1, period=date(2026, 11, 1), units_total=12)
    finance = english(login("caiwu"))
    url = reverse("billing:run", args=[run.pk])
    scheduling.beat(scheduling.SCHEDULER)
    page = finance.get(url).content.decode()
    assert "Background jobs are not running" not in page and "this page updates by itself" in page
    scheduling.beat(scheduling.SCHEDULER, now=timezone.now() - timedelta(minutes=3))
    progress = finance.get(url, HTTP_HX_REQUEST="true").content.decode()  # the polled part says it too
    assert "Background jobs are not running: no worker has picked this run up (last heard" in progress
    run.status = BillingRun.Status.DONE
    run.save()
    assert "Background jobs are not running" not in finance.get(url).content.decode()  # done: nothing waits
