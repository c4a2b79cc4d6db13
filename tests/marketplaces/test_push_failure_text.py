"""A failed push's stored text read back for the operator: our reason, the platform's words verbatim."""

import pytest
from django.utils import translation

from marketplaces.connectors.errors import InvalidRequest, RejectedByMarketplace, TransientError
from marketplaces.push_failures import explain, failure_text


def test_a_refusal_keeps_the_platforms_message_verbatim_and_its_code():
    said = "Order 12-A is not in state WAITING_ACCEPTANCE (current state: CANCELED) [see OR21]\nline 2"
    failure = explain(failure_text(RejectedByMarketplace(said, platform="mirakl", status=400, code="OR21-STATE")))
    assert failure.platform_message == said
    assert failure.code == "400 OR21-STATE"
    assert failure.reason == "The marketplace refused it." and failure.detail == ""


def test_out_of_attempts_is_said_so_and_a_status_repeated_as_code_is_said_once():
    failure = explain(str(TransientError("Service Unavailable", platform="mirakl", status=503, code="503")))
    assert (failure.reason, failure.platform_message, failure.code) == (
        "The marketplace did not answer after several attempts.",
        "Service Unavailable",
        "503",
    )


def test_our_own_refusal_and_our_own_bug_are_not_put_in_the_platforms_mouth():
    invalid = explain(failure_text(InvalidRequest("a shipment needs at least one line", platform="amazon")))
    assert invalid.reason == "It was not sent: the marketplace would refuse it."
    assert (invalid.platform_message, invalid.detail) == ("", "a shipment needs at least one line")
    bug = explain("KeyError: 'line_ids'")
    assert (bug.reason, bug.platform_message, bug.detail) == ("It could not be sent.", "", "KeyError: 'line_ids'")


@pytest.mark.parametrize("language, reason", [("fr", "La marketplace l’a refusé.")])
def test_the_reason_is_in_the_operators_language(language, reason):
    with translation.override(language):
        assert explain(failure_text(RejectedByMarketplace("Nope", platform="ebay", status=400))).reason == reason
