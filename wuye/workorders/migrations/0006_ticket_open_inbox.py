from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workorders', '0005_workorders_kpi_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(
                condition=models.Q(('status__in', ['new', 'dispatched', 'accepted', 'on_site', 'paused', 'completed',
                                                   'confirmed', 'assigned', 'pending_approval', 'resolved',
                                                   'replied', 'visited'])),
                fields=['project', '-created_at', '-id'], name='ticket_open_inbox'),
        ),
    ]
