from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from publishing import services
from publishing.forms import DestinationForm
from publishing.models import Destination


class DestinationAdminForm(DestinationForm):
    class Meta(DestinationForm.Meta):
        fields = ["owner", *DestinationForm.Meta.fields]

    def clean(self):
        self.owner = self.cleaned_data.get("owner") or self.owner
        return super().clean()


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    form = DestinationAdminForm
    list_display = ("name", "owner", "kind", "site_url", "secret_hint", "check_ok", "checked_at")
    list_filter = ("kind", "check_ok")
    search_fields = ("name", "site_url", "owner__username")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    readonly_fields = ("secret_hint", "checked_at", "check_ok", "check_message", "created")
    actions = ["check_selected"]

    @admin.display(description="Key")
    def secret_hint(self, obj: Destination) -> str:
        return obj.secret_hint

    @admin.action(description="Check the selected destinations")
    def check_selected(self, request: HttpRequest, queryset: QuerySet[Destination]) -> None:
        for destination in queryset[:20]:
            ok, message = services.check(destination)
            level = messages.SUCCESS if ok else messages.ERROR
            self.message_user(request, f"{destination.name}: {message}", level)
