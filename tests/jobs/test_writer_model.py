"""One model writes a job: the post's front matter, the pages and the cost all name it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import Job
from providers.models import Provider
from tests.jobs.conftest import POST_FROM_MODEL
from tests.jobs.factories import make_price

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("sync_tasks"),
]


def test_a_provider_without_its_own_model_names_the_settings_model_everywhere(
    client, settings, youtube_video, fake_llm, form_data
):
    # An admin blanked the provider's model so that OPENAI_MODEL decides.
    settings.OPENAI_API_KEY, settings.OPENAI_MODEL = "sk-test", "house-model"
    settings.OPENAI_BASE_URL = fake_llm.base_url
    openai = Provider.objects.get(slug="openai")
    Provider.objects.filter(pk=openai.pk).update(default_model="", base_url="")
    make_price("house-model", "1000", "1000")
    fake_llm.configure(reply=POST_FROM_MODEL)

    response = client.post(reverse("jobs:create"), form_data(openai))
    job = Job.objects.get()
    assert response.status_code == 302
    assert job.status == Job.Status.COMPLETED, job.error_message

    assert fake_llm.requests[-1].json["model"] == "house-model"
    assert "\nmodel: house-model\n" in job.post.markdown
    assert job.cost_display.startswith("≈ $")
    assert "OpenAI (house-model)" in client.get(job.get_absolute_url()).content.decode()
    post_page = client.get(reverse("jobs:post", args=[job.post.slug])).content.decode()
    assert "<code>house-model</code>" in post_page
