"""Started-to-finished seconds, stored by the database for every job and step (the stats
page averages and ranks them). Generated columns fill themselves, old rows included."""

import jobs.models.elapsed
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0016_pictures_step"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="run_seconds",
            field=models.GeneratedField(
                db_persist=True,
                expression=jobs.models.elapsed.ElapsedSeconds("started", "finished"),
                output_field=models.FloatField(blank=True, null=True),
            ),
        ),
        migrations.AddField(
            model_name="jobstep",
            name="run_seconds",
            field=models.GeneratedField(
                db_persist=True,
                expression=jobs.models.elapsed.ElapsedSeconds("started", "finished"),
                output_field=models.FloatField(blank=True, null=True),
            ),
        ),
    ]
