from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="service_level",
            field=models.CharField(
                blank=True,
                choices=[("level_1", "Level 1 (一级)"), ("level_2", "Level 2 (二级)"), ("level_3", "Level 3 (三级)")],
                max_length=16,
                verbose_name="service level",
            ),
        ),
    ]
