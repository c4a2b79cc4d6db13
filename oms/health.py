"""/healthz: the state of the database, Redis, the Celery worker and beat (no auth)."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from oms import heartbeat


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as error:  # any failure is reported, never raised
        return {"ok": False, "error": error.__class__.__name__}


def _redis() -> dict:
    try:
        cache.get("healthz-probe")
        return {"ok": True}
    except Exception as error:
        return {"ok": False, "error": error.__class__.__name__}


def _heartbeat(key: str) -> dict:
    try:
        age = heartbeat.age_seconds(key)
    except Exception as error:
        return {"ok": False, "error": error.__class__.__name__}
    if age is None:
        return {"ok": False, "error": "never seen"}
    return {"ok": age <= settings.OMS_HEARTBEAT_MAX_AGE, "age_seconds": round(age, 1)}


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {
        "database": _database(),
        "redis": _redis(),
        "worker": _heartbeat(heartbeat.WORKER_KEY),
        "beat": _heartbeat(heartbeat.BEAT_KEY),
    }
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )
