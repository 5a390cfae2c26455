from django.db import migrations


def install(apps, schema_editor):
    from wuye.sla.standards import install_standards

    install_standards(apps.get_model("sla", "ServiceStandard"), apps.get_model("sla", "Policy"))


class Migration(migrations.Migration):
    """Rectification limits (quality §6): critical 1, major 2, minor 3 working days; idempotent."""

    dependencies = [("sla", "0005_bill_ladder_days")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
