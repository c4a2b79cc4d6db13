"""The credentials the carrier sandbox accepts (one contract per carrier; tests and the demo use them)."""

COLISSIMO_API_KEY = "colissimo-sandbox-key"
LAPOSTE_OKAPI_KEY = "laposte-okapi-sandbox-key"
UPS_CLIENT_ID = "ups-sandbox-client"
UPS_CLIENT_SECRET = "ups-sandbox-secret"
UPS_SHIPPER_NUMBER = "A1B2C3"
DHL_API_KEY = "dhl-sandbox-api-key"
DHL_USER = "user-valid"
DHL_PASSWORD = "SandboxPasswort2023!"
DHL_BILLING_NUMBER = "33333333330101"
MONDIAL_RELAY_LOGIN = "mr-sandbox-login"
MONDIAL_RELAY_PASSWORD = "mr-sandbox-password"
MONDIAL_RELAY_CUSTOMER = "BDTEST13"

# What a CarrierAccount pointing at the sandbox stores as its credentials, per carrier code.
CREDENTIALS = {
    "colissimo": {"api_key": COLISSIMO_API_KEY, "tracking_api_key": LAPOSTE_OKAPI_KEY},
    "ups": {"client_id": UPS_CLIENT_ID, "client_secret": UPS_CLIENT_SECRET, "shipper_number": UPS_SHIPPER_NUMBER},
    "dhl_parcel": {
        "api_key": DHL_API_KEY,
        "user": DHL_USER,
        "password": DHL_PASSWORD,
        "billing_number": DHL_BILLING_NUMBER,
    },
    "mondial_relay": {
        "login": MONDIAL_RELAY_LOGIN,
        "password": MONDIAL_RELAY_PASSWORD,
        "customer_id": MONDIAL_RELAY_CUSTOMER,
    },
}
# The path of each carrier under the sandbox's base URL.
PREFIXES = {"colissimo": "/colissimo", "ups": "/ups", "dhl_parcel": "/dhl", "mondial_relay": "/mondial-relay"}
