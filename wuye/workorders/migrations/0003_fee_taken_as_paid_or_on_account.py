"""The fee step names how a repair's fee was taken — paid on the spot or charged to the owner's account — instead
of stamping lines "settled" (which only meant "a job will bill this").

Existing lines: a line stamped settled *and* billed became a bill on the unit's account, so it was charged to the
owner's account: `taken_as = on_account`, `charged_at` = when it was billed. A line stamped settled but never
billed (the job had not run yet, or the repair had no unit) carries no bill and no money: it goes back to "fee not
taken", and staff take the fee step again (it is open on confirmed, visited and closed repairs). The ticket's own
`settled_at` copy goes: the ticket reads the bill's state from billing.
"""

from django.db import migrations, models


def name_what_happened(apps, schema_editor):
    ChargeLine = apps.get_model("workorders", "ChargeLine")
    ChargeLine.objects.filter(charged_at__isnull=False).update(taken_as="on_account")
    # Settled but never billed: nothing was charged — the fee step is to be taken again.
    ChargeLine.objects.filter(charged_at__isnull=True).update(taken_as="")


def settled_again(apps, schema_editor):
    ChargeLine = apps.get_model("workorders", "ChargeLine")
    Ticket = apps.get_model("workorders", "Ticket")
    ChargeLine.objects.filter(charged_at__isnull=False).update(settled_at=models.F("charged_at"))
    for ticket_id, at in (ChargeLine.objects.filter(charged_at__isnull=False).values("ticket_id")
                          .annotate(at=models.Max("charged_at")).values_list("ticket_id", "at")):
        Ticket.objects.filter(pk=ticket_id).update(settled_at=at)


class Migration(migrations.Migration):

    dependencies = [
        ("workorders", "0002_chargeline_settled_at"),
    ]

    operations = [
        migrations.RenameField(model_name="chargeline", old_name="billed_at", new_name="charged_at"),
        migrations.AlterField(
            model_name="chargeline", name="charged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="handed to billing"),
        ),
        migrations.AddField(
            model_name="chargeline", name="taken_as",
            field=models.CharField(blank=True, choices=[("paid_on_site", "Paid on the spot"),
                                                        ("on_account", "Charged to the owner's account")],
                                   default="", max_length=16, verbose_name="fee taken as"),
            preserve_default=False,
        ),
        migrations.RunPython(name_what_happened, settled_again),
        migrations.RemoveField(model_name="chargeline", name="settled_at"),
        migrations.RemoveField(model_name="ticket", name="settled_at"),
        migrations.AddConstraint(
            model_name="chargeline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("charged_at__isnull", True), ("taken_as", "")),
                    models.Q(models.Q(("taken_as", ""), _negated=True), ("charged_at__isnull", False)),
                    _connector="OR"),
                name="charge_taken_with_its_moment"),
        ),
    ]
