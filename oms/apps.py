from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OmsConfig(AppConfig):
    name = "oms"
    verbose_name = "OMS"

    def ready(self) -> None:
        from oms import heartbeat, roles
        from oms.celery import app  # noqa: F401  (tasks sent from web processes use this app)

        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="oms-sync-roles")
        heartbeat.connect_beat_signal()
