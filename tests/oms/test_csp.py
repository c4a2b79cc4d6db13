"""The Content-Security-Policy: scripts and styles from our origin only, and no template that needs more."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=|<style", re.IGNORECASE)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def assert_strict(response):
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/orders/", "/marketplaces/", "/rules/", "/audit/", "/admin/", "/api/docs/"])
def test_every_page_carries_the_strict_policy(client, admin_user, path):
    client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code == 200
    assert_strict(response)


def test_the_login_page_carries_the_policy_before_login(client):
    assert_strict(client.get("/accounts/login/"))


def templates():
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        yield from folder.rglob("*.html")


@pytest.mark.parametrize("template", sorted(templates()), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_has_inline_script_event_handler_or_style(template):
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text)
    assert not EVENT_HANDLER.search(text)
    assert not STYLE_ATTRIBUTE.search(text)


@pytest.mark.django_db
def test_the_api_docs_start_swagger_ui_from_a_script_url(client, viewer):
    client.force_login(viewer)
    html = client.get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert "<style" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
