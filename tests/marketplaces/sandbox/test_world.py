"""The world around the platforms: catalogue, demo accounts, ids, generation, snapshots, the CLI."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from marketplaces.sandbox.catalogue import CATALOGUE, is_valid_ean13
from marketplaces.sandbox.client import SandboxAdmin
from marketplaces.sandbox.demo import DEMO_ACCOUNTS, demo_account_urls
from marketplaces.sandbox.server import SandboxServer
from marketplaces.sandbox.testing import running_sandbox

from .support import new_account

REPO = Path(__file__).resolve().parents[3]
ID_FORMATS = {
    "amazon": r"\d{3}-\d{7}-\d{7}",
    "ebay": r"\d{2}-\d{5}-\d{5}",
    "mirakl": r"[A-Z]+\d{9}-A",
    "cdiscount": r"\d{10}[A-Z]{5}",
}


def test_catalogue_has_fifty_distinct_skus_with_valid_eans():
    assert len(CATALOGUE) == 50
    assert len({p.sku for p in CATALOGUE}) == 50 and len({p.ean for p in CATALOGUE}) == 50
    assert all(is_valid_ean13(p.ean) for p in CATALOGUE)
    assert not is_valid_ean13(CATALOGUE[0].ean[:12] + str((int(CATALOGUE[0].ean[12]) + 1) % 10))
    assert all(p.price > 0 and p.weight_grams > 0 and len(p.asin) == 10 for p in CATALOGUE)


def test_demo_accounts_cover_every_platform_and_operator():
    platforms = [a["platform"] for a in DEMO_ACCOUNTS]
    assert platforms.count("amazon") == 2 and platforms.count("cdiscount") == 1 and platforms.count("ebay") >= 1
    assert {a["operator"] for a in DEMO_ACCOUNTS if a["platform"] == "mirakl"} == {
        "fnac",
        "conforama",
        "boulanger",
        "leroymerlin",
    }
    assert {a["credentials"]["marketplace_id"] for a in DEMO_ACCOUNTS if a["platform"] == "amazon"} == {
        "A13V1IB3VIYZZH",
        "A1PA6795UKMFR9",
    }
    assert len({a["key"] for a in DEMO_ACCOUNTS}) == len(DEMO_ACCOUNTS)
    fnac = next(a for a in DEMO_ACCOUNTS if a["operator"] == "fnac")
    assert demo_account_urls("http://127.0.0.1:8765/", fnac) == {
        "api_base_url": "http://127.0.0.1:8765/mirakl/fnac",
        "auth_url": "",
    }
    cdiscount = next(a for a in DEMO_ACCOUNTS if a["platform"] == "cdiscount")
    assert (
        demo_account_urls("http://h:1", cdiscount)["auth_url"]
        == "http://h:1/octopia/auth/realms/maas/protocol/openid-connect/token"
    )


def test_order_ids_follow_each_platform_format(sandbox):
    for platform, pattern in ID_FORMATS.items():
        key, _ = new_account(sandbox, platform)
        orders = sandbox.admin.generate_orders(key, 20)
        assert all(re.fullmatch(pattern, o["id"]) for o in orders), platform
        assert len({o["id"] for o in orders}) == 20


def test_generated_orders_are_french_and_consistent(sandbox):
    key, _ = new_account(sandbox, "mirakl")
    orders = sandbox.admin.generate_orders(key, 30, realistic=True)
    assert all(
        o["shipping_address"]["country_code"] == "FR" and re.fullmatch(r"\d{5}", o["shipping_address"]["postal_code"])
        for o in orders
    )
    assert any(len(o["lines"]) > 1 for o in orders)
    assert {line["sku"] for o in orders for line in o["lines"]} <= {p.sku for p in CATALOGUE}
    assert all(is_valid_ean13(line["ean"]) for o in orders for line in o["lines"])


def test_an_explicit_zero_quantity_is_kept_for_bad_payload_tests(sandbox):
    key, creds = new_account(sandbox, "mirakl")
    order = sandbox.admin.generate_orders(key, 1, lines=1, quantity=0)[0]
    assert order["lines"][0]["quantity"] == 0
    headers = {"Authorization": creds["api_key"]}
    single = requests.get(f"{sandbox.url}/mirakl/fnac/api/orders/{order['id']}", headers=headers, timeout=10)
    assert single.status_code == 200 and single.json()["order_lines"][0]["quantity"] == 0


def test_background_generation_follows_the_configured_rate(sandbox):
    key, _ = new_account(sandbox, "amazon")
    sandbox.admin.set_generation(key, interval_seconds=60)
    sandbox.admin.freeze_clock()
    sandbox.server.tick()  # schedules the first order
    assert sandbox.admin.orders(key) == []
    for _ in range(4):
        sandbox.admin.advance_clock(91)
        sandbox.server.tick()
    assert len(sandbox.admin.orders(key)) == 4
    sandbox.admin.set_generation(key, interval_seconds=None)
    sandbox.admin.advance_clock(3600)
    sandbox.server.tick()
    assert len(sandbox.admin.orders(key)) == 4


def test_snapshot_keeps_orders_and_tokens_across_a_restart(tmp_path):
    state = str(tmp_path / "sandbox.json")
    with running_sandbox(state_path=state) as first:
        key, creds = new_account(first, "ebay")
        before = {o["id"] for o in first.admin.generate_orders(key, 5)}
        token = requests.post(
            f"{first.url}/ebay/identity/v1/oauth2/token",
            timeout=10,
            auth=(creds["client_id"], creds["client_secret"]),
            data={"grant_type": "refresh_token", "refresh_token": creds["refresh_token"]},
        ).json()["access_token"]
    assert json.loads(Path(state).read_text())["accounts"][0]["key"] == key
    with running_sandbox(state_path=state) as second:
        assert {o["id"] for o in second.admin.orders(key)} == before
        listed = requests.get(
            f"{second.url}/ebay/sell/fulfillment/v1/order", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert listed.status_code == 200 and listed.json()["total"] == 5
        after = {o["id"] for o in second.admin.generate_orders(key, 5)}
        assert after.isdisjoint(before)


def test_index_lists_accounts_with_their_urls_and_the_routes(sandbox):
    key, _ = new_account(sandbox, "mirakl", operator="boulanger")
    sandbox.admin.generate_orders(key, 2)
    index = requests.get(f"{sandbox.url}/_sandbox/", timeout=10).json()
    assert index["accounts"] == [
        {
            "key": key,
            "platform": "mirakl",
            "name": key,
            "orders": 2,
            "generation_interval_seconds": None,
            "api_base_url": f"{sandbox.url}/mirakl/boulanger",
            "auth_url": "",
        }
    ]
    assert "POST /_sandbox/faults" in index["admin_routes"]


def test_reset_forgets_everything(sandbox):
    key, _ = new_account(sandbox, "amazon")
    sandbox.admin.generate_orders(key, 2)
    sandbox.admin.reset()
    assert sandbox.admin.accounts() == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_command_line_demo_mode_generates_orders_and_saves_state(tmp_path):
    port, state = _free_port(), tmp_path / "state.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "marketplaces.sandbox",
            "--port",
            str(port),
            "--demo",
            "--demo-interval",
            "0.5",
            "--state",
            str(state),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        admin = SandboxAdmin(f"http://127.0.0.1:{port}", timeout=5)
        deadline = time.monotonic() + 30
        total = 0
        while time.monotonic() < deadline:
            try:
                total = sum(len(admin.orders(a["key"])) for a in admin.accounts())
            except requests.ConnectionError:
                total = 0
            if total >= len(DEMO_ACCOUNTS):
                break
            time.sleep(0.3)
        assert total >= len(DEMO_ACCOUNTS), "demo mode must produce orders within seconds"
        assert {a["key"] for a in admin.accounts()} == {a["key"] for a in DEMO_ACCOUNTS}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    assert process.returncode == 0, process.stderr.read().decode()
    saved = json.loads(state.read_text())
    assert sum(len(orders) for orders in saved["orders"].values()) >= total


def test_admin_api_rejects_unknown_routes_and_bad_input():
    server = SandboxServer(port=0).start()
    try:
        assert requests.get(f"{server.url}/_sandbox/nope", timeout=10).status_code == 404
        bad = requests.post(
            f"{server.url}/_sandbox/accounts", json={"platform": "amazon", "credentials": {}}, timeout=10
        )
        assert bad.status_code == 400 and "credentials" in bad.json()["error"]
        unknown_platform = requests.get(f"{server.url}/walmart/orders", timeout=10)
        assert unknown_platform.status_code == 404
    finally:
        server.stop()


def test_stop_also_ends_kept_alive_connections():
    server = SandboxServer(port=0).start()
    session = requests.Session()
    assert session.get(f"{server.url}/_sandbox/health", timeout=10).status_code == 200
    server.stop()
    try:
        answer = session.get(f"{server.url}/_sandbox/health", timeout=2)
    except requests.ConnectionError:
        answer = None
    assert answer is None, "a stopped sandbox must not keep answering on old connections"


def test_amazon_de_orders_ship_to_germany(sandbox):
    german = next(a for a in DEMO_ACCOUNTS if a["key"] == "amazon-de")
    sandbox.admin.create_account("amazon", german["credentials"], key="amazon-de")
    orders = sandbox.admin.generate_orders("amazon-de", 5)
    assert {o["shipping_address"]["country_code"] for o in orders} == {"DE"}
    assert all(re.fullmatch(r"\d{5}", o["shipping_address"]["postal_code"]) for o in orders)
