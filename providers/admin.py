from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from providers import health
from providers.models import ModelPrice, Provider


def _formfield(field: models.Field, **kwargs: object) -> forms.Field | None:
    # Typed addresses without a scheme are https, as Django 6 will assume.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ProviderForm(forms.ModelForm):
    # Write-only: the form never holds the stored key, so no page ever renders it.
    new_api_key = forms.CharField(
        label="API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Type a key to set or replace the stored one (it is encrypted before it is "
        "saved). Leave empty to keep what is there.",
    )
    clear_api_key = forms.BooleanField(
        label="Remove the stored key",
        required=False,
        help_text="Then the environment's key is used.",
    )

    class Meta:
        model = Provider
        formfield_callback = _formfield
        fields = (
            "name",
            "slug",
            "kind",
            "base_url",
            "default_model",
            "api_key_env",
            "enabled",
            "auto_enable",
            "fallback",
            "position",
        )

    def save(self, commit: bool = True) -> Provider:
        provider = super().save(commit=False)
        if self.cleaned_data.get("new_api_key"):
            provider.set_api_key(self.cleaned_data["new_api_key"])
        elif self.cleaned_data.get("clear_api_key"):
            provider.clear_api_key()
        if commit:
            provider.save()
        return provider


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    # Typed addresses without a scheme are https, as Django 6 will assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "name",
        "slug",
        "kind",
        "default_model",
        "key_status",
        "last_check",
        "enabled",
        "auto_enable",
        "fallback",
        "position",
    )
    list_editable = ("enabled", "fallback", "position")
    list_filter = ("kind", "enabled", "fallback")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("key_status",)
    actions = ["test_selected"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "base_url", "default_model")}),
        (
            "API key",
            {"fields": ("key_status", "new_api_key", "clear_api_key", "api_key_env")},
        ),
        ("Use", {"fields": ("enabled", "auto_enable", "fallback", "position")}),
    )

    @admin.display(description="API key")
    def key_status(self, obj: Provider) -> str:
        return obj.key_hint() if obj.pk else "—"

    @admin.display(description="Last check")
    def last_check(self, obj: Provider) -> str:
        check = obj.health_checks.order_by("-checked_at", "-id").first()
        if check is None:
            return "never"
        return f"OK, {check.latency_ms} ms" if check.ok else check.error_code or "down"

    @admin.action(description="Test selected providers")
    def test_selected(self, request: HttpRequest, queryset: QuerySet[Provider]) -> None:
        for provider in queryset:
            result = health.check(provider)
            if result.ok:
                self.message_user(
                    request, f"{provider.name}: OK in {result.latency_ms} ms.", messages.SUCCESS
                )
            else:
                self.message_user(
                    request,
                    f"{provider.name}: {result.error} ({result.error_code})",
                    messages.ERROR,
                )


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin):
    list_display = ("model", "input_usd_per_mtok", "output_usd_per_mtok", "as_of", "note")
    list_editable = ("input_usd_per_mtok", "output_usd_per_mtok", "as_of")
    search_fields = ("model",)
    ordering = ("model",)
