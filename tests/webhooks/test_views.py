"""The Webhooks pages: add an endpoint, see its secret once, send a test event, read the delivery log."""

import pytest
from django.test import Client
from django.utils import translation

from oms import outbox
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(admin_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(admin_user)
    return client


def test_an_admin_adds_an_endpoint_sends_a_test_event_and_reads_the_log(browser, receiver):
    page = browser.get("/webhooks/")
    assert "Nouveau point de réception" in page.content.decode()

    response = browser.post(
        "/webhooks/", {"url": receiver.url, "events": ["order.created"], "active": "on"}, follow=True
    )
    endpoint = Endpoint.objects.get()
    text = response.content.decode()
    assert endpoint.secrets[0] in text  # shown once, on the way to the endpoint's page

    browser.post(f"/webhooks/{endpoint.pk}/test/")
    assert receiver.requests == []  # never inside the web request: a worker sends it
    outbox.drain()
    [event] = receiver.accepted
    assert event["type"] == "webhook.test"

    log = browser.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "webhook.test" in log and "HTTP 200" in log
    assert endpoint.secrets[0] not in log


def test_rotation_from_the_page(browser):
    browser.post("/webhooks/", {"url": "https://erp.example.com/h", "events": ["stock.low"], "active": "on"})
    endpoint = Endpoint.objects.get()
    browser.post(f"/webhooks/{endpoint.pk}/rotate-secret/")
    endpoint.refresh_from_db()
    assert endpoint.rotating
    with translation.override("fr"):
        page = browser.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "Terminer la rotation" in page
    browser.post(f"/webhooks/{endpoint.pk}/finish-rotation/")
    endpoint.refresh_from_db()
    assert not endpoint.rotating


def test_unknown_events_are_refused_in_the_form(browser):
    response = browser.post("/webhooks/", {"url": "https://erp.example.com/h", "events": ["order.exploded"]})
    assert response.status_code == 200
    assert not Endpoint.objects.exists()
