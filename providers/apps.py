from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProvidersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "providers"

    def ready(self) -> None:
        from providers.health import sync_schedule

        # After every migrate, not in a data migration: the interval is a setting
        # that may change between runs, and django_q's tables must exist first.
        post_migrate.connect(sync_schedule, sender=self, dispatch_uid="providers.sync_schedule")
