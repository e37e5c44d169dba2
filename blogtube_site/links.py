"""Which URLs from untrusted text (model output, front matter, a video's data) may become a
link or load an image. One rule for templates, the sanitizer and the downloads alike.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# Everything else (javascript:, data:, vbscript:, file:, mailto:...) is shown as text.
LINK_SCHEMES = frozenset({"http", "https"})


def _normalized(url: str) -> str:
    # Browsers drop tabs and newlines inside a URL and read "\" as "/" (so "/\host" is
    # "//host"): judge the URL the way a browser will follow it.
    cleaned = "".join(ch for ch in str(url) if ch not in "\t\n\r").strip(" \x00\x0b\x0c")
    return cleaned.replace("\\", "/")


def web_url(url: object) -> str:
    """The URL when it is an absolute http(s) address, else ""."""
    if not isinstance(url, str) or not url:
        return ""
    try:
        parts = urlsplit(_normalized(url))
    except ValueError:
        return ""
    if parts.scheme.lower() in LINK_SCHEMES and parts.netloc:
        return url.strip()
    return ""


def is_relative(url: str) -> bool:
    """True for a path on the same site ("pictures/a.png", "/media/a.png"): no scheme, no host."""
    try:
        parts = urlsplit(_normalized(url))
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc
