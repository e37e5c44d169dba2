"""The job page: what a person sees and can do at each stage of a job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.models import STEPS, Job
from providers.models import Provider
from tests.jobs.factories import make_job
from videos.models import Transcript

pytestmark = pytest.mark.django_db


def page(client, job) -> str:
    response = client.get(job.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_running_job_shows_its_timeline_and_time_left(client):
    job = make_job()
    job.claim()
    Job.objects.filter(pk=job.pk).update(started=timezone.now() - timedelta(minutes=10))
    job.start_step("validate")
    job.finish_step("validate", "Video id dQw4w9WgXcQ")
    job.start_step("generate")
    job.append_draft("# Draft", step="generate", percent=50)
    html = page(client, job)
    assert 'class="step step-done" data-step="validate"' in html
    assert 'class="step step-running" data-step="generate"' in html
    assert "min left" in html
    assert ">Cancel</button>" in html
    assert ">Retry</button>" not in html


def test_a_failed_job_explains_itself_and_offers_retry(client):
    job = make_job()
    job.claim()
    job._transition(
        Job.Status.FAILED, event="x", error_code="YOUTUBE_BLOCKED",
        error_message="YouTube blocked this server.",
        error_suggestions=["Set YOUTUBE_PROXY_URL to a residential proxy."],
    )  # fmt: skip
    html = page(client, job)
    assert "YouTube blocked this server." in html
    assert "Set YOUTUBE_PROXY_URL to a residential proxy." in html
    assert ">Retry</button>" in html and ">Cancel</button>" not in html


def test_reprocess_with_other_settings(client, monkeypatch):
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: None)
    transcript = Transcript.objects.create(
        language_code="en", source="upload", segments=[], text="Some words."
    )
    job = make_job(transcript=transcript, options={"style": "article", "length": "medium"})
    job.claim()
    job.complete()
    assert "Reprocess with other settings" in page(client, job)
    response = client.post(
        reverse("jobs:reprocess", args=[job.pk]), {"style": "tutorial", "length": "short"}
    )
    new = Job.objects.exclude(pk=job.pk).get()
    assert response.url == new.get_absolute_url()
    assert new.transcript == transcript
    assert new.options["style"] == "tutorial" and new.options["length"] == "short"


def test_reprocess_with_an_unconfigured_provider_is_refused(client, settings):
    settings.OPENAI_API_KEY = ""
    from providers.models import Provider

    transcript = Transcript.objects.create(
        language_code="en", source="upload", segments=[], text="x"
    )
    job = make_job(transcript=transcript)
    response = client.post(
        reverse("jobs:reprocess", args=[job.pk]),
        {"provider": Provider.objects.get(slug="openai").pk},
        follow=True,
    )
    assert "OPENAI_API_KEY" in response.content.decode()
    assert Job.objects.count() == 1


def test_the_polling_fallback_returns_the_socket_fragments(client):
    job = make_job()
    job.claim()
    job.start_step("generate")
    job.append_draft("Hello")
    html = client.get(reverse("jobs:live", args=[job.pk])).content.decode()
    assert 'id="job-status" class="card" hx-swap-oob="true"' in html
    assert '<div id="draft" class="draft" data-testid="draft">Hello</div>' in html


def test_a_running_job_cannot_be_deleted(client):
    job = make_job()
    job.claim()
    response = client.post(reverse("jobs:delete", args=[job.pk]), follow=True)
    assert "Cancel the job before deleting it." in response.content.decode()
    assert Job.objects.filter(pk=job.pk).exists()


def test_a_job_that_started_after_the_page_loaded_is_not_deleted(client):
    job = make_job()
    job.log("Queued")
    assert '<button class="danger">Delete</button>' in page(client, job)
    job.claim()  # a worker takes it while the page is open
    response = client.post(reverse("jobs:delete", args=[job.pk]), follow=True)
    assert "Cancel the job before deleting it." in response.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert job.steps.count() == len(STEPS)
    assert job.events.filter(message="Queued").exists()


def test_downloads_need_a_post_and_a_known_format(client):
    job = make_job()
    assert client.get(reverse("jobs:download", args=[job.pk, "md"])).status_code == 404
    assert client.get(f"/jobs/{job.pk}/post.exe").status_code == 404


def test_an_unknown_job_is_404(client):
    assert client.get("/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_finished_post_shows_tokens_cost_and_its_actions(client):
    from jobs.models import Post

    job = make_job(Provider.objects.get(slug="openai"), model="gpt-4o-mini")
    job.claim()
    job.add_usage(12000, 1500)
    Post.objects.create(job=job, title="T", slug="t", markdown="---\ntitle: T\n---\n\nBody",
                        html="<p>Body</p>", word_count=1460)  # fmt: skip
    job.complete()
    html = page(client, job)
    # Counts read as in the job's timeline ("1,460 words written"): with a thousands separator.
    assert "1,460 words · 6 min read" in html
    assert "12,000 tokens in, 1,500 out" in html
    assert "≈ $0.0027" in html
    assert 'data-copy-target="#post-markdown"' in html
    assert reverse("jobs:post", args=["t"]) in html


@pytest.fixture
def everything_job(monkeypatch):
    """A job with all a job page shows: it failed once and was retried, ran in a batch, wrote
    its post with a cover and a section picture on a priced model (its cost shown), and went
    to three sites; its owner has three destinations to publish to."""
    from blogtube_site.errors import BlogTubeError
    from jobs.models import Batch, Post, PostPicture, Publication
    from publishing.models import Destination
    from tests.accounts import signed_in_user
    from videos.models import Video

    owner = signed_in_user()
    video = Video.objects.create(
        youtube_id="dQw4w9WgXcQ", url="https://youtu.be/dQw4w9WgXcQ", title="Compost at home",
        channel="Garden Channel", duration=600, thumbnail_url="https://i.ytimg.com/vi/x/0.jpg",
    )  # fmt: skip
    transcript = Transcript.objects.create(
        video=video, language_code="en", source="youtube", segments=[], text="Some words."
    )
    batch = Batch.objects.create(owner=owner, kind="playlist", title="Garden", source_url="x")
    job = make_job(
        Provider.objects.get(slug="openai"),
        model="gpt-4o-mini",
        video=video,
        transcript=transcript,
        batch=batch,
    )
    job.claim()
    job.fail(BlogTubeError("The model did not answer."))
    job.retry()
    job.claim()
    for step in job.pending_steps():
        job.start_step(step)
        job.finish_step(step, f"{step} done")
    job.add_usage(12000, 1500)
    post = Post.objects.create(
        job=job, video=video, title="Compost at home", slug="compost-at-home",
        markdown="# Compost at home\n\n## Start\n\n![The heap](compost-at-home/01-start.jpg)\n",
        html='<h2>Start</h2><p><img alt="The heap" src="compost-at-home/01-start.jpg"></p>',
        word_count=300,
    )  # fmt: skip
    job.complete()
    for position, (kind, name) in enumerate(
        [(PostPicture.Kind.COVER, "cover.jpg"), (PostPicture.Kind.SECTION, "01-start.jpg")]
    ):
        PostPicture.objects.create(
            post=post, kind=kind, position=position, name=name, alt="The heap", width=160,
            height=90, size=3,
        )  # fmt: skip
    for i in range(3):
        site = Destination.objects.create(owner=owner, name=f"Site {i}", kind="static")
        Publication.objects.create(
            job=job, destination=site, destination_name=site.name, state="done",
            remote_id=f"r{i}", url=f"https://site{i}.example/compost", remote_status="publish",
        )  # fmt: skip
    return job


def test_a_job_with_everything_shows_it_all_in_a_fixed_number_of_queries(
    client, everything_job, django_assert_max_num_queries
):
    # Session, user, job (video, provider, transcript, post), steps, pictures, log, providers
    # offered to reprocess, publications, destinations; the model prices for its cost are
    # read once a minute per process (the first request here), from its memory after.
    with django_assert_max_num_queries(10):
        page(client, everything_job)
    with django_assert_max_num_queries(9):
        html = page(client, everything_job)
    assert "≈ $0.0027" in html
    assert "Compost at home" in html and "Garden Channel" in html
    assert "attempt 2" in html
    assert html.count('class="step step-done"') == len(STEPS)
    assert "publish done" in html
    cover = reverse("jobs:post-picture", args=["compost-at-home", "cover.jpg"])
    frame = reverse("jobs:post-picture", args=["compost-at-home", "01-start.jpg"])
    assert f'class="post-cover" src="{cover}"' in html and f'src="{frame}"' in html
    assert html.count("https://site") == 6  # each publication's link and its text
    assert html.count('<option value="') >= 3 + Provider.objects.filter(enabled=True).count()
    assert "Reprocess with other settings" in html


def test_asking_the_local_model_servers_costs_the_page_no_query(
    client, everything_job, settings, fake_llm, django_assert_max_num_queries
):
    # Asked once a half minute per process, the answer kept in its memory: neither the
    # request that asks nor the next reads or writes a cache in the database.
    settings.BLOGTUBE_DETECT_LOCAL_MODELS = True
    fake_llm.configure(models=["llama3.2:1b"])
    Provider.objects.filter(slug="ollama").update(base_url=fake_llm.base_url)
    for queries in (10, 9):  # the first reads the model prices too
        with django_assert_max_num_queries(queries):
            html = page(client, everything_job)
        assert "Ollama (local)" in html
    assert sum(r.path == "/v1/models" for r in fake_llm.requests) == 1


def test_a_running_job_page_asks_no_more(client, django_assert_max_num_queries):
    job = make_job()
    job.claim()
    job.start_step("validate")
    job.append_draft("# Draft", step="generate", percent=50)
    with django_assert_max_num_queries(7):
        html = page(client, job)
    assert 'data-step="validate"' in html and "# Draft" in html
