from __future__ import annotations

from django.db import migrations

SEED = [
    {
        "slug": "offline",
        "name": "Offline (no AI, no key)",
        "kind": "offline",
        "base_url": "",
        "default_model": "extractive",
        "position": 0,
    },
    {
        "slug": "openai",
        "name": "OpenAI",
        "kind": "openai",
        "base_url": "https://api.openai.com/v1",
        "api_key_env": "OPENAI_API_KEY",
        "default_model": "gpt-4o-mini",
        "position": 10,
    },
]


def seed(apps, schema_editor):
    Provider = apps.get_model("providers", "Provider")
    for row in SEED:
        Provider.objects.update_or_create(slug=row["slug"], defaults=row)


def unseed(apps, schema_editor):
    apps.get_model("providers", "Provider").objects.filter(
        slug__in=[row["slug"] for row in SEED]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("providers", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
