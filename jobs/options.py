"""What a job's ``options`` (a JSON dict) may hold: the writing and transcript choices.

The New post form, the reprocess form and the CLI all write these keys and the
pipeline reads them, so they are defined once here. Every job created from a form
or the CLI stores every key, which keeps old and new jobs readable the same way:
``job.options.get(key, DEFAULTS[key])``.
"""

from __future__ import annotations

import re
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
    "force_speech": False,  # speech-to-text even when the video has captions
    "translate_to": "",  # "" keeps the captions' language
}
FLAGS = ("toc", "timestamps", "embed", "force_speech")
# What the forms offer to write in or translate to: common languages the prompts name
# (providers.prompts.LANGUAGE_NAMES), so the model is told a name, not a code.
COMMON_LANGUAGES = (
    "en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "da", "no", "fi", "cs", "ru", "uk",
    "tr", "ar", "hi", "ja", "ko", "zh",
)  # fmt: skip
# ISO 639 with optional subtags (pt-BR, zh-Hans); enough to refuse typos and prose.
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# Choices that come from a fixed list, with what a person is told to pick from.
_CHOICES: dict[str, Mapping[str, str]] = {
    "style": providers.STYLES,
    "length": providers.LENGTHS,
    "tone": providers.TONES,
}


class InvalidOption(ValueError):
    """An option value no job can use; the message says what would do."""


def language_choices(empty_label: str) -> list[tuple[str, str]]:
    return [("", empty_label)] + [
        (code, providers.LANGUAGE_NAMES[code]) for code in COMMON_LANGUAGES
    ]


def language_label(code: str) -> str:
    return providers.LANGUAGE_NAMES.get(code.split("-")[0].lower(), code) if code else ""


def language_preferences(text: str) -> list[str]:
    """A preference list such as "de, en" as codes, best first; "" gives []."""
    return [code.strip() for code in text.split(",") if code.strip()]


def check_language_code(value: str) -> str:
    """A language code as stored ("" stays ""), or InvalidOption."""
    code = value.strip()
    if code and not _LANGUAGE_CODE.match(code):
        raise InvalidOption(f"“{value}” is not a language code such as en, de or pt-BR.")
    return code


def check_choice(key: str, value: str) -> str:
    allowed = _CHOICES[key]
    if value not in allowed:
        raise InvalidOption(f"Unknown {key} “{value}”. Choose one of: {', '.join(allowed)}.")
    return value


def clean_options(raw: Mapping[str, object]) -> dict[str, str | bool]:
    """The options among ``raw``'s keys, checked and normalised; unknown keys are dropped.

    Raises InvalidOption for the first bad value.
    """
    cleaned: dict[str, str | bool] = {}
    for key, value in raw.items():
        if key not in DEFAULTS:
            continue
        if key in FLAGS:
            cleaned[key] = _flag(value)
        elif key in _CHOICES:
            cleaned[key] = check_choice(key, str(value))
        elif key in ("write_language", "translate_to"):
            cleaned[key] = check_language_code(str(value or ""))
        else:
            cleaned[key] = str(value or "").strip()
    return cleaned


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
            ("force_speech", "speech-to-text", True),
        )
        if full[key] is wanted
    ]
    if full["translate_to"]:
        extras.append(f"captions translated to {language_label(str(full['translate_to']))}")
    return parts + extras


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("", "0", "false", "off", "no"):
        return False
    raise InvalidOption(f"“{value}” is not on or off.")
