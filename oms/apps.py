from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OmsConfig(AppConfig):
    name = "oms"
    verbose_name = "OMS"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from oms import audit, heartbeat, roles
        from oms.access.models import AccountScope, ApiClient
        from oms.celery import app  # noqa: F401  (tasks sent from web processes use this app)

        # Users and roles: who may do what. A password change is recorded, never the hash.
        audit.track(
            get_user_model(),
            exclude=["last_login"],
            secret_fields=["password"],
            m2m_fields=["groups", "user_permissions"],
        )
        audit.track(Group, m2m_fields=["permissions"])
        # API clients: who got which scopes, and revocations; never the token's hash.
        audit.track(ApiClient, exclude=["last_used_at"], secret_fields=["token_hash"])
        audit.track(AccountScope, m2m_fields=["accounts"])

        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="oms-sync-roles")
        heartbeat.connect_beat_signal()
