"""YouTube failures as BlogTubeErrors, and the two classifiers that make them.

The libraries speak in exception classes (youtube-transcript-api) or in
message text (yt-dlp). Both are translated here, once, so a job page, the API
and the CLI all show the same code, sentence and suggestions. The library's
own text is kept in ``detail`` for the log.
"""

from __future__ import annotations

import errno
import re
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from youtube_transcript_api import _errors as yta
from yt_dlp.networking.exceptions import TransportError

from blogtube_site.errors import BlogTubeError, NotFound

UPLOAD_INSTEAD = "Upload the transcript file instead."
SET_PROXY = "Set YOUTUBE_PROXY_URL to a residential proxy."
SET_COOKIES = "Set YOUTUBE_COOKIES_FILE."


class InvalidURL(BlogTubeError):
    code = "INVALID_URL"
    message = "That is not a YouTube video address."
    suggestions = (
        "Paste the address of one YouTube video, e.g. https://www.youtube.com/watch?v=…",
    )


class VideoUnavailable(NotFound):
    code = "VIDEO_UNAVAILABLE"
    message = "This video is unavailable: it may be private, removed or never existed."
    suggestions = ("Check the address in a browser", UPLOAD_INSTEAD)


class PlaylistUnavailable(VideoUnavailable):
    """A playlist YouTube will not list; a VideoUnavailable, so handlers of that still catch it."""

    code = "PLAYLIST_UNAVAILABLE"
    message = "This playlist is unavailable: it may be private, deleted or never existed."
    suggestions = (
        "Check the playlist's address in a browser",
        "Paste the address of one of its videos instead",
    )


class ChannelUnavailable(VideoUnavailable):
    """A channel YouTube will not list; a VideoUnavailable, so handlers of that still catch it."""

    code = "CHANNEL_UNAVAILABLE"
    message = "This channel was not found: it may have been renamed, closed or never existed."
    suggestions = (
        "Check the channel's address in a browser",
        "Paste the address of one of its playlists or videos instead",
    )


class TranscriptsDisabled(BlogTubeError):
    code = "TRANSCRIPTS_DISABLED"
    message = "The uploader has turned captions off for this video, so there is no transcript."
    suggestions = ("Upload a transcript file (.srt, .vtt, .txt or YouTube .json) instead",)


class NoTranscriptInLanguage(BlogTubeError):
    code = "NO_TRANSCRIPT_IN_LANGUAGE"
    message = "This video has no transcript in the language you asked for."
    suggestions = ("Pick another language", UPLOAD_INSTEAD)


class YouTubeBlocked(BlogTubeError):
    code = "YOUTUBE_BLOCKED"
    transient = True
    message = (
        "YouTube is blocking requests from this server "
        "(it asks to sign in to confirm we are not a bot)."
    )
    suggestions = (SET_PROXY, SET_COOKIES, UPLOAD_INSTEAD)


class YouTubeRateLimited(BlogTubeError):
    code = "YOUTUBE_RATE_LIMITED"
    transient = True
    message = "YouTube is rate-limiting this server (too many requests)."
    suggestions = ("Wait a few minutes and retry", SET_PROXY, UPLOAD_INSTEAD)


class AgeRestricted(BlogTubeError):
    code = "AGE_RESTRICTED"
    message = "This video is age-restricted: YouTube only shows it to a signed-in adult account."
    suggestions = (
        "Set YOUTUBE_COOKIES_FILE to the cookies of an age-verified account",
        UPLOAD_INSTEAD,
    )


class PoTokenRequired(BlogTubeError):
    code = "PO_TOKEN_REQUIRED"
    message = (
        "YouTube wants a proof-of-origin token for this video's captions, which we cannot make."
    )
    suggestions = ("Try again later", SET_COOKIES, UPLOAD_INSTEAD)


class VideoUnplayable(BlogTubeError):
    code = "VIDEO_UNPLAYABLE"
    message = "YouTube will not play this video."
    suggestions = ("Check the video in a browser", UPLOAD_INSTEAD)


class InvalidTranscriptFile(BlogTubeError):
    code = "INVALID_TRANSCRIPT_FILE"
    message = "The transcript file could not be read."
    suggestions = ("Upload a UTF-8 .srt, .vtt, .txt or YouTube .json (json3) file",)


class YouTubeError(BlogTubeError):
    code = "YOUTUBE_ERROR"
    message = "YouTube returned an error we do not recognise."
    suggestions = ("Try again later", UPLOAD_INSTEAD)


class PictureUnavailable(BlogTubeError):
    """A thumbnail or storyboard image could not be had; never fails a job, only a picture."""

    code = "PICTURE_UNAVAILABLE"
    message = "A picture from the video could not be downloaded."
    suggestions = ("Reprocess the job later to try again",)


class YouTubeUnreachable(YouTubeError):
    """The network failed (DNS, timeout, 5xx): worth a retry, unlike YouTubeError."""

    code = "YOUTUBE_UNREACHABLE"
    transient = True
    message = "Could not reach YouTube."
    suggestions = (
        "Try again in a moment",
        "Check the server's internet connection or proxy",
        UPLOAD_INSTEAD,
    )


class YouTubeOffline(YouTubeUnreachable):
    """No connection to YouTube at all: its name does not resolve, or nothing answers.

    Not transient: this server has no network (or no route, or no DNS) and a retry minutes
    later in the same job would only make the person wait to read the same sentence the
    preview showed. Rate limits, bot checks, timeouts and 5xx keep their back-off.
    """

    transient = False
    message = "Could not reach YouTube: this server has no connection to it."
    suggestions = (
        "Check the server's internet connection, DNS or proxy, then retry the job",
        UPLOAD_INSTEAD,
    )


# What the operating system says when there is no way to YouTube (not a slow or busy one).
_NO_ROUTE = {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH}
_NO_ROUTE_WORDS = re.compile(
    r"name or service not known|temporary failure in name resolution|nodename nor servname"
    r"|no address associated with hostname|getaddrinfo failed|failed to resolve"
    r"|connection refused|network is unreachable|no route to host",
    re.I,
)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and every one it wraps, however the library wrapped it."""
    stack: list[object] = [exc]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        exc_info = getattr(current, "exc_info", None) or ()
        stack += [
            current.__cause__,
            current.__context__,
            getattr(current, "cause", None),  # yt-dlp's TransportError
            getattr(current, "reason", None),  # urllib3's MaxRetryError, urllib's URLError
            *current.args,
            *exc_info[1:2],  # yt-dlp's DownloadError
        ]


def no_connection(exc: BaseException) -> bool:
    """Whether `exc` says there is no connection at all (DNS, refused, no route).

    Not when a proxy is the one refusing: that is YouTubeProxyError's to say.
    """
    causes = list(_causes(exc))
    if any("ProxyError" in type(cause).__name__ for cause in causes):
        return False
    for cause in causes:
        if isinstance(cause, socket.gaierror):
            return True
        if isinstance(cause, OSError) and cause.errno in _NO_ROUTE:
            return True
        if _NO_ROUTE_WORDS.search(str(cause)):
            return True
    return False


def unreachable(exc: BaseException, detail: str) -> YouTubeUnreachable:
    """YouTube out of reach: for good when there is no connection, else for a while."""
    if no_connection(exc):
        return YouTubeOffline(detail=detail)
    return YouTubeUnreachable(detail=detail)


class YouTubeProxyError(YouTubeUnreachable):
    """The proxy in front of YouTube failed (refused, wants credentials, could not go on).

    A YouTubeUnreachable, so whoever handles "YouTube is out of reach" handles
    this too. The message names the proxy's host, never its password.
    """

    code = "PROXY_ERROR"
    message = "The proxy in front of YouTube did not let the request through."
    suggestions = (
        "Check YOUTUBE_PROXY_URL (or the Webshare settings): host, port, user name, password",
        UPLOAD_INSTEAD,
    )


def _language_list(codes: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(codes)) or "none"


def no_transcript_in_language(
    requested: Iterable[str], available: Iterable[tuple[str, str]], *, detail: str = ""
) -> NoTranscriptInLanguage:
    """``available`` is (code, name) pairs; the suggestions name each one."""
    requested = list(requested)
    available = list(dict.fromkeys(available))
    wanted = _language_list(requested)
    if not available:
        return NoTranscriptInLanguage(
            f"This video has no transcript in {wanted}, nor in any other language.",
            suggestions=[UPLOAD_INSTEAD],
            detail=detail,
        )
    return NoTranscriptInLanguage(
        f"This video has no transcript in {wanted}. "
        f"Available: {_language_list(code for code, _ in available)}.",
        suggestions=[f"Pick {name} ({code})" for code, name in available] + [UPLOAD_INSTEAD],
        detail=detail,
    )


@dataclass(frozen=True)
class _Verdict:
    """One of our errors, worded for one kind of failure (None: the class's own words)."""

    error: type[BlogTubeError]
    message: str | None = None
    suggestions: tuple[str, ...] | None = None

    def __call__(self, detail: str) -> BlogTubeError:
        return self.error(self.message, suggestions=self.suggestions, detail=detail)


# -- youtube-transcript-api -------------------------------------------------

# The library's exceptions that always mean the same error of ours. They are
# siblings (none subclasses another), so their order does not matter.
_TRANSCRIPT_API_VERDICTS: dict[type[Exception], _Verdict] = {
    yta.RequestBlocked: _Verdict(YouTubeBlocked),
    yta.TranscriptsDisabled: _Verdict(TranscriptsDisabled),
    yta.NotTranslatable: _Verdict(
        NoTranscriptInLanguage,
        "YouTube cannot translate this video's transcript.",
        ("Pick one of the video's own languages", UPLOAD_INSTEAD),
    ),
    yta.TranslationLanguageNotAvailable: _Verdict(
        NoTranscriptInLanguage,
        "YouTube cannot translate this video's transcript into that language.",
        ("Pick another language", UPLOAD_INSTEAD),
    ),
    yta.InvalidVideoId: _Verdict(InvalidURL, "That is not a valid YouTube video id."),
    yta.VideoUnavailable: _Verdict(VideoUnavailable),
    yta.AgeRestricted: _Verdict(AgeRestricted),
    yta.PoTokenRequired: _Verdict(PoTokenRequired),
    yta.FailedToCreateConsentCookie: _Verdict(
        YouTubeError,
        "YouTube showed a cookie-consent page we could not get past.",
        (SET_PROXY, UPLOAD_INSTEAD),
    ),
    yta.CookieError: _Verdict(
        YouTubeError,
        "The YouTube cookies file could not be used.",
        ("Export a fresh cookies file and set YOUTUBE_COOKIES_FILE",),
    ),
    yta.YouTubeDataUnparsable: _Verdict(
        YouTubeError, "YouTube's page changed and could not be read."
    ),
}


def classify_transcript_api_error(
    exc: BaseException, *, http_status: int | None = None
) -> BlogTubeError:
    """Map a youtube_transcript_api exception to our error.

    ``http_status`` is the status of the last HTTP response, when the caller
    saw it: the library raises IpBlocked both for HTTP 429 and for a captcha
    page, and only the status tells a rate limit from a block.
    """
    detail = str(exc)
    # Before RequestBlocked's verdict: IpBlocked is a RequestBlocked.
    if isinstance(exc, yta.IpBlocked) and http_status == 429:
        return YouTubeRateLimited(detail=detail)
    for library_error, verdict in _TRANSCRIPT_API_VERDICTS.items():
        if isinstance(exc, library_error):
            return verdict(detail)
    if isinstance(exc, yta.NoTranscriptFound):
        transcript_list = getattr(exc, "_transcript_data", None) or ()
        available = [(t.language_code, t.language) for t in transcript_list]
        requested = list(getattr(exc, "_requested_language_codes", ()))
        return no_transcript_in_language(requested, available, detail=detail)
    if isinstance(exc, yta.VideoUnplayable):
        reason = exc.reason or "no reason given"
        extra = "; ".join(s for s in exc.sub_reasons if s.strip())
        return VideoUnplayable(
            f"YouTube will not play this video: {reason}" + (f" ({extra})" if extra else ""),
            detail=detail,
        )
    if isinstance(exc, yta.YouTubeRequestFailed):
        status = _http_status_in(exc.reason)
        if status == 429:
            return YouTubeRateLimited(detail=detail)
        if status is not None and status >= 500:
            return YouTubeUnreachable(f"YouTube answered with HTTP {status}.", detail=detail)
        return YouTubeError(f"A request to YouTube failed: {exc.reason}", detail=detail)
    return YouTubeError(detail=detail)


def _http_status_in(text: str) -> int | None:
    match = re.search(r"\b([45]\d\d)\b", text)
    return int(match.group(1)) if match else None


# -- yt-dlp -------------------------------------------------------------------

# In priority order: matched, case-insensitively, against the extractor's own
# message (and yt-dlp's warnings, see classify_ytdlp_error).
_APOSTROPHE = "['\u2019]"  # YouTube writes "you\u2019re" (U+2019)
# About this server, not the video: the only verdicts warnings may give.
_YTDLP_NETWORK_RULES: list[tuple[re.Pattern[str], _Verdict]] = [
    (
        re.compile(
            rf"not a bot|confirm you{_APOSTROPHE}re not|captcha|ip is likely being blocked", re.I
        ),
        _Verdict(YouTubeBlocked),
    ),
    (
        re.compile(r"http error 429|too many requests|rate.?limit|try again later", re.I),
        _Verdict(YouTubeRateLimited),
    ),
]
_YTDLP_RULES: list[tuple[re.Pattern[str], _Verdict]] = [
    *_YTDLP_NETWORK_RULES,
    (
        re.compile(
            r"confirm your age|age.?restricted|inappropriate for some users|age.?verif", re.I
        ),
        _Verdict(AgeRestricted),
    ),
    (
        re.compile(r"members.?only|join this channel|available to this channel's members", re.I),
        _Verdict(
            VideoUnavailable,
            "This video is for the channel's paying members only.",
            ("Set YOUTUBE_COOKIES_FILE to the cookies of a member's account", UPLOAD_INSTEAD),
        ),
    ),
    (
        re.compile(r"private video|video is private", re.I),
        _Verdict(VideoUnavailable, "This video is private."),
    ),
    (
        re.compile(
            r"not made this video available in your country|geo.?restrict|in your country", re.I
        ),
        _Verdict(
            VideoUnavailable,
            "This video is not available in the server's country.",
            ("Set YOUTUBE_PROXY_URL to a proxy in a country where it plays", UPLOAD_INSTEAD),
        ),
    ),
    (
        re.compile(
            r"live event will begin|premieres? in|is_upcoming|will begin in|"
            r"live event has not started|this live event",
            re.I,
        ),
        _Verdict(
            VideoUnplayable,
            "This live stream or premiere has not started yet; try again once it has.",
        ),
    ),
    (
        re.compile(
            r"removed|terminated|no longer available|video unavailable|"
            r"video is unavailable|does not exist|not available",
            re.I,
        ),
        _Verdict(VideoUnavailable),
    ),
    (re.compile(r"po.?token", re.I), _Verdict(PoTokenRequired)),
    (
        re.compile(r"unsupported url|invalid url|incomplete youtube id", re.I),
        _Verdict(InvalidURL, "yt-dlp did not recognise that address as a YouTube video."),
    ),
    (re.compile(r"\bdrm\b", re.I), _Verdict(VideoUnplayable, "This video is DRM-protected.")),
]


def _first_verdict(rules: list[tuple[re.Pattern[str], _Verdict]], text: str) -> _Verdict | None:
    return next((verdict for pattern, verdict in rules if pattern.search(text)), None)


_YTDLP_HINTS = re.compile(
    r"\s*(Use --cookies|Also see|See\s+https?://|please report this issue|"
    r"This helps protect our community).*$",
    re.I | re.S,
)


def _ytdlp_reason(exc: BaseException) -> tuple[str, BaseException]:
    """The innermost ExtractorError's own message, without yt-dlp's prefixes."""
    inner = exc
    exc_info = getattr(exc, "exc_info", None)
    if exc_info and len(exc_info) > 1 and isinstance(exc_info[1], BaseException):
        inner = exc_info[1]
    text = getattr(inner, "orig_msg", None) or str(inner)
    text = re.sub(r"^ERROR:\s*", "", text)
    text = re.sub(r"^\[[\w:]+\]\s*[\w-]+:\s*", "", text)
    return text.strip(), inner


def classify_ytdlp_error(exc: BaseException, *, log: Iterable[str] = ()) -> BlogTubeError:
    """Map a yt-dlp DownloadError/ExtractorError to our error, by its text.

    ``log`` is yt-dlp's warnings for this call: when every client fails, the
    final error only says "Failed to extract any player response" and the real
    reason (HTTP 429, a captcha...) is in the warnings before it.
    """
    reason, inner = _ytdlp_reason(exc)
    detail = str(exc)
    log = list(log)
    if log:
        detail += "\n" + "\n".join(log)

    # Warnings mention all sorts of words; trust them only for the network
    # verdicts (blocked, rate-limited) that a generic final error hides.
    verdict = _first_verdict(_YTDLP_RULES, reason) or _first_verdict(
        _YTDLP_NETWORK_RULES, "\n".join(log)
    )
    if verdict is not None:
        return verdict(detail)

    cause = getattr(inner, "cause", None)
    if isinstance(inner, TransportError) or isinstance(cause, TransportError):
        return unreachable(exc, detail)
    if getattr(inner, "expected", False):
        # An expected extractor error is YouTube telling us why it will not
        # play the video, in words we have no rule for: show them.
        short = _YTDLP_HINTS.sub("", reason).strip().rstrip(".")
        return VideoUnplayable(f"YouTube will not play this video: {short}.", detail=detail)
    return YouTubeError(detail=detail)


def classify_playlist_error(exc: BaseException, *, log: Iterable[str] = ()) -> BlogTubeError:
    """classify_ytdlp_error, worded for a playlist.

    yt-dlp's rules speak of "this video"; for a playlist page, any verdict
    that is about the content (gone, private, refused) means the playlist
    cannot be listed. Network verdicts (blocked, rate-limited, unreachable)
    stay as they are: they are about this server, not the playlist.
    """
    error = classify_ytdlp_error(exc, log=log)
    if isinstance(error, VideoUnavailable | VideoUnplayable | InvalidURL):
        reason, _ = _ytdlp_reason(exc)
        said = re.sub(r"^YouTube said:\s*", "", _YTDLP_HINTS.sub("", reason).strip())
        message = PlaylistUnavailable.message
        if said:
            message = f'This playlist is unavailable. YouTube says: "{said.rstrip(".")}".'
        return PlaylistUnavailable(message, detail=error.detail)
    return error


def classify_channel_error(
    exc: BaseException, *, log: Iterable[str] = (), name: str
) -> BlogTubeError:
    """classify_playlist_error, worded for the channel ``name`` (its handle or id).

    Network verdicts stay as they are: they are about this server, not the channel.
    """
    log = list(log)
    error = classify_playlist_error(exc, log=log)
    if isinstance(error, YouTubeBlocked | YouTubeRateLimited | YouTubeUnreachable):
        return error
    text = "\n".join([str(exc), *log])
    if re.search(r"does not have a videos tab", text, re.I):
        return ChannelUnavailable(
            f"The channel {name} has no videos tab: it has published no videos.", detail=text
        )
    # A handle nobody has: YouTube serves a 404 page, and its resolve_url API
    # then names nothing, which yt-dlp words as a question about a playlist.
    if isinstance(error, VideoUnavailable) or re.search(
        r"failed to resolve url|does not exist|http error 404", text, re.I
    ):
        return ChannelUnavailable(
            f"YouTube has no channel {name}: it may have been renamed, closed or never existed.",
            detail=text,
        )
    return error
