"""The jobs list's orders and filters, and the stats' window, as indexes without the bin;
a stored title to sort by, and the table search reads (filled by 0016)."""

import django.db.models.deletion
from django.db import migrations, models

LIVE = models.Q(("deleted_at__isnull", True))


def live_index(name, *fields):
    return migrations.AddIndex(
        model_name="job",
        index=models.Index(condition=LIVE, fields=list(fields), name=name),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0017_stored_run_seconds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="job",
            name="deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", False)),
                fields=["deleted_at"],
                name="job_binned",
            ),
        ),
        migrations.AddField(
            model_name="job",
            name="sort_title",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        live_index("job_live_created", "created"),
        live_index("job_live_owner", "owner", "created"),
        live_index("job_live_status", "status", "created"),
        live_index("job_live_owner_status", "owner", "status", "created"),
        live_index("job_live_provider", "provider", "created"),
        live_index("job_live_progress", "progress", "created"),
        live_index("job_live_title", "sort_title", "created"),
        live_index("job_live_slowest", "status", "-run_seconds"),
        migrations.CreateModel(
            name="JobSearch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(blank=True)),
                (
                    "job",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_row",
                        to="jobs.job",
                    ),
                ),
            ],
            options={"verbose_name": "job search text"},
        ),
    ]
