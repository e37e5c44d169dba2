"""Jobs sorted by provider read an index: each job's provider name, stored (sort_provider) and
indexed with its creation time, filled here one UPDATE per provider."""

from django.db import migrations, models

from jobs.models.search import provider_sort_key


def fill(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    Provider = apps.get_model("providers", "Provider")
    for provider in Provider.objects.all():
        Job.objects.filter(provider=provider).update(sort_provider=provider_sort_key(provider.name))


def analyze(apps, schema_editor):
    """Statistics for the new index (and, on SQLite, for the jobs table the new column
    rebuilt): without them SQLite may still sort every job."""
    schema_editor.execute("ANALYZE jobs_job")


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0020_stats_rollup"),
        ("providers", "0005_seed_kinds_and_prices"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="sort_provider",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["sort_provider", "created"],
                name="job_live_sort_provider",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
