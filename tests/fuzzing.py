"""Hostile input for the property tests of the pages, forms and CLI
(tests/jobs/test_fuzzed_input.py) and of the JSON API (tests/api/test_fuzzed_api.py): what
has broken pages before, and text shaped like what a field expects."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from blogtube_site.errors import BlogTubeError
from jobs import batches
from tests.jobs.conftest import VIDEO_URL
from videos import services as videos

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# What has broken pages before, and what looks like what a field expects.
TRICKY = [
    "", " ", "²", "٣", "1" * 5000, "-1", "0", "1e3", "NaN", "\x00", "%00", "../../etc",
    "//evil.example/", "javascript:alert(1)", "list", "{title:d}", "{title!r}", "{0}", "{",
    "[" * 3000, "- " * 3000, "---\ndate: 2024-13-45\n---\n", "a: &a [1]\nb: *a", "on", "off",
    "true", "custom", "offline", "markdown", "de,en", "pt-BR", "x" * 5000, "<script>", "ⅻ",
]  # fmt: skip
# Numbers that str.isdigit() accepts and int() refuses, or too long for it.
NUMBERISH = ["²", "٣", "1" * 5000, "-1"]
hostile = st.one_of(st.sampled_from(NUMBERISH), st.sampled_from(TRICKY), st.text(max_size=120))


def nul_refused(response) -> bool:
    """blogtube_site.nul_characters refuses any request with a NUL in it, before the view."""
    return response.status_code == 400 and b"NUL character" in response.content


def safe_urls() -> st.SearchStrategy[str]:
    """Text for a URL field: a video the fake YouTube knows, or text that names no video,
    playlist or channel (anything else would be a request the fake refuses)."""

    def names_nothing(text: str) -> bool:
        try:
            videos.parse_video_id(text)
        except BlogTubeError:
            return batches.kind_of(text) is None
        return False

    return st.one_of(st.just(VIDEO_URL), hostile.filter(names_nothing))


FORM_FIELDS = [
    "language", "provider", "model", "style", "custom_prompt", "tone", "length",
    "write_language", "toc", "timestamps", "embed", "force_speech", "translate_to",
    "output_format", "priority",
]  # fmt: skip
