"""The demo of paid services and activities runs through the services, and a second run adds nothing."""

from wuye.billing.models import Bill
from wuye.community.activities.models import Activity, ActivitySignup
from wuye.community.catalogue.models import ServiceOrder
from wuye.demo.community_catalogue import add_demo_activities, add_demo_catalogue


def test_demo_runs_once(world, login):
    made = add_demo_catalogue(world.company)
    assert made["service_orders"] == 6 and made["services"] > 0
    assert set(ServiceOrder.objects.values_list("status", flat=True)) == {"ordered", "accepted", "done"}
    done = ServiceOrder.objects.filter(status="done")
    assert Bill.objects.filter(source_id__in=done.values("pk"), item__code="paid-service").count() == 2
    made = add_demo_activities(world.company)
    assert made == {"activities": 4, "signups": 4}
    assert set(Activity.objects.values_list("status", flat=True)) == {"open", "done"}
    assert ActivitySignup.objects.filter(status="checked_in").count() == 2
    assert add_demo_catalogue(world.company) == {"services": 0, "service_orders": 0}
    assert add_demo_activities(world.company) == {"activities": 0, "signups": 0}
    assert login("yezhu").get("/h5/services/").status_code == 200
    assert login("yezhu").get("/h5/activities/").status_code == 200
