from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html

from blogtube_site.errors import BlogTubeError
from jobs import batches
from jobs import options as job_options
from jobs.models import Job
from jobs.services import JobRequest, validate_request
from providers import services as providers
from videos import services as videos

PRIORITIES = [("0", "Normal"), ("1", "High"), ("-1", "Low")]


class FlagInput(forms.CheckboxInput):
    """A checkbox that sends "false" (from a hidden input before it) when unticked.

    So "unticked" differs from "not sent at all": a client that posts only some
    fields gets each flag's default, and a flag that defaults to on can be turned off.
    """

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool | None:
        if name not in data:
            return None
        return super().value_from_datadict(data, files, name)

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer=None) -> str:
        hidden = format_html('<input type="hidden" name="{}" value="false">', name)
        return hidden + super().render(name, value, attrs, renderer)


def flag_field(key: str, label: str) -> forms.NullBooleanField:
    return forms.NullBooleanField(
        label=label, required=False, initial=job_options.DEFAULTS[key], widget=FlagInput
    )


class JobForm(forms.Form):
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
    language = forms.CharField(
        label="Transcript language",
        initial="en",
        required=False,
        max_length=50,
        help_text=(
            "A code such as en, or a preference list such as de,en. "
            "For an uploaded file, auto detects its language."
        ),
    )
    provider = forms.ModelChoiceField(queryset=None, empty_label=None, label="AI provider")
    model = forms.CharField(label="Model", required=False, max_length=200)
    style = forms.ChoiceField(
        choices=[(k, k.title()) for k in providers.STYLES], initial="article", required=False
    )
    custom_prompt = forms.CharField(
        label="Your prompt",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Placeholders: " + ", ".join("{" + p + "}" for p in providers.PLACEHOLDERS) + ".",
    )
    tone = forms.ChoiceField(
        label="Tone",
        choices=[(k, k.title()) for k in providers.TONES],
        initial=job_options.DEFAULTS["tone"],
        required=False,
        error_messages={
            "invalid_choice": "Unknown tone “%(value)s”. Choose one of: "
            + ", ".join(providers.TONES)
            + "."
        },
    )
    length = forms.ChoiceField(
        choices=[(k, k.title()) for k in providers.LENGTHS], initial="medium", required=False
    )
    write_language = forms.ChoiceField(
        label="Write the post in",
        choices=job_options.language_choices("Same as the transcript"),
        required=False,
    )
    toc = flag_field("toc", "Table of contents")
    timestamps = flag_field("timestamps", "Links to moments in the video")
    embed = flag_field("embed", "Watch-the-video embed (HTML)")
    force_speech = flag_field(
        "force_speech", "Transcribe the audio (speech-to-text) even when captions exist"
    )
    translate_to = forms.ChoiceField(
        label="Translate captions to",
        choices=job_options.language_choices("Don't translate"),
        required=False,
        help_text="YouTube's machine translation of the captions, before the post is written.",
    )
    output_format = forms.ChoiceField(
        label="Format",
        choices=Job.OutputFormat.choices,
        initial=Job.OutputFormat.MARKDOWN,
        required=False,
    )
    priority = forms.TypedChoiceField(
        choices=PRIORITIES, coerce=int, initial="0", required=False, empty_value=0
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers.enabled_providers()
        self.fields["provider"].initial = providers.default_provider()

    @property
    def selected_provider(self) -> providers.Provider | None:
        value = self["provider"].value()
        return self.fields["provider"].queryset.filter(pk=value).first() if value else None

    @property
    def playlist_id(self) -> str | None:
        url = self.cleaned_data.get("url", "") if hasattr(self, "cleaned_data") else ""
        return videos.playlist_id(url)

    @property
    def batch_kind(self) -> str | None:
        """Batch.Kind.PLAYLIST or CHANNEL when the URL names one: one job per video is possible."""
        url = self.cleaned_data.get("url", "") if hasattr(self, "cleaned_data") else ""
        return batches.kind_of(url)

    def wants_playlist(self) -> bool:
        return bool(self.cleaned_data.get("per_video") and self.batch_kind)

    def to_request(self, url: str | None = None) -> JobRequest:
        data = self.cleaned_data
        return JobRequest(
            provider=data["provider"],
            url=data.get("url", "") if url is None else url,
            transcript_file=data.get("transcript_file"),
            language=data.get("language", "en"),
            model=data.get("model", ""),
            output_format=data.get("output_format") or Job.OutputFormat.MARKDOWN,
            priority=data.get("priority") or 0,
            options=self.job_options(),
        )

    def job_options(self) -> dict[str, str | bool]:
        """Job.options as jobs.options defines them; a field not sent keeps its default."""
        data = self.cleaned_data
        chosen = {
            "style": data.get("style"),
            "length": data.get("length"),
            "tone": data.get("tone"),
            "custom_prompt": data.get("custom_prompt", "").strip(),
            "write_language": data.get("write_language", ""),
            "translate_to": data.get("translate_to", ""),
            **{key: data.get(key) for key in job_options.FLAGS},
        }
        defaults = job_options.DEFAULTS
        return {
            key: defaults[key] if value is None or value == "" else value
            for key, value in chosen.items()
        }

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
        if cleaned.get("transcript_file") is not None:
            # The file is the transcript: there are no captions to translate or audio to hear.
            for key in ("translate_to", "force_speech"):
                if cleaned.get(key):
                    self.add_error(key, "Only for YouTube videos: a file is used as it is.")
            if self.errors:
                return cleaned
        if self.wants_playlist():
            # The playlist is expanded when the jobs are created; only the rest is checked here.
            request = self.to_request(url="")
            request.transcript_file = None
            try:
                providers.check_configured(request.provider)
            except BlogTubeError as error:
                self.add_error("provider", " ".join([error.message, *error.suggestions]))
            return cleaned
        try:
            validate_request(self.to_request())
        except BlogTubeError as error:
            field = {
                "INVALID_URL": "url",
                "INVALID_TRANSCRIPT_FILE": "transcript_file",
                "PROVIDER_NOT_CONFIGURED": "provider",
            }.get(error.code)
            message = " ".join([error.message, *error.suggestions])
            if field == "url" and self.batch_kind:
                message = (
                    f"This is a {self.batch_kind}. Tick “Create one job per video” to write a "
                    "post for each of its videos, or paste the URL of one video."
                )
            self.add_error(field, message)
        return cleaned
