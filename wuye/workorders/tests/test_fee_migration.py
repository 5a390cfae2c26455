"""The data migration of issue 9: lines stamped "settled" and billed by the old job were charged to the owner's
account; lines stamped settled but never billed carry no bill and no money, so their fee step opens again."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("workorders", "0002_chargeline_settled_at")]
AFTER = [("workorders", "0003_fee_taken_as_paid_or_on_account")]
AT = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db(transaction=True)
def test_settled_and_billed_lines_are_on_account_settled_unbilled_ones_open_again(world):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Ticket, ChargeLine, PriceItem = (old.get_model("workorders", name) for name in ("Ticket", "ChargeLine",
                                                                                     "PriceItem"))
    ticket = Ticket.objects.create(project_id=world.project1.pk, kind="repair", channel="phone", description="水龙头",
                                   status="closed", created_at=AT, settled_at=AT)
    item = PriceItem.objects.filter(project_id=world.project1.pk).first()
    line = {"ticket": ticket, "item": item, "description": "水龙头", "quantity": 1, "unit_price": 45, "amount": 45}
    billed = ChargeLine.objects.create(**line, settled_at=AT, billed_at=AT)
    unbilled = ChargeLine.objects.create(**line, settled_at=AT, billed_at=None)
    untouched = ChargeLine.objects.create(**line)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("workorders", "ChargeLine")
    rows = {row.pk: (row.taken_as, row.charged_at) for row in new.objects.all()}
    assert rows == {billed.pk: ("on_account", AT), unbilled.pk: ("", None), untouched.pk: ("", None)}

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the present for the tests that follow
