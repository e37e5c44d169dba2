from __future__ import annotations

from django import forms

from blogtube_site.errors import BlogTubeError
from jobs import batches
from jobs.models import Job
from jobs.services import JobRequest, validate_request
from providers import services as providers
from providers.prompts import PLACEHOLDERS, validate_custom_prompt
from videos import services as videos

PRIORITIES = [("0", "Normal"), ("1", "High"), ("-1", "Low")]


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
        help_text=".srt, .vtt or .txt, up to 5 MB. With a file the URL is optional.",
        widget=forms.ClearableFileInput(attrs={"accept": ".srt,.vtt,.txt"}),
    )
    language = forms.CharField(
        label="Transcript language",
        initial="en",
        max_length=50,
        help_text="A code such as en, or a preference list such as de,en.",
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
        help_text="Placeholders: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS) + ".",
    )
    length = forms.ChoiceField(
        choices=[(k, k.title()) for k in providers.LENGTHS], initial="medium", required=False
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
            options={
                "style": data.get("style") or "article",
                "length": data.get("length") or "medium",
                "custom_prompt": data.get("custom_prompt", "").strip(),
            },
        )

    def clean_custom_prompt(self) -> str:
        prompt = self.cleaned_data.get("custom_prompt", "").strip()
        if prompt:
            try:
                validate_custom_prompt(prompt)
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
