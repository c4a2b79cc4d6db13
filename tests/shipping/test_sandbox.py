"""The carrier sandbox on the wire: what each carrier answers, its admin API, and no Django inside."""

import subprocess
import sys

import requests

from shipping.sandbox.accounts import COLISSIMO_API_KEY, DHL_API_KEY, DHL_PASSWORD, DHL_USER
from tests.workers import ROOT

LABEL = "/colissimo/sls-ws/SlsServiceWSRest/2.0/generateLabel"


def colissimo_body(printing_type="ZPL_10x15_203dpi", product="DOM"):
    return {
        "outputFormat": {"x": 0, "y": 0, "outputPrintingType": printing_type},
        "letter": {
            "service": {"productCode": product, "depositDate": "2026-11-30"},
            "parcel": {"weight": 0.8},
            "addressee": {
                "address": {
                    "lastName": "Martin",
                    "line2": "8 rue des Lilas",
                    "zipCode": "75011",
                    "city": "Paris",
                    "countryCode": "FR",
                }
            },
        },
    }


def test_colissimo_answers_a_multipart_with_json_infos_and_the_label(carrier_sandbox):
    response = requests.post(
        carrier_sandbox.url + LABEL, json=colissimo_body(), headers={"apiKey": COLISSIMO_API_KEY}, timeout=10
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("multipart/mixed; boundary=")
    assert b"Content-ID: <jsonInfos>" in response.content and b"Content-ID: <label>" in response.content
    assert b"^XA" in response.content and b"^BCN" in response.content  # ZPL with a Code 128 barcode


def test_colissimo_refuses_an_unknown_product_with_its_message(carrier_sandbox):
    response = requests.post(
        carrier_sandbox.url + LABEL,
        json=colissimo_body(product="XXX"),
        headers={"apiKey": COLISSIMO_API_KEY},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json() == {
        "messages": [{"id": "30102", "type": "ERROR", "messageContent": "Le code produit XXX est incorrect"}]
    }


def test_dhl_answers_zpl2_when_asked(carrier_sandbox):
    body = {
        "profile": "STANDARD_GRUPPENPROFIL",
        "shipments": [
            {
                "product": "V62KP",
                "billingNumber": "33333333330101",
                "refNo": "OMS-0001",
                "shipper": {"name1": "Maison Dupré", "postalCode": "69001", "city": "Lyon", "country": "FRA"},
                "consignee": {"name1": "Camille Martin", "postalCode": "75011", "city": "Paris", "country": "FRA"},
                "details": {"weight": {"uom": "kg", "value": 0.5}},
            }
        ],
    }
    response = requests.post(
        carrier_sandbox.url + "/dhl/parcel/de/shipping/v2/orders",
        params={"docFormat": "ZPL2"},
        json=body,
        headers={"dhl-api-key": DHL_API_KEY},
        auth=(DHL_USER, DHL_PASSWORD),
        timeout=10,
    )
    [item] = response.json()["items"]
    assert item["label"]["fileFormat"] == "ZPL2"
    assert f"^FD{item['shipmentNo']}^FS" in item["label"]["zpl2"]
    assert "b64" not in item["label"]  # ZPL comes as text, not base64


def test_faults_are_checked_and_consumed(carrier_sandbox):
    url = carrier_sandbox.url + "/_sandbox/faults"
    assert requests.post(url, json={"carrier": "fedex", "status": 500}, timeout=10).status_code == 400
    assert requests.post(url, json={"carrier": "ups", "status": 200}, timeout=10).status_code == 400
    carrier_sandbox.admin.add_fault("colissimo", 502, count=2)

    statuses = [
        requests.post(
            carrier_sandbox.url + LABEL, json=colissimo_body(), headers={"apiKey": COLISSIMO_API_KEY}, timeout=10
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [502, 502, 200]
    assert requests.get(url, timeout=10).json() == {"faults": []}


def test_the_sandbox_imports_nothing_of_django():
    code = "import sys, shipping.sandbox.server, shipping.sandbox.__main__; print(sorted(m for m in sys.modules if m.startswith('django')))"
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
