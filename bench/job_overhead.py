"""A job's wall time against a bare script sending the same transcript to the same model.

    .venv/bin/python bench/job_overhead.py [--runs 3] [--token-delay 0.01] [--words 600]

The model is the tests' fake OpenAI-compatible server, streaming its answer one word per
--token-delay seconds. The bare script is the least a program can do: one `openai` client,
one streamed chat completion with the transcript, every chunk read. The job is BlogTube's
whole pipeline as a worker runs it (claim, steps, streamed draft saved as it grows,
Markdown and HTML formatted, post saved) on an uploaded transcript, in a throwaway SQLite
database. Runs alternate, so both see the same machine; the medians are compared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import standalone

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TRANSCRIPT = "".join(
    f"{n}\n00:{n // 60:02d}:{n % 60:02d},000 --> 00:{(n + 1) // 60:02d}:{(n + 1) % 60:02d},000\n"
    f"Sentence {n} of the talk says something about compost, worms and gardens.\n\n"
    for n in range(1, 400)
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--token-delay", type=float, default=0.01)
    parser.add_argument("--words", type=int, default=600)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="blogtube-overhead-")
    standalone.set_up(folder, BLOGTUBE_TASKS_SYNC="false")
    from tests.fakes.llm_server import FakeLLMServer

    reply = "# Compost at home\n\n" + " ".join(f"word{n}" for n in range(args.words))
    bare, job = [], []
    with FakeLLMServer() as model:
        model.configure(reply=reply, token_delay=args.token_delay)
        provider = make_provider(model.base_url)
        for _ in range(args.runs):
            bare.append(bare_script(model.base_url))
            job.append(one_job(provider))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load}, {os.cpu_count()} cores")
    print(
        f"a {args.words}-word answer, one word per {args.token_delay * 1000:g} ms; "
        f"{args.runs} runs each, alternating"
    )
    print(f"{'':<12} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, times in (("bare script", bare), ("BlogTube job", job)):
        print(f"{name:<12} {statistics.median(times):>9.3f} {min(times):>7.3f} {max(times):>7.3f}")
    print(f"job / bare script: {statistics.median(job) / statistics.median(bare):.3f}")


def make_provider(base_url: str):
    from providers.models import Provider

    return Provider.objects.create(
        slug="fake",
        name="Fake model",
        kind="openai",
        base_url=base_url,
        default_model="gpt-4o-mini",  # its context window takes the transcript in one call
    )


def bare_script(base_url: str) -> float:
    import openai

    started = time.perf_counter()
    client = openai.OpenAI(base_url=base_url, api_key="bench")
    stream = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "Write a blog post from this transcript."},
            {"role": "user", "content": TRANSCRIPT},
        ],
        stream=True,
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text
    return time.perf_counter() - started


def one_job(provider) -> float:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from jobs import pipeline
    from jobs.models import Job

    user, _ = get_user_model().objects.get_or_create(username="bench", is_staff=True)
    client = Client()
    client.force_login(user)
    data = standalone.talk_form(provider.pk, "talk.srt", TRANSCRIPT)
    before = set(Job.objects.values_list("pk", flat=True))
    response = client.post(reverse("jobs:create"), data)
    assert response.status_code == 302, response.status_code
    (job_id,) = set(Job.objects.values_list("pk", flat=True)) - before
    started = time.perf_counter()
    pipeline.run_job(str(job_id))  # what a worker's task runs
    wall = time.perf_counter() - started
    status = Job.objects.get(pk=job_id).status
    assert status == Job.Status.COMPLETED, status
    return wall


if __name__ == "__main__":
    main()
