from django.db import migrations, models

# Messages written before the type existed take it from what caused them (a ticket, a bill …); the rest stay system.
KINDS_BY_APP = {"workorders": "ticket", "billing": "billing"}


def set_kinds(apps, schema_editor):
    Notification = apps.get_model("core", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, kind in KINDS_BY_APP.items():
        types = ContentType.objects.filter(app_label=app_label).values_list("pk", flat=True)
        Notification.objects.filter(source_type__in=list(types)).update(kind=kind)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0004_user_session_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="kind",
            field=models.CharField(choices=[("ticket", "Repairs and complaints"), ("billing", "Fees and payments"),
                                            ("approval", "Approval requests"), ("system", "System")],
                                   default="system", max_length=16, verbose_name="type"),
        ),
        migrations.RunPython(set_kinds, migrations.RunPython.noop),
    ]
