"""The carrier sandbox's state: parcels and their tracking timeline, tokens, faults, a clock.

Everything lives in memory behind one lock. Time is the wall clock plus an offset that the
admin API moves forward (tests) and divided by `speed` (demo: parcels travel faster).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import threading
import zlib
from dataclasses import dataclass, field

UTC = dt.UTC

# Tracking steps after the label exists, in sandbox seconds (before `speed`).
IN_TRANSIT_AFTER = 600
OUT_FOR_DELIVERY_AFTER = 1800
DELIVERED_AFTER = 2700
# One parcel in EXCEPTION_ONE_IN meets a delivery problem before it is delivered (a day later);
# one in RETURN_ONE_IN meets one and goes back to its sender instead (a day later).
EXCEPTION_ONE_IN = 15
RETURN_ONE_IN = 60
DELIVERED_AFTER_EXCEPTION = 2700 + 86_400

# The steps a parcel goes through; each carrier module names them in its own codes.
LABEL_CREATED = "label_created"
IN_TRANSIT = "in_transit"
OUT_FOR_DELIVERY = "out_for_delivery"
EXCEPTION = "exception"
DELIVERED = "delivered"
RETURNED = "returned"

CARRIERS = ("colissimo", "ups", "dhl_parcel", "mondial_relay")
OPERATIONS = ("label", "void", "track", "token")


@dataclass
class Parcel:
    carrier: str
    tracking_number: str
    created_at: dt.datetime
    product: str
    label_format: str
    reference: str = ""
    voided: bool = False
    exception: bool = False
    returned: bool = False

    def steps(self, now: dt.datetime, speed: float) -> list[tuple[dt.datetime, str]]:
        """(when, step) reached by `now`, oldest first; a voided parcel never moves."""

        def at(seconds: float) -> dt.datetime:
            return self.created_at + dt.timedelta(seconds=seconds / speed)

        timeline = [(self.created_at, LABEL_CREATED)]
        if not self.voided:
            timeline.append((at(IN_TRANSIT_AFTER), IN_TRANSIT))
            if self.returned:
                timeline += [(at(OUT_FOR_DELIVERY_AFTER), EXCEPTION), (at(DELIVERED_AFTER_EXCEPTION), RETURNED)]
            elif self.exception:
                timeline += [(at(OUT_FOR_DELIVERY_AFTER), EXCEPTION), (at(DELIVERED_AFTER_EXCEPTION), DELIVERED)]
            else:
                timeline += [(at(OUT_FOR_DELIVERY_AFTER), OUT_FOR_DELIVERY), (at(DELIVERED_AFTER), DELIVERED)]
        return [(moment, step) for moment, step in timeline if moment <= now]


@dataclass
class Fault:
    """The next `count` requests of `carrier` (and `operation`, if given) answer `status`."""

    id: int
    carrier: str
    status: int
    count: int = 1
    operation: str | None = None

    def public(self) -> dict:
        return {
            "id": self.id,
            "carrier": self.carrier,
            "status": self.status,
            "count": self.count,
            "operation": self.operation,
        }


@dataclass
class World:
    speed: float = 1.0
    incidents: bool = True  # the occasional delivery problem and return (tests switch them off)
    lock: threading.RLock = field(default_factory=threading.RLock)
    offset: dt.timedelta = dt.timedelta()
    parcels: dict[str, Parcel] = field(default_factory=dict)
    tokens: dict[str, dt.datetime] = field(default_factory=dict)  # OAuth access token → expiry
    faults: list[Fault] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    label_replies: dict = field(default_factory=dict)  # (carrier, Idempotency-Key) → the label response
    _fault_ids: int = 0

    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC) + self.offset

    def reset(self) -> None:
        with self.lock:
            self.offset = dt.timedelta()
            self.incidents = True
            self.parcels.clear()
            self.tokens.clear()
            self.faults.clear()
            self.requests.clear()
            self.label_replies.clear()

    # ---- parcels ---------------------------------------------------------------
    def add_parcel(self, *, carrier: str, make_number, product: str, label_format: str, reference: str = "") -> Parcel:
        """A new parcel with a tracking number from `make_number()` that no other parcel has."""
        number = make_number()
        while number in self.parcels:
            number = make_number()
        parcel = Parcel(
            carrier=carrier,
            tracking_number=number,
            created_at=self.now(),
            product=product,
            label_format=label_format,
            reference=reference,
        )
        if self.incidents:
            bucket = zlib.crc32(number.encode())
            parcel.exception = bucket % EXCEPTION_ONE_IN == 0
            parcel.returned = bucket % RETURN_ONE_IN == 1
        self.parcels[number] = parcel
        return parcel

    def parcel(self, carrier: str, number: str) -> Parcel | None:
        parcel = self.parcels.get(number)
        return parcel if parcel is not None and parcel.carrier == carrier else None

    # ---- OAuth tokens ------------------------------------------------------------
    def issue_token(self, lifetime_seconds: int) -> str:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = self.now() + dt.timedelta(seconds=lifetime_seconds)
        return token

    def token_valid(self, token: str) -> bool:
        expiry = self.tokens.get(token)
        return expiry is not None and expiry > self.now()

    # ---- faults ------------------------------------------------------------------
    def add_fault(self, *, carrier: str, status: int, count: int = 1, operation: str | None = None) -> Fault:
        """Raises ValueError on an unknown carrier or operation, a status that is not an error, or count < 1."""
        if carrier not in CARRIERS:
            raise ValueError(f"carrier must be one of {CARRIERS}")
        if operation is not None and operation not in OPERATIONS:
            raise ValueError(f"operation must be one of {OPERATIONS}")
        if not 400 <= status <= 599:
            raise ValueError("status must be a 4xx or 5xx")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self.lock:
            self._fault_ids += 1
            fault = Fault(id=self._fault_ids, carrier=carrier, status=status, count=count, operation=operation)
            self.faults.append(fault)
        return fault

    def take_fault(self, carrier: str, operation: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.carrier == carrier and fault.operation in (None, operation):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                    return fault
        return None


def digits(count: int) -> str:
    return "".join(random.choice("0123456789") for _ in range(count))
