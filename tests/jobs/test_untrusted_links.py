"""Links and pictures from untrusted text (model output, front matter, stored batches): only
http(s) addresses become links, and a rendered post loads no picture from another site."""

from __future__ import annotations

import pytest
import yaml
from django.urls import reverse

from blogtube_site.links import web_url
from jobs.formatting import format_post, to_html
from jobs.models import Batch, Job, Post
from jobs.post_text import parse_post
from tests.jobs.conftest import META
from tests.jobs.factories import make_job

SCRIPT_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_only_http_addresses_count_as_web_links(url):
    assert web_url(url) == ""


def test_web_links_pass_unchanged():
    assert (
        web_url("https://www.youtube.com/watch?v=x&t=1") == "https://www.youtube.com/watch?v=x&t=1"
    )
    assert web_url("http://example.com/") == "http://example.com/"
    assert web_url("/relative/path") == "" and web_url(None) == "" and web_url(["x"]) == ""


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        '<a href="java&#x09;script:alert(1)">click</a>',
        '<a href="java&#10;script:alert(1)">click</a>',
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox)",
    ],
)
def test_model_links_to_anything_but_the_web_are_plain_text(text):
    html = to_html(f"Read this: {text}")
    assert "click" in html
    assert "href" not in html and "script:" not in html.lower().replace("&#", "")


def test_model_links_to_the_web_and_the_page_itself_stay_links():
    html = to_html("[a](https://example.com/x) and [b](#the-starter) and [c](notes/more.html)")
    assert 'href="https://example.com/x"' in html
    assert 'href="#the-starter"' in html and 'href="notes/more.html"' in html


@pytest.mark.parametrize(
    "image",
    [
        "![pixel](https://tracker.example/p.png?u=1)",
        "![pixel](http://tracker.example/p.png)",
        "![pixel](//tracker.example/p.png)",
        "![pixel](/\\tracker.example/p.png)",
        '<img alt="pixel" src="https://tracker.example/p.png">',
        "![pixel](data:image/png;base64,iVBORw0KGgo=)",
    ],
)
def test_remote_images_are_dropped_and_their_alt_text_stays(image):
    html = to_html(f"Look: {image}")
    assert "tracker" not in html and "src=" not in html and "data:" not in html
    assert 'alt="pixel"' in html


def test_pictures_beside_the_post_still_show():
    html = to_html("![Crumb](pictures/crumb.jpg) ![Oven](/media/posts/oven.png)")
    assert 'src="pictures/crumb.jpg"' in html and 'src="/media/posts/oven.png"' in html


def test_the_downloaded_html_page_has_no_script_link_nor_remote_image():
    post = format_post(
        "# T\n\n[x](javascript:alert(1)) ![p](https://tracker.example/p.png)"
        " <script>alert(1)</script>",
        META,
    )
    page = post.render("html")
    # The description in <head> may quote the text; as text, escaped, it does nothing.
    assert 'href="javascript:' not in page and 'src="https://tracker' not in page
    assert "<script" not in page
    assert "default-src 'none'" in page  # its own policy, wherever the file is published


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(document.domain)", "data:text/html,hi"])
def test_a_post_whose_front_matter_source_is_not_a_web_address_shows_it_as_text(client, url):
    job = make_job(status=Job.Status.COMPLETED)
    post: Post = job.store_post(format_post("# Title\n\nSome text about bread.", META))
    front, body = parse_post(post.markdown)
    front["source_url"] = url
    Post.objects.filter(pk=post.pk).update(markdown=f"---\n{yaml.safe_dump(front)}---\n\n{body}")
    html = client.get(reverse("jobs:post", args=[post.slug])).content.decode()
    assert f'href="{url}"' not in html and 'href="javascript' not in html
    assert url.split(":")[0] in html  # still shown, as text


@pytest.mark.django_db
def test_a_batch_with_a_script_source_url_shows_it_as_text(client, user):
    batch = Batch.objects.create(
        kind=Batch.Kind.PLAYLIST, source_url="javascript:alert(1)", title="Bread", owner=user
    )
    html = client.get(batch.get_absolute_url()).content.decode()
    assert "javascript:alert(1)" in html and 'href="javascript' not in html


@pytest.mark.django_db
def test_a_batch_with_a_web_source_url_links_to_it(client, user):
    url = "https://www.youtube.com/playlist?list=PL123"
    batch = Batch.objects.create(
        kind=Batch.Kind.PLAYLIST, source_url=url, title="Bread", owner=user
    )
    html = client.get(batch.get_absolute_url()).content.decode()
    assert 'href="https://www.youtube.com/playlist?list=PL123"' in html
