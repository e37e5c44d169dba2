from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.html import format_html

from blogtube_site.errors import BlogTubeError
from blogtube_site.nul_characters import NUL
from blogtube_site.query_params import whole_number
from jobs import batches
from jobs import options as job_options
from jobs.models import Job
from jobs.services import JobRequest, validate_request
from providers import services as providers
from videos import services as videos

PRIORITIES = [("0", "Normal"), ("1", "High"), ("-1", "Low")]
# ISO 639 with optional subtags (pt-BR, zh-Hans); enough to refuse typos and prose.
_CODE = r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"
LANGUAGE_CODE = re.compile(rf"^{_CODE}$")
# The transcript's language: a code, a preference list ("de, en") or auto, in any case.
LANGUAGE_LIST = re.compile(rf"^(?:[Aa][Uu][Tt][Oo]|{_CODE}(?:\s*,\s*{_CODE})*)$")
# What a reprocess keeps as it was: the transcript is the stored one, so how it was
# fetched cannot change, and neither do the output format and the queue position.
KEPT_BY_REPROCESS = ("language", "force_speech", "translate_to", "output_format", "priority")


def parse_flag(value: object) -> bool:
    """On or off, from a checkbox ("on", the hidden "false"), a JSON bool or a CLI switch."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("", "0", "false", "off", "no"):
        return False
    raise forms.ValidationError("“%(value)s” is not on or off.", params={"value": value})


def ticked(value: object) -> bool:
    try:
        return parse_flag(value)
    except forms.ValidationError:
        return False


# Regular expressions, not code: the API's OpenAPI document shows each field's (jobs/api/bodies.py).
check_language_code = RegexValidator(
    LANGUAGE_CODE, "“%(value)s” is not a language code such as en, de or pt-BR."
)
check_language_list = RegexValidator(
    LANGUAGE_LIST, "“%(value)s” is not a language code such as en, a list such as de,en, or auto."
)


class FlagInput(forms.CheckboxInput):
    """A checkbox that sends "false" (from a hidden input before it) when unticked.

    So "unticked" differs from "not sent at all": a client that posts only some
    fields gets each flag's default, and a flag that defaults to on can be turned off.
    The raw value goes to FlagField, which refuses what is neither on nor off.
    """

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, check_test=ticked)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> object:
        # The last value: a ticked box's comes after its hidden "false".
        return data.get(name)

    def format_value(self, value: Any) -> None:
        return None  # no value attribute: a ticked box sends "on", whatever it was bound to

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer=None) -> str:
        hidden = format_html('<input type="hidden" name="{}" value="false">', name)
        return hidden + super().render(name, value, attrs, renderer)


class FlagField(forms.Field):
    """On or off; None when not sent, so the caller's default applies."""

    widget = FlagInput

    def __init__(self, key: str, label: str) -> None:
        super().__init__(label=label, required=False, initial=job_options.DEFAULTS[key])

    def to_python(self, value: object) -> bool | None:
        return None if value is None else parse_flag(value)


def choice_field(key: str, label: str, choices: list[tuple[str, str]], **kwargs: Any):
    """A fixed-list choice whose refusal names the list (the same words on the CLI)."""
    values = ", ".join(str(value) for value, _ in choices)
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=False,
        error_messages={"invalid_choice": f"Unknown {key} “%(value)s”. Choose one of: {values}."},
        **kwargs,
    )


def language_field(label: str, empty_label: str, **kwargs: Any) -> forms.CharField:
    """Any language code; the form offers the common ones, a client may send another."""
    return forms.CharField(
        label=label,
        required=False,
        validators=[check_language_code],
        widget=forms.Select(choices=job_options.language_choices(empty_label)),
        **kwargs,
    )


class OfferedChoices(forms.models.ModelChoiceIterator):
    """The select's options from the providers the form read once: Django's own iterator asks
    the queryset again for the options and again for the first one (the required attribute)."""

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for provider in self.field.offered:
            yield self.choice(provider)

    def __len__(self) -> int:
        return len(self.field.offered) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        return len(self) > 0


class ProviderField(forms.ModelChoiceField):
    """An enabled provider by id (the web's select) or slug (the CLI); none sent: the default."""

    iterator = OfferedChoices

    def __init__(self) -> None:
        # The form offers them (offer()): offered_providers() asks the database at once.
        self.offered: list[providers.Provider] = []
        super().__init__(
            queryset=None,
            empty_label=None,
            label="AI provider",
            required=False,
        )

    def offer(self, offered: list[providers.Provider]) -> None:
        self.offered = offered
        self.queryset = providers.Provider.objects.filter(pk__in=[p.pk for p in offered])

    def to_python(self, value: object) -> providers.Provider | None:
        if value in self.empty_values:
            return None
        if isinstance(value, providers.Provider):
            value = value.pk
        text = str(value).strip()
        pk = whole_number(text)
        # No slug holds a NUL, and PostgreSQL refuses to compare text that does (the CLI has
        # no middleware refusing it first, as the web has).
        lookup = {"slug": text} if pk is None else {"pk": pk}
        found = None if NUL in text else self.queryset.filter(**lookup).first()
        if (
            found is None
            and NUL not in text
            and (known := providers.Provider.objects.filter(**lookup).first())
        ):
            # A provider that exists but is not offered: say why, and how to offer it.
            raise forms.ValidationError(providers.not_offered_because(known), code="invalid_choice")
        if found is None:
            known = ", ".join(self.queryset.values_list("slug", flat=True))
            raise forms.ValidationError(
                "Unknown provider “%(value)s”. Choose one of: %(known)s.",
                code="invalid_choice",
                params={"value": text, "known": known},
            )
        return found

    def clean(self, value: object) -> providers.Provider:
        return super().clean(value) or providers.default_provider()


def titled(names: Iterable[str]) -> list[tuple[str, str]]:
    return [(name, name.title()) for name in names]


class JobOptionsForm(forms.Form):
    """How a job is written and how its transcript is fetched, checked once for every door:
    the New post page (JobForm), reprocess (ReprocessForm), the CLI and any API.

    Takes a QueryDict or a plain dict; each error belongs to the field it is about.
    ``uploads`` tells whether the transcript is a file rather than a YouTube video.
    """

    language = forms.CharField(
        label="Transcript language",
        initial="en",
        required=False,
        # The column's length: a longer list would be a database error, not the person's.
        max_length=Job._meta.get_field("language").max_length,
        validators=[check_language_list],
        help_text=(
            "A code such as en, or a preference list such as de,en. "
            "For an uploaded file, auto detects its language."
        ),
    )
    provider = ProviderField()
    model = forms.CharField(label="Model", required=False, max_length=200)
    style = choice_field("style", "Style", titled(providers.STYLES), initial="article")
    custom_prompt = forms.CharField(
        label="Your prompt",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Placeholders: " + ", ".join("{" + p + "}" for p in providers.PLACEHOLDERS) + ".",
    )
    tone = choice_field("tone", "Tone", titled(providers.TONES), initial="neutral")
    length = choice_field("length", "Length", titled(providers.LENGTHS), initial="medium")
    write_language = language_field("Write the post in", "Same as the transcript")
    toc = FlagField("toc", "Table of contents")
    timestamps = FlagField("timestamps", "Links to moments in the video")
    embed = FlagField("embed", "Watch-the-video embed (HTML)")
    pictures = FlagField("pictures", "Pictures from the video (cover and a frame per section)")
    force_speech = FlagField(
        "force_speech", "Transcribe the audio (speech-to-text) even when captions exist"
    )
    translate_to = language_field(
        "Translate captions to",
        "Don't translate",
        help_text="YouTube's machine translation of the captions, before the post is written.",
    )
    output_format = choice_field(
        "format", "Format", Job.OutputFormat.choices, initial=Job.OutputFormat.MARKDOWN
    )
    priority = forms.TypedChoiceField(
        choices=PRIORITIES, coerce=int, initial="0", required=False, empty_value=0
    )

    def __init__(self, *args: Any, uploads: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._uploads = uploads
        # The select lists them anyway: read them once, and the default among them.
        offered = providers.offered_providers()
        self.fields["provider"].offer(offered)
        self.fields["provider"].initial = providers.default_provider(offered)

    @property
    def uploads(self) -> bool:
        return self._uploads

    @property
    def providers_waiting_for_key(self) -> list[providers.Provider]:
        """Those the form would offer once their key is set: the hint under the select."""
        return providers.waiting_for_key()

    @property
    def selected_provider(self) -> providers.Provider | None:
        try:
            return self.fields["provider"].to_python(self["provider"].value())
        except forms.ValidationError:
            return None

    def job_options(self) -> dict[str, str | bool]:
        """Job.options as jobs.options defines them; a field not sent keeps its default."""
        data = self.cleaned_data
        return {
            key: default if data.get(key) is None or data.get(key) == "" else data[key]
            for key, default in job_options.DEFAULTS.items()
            if key in self.fields
        }

    def to_request(self, url: str = "", transcript_file: Any = None) -> JobRequest:
        data = self.cleaned_data
        return JobRequest(
            provider=data["provider"],
            url=url,
            transcript_file=transcript_file,
            language=data.get("language", "en"),
            model=data.get("model", ""),
            output_format=data.get("output_format") or Job.OutputFormat.MARKDOWN,
            priority=data.get("priority") or 0,
            options=self.job_options(),
        )

    def clean_language(self) -> str:
        # Not sent: English, as the page fills in. Sent empty: an upload's language is detected.
        if "language" not in self.data:
            return "en"
        return self.cleaned_data["language"]

    def clean_custom_prompt(self) -> str:
        prompt = self.cleaned_data.get("custom_prompt", "").strip()
        if prompt:
            try:
                providers.validate_custom_prompt(prompt)
            except ValueError as error:
                raise forms.ValidationError(str(error)) from None
        return prompt

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("style") == "custom" and not cleaned.get("custom_prompt"):
            self.add_error("custom_prompt", "Write the prompt for the custom style.")
            return cleaned
        if self.uploads:
            # The file is the transcript: there are no captions to translate or audio to hear.
            for key in ("translate_to", "force_speech"):
                if cleaned.get(key):
                    self.add_error(key, "Only for YouTube videos: a file is used as it is.")
            if self.errors:
                return cleaned
        try:
            providers.check_configured(cleaned["provider"])
        except BlogTubeError as error:
            self.add_error("provider", " ".join([error.message, *error.suggestions]))
            return cleaned
        if not cleaned.get("model"):
            # A local server's default may not be pulled: the one it has, then.
            chosen = providers.model_to_use(cleaned["provider"])
            if chosen != cleaned["provider"].effective_model:
                cleaned["model"] = chosen
        return cleaned


class ReprocessForm(JobOptionsForm):
    """Another writing of a job's stored transcript: what is not sent stays as the job had it."""

    def __init__(self, job: Job, data: Mapping[str, Any] | None = None) -> None:
        current: dict[str, Any] = {"provider": job.provider_id, **job.all_options}
        if data is not None:
            # QueryDict.get gives the last value: a ticked box's comes after its hidden "false".
            data = {**current, **{key: data.get(key) for key in data}}
        # An empty model is the provider's default, so it is never filled in from the job.
        super().__init__(data, initial=current, uploads=False, auto_id="rp-%s")
        self.job = job
        for name in KEPT_BY_REPROCESS:
            del self.fields[name]
        self.fields["model"].widget.attrs["placeholder"] = job.model or "default"
        if current["style"] != "custom":
            # The page has no prompt box: it offers the custom style only to a job that has one.
            style = self.fields["style"]
            style.widget.choices = [c for c in style.choices if c[0] != "custom"]

    def changes(self) -> dict[str, Any]:
        """What services.reprocess changes: the provider, the model, the options that differ."""
        data, job = self.cleaned_data, self.job
        changes: dict[str, Any] = {}
        if data["provider"] != job.provider:
            changes["provider"] = data["provider"]
            changes["model"] = data["provider"].default_model
        if data.get("model"):
            changes["model"] = data["model"]
        current = job.all_options
        options = {k: v for k, v in self.job_options().items() if v != current[k]}
        if options:
            changes["options"] = options
        return changes


class JobForm(JobOptionsForm):
    """The New post page: the options, and what the post is written from."""

    field_order = ["url", "per_video", "transcript_file"]

    url = forms.CharField(
        label="YouTube URL",
        required=False,
        max_length=500,
    )
    per_video = forms.BooleanField(label="Create one job per video of the playlist", required=False)
    transcript_file = forms.FileField(
        label="Or upload a transcript",
        required=False,
        help_text=(
            ".srt, .vtt, .txt or YouTube .json (json3), up to 5 MB. "
            "With a file the URL is optional."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".srt,.vtt,.txt,.json"}),
    )

    @property
    def uploads(self) -> bool:
        return self.cleaned_data.get("transcript_file") is not None

    @property
    def playlist_id(self) -> str | None:
        url = self.cleaned_data.get("url", "") if hasattr(self, "cleaned_data") else ""
        return videos.playlist_id(url)

    @property
    def batch_kind(self) -> str | None:
        """Batch.Kind.PLAYLIST or CHANNEL when the URL names one: one job per video is possible."""
        url = self.cleaned_data.get("url", "") if hasattr(self, "cleaned_data") else ""
        return batches.kind_of(url)

    def clean_transcript_file(self) -> Any:
        upload = self.cleaned_data.get("transcript_file")
        if upload is not None:
            try:
                # Before it is read: what is over the limit never reaches memory.
                videos.check_transcript_size(upload.name, upload.size)
            except BlogTubeError as error:
                raise forms.ValidationError(" ".join([error.message, *error.suggestions])) from None
        return upload

    def wants_playlist(self) -> bool:
        return bool(self.cleaned_data.get("per_video") and self.batch_kind)

    def to_request(self, url: str | None = None, transcript_file: Any = None) -> JobRequest:
        """The request for what the form was given; a batch passes each video's URL."""
        data = self.cleaned_data
        return super().to_request(
            url=data.get("url", "") if url is None else url,
            transcript_file=transcript_file or data.get("transcript_file"),
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        # The playlist is expanded when the jobs are created; only the options are checked here.
        if self.errors or self.wants_playlist():
            return cleaned
        try:
            validate_request(self.to_request())
        except BlogTubeError as error:
            field = {
                "INVALID_URL": "url",
                "INVALID_TRANSCRIPT_FILE": "transcript_file",
            }.get(error.code)
            message = " ".join([error.message, *error.suggestions])
            if field == "url" and self.batch_kind:
                message = (
                    f"This is a {self.batch_kind}. Tick “Create one job per video” to write a "
                    "post for each of its videos, or paste the URL of one video."
                )
            self.add_error(field, message)
        return cleaned
