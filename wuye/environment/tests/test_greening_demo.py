"""The greening demo (wuye.demo.environment_greening): built through the services, idempotent, with the failed
daily round's one rectification."""

from datetime import datetime
from zoneinfo import ZoneInfo

from wuye.demo.environment_greening import add_demo_environment_greening
from wuye.environment.checks import SHEETS
from wuye.environment.models import GreeningPlan, GreeningTask, TaskStatus
from wuye.quality.models import Inspection, Rectification

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_demo_once_and_a_rerun_adds_nothing(world):
    first = add_demo_environment_greening(world.company, now=NOW)
    assert GreeningPlan.objects.filter(project=world.project1).count() == 24  # 3 areas × 8 seasonal plans
    tasks = GreeningTask.objects.filter(project=world.project1)
    assert tasks.filter(status=TaskStatus.DONE).exists() and tasks.filter(status=TaskStatus.MISSED).exists()
    assert tasks.filter(status=TaskStatus.SCHEDULED, due_on__gt=NOW.date()).exists()
    env = Inspection.objects.filter(version__standard__code__in=SHEETS)
    assert env.filter(status="submitted", project=world.project1).count() == first["checks_submitted"] // 2
    assert env.filter(scheduled_for=NOW.date(), status="planned").count() == 2  # Friday: today's rounds to do
    rects = Rectification.objects.filter(project=world.project1, department="environment")
    assert rects.count() == 1 and "楼道无堆放杂物" in rects.get().title
    counts = (GreeningTask.objects.count(), Inspection.objects.count(), Rectification.objects.count())
    second = add_demo_environment_greening(world.company, now=NOW)
    assert (GreeningTask.objects.count(), Inspection.objects.count(), Rectification.objects.count()) == counts
    assert second["tasks_done"] == 0 and second["checks_submitted"] == 0
