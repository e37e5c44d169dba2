"""Jobs that may still run (queued, running, failed or cancelled, which retry resumes) get
the new "pictures" step before "save"; finished posts keep the steps they went through."""

from django.db import migrations

MAY_RUN = ("queued", "running", "failed", "cancelled")
BATCH = 1000


def add_step(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    JobStep = apps.get_model("jobs", "JobStep")
    ids = list(
        Job.objects.filter(status__in=MAY_RUN)
        .exclude(steps__step="pictures")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        JobStep.objects.filter(job_id__in=chunk, step="save").update(order=7)
        JobStep.objects.bulk_create(
            [JobStep(job_id=pk, step="pictures", order=6) for pk in chunk],
            ignore_conflicts=True,
        )


def remove_step(apps, schema_editor):
    JobStep = apps.get_model("jobs", "JobStep")
    JobStep.objects.filter(step="pictures").delete()
    JobStep.objects.filter(step="save").update(order=6)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0015_post_pictures")]

    operations = [migrations.RunPython(add_step, remove_step)]
