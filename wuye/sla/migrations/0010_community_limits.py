from django.db import migrations


def install(apps, schema_editor):
    from wuye.sla.standards import install_standards

    install_standards(apps.get_model("sla", "ServiceStandard"), apps.get_model("sla", "Policy"))


class Migration(migrations.Migration):
    """Community operations limits (§7): move-in and takeover rectifications, the move-in return visit, the
    decoration deposit refund, incident playbook steps; idempotent."""

    dependencies = [("sla", "0009_security_environment_limits")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
