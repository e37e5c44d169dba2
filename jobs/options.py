"""What a job's ``options`` (a JSON dict) may hold: the writing and transcript choices.

jobs.forms.JobOptionsForm checks them for the New post page, reprocess and the CLI,
and the pipeline reads them, so they are defined once here. Every job created from a form
or the CLI stores every key, which keeps old and new jobs readable the same way:
``job.options.get(key, DEFAULTS[key])``.
"""

from __future__ import annotations

from collections.abc import Mapping

from providers import services as providers

DEFAULTS: dict[str, str | bool] = {
    "style": "article",
    "length": "medium",
    "tone": "neutral",
    "custom_prompt": "",
    "write_language": "",  # "" writes in the transcript's language
    "toc": False,
    "timestamps": True,
    "embed": False,
    # The video's thumbnail as the cover and a storyboard frame under each section heading.
    "pictures": True,
    "force_speech": False,  # speech-to-text even when the video has captions
    "translate_to": "",  # "" keeps the captions' language
}
# What the forms offer to write in or translate to: common languages the prompts name
# (providers.prompts.LANGUAGE_NAMES), so the model is told a name, not a code.
COMMON_LANGUAGES = (
    "en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "da", "no", "fi", "cs", "ru", "uk",
    "tr", "ar", "hi", "ja", "ko", "zh",
)  # fmt: skip


def language_choices(empty_label: str) -> list[tuple[str, str]]:
    return [("", empty_label)] + [
        (code, providers.LANGUAGE_NAMES[code]) for code in COMMON_LANGUAGES
    ]


def language_label(code: str) -> str:
    return providers.LANGUAGE_NAMES.get(code.split("-")[0].lower(), code) if code else ""


def language_preferences(text: str) -> list[str]:
    """A preference list such as "de, en" as codes, best first; "" gives []."""
    return [code.strip() for code in text.split(",") if code.strip()]


def with_defaults(options: Mapping[str, object]) -> dict[str, object]:
    """Every key, the stored value where there is one."""
    return {**DEFAULTS, **{k: v for k, v in options.items() if k in DEFAULTS}}


def summary(options: Mapping[str, object]) -> list[str]:
    """What a person chose, compactly, for the job page: ["Article", "Friendly tone", ...]."""
    full = with_defaults(options)
    parts = [str(full["style"]).title(), f"{str(full['tone']).title()} tone"]
    parts.append(f"{str(full['length']).title()} length")
    if full["write_language"]:
        parts.append(f"written in {language_label(str(full['write_language']))}")
    extras = [
        label
        for key, label, wanted in (
            ("toc", "table of contents", True),
            ("timestamps", "no links to moments", False),
            ("embed", "video embed", True),
            ("pictures", "no pictures", False),
            ("force_speech", "speech-to-text", True),
        )
        if full[key] is wanted
    ]
    if full["translate_to"]:
        extras.append(f"captions translated to {language_label(str(full['translate_to']))}")
    return parts + extras
