import django.core.validators
from django.db import migrations, models


def derive_short_codes(apps, schema_editor):
    """Existing projects get the prefix their code suggests (jinhua-garden → JG), unique in their company."""
    from wuye.tenancy.models import derive_short_code

    Project = apps.get_model("tenancy", "Project")
    taken: dict[int, set[str]] = {}
    for project in Project.objects.order_by("company_id", "id"):
        codes = taken.setdefault(project.company_id, set())
        project.short_code = derive_short_code(project.code, codes)
        codes.add(project.short_code)
        project.save(update_fields=["short_code"])


class Migration(migrations.Migration):

    dependencies = [
        ("tenancy", "0003_project_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="short_code",
            field=models.CharField(blank=True, help_text="2 to 6 capital letters or digits printed before receipt and notice numbers, e.g. JH.", max_length=6, validators=[django.core.validators.RegexValidator("^[A-Z0-9]{2,6}$", "Use 2 to 6 capital letters or digits, e.g. JH.")], verbose_name="number prefix"),
        ),
        migrations.RunPython(derive_short_codes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.UniqueConstraint(fields=("company", "short_code"), name="project_short_code_unique_in_company"),
        ),
    ]
