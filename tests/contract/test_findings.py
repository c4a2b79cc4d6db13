"""What an integrator found with the schema and well-known tools, each answered as the contract says."""

import datetime as dt

import pytest
import yaml
from django.test import RequestFactory

from oms.views import server_error
from orders.status import OrderStatus
from rules.models import Rule
from tests.factories import make_order
from tests.rules.conftest import add_rule

FAR_OFFSET = "2026-01-01T00:00:00-23:00"


def _error(response, status):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/orders/?updated_since={FAR_OFFSET}",
        f"/api/v1/orders/?purchased_after={FAR_OFFSET}",
        f"/api/v1/orders/?ship_by_before={FAR_OFFSET}",
        "/api/v1/orders/?accept_by_before=0001-01-01T00:00:00%2B01:00",  # before year 1 in UTC
        f"/api/v1/stock-movements/?since={FAR_OFFSET}",
        "/api/v1/orders/?updated_since=",
        "/api/v1/orders/?country=",
        "/api/v1/orders/?flagged=u",
        "/api/v1/orders/?cursor=bz1hYmM%3D",  # "o=abc": not an offset
        "/api/v1/orders/?cursor=",
        "/api/v1/orders/?page_size=0",
        "/api/v1/stock/?page_size=null",
    ],
)
def test_a_filter_that_cannot_be_applied_answers_400_in_the_error_body(admin_api, url):
    assert _error(admin_api.get(url.replace("+", "%2B")), 400)["code"] == "invalid"


@pytest.mark.django_db
def test_an_instant_with_an_offset_is_compared_in_utc(viewer_api, account):
    order = make_order(account=account)
    east, west = dt.timezone(dt.timedelta(hours=15, minutes=59)), dt.timezone(-dt.timedelta(hours=15, minutes=59))
    before = (order.updated_at - dt.timedelta(minutes=1)).astimezone(east).isoformat()
    after = (order.updated_at + dt.timedelta(minutes=1)).astimezone(west).isoformat()
    assert [row["id"] for row in viewer_api.get("/api/v1/orders/", {"updated_since": before}).json()["results"]] == [
        order.pk
    ]
    assert viewer_api.get("/api/v1/orders/", {"updated_since": after}).json()["results"] == []


@pytest.mark.django_db
def test_the_queue_page_shows_a_far_offset_as_a_filter_error_not_a_crash(client, operator):
    client.force_login(operator)
    response = client.get("/orders/", {"updated_since": FAR_OFFSET, "ship_by_before": FAR_OFFSET})
    assert response.status_code == 200
    assert "updated_since" in response.context["filter"].errors


@pytest.mark.django_db
def test_a_nul_byte_in_a_path_is_not_found(admin_api):
    assert _error(admin_api.get("/api/v1/stock/%00/"), 404)["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/orders/0.5/", "/api/v1/rules/abc/enable/", "/api/v1/no-such-thing/"])
def test_a_path_outside_the_routes_answers_the_error_body(admin_api, url):
    response = admin_api.get(url) if "enable" not in url else admin_api.post(url)
    assert _error(response, 404)["code"] == "not_found"


@pytest.mark.django_db
def test_outside_the_api_a_missing_page_stays_html(client, operator):
    client.force_login(operator)
    response = client.get("/orders/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_too_many_fields_answer_400_in_the_error_body(admin_api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"f{index}=1" for index in range(20))
    assert _error(admin_api.get(f"/api/v1/orders/?{query}"), 400)["code"] == "bad_request"


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[]", "null", '"name"'])
def test_a_rule_patch_that_is_not_an_object_answers_400(admin_api, admin_user, body):
    rule = add_rule(name="Tag all", conditions=[{"type": "stock"}], created_by=admin_user)
    response = admin_api.generic("PATCH", f"/api/v1/rules/{rule.pk}/", body, content_type="application/json")
    _error(response, 400)
    assert Rule.objects.get(pk=rule.pk).name == "Tag all"


@pytest.mark.django_db
def test_request_bodies_are_json_only(operator_api):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    response = operator_api.post(f"/api/v1/orders/{order.pk}/accept/", {"reason": "ok"}, format="multipart")
    assert _error(response, 415)["code"] == "unsupported_media_type"


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{"reason": 0}, {"reason": True}, {"reason": ["x"]}])
def test_a_reason_must_be_text(operator_api, body):
    order = make_order(status=OrderStatus.ACCEPTED)
    response = operator_api.post(f"/api/v1/orders/{order.pk}/cancel/", body)
    assert _error(response, 400)["details"]["reason"]
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED


@pytest.mark.django_db
def test_shipping_with_a_carrier_the_marketplaces_do_not_know_is_refused(operator_api):
    order = make_order(status=OrderStatus.ACCEPTED)
    response = operator_api.post(f"/api/v1/orders/{order.pk}/ship/", {"carrier": "pigeon", "tracking_number": "X1"})
    assert _error(response, 400)["details"]["carrier"]
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED


def test_an_unexpected_error_under_the_api_answers_the_error_body():
    response = server_error(RequestFactory().get("/api/v1/orders/"))
    assert response.status_code == 500 and b'"code": "server_error"' in response.content
    assert server_error(RequestFactory().get("/orders/"))["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_the_schema_says_what_responses_carry(viewer_api):
    schema = yaml.safe_load(viewer_api.get("/api/schema/").content)
    components = schema["components"]["schemas"]
    assert components["Order"]["properties"]["assignee"]["nullable"] is True
    assert {"colissimo", "ups"} <= set(components["CarrierEnum"]["enum"])
    assert {"amazon", "mirakl"} <= set(components["PlatformEnum"]["enum"])
    assert "pending_acceptance" in components["StatusEnum"]["enum"]
    accept = schema["paths"]["/api/v1/orders/{id}/accept/"]["post"]
    assert list(accept["requestBody"]["content"]) == ["application/json"]
    assert "Idempotent-Replayed" in accept["responses"]["200"]["headers"]
    for path in schema["paths"].values():
        for operation in path.values():
            assert set(operation.get("requestBody", {}).get("content", {})) <= {"application/json"}
    listing = schema["paths"]["/api/v1/orders/"]["get"]
    assert "400" in listing["responses"]
    updated_since = next(p for p in listing["parameters"] if p["name"] == "updated_since")
    assert updated_since["schema"]["format"] == "date-time" and "pattern" in updated_since["schema"]
