from __future__ import annotations

import pytest

from jobs.models import Job, Post, PostPicture
from jobs.models.pictures import pictures_folder
from publishing.models import Destination
from tests.accounts import signed_in_user
from tests.fakes.publishing_sites import FOREM_KEY, GHOST_KEY, WP_PASSWORD, WP_USER
from tests.jobs.factories import make_job

POST_MARKDOWN = """---
title: Composting at home
description: How to start a compost heap.
tags: [compost, garden, soil, kitchen-waste, zero waste]
date: 2026-11-01
---

# Composting at home

## Getting started

Mix greens and browns.

![The heap](composting-at-home/frame-1.jpg)
"""
POST_HTML = (
    "<h2>Getting started</h2>\n<p>Mix greens and browns.</p>\n"
    '<p><img alt="The heap" src="composting-at-home/frame-1.jpg"></p>'
)


@pytest.fixture(autouse=True)
def offline(no_dns):
    """No test here resolves a real name."""


@pytest.fixture(autouse=True)
def loopback_sites(settings):
    """The fake sites run on 127.0.0.1, which BlogTube refuses unless allowed."""
    settings.BLOGTUBE_PUBLISH_PRIVATE_ADDRESSES = True
    settings.BLOGTUBE_RETRY_SECONDS = 0


@pytest.fixture
def written_job(db) -> Job:
    """A completed job with its post saved: what a person publishes."""
    return make_written_job()


def make_written_job() -> Job:
    job = make_job()
    job.claim()
    Post.objects.create(
        job=job,
        title="Composting at home",
        slug="composting-at-home",
        description="How to start a compost heap.",
        tags=["compost", "garden", "soil", "kitchen-waste", "zero waste"],
        markdown=POST_MARKDOWN,
        html=POST_HTML,
        word_count=9,
    )
    for step in job.pending_steps():
        if step != "publish":
            job.start_step(step)
            job.finish_step(step, "done")
    job.start_step("publish")
    job.finish_step("publish", "Not published anywhere", skipped=True)
    job.complete()
    job.refresh_from_db()
    return job


@pytest.fixture
def pictures(written_job):
    """A cover image and one frame from the video beside the post, as the pictures step saves
    them: files in the post's folder and a PostPicture row each."""
    post = written_job.post
    folder = pictures_folder(post.slug)
    folder.mkdir(parents=True)
    made = [
        (PostPicture.Kind.COVER, "cover.jpg", "Cover", b"\xff\xd8\xff cover bytes"),
        (PostPicture.Kind.SECTION, "frame-1.jpg", "The heap", b"\xff\xd8\xff frame bytes"),
    ]
    for position, (kind, name, alt, data) in enumerate(made):
        (folder / name).write_bytes(data)
        PostPicture.objects.create(
            post=post, kind=kind, position=position, name=name, alt=alt, width=160, height=90,
            size=len(data),
        )  # fmt: skip
    return folder


def make_destination(kind: str, url: str = "", **fields) -> Destination:
    secrets = {"wordpress": WP_PASSWORD, "ghost": GHOST_KEY, "forem": FOREM_KEY, "static": ""}
    secret = fields.pop("secret", secrets[kind])
    destination = Destination(
        owner=fields.pop("owner", None) or signed_in_user(),
        name=fields.pop("name", f"My {kind}"),
        kind=kind,
        site_url=url,
        username=WP_USER if kind == "wordpress" else "",
        **fields,
    )
    destination.set_secret(secret)
    destination.save()
    return destination


@pytest.fixture
def wordpress(fake_wordpress) -> Destination:
    return make_destination("wordpress", fake_wordpress.url)


@pytest.fixture
def ghost(fake_ghost) -> Destination:
    return make_destination("ghost", fake_ghost.url)


@pytest.fixture
def devto(fake_forem) -> Destination:
    return make_destination("forem", fake_forem.url)


@pytest.fixture
def publish_now(sync_tasks, django_capture_on_commit_callbacks):
    """Publish as the page does; the worker's run happens once the request commits."""
    from jobs import services

    def run(job: Job, destination: Destination, *, published: bool = False) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            services.publish(job, destination, published=published)
        job.refresh_from_db()
        return job

    return run
