"""Pasting a URL shows what it points at before anything is queued."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.jobs.conftest import VIDEO_ID, VIDEO_URL
from videos.models import Video

pytestmark = pytest.mark.django_db


def preview(client, url):
    response = client.get(reverse("jobs:preview"), {"url": url}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_a_video_url_shows_its_card_and_transcript_languages(client, youtube_video):
    html = preview(client, VIDEO_URL)
    assert "<!doctype" not in html  # a fragment, not a page
    assert youtube_video.title in html and youtube_video.channel in html
    assert "3 chapters" in html
    assert 'id="language-field" hx-swap-oob="true"' in html
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', html)
    codes = [code for code, _ in options]
    # Manual tracks first, the generated one marked, translations offered after.
    assert codes[:3] == ["en", "de", "fr"]
    assert "auto-generated" in options[2][1]
    assert ("es", "Spanish (translated)") in options
    # The card's fetch is stored: the job that follows asks YouTube nothing again.
    assert Video.objects.get(youtube_id=VIDEO_ID).title == youtube_video.title


def test_a_bad_url_says_what_is_wrong_inline(client, fake_youtube):
    html = preview(client, "https://vimeo.com/1234")
    assert "vimeo.com is not a YouTube address" in html
    assert 'role="alert"' in html
    assert fake_youtube.requests == []


def test_a_video_without_captions_points_to_the_upload(client, fake_youtube):
    fake_youtube.add(VIDEO_ID, scenario="transcripts_disabled")
    html = preview(client, VIDEO_URL)
    assert "TRANSCRIPTS_DISABLED" not in html  # people read sentences, not codes
    assert "Upload" in html and ".srt" in html


def test_a_blocked_server_explains_the_way_out(client, fake_youtube):
    fake_youtube.add(VIDEO_ID, scenario="blocked")
    html = preview(client, VIDEO_URL)
    assert "YOUTUBE_PROXY_URL" in html


def test_an_empty_url_clears_the_preview(client):
    html = preview(client, "")
    assert '<div id="video-preview" class="video-preview" aria-live="polite">' in html
    assert "video-card" not in html


def test_the_form_offers_styles_priority_and_a_custom_prompt(client):
    page = client.get(reverse("jobs:home")).content.decode()
    for name in ("style", "length", "output_format", "priority", "custom_prompt"):
        assert f'name="{name}"' in page
    assert 'hx-get="/providers/models/"' in page
    # The default provider's models load after the page, never delaying it.
    assert 'hx-get="/providers/models/?provider=' in page and 'hx-trigger="load"' in page


def test_a_custom_style_needs_a_prompt_with_known_placeholders(client, offline_provider):
    data = {"url": VIDEO_URL, "provider": offline_provider.pk, "language": "en",
            "style": "custom", "custom_prompt": ""}  # fmt: skip
    response = client.post(reverse("jobs:create"), data)
    assert response.status_code == 400
    assert "Write the prompt for the custom style." in response.content.decode()
    data["custom_prompt"] = "Write about {title} for {audience}"
    response = client.post(reverse("jobs:create"), data)
    assert "Unknown placeholder {audience}" in response.content.decode()


PLAYLIST_URL = "https://www.youtube.com/playlist?list=PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs"


@pytest.fixture
def playlist(fake_youtube):
    ids = ["aaaaaaaaaaa", "bbbbbbbbbbb", "ccccccccccc"]
    for n, video_id in enumerate(ids):
        fake_youtube.add(video_id, title=f"Lesson {n + 1}")
    fake_youtube.add_playlist(
        "PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs", video_ids=ids, title="Bread course"
    )
    return ids


def test_a_playlist_url_offers_one_job_per_video(client, playlist):
    html = preview(client, PLAYLIST_URL)
    assert "Playlist: Bread course" in html
    assert "Create one job per video (3 jobs)" in html
    assert "Lesson 1" in html


def test_one_job_per_video_is_created_in_playlist_order(
    client, playlist, offline_provider, monkeypatch
):
    from jobs.models import Job

    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: None)
    data = {"url": PLAYLIST_URL, "per_video": "on", "provider": offline_provider.pk,
            "language": "en"}  # fmt: skip
    response = client.post(reverse("jobs:create"), data, follow=True)
    assert "3 jobs queued, one per video." in response.content.decode()
    jobs = Job.objects.order_by("created")
    assert [j.video.youtube_id for j in jobs] == playlist
    assert [j.title for j in jobs] == ["Lesson 1", "Lesson 2", "Lesson 3"]


def test_a_playlist_without_the_tick_says_what_to_do(client, playlist, offline_provider):
    data = {"url": PLAYLIST_URL, "provider": offline_provider.pk, "language": "en"}
    response = client.post(reverse("jobs:create"), data)
    assert response.status_code == 400
    assert "Tick “Create one job per video”" in response.content.decode()


def test_a_refused_caption_api_still_shows_the_video(client, fake_youtube):
    # The innertube API refuses youtube-transcript-api while the watch page still answers.
    fake_youtube.add(VIDEO_ID, scenario="api_blocked", title="Balcony tomatoes")
    html = preview(client, VIDEO_URL)
    assert "Balcony tomatoes" in html
    assert "Could not list the caption languages" in html
    assert "yt-dlp subtitles" in html


def test_the_language_preference_picks_the_track_and_survives_the_swap(client, youtube_video):
    response = client.get(
        reverse("jobs:preview"), {"url": VIDEO_URL, "language": "ko,de"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    selected = re.findall(r'<option value="([^"]+)" selected', html)
    assert selected == ["de"]
    # Clearing the URL gives the text field back with what was typed, not the default.
    response = client.get(
        reverse("jobs:preview"), {"url": "", "language": "auto"}, HTTP_HX_REQUEST="true"
    )
    assert 'name="language" id="id_language" value="auto"' in response.content.decode()
