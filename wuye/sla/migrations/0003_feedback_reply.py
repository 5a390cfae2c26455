from django.db import migrations


def install(apps, schema_editor):
    from wuye.sla.standards import install_standards

    install_standards(apps.get_model("sla", "ServiceStandard"), apps.get_model("sla", "Policy"))


class Migration(migrations.Migration):
    """Adds the 24 h reply limit for inquiries, suggestions and praise (install_standards is idempotent)."""

    dependencies = [("sla", "0002_shipped_standards")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
