"""Typed results of the RFQ endpoints (the seed's v1 API, which also reads v2 answers) and of
the assignment program (``assignmentprogram/current|add|delete|history``).

RFQ objects: the id is ``rfqUid`` in v1 answers and ``uid`` in v2 ones; both are read. Offer
prices arrive as decimal strings. Same parsing rules as ``models``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from .values import dec, flag, opt_dec, opt_timestamp, timestamp

Json = dict[str, Any]


@dataclass(frozen=True)
class RfqLeg:
    """One leg: ``size`` is signed (negative = short)."""

    symbol: str
    size: Decimal
    mark_price: Decimal | None

    @classmethod
    def from_json(cls, obj: Json) -> RfqLeg:
        return cls(obj["symbol"], dec(obj["size"]), opt_dec(obj.get("markPrice")))


@dataclass(frozen=True)
class Rfq:
    """A request for quote; ``status`` is None on v1 servers (open RFQs only)."""

    rfq_uid: str
    expiry: datetime
    mark_price: Decimal
    legs: list[RfqLeg]
    status: str | None
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Rfq:
        uid = obj.get("rfqUid") or obj["uid"]
        return cls(
            rfq_uid=uid, expiry=timestamp(obj["expiry"]), mark_price=dec(obj["markPrice"]),
            legs=[RfqLeg.from_json(leg) for leg in obj["legs"]],
            status=obj.get("status"), raw=obj,
        )


@dataclass(frozen=True)
class RfqOffer:
    """One of the caller's offers: package ``bid``/``ask`` (None for a side not quoted)."""

    uid: str
    rfq_uid: str
    placement_date: datetime
    last_update_date: datetime
    bid: Decimal | None
    ask: Decimal | None
    status: str | None
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> RfqOffer:
        return cls(
            uid=obj["uid"], rfq_uid=obj["rfqUid"], placement_date=timestamp(obj["placementDate"]),
            last_update_date=timestamp(obj["lastUpdateDate"]), bid=opt_dec(obj.get("bid")),
            ask=opt_dec(obj.get("ask")), status=obj.get("status"), raw=obj,
        )


@dataclass(frozen=True)
class AssignmentParticipant:
    """An assignment-program preference (``participant``) as Kraken stores it."""

    contract_type: str
    contract: str | None
    max_size: Decimal | None
    max_position: Decimal | None
    accept_long: bool
    accept_short: bool
    time_frame: str
    enabled: bool
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> AssignmentParticipant:
        return cls(
            contract_type=obj["contractType"], contract=obj.get("contract"),
            max_size=opt_dec(obj.get("maxSize")), max_position=opt_dec(obj.get("maxPosition")),
            accept_long=flag(obj["acceptLong"]), accept_short=flag(obj["acceptShort"]),
            time_frame=obj["timeFrame"], enabled=flag(obj["enabled"]), raw=obj,
        )


@dataclass(frozen=True)
class AssignmentPreference:
    """A current preference with its id (current, add and delete answers)."""

    id: int
    participant: AssignmentParticipant

    @classmethod
    def from_json(cls, obj: Json) -> AssignmentPreference:
        return cls(int(obj["id"]), AssignmentParticipant.from_json(obj["participant"]))


@dataclass(frozen=True)
class AssignmentHistoryEntry:
    """One change of preferences: an add (``deleted`` False) or a delete."""

    deleted: bool
    timestamp: datetime | None
    participant: AssignmentParticipant

    @classmethod
    def from_json(cls, obj: Json) -> AssignmentHistoryEntry:
        return cls(flag(obj["deleted"]), opt_timestamp(obj.get("timestamp")),
                   AssignmentParticipant.from_json(obj["participant"]))


@dataclass(frozen=True)
class Ack:
    """A bare success envelope (transfers, offer replace/cancel, preference updates)."""

    server_time: datetime | None
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Ack:
        return cls(opt_timestamp(obj.get("serverTime")), obj)


@dataclass(frozen=True)
class Withdrawal:
    """The answer of a withdrawal to the Spot wallet: Kraken's transfer ``uid``."""

    uid: str
    server_time: datetime | None

    @classmethod
    def from_json(cls, obj: Json) -> Withdrawal:
        return cls(obj["uid"], opt_timestamp(obj.get("serverTime")))
