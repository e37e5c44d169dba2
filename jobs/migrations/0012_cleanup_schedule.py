"""The clean-up (jobs.retention) runs every hour from django-q2's scheduler."""

from django.db import migrations
from django.utils import timezone

NAME = "blogtube-cleanup"  # jobs.retention.CLEANUP_SCHEDULE


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": "jobs.tasks.clean_up",
            "schedule_type": "H",  # Schedule.HOURLY
            "repeats": -1,
            "next_run": timezone.now(),
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0011_queue_room")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
