"""The project's settings with what a test run needs: plain HTTP, fast hashing, its own cache keys."""

import os

os.environ.setdefault("OMS_ALLOW_INSECURE_KEY", "1")

from oms.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Cache keys and the task queue of a test run never mix with a `make run` on the same Redis;
# worker processes started by a test inherit OMS_CACHE_PREFIX and so share the test's keys.
CACHES["default"]["KEY_PREFIX"] = os.environ.setdefault("OMS_CACHE_PREFIX", f"oms-test-{os.getpid()}")  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = os.environ.setdefault("OMS_TEST_QUEUE", f"oms-test-{os.getpid()}")
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# The demo loader's commands (`generate_orders`) are tested too; production never installs them.
if "demo" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS.append("demo")  # noqa: F405
# The suite and the schemathesis runs make many calls as one user: rates no test trips unless it
# lowers them itself (tests/oms/test_throttling.py).
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"user": "100000/minute", "anon": "100000/minute", "bad_credentials": "100000/minute"},
}
