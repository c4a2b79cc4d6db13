"""The project's promises about itself: deploy checks, migrations in step, a valid OpenAPI schema."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
import yaml
from django.core.management import call_command
from openapi_spec_validator import validate

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
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "oms.settings", "DJANGO_DEBUG": "0", "DATABASE_URL": workers.test_database_url()}
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
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert "marketplaces.W001" in result.stdout + result.stderr
