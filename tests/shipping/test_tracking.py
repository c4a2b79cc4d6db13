"""Each connector against the carrier sandbox over HTTP: tracking moves to delivered as time passes,
an exception shows, unknown numbers and wrong keys are refusals, a 5xx is a retryable outage."""

import pytest

from shipping.carriers import (
    DELIVERED,
    EXCEPTION,
    IN_TRANSIT,
    LABEL_CREATED,
    OUT_FOR_DELIVERY,
    RETURNED,
    Address,
    CarrierRefused,
    CarrierUnavailable,
    LabelRequest,
    ParcelSpec,
)
from shipping.clients import connector_for_account
from tests.shipping.conftest import SERVICES

CARRIERS = ["colissimo", "ups", "dhl_parcel"]
PARIS = Address(name="Camille Martin", line1="8 rue des Lilas", postal_code="75011", city="Paris", country="FR")
LYON = Address(name="Maison Dupré", line1="12 rue de la Soie", postal_code="69001", city="Lyon", country="FR")


def one_label(connector, code: str):
    product, label_format = SERVICES[code]
    request = LabelRequest(
        reference="OMS-0000042",
        product_code=product,
        sender=LYON,
        addressee=PARIS,
        parcels=[ParcelSpec(weight_grams=900)],
        label_format=label_format,
    )
    [label] = connector.create_labels(request)
    return label


@pytest.mark.parametrize("code", CARRIERS)
def test_tracking_moves_from_label_to_delivered(code, carrier_account, carrier_sandbox):
    connector = connector_for_account(carrier_account(code))
    label = one_label(connector, code)
    assert [event.status for event in connector.track(label.tracking_number)] == [LABEL_CREATED]

    carrier_sandbox.admin.advance(650)
    assert [event.status for event in connector.track(label.tracking_number)] == [LABEL_CREATED, IN_TRANSIT]

    carrier_sandbox.admin.advance(2100)
    events = connector.track(label.tracking_number)
    assert [event.status for event in events] == [LABEL_CREATED, IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED]
    assert events[0].at < events[1].at < events[2].at < events[3].at
    assert all(event.code and event.description for event in events)


@pytest.mark.parametrize("code", CARRIERS)
def test_a_delivery_problem_shows_as_an_exception_then_delivery_a_day_later(code, carrier_account, carrier_sandbox):
    connector = connector_for_account(carrier_account(code))
    label = one_label(connector, code)
    carrier_sandbox.admin.make_exception(label.tracking_number)

    carrier_sandbox.admin.advance(2000)
    assert [event.status for event in connector.track(label.tracking_number)] == [LABEL_CREATED, IN_TRANSIT, EXCEPTION]

    carrier_sandbox.admin.advance(90_000)
    assert connector.track(label.tracking_number)[-1].status == DELIVERED


@pytest.mark.parametrize("code", CARRIERS)
def test_a_returned_parcel_shows_the_problem_then_the_return_to_sender(code, carrier_account, carrier_sandbox):
    connector = connector_for_account(carrier_account(code))
    label = one_label(connector, code)
    carrier_sandbox.admin.make_return(label.tracking_number)

    carrier_sandbox.admin.advance(92_000)
    events = connector.track(label.tracking_number)
    assert [event.status for event in events] == [LABEL_CREATED, IN_TRANSIT, EXCEPTION, RETURNED]
    assert carrier_sandbox.admin.parcel(label.tracking_number)["steps"][-1] == "returned"


@pytest.mark.parametrize("code", CARRIERS)
def test_an_unknown_number_is_a_refusal_and_a_5xx_an_outage(code, carrier_account, carrier_sandbox):
    connector = connector_for_account(carrier_account(code))
    with pytest.raises(CarrierRefused) as refused:
        connector.track("1Z999AA10123456784" if code == "ups" else "6A99999999999")
    assert refused.value.status == 404

    carrier_sandbox.admin.add_fault(code, 503, operation="track")
    with pytest.raises(CarrierUnavailable) as unavailable:
        connector.track("6A99999999999")
    assert unavailable.value.status == 503


@pytest.mark.parametrize(
    ("code", "credentials"),
    [
        ("ups", {"client_id": "ups-sandbox-client", "client_secret": "wrong", "shipper_number": "A1B2C3"}),
        (
            "dhl_parcel",
            {
                "api_key": "dhl-sandbox-api-key",
                "user": "user-valid",
                "password": "wrong",
                "billing_number": "33333333330101",
            },
        ),
    ],
)
def test_wrong_credentials_are_refused(code, credentials, carrier_account):
    connector = connector_for_account(carrier_account(code, credentials=credentials))
    with pytest.raises(CarrierRefused) as refused:
        one_label(connector, code)
    assert refused.value.status == 401


def test_a_ups_token_is_reused_until_it_expires(carrier_account, carrier_sandbox):
    connector = connector_for_account(carrier_account("ups"))
    one_label(connector, "ups")
    one_label(connector, "ups")
    assert len(carrier_sandbox.server.world.tokens) == 1


def test_dhl_says_which_field_it_refuses(carrier_account):
    connector = connector_for_account(carrier_account("dhl_parcel"))
    request = LabelRequest(
        reference="OMS-0000042",
        product_code="V01PAK",
        sender=LYON,
        addressee=PARIS,
        parcels=[ParcelSpec(weight_grams=40_000)],
    )
    with pytest.raises(CarrierRefused, match=r"at most 31\.5 kg"):
        connector.create_labels(request)


def test_an_expired_ups_token_is_renewed(carrier_account, carrier_sandbox):
    connector = connector_for_account(carrier_account("ups"))
    label = one_label(connector, "ups")
    carrier_sandbox.admin.advance(20_000)  # past the token's 14,399 s

    assert connector.track(label.tracking_number)[-1].status == DELIVERED
    assert len(carrier_sandbox.server.world.tokens) == 2
