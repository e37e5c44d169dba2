import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def fetched_when_created(apps, schema_editor):
    # Existing transcripts were fetched when they were stored, not now.
    apps.get_model("videos", "Transcript").objects.update(fetched_at=F("created"))


class Migration(migrations.Migration):
    dependencies = [
        ("videos", "0003_transcript_source_whisper"),
    ]

    operations = [
        migrations.AddField(
            model_name="transcript",
            name="fetched_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(fetched_when_created, migrations.RunPython.noop),
    ]
