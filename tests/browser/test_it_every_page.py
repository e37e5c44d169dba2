"""Every page in a real browser during a whole job's life: no console error, no failed request;
and at 390x844 (a phone) the navigation and each job's status are on screen.

One tab follows the job from the New post form to Completed; a second tab walks every other
page while the job runs (so each receives the dashboard socket's pushes) and after it ends; a
phone-sized tab walks them again.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from jobs.models import Batch
from providers.models import Provider
from publishing.models import Destination
from tests.accounts import signed_in_user
from tests.browser.conftest import sign_in
from tests.browser.talk import REPLY, write_srt
from tests.jobs.factories import make_job
from videos.models import Video

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
# Every page a person reaches from the navigation, and one of each detail page.
PAGES = [
    "/",
    "/jobs/",
    "/jobs/deleted/",
    "/batches/",
    "/videos/",
    "/providers/",
    "/stats/",
    "/accounts/tokens/",
    "/destinations/",
    "/queue/",
]


class Watch:
    """Everything a page's console and network said that a person should never cause."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def attach(self, page) -> None:
        page.on(
            "console",
            lambda m: m.type == "error" and self.problems.append(f"console: {m.text} ({page.url})"),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e} ({page.url})"))
        page.on("requestfailed", lambda r: self._failed(r, page))
        page.on(
            "response",
            lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"),
        )

    def _failed(self, request, page) -> None:
        # htmx cancels its own request when a newer one replaces it (hx-sync "replace": the
        # model list of a provider no longer chosen): by design, nothing a person sees.
        if request.failure == "net::ERR_ABORTED" and request.resource_type in ("xhr", "fetch"):
            return
        self.problems.append(f"failed: {request.url} {request.failure} ({page.url})")


def visit(page, url: str) -> None:
    page.goto(url)
    # Lazy loads (the model list, the cost line) finish before the next page aborts them.
    page.wait_for_load_state("networkidle")


def test_every_page_is_clean_through_a_jobs_life_and_fits_a_phone(
    page, live_app, fake_llm, tmp_path
):
    from playwright.sync_api import expect

    shots = Path(os.environ.get("BLOGTUBE_PAGE_SHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    fake_llm.configure(reply=REPLY, token_delay=0.02)
    Provider.objects.create(
        slug="fake", name="Fake LLM", kind="openai", base_url=fake_llm.base_url,
        default_model="fake-model",
    )  # fmt: skip
    user = signed_in_user()
    user.is_staff = True  # the queue room too
    user.save()
    # A batch (its summary is a live row) and a video, so those pages have something to show.
    batch = Batch.objects.create(
        kind=Batch.Kind.PLAYLIST, title="Sourdough Basics", owner=user,
        source_url="https://www.youtube.com/playlist?list=PLbread",
    )  # fmt: skip
    done = make_job(batch=batch)
    done.claim()
    done.complete()
    # A destination, so its page has a table (with a long site address) to fit on a phone.
    destination = Destination(
        owner=user, name="My WordPress", kind="wordpress", username="ada",
        site_url="https://a-rather-long-blog-name.example.com/and/a/path/",
    )  # fmt: skip
    destination.set_secret("abcd efgh ijkl mnop qrst uvwx")
    destination.save()
    video = Video.objects.create(
        youtube_id="dQw4w9WgXcQ", url="https://youtu.be/dQw4w9WgXcQ", title="Sourdough"
    )
    watch = Watch()
    watch.attach(page)

    page.goto(live_app.url + "/")
    sign_in(page)
    page.wait_for_load_state("networkidle")
    page.set_input_files("#id_transcript_file", write_srt(tmp_path / "coffee.srt"))
    page.select_option("#id_provider", label="Fake LLM")
    page.wait_for_load_state("networkidle")
    page.locator(".job-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
    job_url = page.url
    status = page.get_by_test_id("job-status")
    expect(status).to_have_text("Running", timeout=45_000)

    # While the job runs: every other page, each open while the job's rows move.
    other = page.context.new_page()
    watch.attach(other)
    pages = [*PAGES, batch.get_absolute_url(), f"/videos/{video.youtube_id}/", "/admin/"]
    for path in pages:
        visit(other, live_app.url + path)
    other.goto(live_app.url + "/jobs/")
    expect(status).to_have_text("Completed", timeout=60_000)
    # The list saw the job finish without a reload.
    expect(other.locator(f"#job-row-{job_url.rstrip('/').rsplit('/', 1)[1]}")).to_contain_text(
        "Completed", timeout=10_000
    )
    for path in [*pages, job_url.removeprefix(live_app.url)]:
        visit(other, live_app.url + path)

    # A phone.
    phone = page.context.browser.new_context(
        viewport=PHONE, storage_state=page.context.storage_state(), color_scheme="light"
    )
    try:
        small = phone.new_page()
        watch.attach(small)
        for path in [*pages[:-1], job_url.removeprefix(live_app.url)]:
            visit(small, live_app.url + path)
            name = path.strip("/").replace("/", "-") or "home"
            small.screenshot(path=shots / f"phone-{name[:40]}.png", full_page=True)
            wide = small.evaluate("document.documentElement.scrollWidth")
            assert wide <= PHONE["width"], f"{path} is {wide}px wide: the page scrolls sideways"
            links = small.locator("nav[aria-label=Main] a")
            assert links.count() >= 6
            for i in range(links.count()):
                box = links.nth(i).bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
                    f"{path}: the nav link {links.nth(i).inner_text()!r} is cut off: {box}"
                )
            if path == "/jobs/":
                row = small.locator("tr.job-row").first
                for part in (row.locator(".badge[class*=status-]"), row.locator("progress")):
                    expect(part).to_be_visible()
                    box = part.bounding_box()
                    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], path
            if path.startswith("/jobs/") and path.count("/") == 3 and path != "/jobs/deleted/":
                expect(small.get_by_test_id("job-status")).to_be_in_viewport()
    finally:
        phone.close()

    assert watch.problems == [], "\n".join(watch.problems) + "\n" + live_app.log_tail()
