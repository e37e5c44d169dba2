"""Untrusted text stays inert in a real browser.

Script payloads ride in everything BlogTube shows but did not write: a transcript, a custom
prompt, the model's output, a video's title, a post's front matter, a batch's address. Every
payload sets window.__xss when it runs; after each page loads, and after each link of the
post page is clicked, it is still undefined. The pages also carry no event-handler attribute,
inline script or script link, so the Content Security Policy is a second wall, not the only
one; and while all this runs, the browser reports no violation of that policy.
"""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

from jobs.formatting import PostMeta, format_post
from jobs.models import Batch, Job
from providers.models import Provider
from tests.browser.conftest import sign_in
from tests.jobs.factories import make_job
from videos.models import Transcript, Video

pytestmark = [
    pytest.mark.browser,
    # Committed data for the servers' processes; the seeded providers come back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RUN = "window.__xss=1"
# Markup, attribute break-outs and script URLs, as text and as Markdown.
PAYLOADS = (
    f"<script>{RUN}</script>",
    f"<img src=x onerror={RUN}>",
    f'" onmouseover="{RUN}" x="',
    f"' onfocus='{RUN}' autofocus x='",
    f"<svg onload={RUN}>",
    f'<a href="javascript:{RUN}">js link</a>',
    f"[md link](javascript:{RUN})",
    f"[data link](data:text/html,<script>{RUN}</script>)",
    f'<iframe src="javascript:{RUN}"></iframe>',
)
PAYLOAD_TEXT = " ".join(PAYLOADS)
SCRIPT_URL = f"javascript:{RUN}"

# What would show that markup got through, whether or not the policy stopped it running.
OFFENDERS = """() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) found.push(`${el.tagName} ${attr.name}`);
      if (["href", "src", "action", "formaction"].includes(attr.name)
          && /^\\s*(javascript|data|vbscript):/i.test(attr.value.replace(/[\\t\\n\\r]/g, ""))) {
        found.push(`${el.tagName} ${attr.name}=${attr.value}`);
      }
    }
    if (el.tagName === "SCRIPT" && !el.src) found.push("inline script");
    if (el.tagName === "IFRAME" && !/^https:\\/\\/www\\.youtube-nocookie\\.com\\//.test(el.src)) {
      found.push(`iframe ${el.src}`);
    }
  }
  return found;
}"""


# In every document: a payload setting window.__xss also says so on the console, which the
# test hears even when the page it ran on has since navigated away.
REPORT_XSS = """(() => {
  let value;
  Object.defineProperty(window, "__xss", {
    get() { return value; },
    set(v) { value = v; console.error("XSS RAN at " + location.href); },
  });
})();"""


# A click on a web address leaves for another document, where nothing of this page can run
# (the pages that matter are visited on their own); any other link would run in this one.
# Holding the first kind keeps every click on this page.
HOLD_WEB_LINKS = """() => document.addEventListener("click", (event) => {
  const link = event.target.closest("a");
  if (link && /^https?:$/.test(link.protocol)) event.preventDefault();
}, true)"""


class Watch:
    """A page's console and dialogs: payloads that ran, policy violations, alerts."""

    def __init__(self, page) -> None:
        self.page = page
        self.ran: list[str] = []
        self.violations: list[str] = []
        page.add_init_script(REPORT_XSS)
        page.on("console", self._console)
        page.on("dialog", lambda dialog: (self.ran.append("a dialog"), dialog.dismiss()))

    def _console(self, message) -> None:
        if message.text.startswith("XSS RAN"):
            self.ran.append(message.text)
        elif "Content Security Policy" in message.text:
            self.violations.append(f"{self.page.url}: {message.text[:300]}")

    def inert(self, where: str) -> None:
        assert self.page.evaluate("window.__xss") is None, f"a payload ran on {where}"
        assert self.page.evaluate(OFFENDERS) == [], where
        assert self.ran == [], where

    def visit(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        self.inert(url)

    def click_every_link(self, url: str) -> int:
        self.visit(url)
        self.page.evaluate(HOLD_WEB_LINKS)
        links = self.page.locator("a")
        count = links.count()
        for index in range(count):
            # As a person's click does, hidden links too.
            links.nth(index).evaluate("a => a.click()")
        self.page.wait_for_timeout(200)
        self.inert(f"{url} after clicking its {count} links")
        return count


def echo_everything(request: dict) -> str:
    """The fake model's post: its own payloads, then the prompt and transcript it was given."""
    given = "\n\n".join(str(m.get("content", "")) for m in request.get("messages", []))
    return f"# Post {PAYLOADS[1]}\n\n{PAYLOAD_TEXT}\n\n## What it was told\n\n{given}\n"


def write_srt(path):
    lines = []
    for index, payload in enumerate(PAYLOADS, start=1):
        lines += [str(index), f"00:00:{index:02},000 --> 00:00:{index:02},900", payload, ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_a_transcript_a_prompt_and_model_output_stay_inert(page, live_app, fake_llm, tmp_path):
    from playwright.sync_api import expect

    watch = Watch(page)
    fake_llm.configure(reply=echo_everything)
    Provider.objects.create(
        slug="fake", name="Fake LLM", kind="openai", base_url=fake_llm.base_url,
        default_model="fake-model",
    )  # fmt: skip
    # Hashed as the servers hash it: they do not know the tests' quick hasher.
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com")
    admin.password = make_password("pw", hasher=PBKDF2PasswordHasher())
    admin.save(update_fields=["password"])

    # The New post page (after signing in), its HTMX preview, then the form with a
    # transcript and a prompt.
    page.goto(live_app.url + "/")
    sign_in(page)
    page.wait_for_url(live_app.url + "/")
    with page.expect_response(re.compile(r"/jobs/preview/")):
        page.fill("#id_url", "not a video " + PAYLOADS[0])
    watch.inert("the New post preview")
    page.set_input_files("#id_transcript_file", write_srt(tmp_path / "payloads.srt"))
    page.select_option("#id_provider", label="Fake LLM")
    page.select_option("#id_style", "custom")
    page.fill("#id_custom_prompt", "Write a post. " + PAYLOAD_TEXT)
    page.fill("#id_url", "")
    page.locator(".job-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
    job_url = page.url

    # The job page follows the job over its WebSocket and shows the post when done.
    expect(page.get_by_test_id("job-status")).to_have_text("Completed", timeout=30_000)
    expect(page.locator("article.post-body")).to_contain_text("What it was told")
    watch.inert("the live job page")
    job = Job.objects.get()
    # The payloads did travel: the model was given the prompt and the transcript, and the
    # page shows what it echoed back as text.
    told = "\n".join(m["content"] for m in fake_llm.requests[-1].json["messages"])
    assert f"Write a post. {PAYLOAD_TEXT}" in told  # the prompt
    assert f"Transcript:\n{RUN}\n{PAYLOADS[2]}" in told  # the captions, tags stripped
    expect(page.locator("article.post-body")).to_contain_text(PAYLOADS[2])

    links = watch.click_every_link(f"{live_app.url}/posts/{job.post.slug}/")
    assert links >= 5
    for path in ("/", "/jobs/", "/videos/", "/providers/", "/stats/", job_url):
        watch.visit(path if path.startswith("http") else live_app.url + path)

    # Django admin works under the same policy.
    page.goto(live_app.url + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw")
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    for path in (f"/admin/jobs/job/{job.pk}/change/", "/admin/providers/provider/add/"):
        page.goto(live_app.url + path)
        page.wait_for_load_state("networkidle")
    assert watch.violations == []


def test_a_video_front_matter_and_batch_stay_inert(page, live_app):
    watch = Watch(page)
    video = Video.objects.create(
        youtube_id="dQw4w9WgXcQ",
        url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        title=f"Title {PAYLOADS[1]}{PAYLOADS[2]}",
        channel=PAYLOADS[3],
        description=PAYLOAD_TEXT,
        chapters=[{"start": 0, "title": PAYLOADS[0]}, {"start": 5, "title": PAYLOADS[4]}],
    )
    transcript = Transcript.objects.create(
        video=video, language_code="en", source="youtube", text=PAYLOAD_TEXT,
        segments=[{"start": i, "duration": 1, "text": p} for i, p in enumerate(PAYLOADS)],
    )  # fmt: skip
    job = make_job(
        video=video, transcript=transcript, source_url=SCRIPT_URL, status=Job.Status.COMPLETED
    )
    meta = PostMeta(
        fallback_title=PAYLOADS[0], source_url=SCRIPT_URL, video_id="dQw4w9WgXcQ",
        language=PAYLOADS[2], provider=PAYLOADS[1], model=PAYLOADS[3], date=PAYLOADS[4],
    )  # fmt: skip
    post = job.store_post(format_post(f"# Post {PAYLOADS[1]}\n\n{PAYLOAD_TEXT}\n", meta))
    front = {
        "title": PAYLOADS[2], "description": PAYLOADS[1], "tags": list(PAYLOADS[:3]),
        "source_url": SCRIPT_URL, "language": PAYLOADS[0], "provider": PAYLOADS[4],
        "model": PAYLOADS[3], "date": PAYLOADS[2],
    }  # fmt: skip
    post.markdown = f"---\n{yaml.safe_dump(front)}---\n\n{PAYLOAD_TEXT}\n"
    post.save(update_fields=["markdown"])
    batch = Batch.objects.create(
        kind=Batch.Kind.PLAYLIST, source_url=SCRIPT_URL, title=PAYLOADS[1], channel=PAYLOADS[2],
        owner=job.owner,
    )  # fmt: skip

    page.goto(live_app.url + "/")
    sign_in(page)
    page.wait_for_url(live_app.url + "/")
    assert watch.click_every_link(f"{live_app.url}/posts/{post.slug}/") >= 5
    watch.visit(live_app.url + batch.get_absolute_url())
    assert SCRIPT_URL in page.locator("main").inner_text()  # as text, not as a link
    for path in (f"/videos/{video.youtube_id}/", "/videos/", job.get_absolute_url(), "/jobs/"):
        watch.visit(live_app.url + path)
    assert watch.violations == []
