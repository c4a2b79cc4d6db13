from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def credentials_keys_configured(app_configs, **kwargs):
    if settings.OMS_CREDENTIALS_KEYS:
        return []
    return [
        Warning(
            "OMS_CREDENTIALS_KEYS is not set: marketplace credentials are encrypted with a key derived "
            "from SECRET_KEY, so changing SECRET_KEY would make them unreadable.",
            hint="Set OMS_CREDENTIALS_KEYS to one or more Fernet keys (newest first).",
            id="marketplaces.W001",
        )
    ]
