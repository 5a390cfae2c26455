from django.db import migrations


def install(apps, schema_editor):
    from wuye.sla.standards import install_standards

    install_standards(apps.get_model("sla", "ServiceStandard"), apps.get_model("sla", "Policy"))


class Migration(migrations.Migration):
    """Order, security and environment limits (§5): patrol checkpoints (quiet, per-clock deadline) and rounds,
    cleaning and greening tasks; idempotent."""

    dependencies = [("sla", "0008_facilities_limits")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
