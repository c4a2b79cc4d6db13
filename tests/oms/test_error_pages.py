"""The 403, 404 and 500 pages: styled, translated, inside the layout (500 stands alone); the API keeps
its JSON error body; links are shown only to the roles that can follow them."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from marketplaces.models import QuarantinedOrder
from oms.views import server_error
from tests.factories import MarketplaceAccountFactory

pytestmark = pytest.mark.django_db


def test_a_404_is_in_the_layout_and_in_french(client, operator):
    client.force_login(operator)
    response = client.get("/orders/999999/", HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Cette page n’existe pas" in page and 'class="topbar"' in page and "Se déconnecter" in page
    assert "css/oms.css" in page


def test_a_403_is_in_the_layout(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("rules:list"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your role does not allow this" in page and 'class="topbar"' in page


def test_the_api_keeps_its_error_body(client, operator):
    client.force_login(operator)
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_500_page_needs_no_database_and_speaks_french(django_assert_num_queries):
    with translation.override("fr"), django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/orders/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Une erreur est survenue de notre côté" in page and "css/oms.css" in page


def test_the_quarantine_is_linked_only_for_those_who_may_open_it(client, operator, admin_user):
    account = MarketplaceAccountFactory(platform="mirakl")
    QuarantinedOrder.objects.create(account=account, marketplace_order_id="X-1", reason="bad", raw={})
    quarantine = reverse("marketplaces:quarantine")
    client.force_login(operator)
    page = client.get(reverse("marketplaces:accounts")).content.decode()
    assert "1 quarantined payload" in page and quarantine not in page
    client.force_login(admin_user)
    assert quarantine in client.get(reverse("marketplaces:accounts")).content.decode()


def test_the_api_s_error_messages_follow_accept_language(client, operator):
    client.force_login(operator)
    invalid = client.get("/api/v1/orders/?updated_since=yesterday", HTTP_ACCEPT_LANGUAGE="fr").json()["error"]
    assert invalid["code"] == "invalid" and invalid["message"] == "La requête n’est pas valide."
    missing = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="fr").json()["error"]
    assert missing["message"] == "Introuvable."
    english = client.get("/api/v1/orders/?updated_since=yesterday").json()["error"]
    assert english["message"] == "The request is not valid."
