from django.db import migrations


def install(apps, schema_editor):
    from wuye.sla.standards import install_standards

    install_standards(apps.get_model("sla", "ServiceStandard"), apps.get_model("sla", "Policy"))


class Migration(migrations.Migration):
    """Facilities limits (§4): maintenance tasks, operation-log anomaly report 10 min, faults 24/48 h, elevator
    entrapment 5/30/30 calendar minutes, shift handover confirmation; idempotent."""

    dependencies = [("sla", "0007_sla_kpi_indexes")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
