import json
from decimal import Decimal
from pathlib import Path

import pytest

from .recording_server import RecordingServer

PAYLOADS = Path(__file__).parent / "payloads"


def load_payload(name: str):
    """A recorded platform payload, decoded the way the connectors decode (Decimal numbers)."""
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"), parse_float=Decimal)


def load_wire_payload(name: str):
    """The same payload decoded plainly, to be served by the recording server as JSON text."""
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


@pytest.fixture
def server():
    recording = RecordingServer().start()
    yield recording
    recording.stop()
