"""The stats page's per-day rollup (jobs.models.rollup) and the triggers that note every
change it counts. Nothing is summed here: the first read rolls each past day up."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from jobs.models.rollup import drop_triggers


def install(apps, schema_editor):
    # Installed after every `migrate` (jobs/apps.py), when no later migration of this run can
    # trip on them: on SQLite a trigger naming jobs_job fails a migration rebuilding it.
    pass


def drop(apps, schema_editor):
    drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0019_search_index"),
        ("providers", "0005_seed_kinds_and_prices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StatsChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created", models.DateTimeField(unique=True)),
            ],
        ),
        migrations.CreateModel(
            name="StatsDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("time_zone", models.CharField(max_length=64)),
                ("day", models.DateField()),
                ("start", models.DateTimeField()),
                ("end", models.DateTimeField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("time_zone", "day"), name="one_rollup_per_day")
                ],
            },
        ),
        migrations.CreateModel(
            name="StatsGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("everyone", models.BooleanField()),
                ("status", models.CharField(max_length=10)),
                ("model", models.CharField(max_length=200)),
                ("error_code", models.CharField(max_length=50)),
                ("jobs", models.PositiveIntegerField()),
                ("tokens_in", models.BigIntegerField()),
                ("tokens_out", models.BigIntegerField()),
                ("run_seconds", models.FloatField()),
                ("runs", models.PositiveIntegerField()),
                (
                    "owner",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="providers.provider",
                    ),
                ),
                (
                    "stats_day",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="jobs.statsday",
                    ),
                ),
            ],
            options={
                "abstract": False,
                "indexes": [
                    models.Index(fields=["stats_day", "everyone", "owner"], name="statsgroup_scope")
                ],
            },
        ),
        migrations.CreateModel(
            name="StatsSlowest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("everyone", models.BooleanField()),
                ("run_seconds", models.FloatField()),
                (
                    "job",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="jobs.job",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "stats_day",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="jobs.statsday",
                    ),
                ),
            ],
            options={
                "abstract": False,
                "indexes": [
                    models.Index(
                        fields=["stats_day", "everyone", "owner"], name="statsslowest_scope"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="StatsStep",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("everyone", models.BooleanField()),
                ("step", models.CharField(max_length=30)),
                ("seconds", models.FloatField()),
                ("runs", models.PositiveIntegerField()),
                (
                    "owner",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "stats_day",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="jobs.statsday",
                    ),
                ),
            ],
            options={
                "abstract": False,
                "indexes": [
                    models.Index(fields=["stats_day", "everyone", "owner"], name="statsstep_scope")
                ],
            },
        ),
        migrations.RunPython(install, drop),
    ]
