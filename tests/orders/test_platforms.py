"""Platform names and capabilities: plain data the core reads, one definition per fact."""

import dataclasses
import subprocess
import sys
from pathlib import Path

from marketplaces.models import Platform
from orders import platforms

REPO = Path(__file__).resolve().parents[2]


def test_capabilities_import_neither_django_nor_http():
    code = (
        "import sys, orders.platforms; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'requests', 'urllib3', 'http'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_model_choices_are_the_platform_names_with_their_display_names():
    assert [value for value, _ in Platform.choices] == list(platforms.ALL)
    assert Platform(platforms.EBAY).label == "eBay"
    assert Platform(platforms.CDISCOUNT).label == platforms.CAPABILITIES[platforms.CDISCOUNT].display_name


def test_unverified_names_only_fields_of_the_capabilities():
    fields = {field.name for field in dataclasses.fields(platforms.Capabilities)} - {"unverified", "display_name"}
    for platform, capabilities in platforms.CAPABILITIES.items():
        assert capabilities.unverified <= fields, platform


def test_whole_order_cancels_on_ebay_and_cdiscount_only():
    line_cancel = {name: c.line_level_cancel for name, c in platforms.CAPABILITIES.items()}
    assert line_cancel == {"amazon": True, "ebay": False, "mirakl": True, "cdiscount": False}
    assert {name for name, c in platforms.CAPABILITIES.items() if c.acceptance_step} == {"mirakl", "cdiscount"}
