"""The live job page in a real browser, end to end.

Headless Chromium submits a transcript on the home page; daphne (HTTP + WebSocket)
queues the job; a real `manage.py qcluster` worker runs it against a fake
OpenAI-compatible server that streams the post slowly; the page, never reloaded,
shows the steps advancing and the draft growing, then the finished post, which
downloads as Markdown. With BLOGTUBE_SCREENSHOTS=1 it also refreshes the README's screenshots.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from providers.models import Provider
from tests.browser.conftest import sign_in
from tests.browser.talk import REPLY, TITLE, write_srt
from tests.fakes.llm_server import split_tokens

pytestmark = [
    pytest.mark.browser,
    # Committed data for the servers' processes; the seeded providers come back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TOKEN_DELAY = 0.025  # ~300 tokens: about eight seconds of streaming

# Reads the regions the test watches; the page calls it on every DOM change.
SAMPLER = """() => {
  const STATES = ["pending", "running", "done", "skipped", "failed", "cancelled"];
  window.__samples = [];
  const take = () => {
    const status = document.querySelector("[data-testid=job-status]");
    const draft = document.querySelector("[data-testid=draft]");
    const steps = [];
    document.querySelectorAll("li.step[data-step]").forEach((li) => {
      const state = STATES.find((s) => li.classList.contains("step-" + s)) || "?";
      steps.push([li.dataset.step, state]);
    });
    const sample = {
      status: status ? status.textContent.trim() : null,
      draft: draft ? draft.textContent.length : null,
      steps: steps,
    };
    const last = window.__samples[window.__samples.length - 1];
    if (!last || JSON.stringify(last) !== JSON.stringify(sample)) window.__samples.push(sample);
  };
  take();
  new MutationObserver(take).observe(document.body,
    {subtree: true, childList: true, characterData: true, attributes: true});
}"""
RUNNING_WITH_DRAFT = """(chars) => {
  const status = document.querySelector("[data-testid=job-status]");
  const draft = document.querySelector("[data-testid=draft]");
  return status && status.textContent.trim() === "Running"
    && draft && draft.textContent.length >= chars;
}"""
FINISHED = ("done", "skipped")


def test_the_job_page_shows_the_post_being_written_live(page, live_app, fake_llm, tmp_path):
    # `page` comes first: without Chromium the test skips before any server starts.
    from playwright.sync_api import expect

    assert len(split_tokens(REPLY)) > 250
    fake_llm.configure(reply=REPLY, token_delay=TOKEN_DELAY)
    Provider.objects.create(
        slug="fake",
        name="Fake LLM",
        kind="openai",
        base_url=fake_llm.base_url,
        default_model="fake-model",
    )
    transcript = write_srt(tmp_path / "how-to-brew-better-coffee.srt")
    # The README's pictures are refreshed on request only, so a test run leaves the tree clean.
    refresh = os.environ.get("BLOGTUBE_SCREENSHOTS") == "1"
    SCREENSHOTS = README_SCREENSHOTS if refresh else tmp_path / "screenshots"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # Signing in: every page asks for it first, then goes where the visitor was headed.
    page.goto(live_app.url + "/")
    expect(page).to_have_url(live_app.url + "/accounts/login/?next=/")
    sign_in(page)
    # Loaded, scripts and all: a provider chosen before htmx has run changes no model field
    # (seen once in CI, on a busy machine: the address had changed, the page not yet loaded).
    page.wait_for_url(live_app.url + "/")

    # The form.
    page.set_input_files("#id_transcript_file", transcript)
    page.select_option("#id_provider", label="Fake LLM")
    # The model field follows the provider, even if the first provider's list loads late.
    expect(page.locator("#id_model")).to_have_attribute("placeholder", "fake-model")
    # Every list asked for has come back (or was given up): a late one has had its chance.
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_model")).to_have_attribute("placeholder", "fake-model")
    page.screenshot(path=SCREENSHOTS / "new-post.png")
    page.locator(".job-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))

    # The job page: from here on it must never reload.
    page.evaluate("window.__same_page = 1")
    page.evaluate(SAMPLER)
    status = page.get_by_test_id("job-status")

    # Mid-generation, for the README: half the post is on the page (the rest takes ~3 s
    # more). Framed on the live regions: steps, log and the bottom of the growing draft.
    page.wait_for_function(RUNNING_WITH_DRAFT, arg=len(REPLY) // 2, timeout=45_000)
    page.evaluate("document.getElementById('job-post').scrollIntoView({block: 'end'})")
    page.screenshot(path=SCREENSHOTS / "job-page.png")

    expect(status).to_have_text("Completed", timeout=45_000)
    post = page.locator("article.post-body")
    expect(post).to_be_visible()
    expect(post).to_contain_text(TITLE)
    expect(post.locator("h2", has_text="Mind the water")).to_be_visible()
    assert page.evaluate("window.__same_page") == 1, "the job page reloaded"

    samples = page.evaluate("window.__samples")
    trace = "\n".join(map(str, samples))

    # The post grew while the job ran.
    lengths = [s["draft"] for s in samples if s["status"] == "Running" and s["draft"]]
    growth = [n for i, n in enumerate(lengths) if i == 0 or n != lengths[i - 1]]
    assert growth == sorted(growth), f"the draft shrank:\n{trace}"
    assert len(growth) >= 3, f"the draft did not grow live:\n{trace}"
    print(f"{len(samples)} page states; the draft grew {len(growth)} times while running: {growth}")

    # The steps finished one after the other: never a finished step after an unfinished one.
    order = [name for name, _state in samples[-1]["steps"]]
    assert order[0] == "validate", order
    assert order[-5:] == ["generate", "format", "pictures", "save", "publish"], order
    for sample in samples:
        states = [state for _name, state in sample["steps"]]
        finished = [state in FINISHED for state in states]
        assert finished == sorted(finished, reverse=True), f"steps out of order:\n{trace}"
        assert states.count("running") <= 1, f"two steps running:\n{trace}"
    assert any(("generate", "running") in map(tuple, s["steps"]) for s in samples), trace
    final = dict(map(tuple, samples[-1]["steps"]))
    assert all(final[name] == "done" for name in ("validate", "generate", "format", "save"))
    assert all(state in FINISHED for state in final.values()), final
    assert samples[-1]["status"] == "Completed"

    # The Markdown download.
    with page.expect_download() as download_info:
        page.locator('a:has-text("Download .md")').click()
    download = download_info.value
    assert download.suggested_filename.endswith(".md")
    markdown = Path(download.path()).read_text(encoding="utf-8")
    assert markdown.startswith(f"---\ntitle: {TITLE}"), markdown[:200]
    assert "## Mind the water" in markdown

    # The dashboard, for the README.
    page.goto(live_app.url + "/jobs/")
    # An upload's job goes by its post's title once written, not by the file's name.
    row = page.locator("tr.job-row", has_text=TITLE)
    expect(row).to_be_visible()
    expect(row.locator(".badge")).to_have_text("Completed")
    page.screenshot(path=SCREENSHOTS / "jobs-dashboard.png")

    # The server goes away: the page says so instead of silently going stale.
    expect(page.locator("#connection-badge")).to_be_hidden()
    live_app.web.terminate()
    expect(page.locator("#connection-badge")).to_be_visible()
    expect(page.locator("#connection-badge")).to_have_text("Reconnecting…")
