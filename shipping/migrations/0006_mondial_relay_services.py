"""Mondial Relay's products, now that the carrier sandbox speaks it (unverified format): 24R to a
relay point, HOM home delivery (product codes unverified: no spec stored)."""

from django.db import migrations

SERVICES = (("Point Relais L", "relay_point", "24R"), ("Domicile", "home", "HOM"))


def add_services(apps, schema_editor):
    Carrier = apps.get_model("shipping", "Carrier")
    CarrierService = apps.get_model("shipping", "CarrierService")
    carrier = Carrier.objects.filter(code="mondial_relay").first()
    if carrier is None:
        return
    for name, kind, product_code in SERVICES:
        CarrierService.objects.get_or_create(
            carrier=carrier, product_code=product_code, defaults={"name": name, "kind": kind}
        )


def remove_services(apps, schema_editor):
    CarrierService = apps.get_model("shipping", "CarrierService")
    CarrierService.objects.filter(
        carrier__code="mondial_relay", product_code__in=[code for _name, _kind, code in SERVICES], shipments=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("shipping", "0005_parcel_contents")]

    operations = [migrations.RunPython(add_services, remove_services)]
