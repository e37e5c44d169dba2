from __future__ import annotations

from django.contrib import admin, messages

from blogtube_site.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Revoke anyone's token (delete it); make one for someone, shown once on saving."""

    list_display = ("name", "user", "prefix", "created", "last_used")
    list_filter = ("user",)
    search_fields = ("name", "user__username", "prefix")
    fields = ("user", "name", "prefix", "created", "last_used")
    readonly_fields = ("prefix", "created", "last_used")

    def has_change_permission(self, request, obj=None) -> bool:
        # A token is made or revoked; changing whose it is would hand someone its rights.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj: ApiToken, form, change: bool) -> None:
        # Made by issue(), which alone knows the token: admin's form only names whose and why.
        row, token = ApiToken.issue(obj.user, obj.name)
        obj.pk, obj.prefix, obj.digest, obj.created = row.pk, row.prefix, row.digest, row.created
        messages.warning(
            request, f"The token for {obj.user}: {token} — copy it now, it is not shown again."
        )
