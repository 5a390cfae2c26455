from django.db import migrations


def install(apps, schema_editor):
    from wuye.sla.standards import install_standards

    install_standards(apps.get_model("sla", "ServiceStandard"), apps.get_model("sla", "Policy"))


class Migration(migrations.Migration):
    """Bill reminders on the 30th and 60th day overdue (the day after the due day is day 1); idempotent."""

    dependencies = [("sla", "0004_bill_payment_deadline")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
