"""The connectors behave as `orders.platforms.CAPABILITIES` says, without calling the platform."""

import pytest

from marketplaces.connectors import CONNECTORS, AccountConfig, CancelLine, connector_for
from marketplaces.connectors.errors import UnsupportedAction
from orders import platforms

CREDENTIALS = {
    platforms.AMAZON: {
        "client_id": "a",
        "client_secret": "b",
        "refresh_token": "r",
        "seller_id": "s",
        "marketplace_id": "A13V1IB3VIYZZH",
    },
    platforms.EBAY: {"client_id": "a", "client_secret": "b", "refresh_token": "r"},
    platforms.MIRAKL: {"api_key": "k", "shop_id": "1"},
    platforms.CDISCOUNT: {"client_id": "a", "client_secret": "b", "seller_id": "1"},
}


def unreachable_connector(platform):
    # Port 1 answers nothing: a connector that tried the platform would fail with a transport error.
    return connector_for(
        AccountConfig(
            platform=platform,
            account_key="capabilities",
            api_base_url="http://127.0.0.1:1",
            auth_url="http://127.0.0.1:1/token",
            credentials=CREDENTIALS[platform],
            settings={"http_retries": 0},
        )
    )


def test_every_platform_has_a_connector_and_capabilities():
    assert set(CONNECTORS) == set(platforms.ALL) == set(platforms.CAPABILITIES)


@pytest.mark.parametrize("platform", [p for p in platforms.ALL if not platforms.CAPABILITIES[p].acceptance_step])
def test_no_acceptance_step_means_accept_and_refuse_are_refused_up_front(platform):
    connector = unreachable_connector(platform)
    with pytest.raises(UnsupportedAction):
        connector.accept_order(order_id="1", line_ids=["1"])
    with pytest.raises(UnsupportedAction):
        connector.refuse_order(order_id="1", line_ids=["1"], reason="no stock")


@pytest.mark.parametrize("platform", [p for p in platforms.ALL if not platforms.CAPABILITIES[p].line_level_cancel])
def test_whole_order_cancel_only_means_a_line_list_is_refused_up_front(platform):
    with pytest.raises(UnsupportedAction, match="whole orders only"):
        unreachable_connector(platform).cancel_order(order_id="1", reason="no stock", lines=[CancelLine("1", 1)])


def test_mirakl_rate_limits_are_the_platform_minimums():
    mirakl = platforms.CAPABILITIES[platforms.MIRAKL]
    limits = CONNECTORS[platforms.MIRAKL].rate_limits
    assert limits["OR11"] == (1 / mirakl.min_poll_interval.total_seconds(), 1) == (1 / 60, 1)
    assert limits["STO01"] == (1 / 60, 1)
