from django.db import migrations


def install(apps, schema_editor):
    from wuye.sla.standards import install_standards

    install_standards(apps.get_model("sla", "ServiceStandard"), apps.get_model("sla", "Policy"))


class Migration(migrations.Migration):
    """Adds the bill payment deadline with its reminder and lawyer-letter rungs (install_standards is idempotent)."""

    dependencies = [("sla", "0003_feedback_reply")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
