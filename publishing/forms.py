"""The destination form of the Destinations page, admin and the API: every field checked
where it enters, the secret write-only."""

from __future__ import annotations

from typing import Any

from django import forms

from publishing import outbound
from publishing.destinations import KINDS
from publishing.errors import BadSiteURL
from publishing.models import Destination


class DestinationForm(forms.ModelForm):
    secret = forms.CharField(
        label="Key or application password",
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown again. WordPress: an application password; "
        "Ghost: the Admin API key (id:secret); dev.to: an API key. Left empty on a change: "
        "kept as it is.",
    )

    class Meta:
        model = Destination
        fields = ["name", "kind", "site_url", "username", "generator"]
        help_texts = {
            "site_url": "The site's address, e.g. https://blog.example.com. dev.to: leave empty.",
            "username": "WordPress only: the account the application password belongs to.",
        }

    def __init__(self, *args: Any, owner: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner if owner is not None else getattr(self.instance, "owner", None)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the destination a name.")
        others = Destination.objects.filter(owner=self.owner, name__iexact=name)
        if self.owner is not None and others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("You already have a destination of that name.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind_slug = data.get("kind")
        if kind_slug not in KINDS:
            return data
        kind = KINDS[kind_slug]
        url = data.get("site_url", "").strip()
        if url:
            try:
                data["site_url"] = outbound.site_url(url)
            except BadSiteURL as error:
                self.add_error("site_url", error.message)
        elif kind.needs_url:
            self.add_error("site_url", f"{kind.label} needs the site's address.")
        if kind.needs_username and not data.get("username", "").strip():
            self.add_error("username", f"{kind.label} needs the user name of the account.")
        if not kind.needs_username:
            data["username"] = ""
        if kind_slug == Destination.Kind.STATIC:
            data["generator"] = data.get("generator") or Destination.Generator.HUGO
        else:
            data["generator"] = ""
        secret = data.get("secret", "")
        if kind.needs_secret:
            if secret:
                try:
                    data["secret"] = kind.check_secret(secret)
                except ValueError as error:
                    self.add_error("secret", str(error))
            elif not self.instance.secret_encrypted or self.instance.kind != kind_slug:
                self.add_error("secret", f"{kind.label} needs its {kind.secret_label.lower()}.")
        return data

    def save(self, commit: bool = True) -> Destination:
        destination = super().save(commit=False)
        if self.owner is not None and not destination.owner_id:
            destination.owner = self.owner
        if self.cleaned_data.get("secret"):
            destination.set_secret(self.cleaned_data["secret"])
        if not destination.kind_class.needs_secret:
            destination.secret_encrypted = ""
        # New credentials or address: the last check says nothing about them.
        destination.checked_at, destination.check_ok, destination.check_message = None, None, ""
        if commit:
            destination.save()
        return destination
