"""The client's exception tree and THE one table from Kraken's strings to exception classes.

Kraken reports failure in two places (reference kraken-futures-rest.md §3):

- a top-level ``error`` string (``{"result":"error","error":"apiLimitExceeded"}``), sometimes
  with detail after a colon (``invalidArgument: limitPrice``), or a coded ``errors`` list;
- an order-level ``status`` inside a successful envelope (``sendStatus.status``,
  ``editStatus.status``, ``cancelStatus.status``, ``batchStatus[i].status``).

``ERRORS`` maps every documented string of both kinds to one exception class; ``ACCEPTED``
lists the order-level statuses that mean the instruction was carried out. Policy: a rejected
order is always an exception (the parsed status object rides on ``exc.status``); only batch
results carry per-instruction statuses, each with ``.error()`` giving the same exception.

Invariant: every exception raised by the client for a Kraken answer is a ``KrakenError``, and
its class comes from ``error_class`` (so from ``ERRORS``), never from ad-hoc string tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


class KrakenError(Exception):
    """Kraken refused a request. ``code``: Kraken's string; ``payload``: the decoded answer."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        payload: Mapping[str, Any] | None = None,
        http_status: int = 200,
        status: Any = None,
    ) -> None:
        super().__init__(message or code)
        self.code = code
        self.payload: Mapping[str, Any] = payload or {}
        self.http_status = http_status
        #: the parsed order-level status object (SendStatus, EditStatus ...) when there is one
        self.status = status


# -- request-level failures ----------------------------------------------------------------
class AuthenticationError(KrakenError):
    """Unknown key, bad signature, missing permission."""


class NonceError(AuthenticationError):
    """The ``Nonce`` header was not above the last one Kraken saw for this key."""


class RateLimitExceeded(KrakenError):
    """``apiLimitExceeded`` or HTTP 429: the key's cost budget is spent."""


class InsufficientFunds(KrakenError):
    """Not enough funds or margin for a transfer, withdrawal or order."""


class InvalidArgument(KrakenError):
    """A parameter is missing, malformed or out of range (``invalidArgument: <name>`` etc.)."""


class NotFound(KrakenError):
    """The thing named does not exist (order, RFQ, offer, contract, preference)."""


class PermissionDenied(KrakenError):
    """The account may not do this (inactive account, assignment-program terms not accepted,
    restricted market): retrying will not help until the account changes."""


class ExchangeUnavailable(KrakenError):
    """Kraken could not serve the request (maintenance, server error): worth retrying later."""


class UnexpectedResponse(KrakenError):
    """The answer is not in any shape Kraken documents (non-JSON body, unknown HTTP status)."""


# -- order-level failures --------------------------------------------------------------------
class OrderError(KrakenError):
    """An order instruction (send, edit, cancel) was not carried out."""


class OrderRejected(OrderError):
    """The exchange refused to place or edit the order."""


class InvalidOrder(OrderRejected, InvalidArgument):
    """Price, size, type, client id or trigger parameters are not acceptable."""


class DuplicateClientOrderId(InvalidOrder):
    """``cliOrdId`` is already used by another of the account's orders."""


class PriceOutsideCollar(InvalidOrder):
    """The price is too far from the mark (fat-finger protection) or would worsen dislocation."""


class InsufficientAvailableFunds(OrderRejected, InsufficientFunds):
    """Not enough available margin for the order (or it would cause liquidation)."""


class PostWouldExecute(OrderRejected):
    """A post-only order would have taken liquidity."""


class IocWouldNotExecute(OrderRejected):
    """An immediate-or-cancel (or fill-or-kill) order found nothing to trade with."""


class SelfFill(OrderRejected):
    """The order would have traded against the account's own order."""


class WouldNotReducePosition(OrderRejected):
    """A reduce-only order would open or increase a position."""


class MarketClosed(OrderRejected):
    """The market is suspended, inactive, or accepts post-only orders only."""


class ProcessBeforeExpired(OrderRejected):
    """``processBefore`` passed before the exchange got to the request."""


class OrderNotFound(OrderError, NotFound):
    """No open order with that id to cancel or edit."""


class OrderAlreadyFilled(OrderNotFound):
    """The order was completely filled before the cancel arrived."""


#: THE table: every Kraken error string and order-level rejection status -> exception class.
ERRORS: Mapping[str, type[KrakenError]] = MappingProxyType({
    # top-level `error` strings (SPEC Error enum and client maps, reference §3.3)
    "authenticationError": AuthenticationError,
    "nonceBelowThreshold": NonceError,
    "nonceDuplicate": NonceError,
    "apiLimitExceeded": RateLimitExceeded,
    "insufficientFunds": InsufficientFunds,
    "INSUFFICIENT_MARGIN": InsufficientFunds,
    "invalidAccount": InvalidArgument,
    "invalidAmount": InvalidArgument,
    "invalidArgument": InvalidArgument,
    "invalidUnit": InvalidArgument,
    "requiredArgumentMissing": InvalidArgument,
    "Json Parse Error": InvalidArgument,
    "Bad Request": InvalidArgument,
    "contractNotFound": NotFound,
    "notFound": NotFound,
    "rfqNotFound": NotFound,
    "offerNotFound": NotFound,
    "accountInactive": PermissionDenied,
    "marketUnavailable": ExchangeUnavailable,
    "Unavailable": ExchangeUnavailable,
    "unavailable": ExchangeUnavailable,
    "Server Error": ExchangeUnavailable,
    "unknownError": ExchangeUnavailable,
    "assignmentProgramTermsNotAcceptedFrontend": PermissionDenied,
    # RFQ refusals (v2 `reason`s; this server and v1 paths answer them as `error` strings)
    "insufficientMargin": InsufficientFunds,
    "priceTooFarFromMarket": InvalidArgument,
    "offerAlreadyExists": InvalidArgument,
    "offerNoLongerValid": NotFound,
    "maxPositionExceed": InvalidArgument,
    "orderError": InvalidArgument,
    "symbolNotFound": NotFound,
    "invalidExpiry": InvalidArgument,
    "expiryTooShort": InvalidArgument,
    "invalidQuantity": InvalidArgument,
    "marketRestricted": PermissionDenied,
    "noLegsSpecified": InvalidArgument,
    "tooManyLegs": InvalidArgument,
    "tooManyNonOptionLegs": InvalidArgument,
    "noOptionLegs": InvalidArgument,
    "mixedCurrencyPairs": InvalidArgument,
    "tooManyOpenRfqs": InvalidArgument,
    "accountNotFound": NotFound,
    "rfqAssignmentMaxLeverageOutOfBounds": InvalidArgument,
    "rfqAssignmentMaxLeverageDisabled": PermissionDenied,
    # coded errors (form B: `errors[0].message`, or the envelope `status`), reference §3.2-3.3
    "CONTRACT_DOES_NOT_EXIST": NotFound,  # code 87
    "CONTRACT_IS_NOT_MULTI_COLLATERAL": InvalidArgument,  # code 88
    "CURRENCY_DOES_NOT_EXIST": InvalidArgument,  # code 89
    "WOULD_CAUSE_LIQUIDATION": InsufficientFunds,  # code 41
    "TOO_MANY_REQUESTS": RateLimitExceeded,  # code 10
    "UNAUTHORIZED": AuthenticationError,  # code 18
    "UNSUPPORTED_MEDIA_TYPE": InvalidArgument,
    "INTERNAL_SERVER_ERROR": ExchangeUnavailable,
    # order-level statuses (sendStatus / editStatus / cancelStatus / batchStatus, §3.4)
    "marketSuspended": MarketClosed,
    "marketInactive": MarketClosed,
    "marketIsPostOnly": MarketClosed,
    "invalidPrice": InvalidOrder,
    "invalidSize": InvalidOrder,
    "invalidOrderType": InvalidOrder,
    "invalidSide": InvalidOrder,
    "tooManySmallOrders": InvalidOrder,
    "tooManyOrders": InvalidOrder,
    "maxPositionViolation": InvalidOrder,
    "fixedLeverageTooHigh": InvalidOrder,
    "clientOrderIdTooBig": InvalidOrder,
    "clientOrderIdTooLong": InvalidOrder,
    "clientOrderIdInvalid": InvalidOrder,
    "orderForEditNotAStop": InvalidOrder,
    "cannotEditTriggerPriceOfTrailingStop": InvalidOrder,
    "cannotEditLimitPriceOfTrailingStop": InvalidOrder,
    "clientOrderIdAlreadyExist": DuplicateClientOrderId,
    "outsidePriceCollar": PriceOutsideCollar,
    "wouldIncreasePriceDislocation": PriceOutsideCollar,
    "insufficientAvailableFunds": InsufficientAvailableFunds,
    "wouldCauseLiquidation": InsufficientAvailableFunds,
    "postWouldExecute": PostWouldExecute,
    "iocWouldNotExecute": IocWouldNotExecute,
    "selfFill": SelfFill,
    "wouldNotReducePosition": WouldNotReducePosition,
    "wouldProcessAfterSpecifiedTime": ProcessBeforeExpired,
    "orderForEditNotFound": OrderNotFound,
    "filled": OrderAlreadyFilled,
    # success strings of one instruction that, answered to another, mean "not done"
    "cancelled": OrderRejected,  # a send answered `cancelled`: the order was not placed
    "edited": OrderRejected,  # listed in SPEC's sendStatus enum; never a placed order
})

#: Per-endpoint exceptions to the table, where Kraken reuses a string: an over-withdrawal to
#: Spot is answered `Unavailable` (reference rfq-assignment-transfers §2.3; ccxt maps it the
#: same way), which elsewhere means the service is down.
WITHDRAWAL_ERRORS: Mapping[str, type[KrakenError]] = MappingProxyType(
    {"Unavailable": InsufficientFunds}
)

#: RFQ calls are not orders: a refusal an order would report as an order-level status
#: (`wouldCauseLiquidation`) is a request-level error there.
RFQ_ERRORS: Mapping[str, type[KrakenError]] = MappingProxyType(
    {"wouldCauseLiquidation": InsufficientFunds}
)

#: Order-level statuses that mean the instruction was carried out, per kind of instruction.
#: (`filled` is success for a send and "too late" for a cancel; `cancelled` is success for a
#: cancel and "not placed" for a send.) Batch results are judged by the kind of the
#: instruction at the same position (`send`, `edit` or `cancel`).
ACCEPTED: Mapping[str, frozenset[str]] = MappingProxyType({
    "send": frozenset({"placed", "partiallyFilled", "filled"}),
    "edit": frozenset({"edited"}),
    "cancel": frozenset({"cancelled"}),
    "cancel_all": frozenset({"cancelled", "noOrdersToCancel"}),
})

#: `notFound` as an order-level status means the order was not found.
ORDER_NOT_FOUND = "notFound"


def error_class(
    code: str, *, order_level: bool = False,
    overrides: Mapping[str, type[KrakenError]] | None = None,
    fallback: type[KrakenError] | None = None,
) -> type[KrakenError]:
    """The exception class for Kraken's string ``code``.

    Detail after a colon is ignored (``invalidArgument: limitPrice`` -> ``invalidArgument``).
    ``order_level``: the string came from an order-level status, where ``notFound`` means the
    order was not found; ``overrides`` (e.g. ``WITHDRAWAL_ERRORS``) win over the table.
    Unknown strings map to ``fallback`` when given (the class the HTTP status implies), else
    to the broadest fitting class.
    """
    head = code.split(":", 1)[0].strip()
    if overrides and head in overrides:
        return overrides[head]
    if order_level and head == ORDER_NOT_FOUND:
        return OrderNotFound
    found = ERRORS.get(head)
    if found is not None:
        return found
    if fallback is not None:
        return fallback
    return OrderRejected if order_level else KrakenError


def order_error(kind: str, status: str, parsed: Any, payload: Mapping[str, Any]) -> KrakenError:
    """The exception for a rejected ``kind`` (send, edit, cancel, cancel_all) with ``status``."""
    cls = error_class(status, order_level=True)
    return cls(status, f"{kind} rejected: {status}", payload=payload, status=parsed)


def is_accepted(kind: str, status: str) -> bool:
    return status in ACCEPTED[kind]


def raise_for_status(kind: str, status: str, parsed: Any, payload: Mapping[str, Any]) -> None:
    """Raise the table's exception unless ``status`` is in ``ACCEPTED[kind]``.

    A cancel answered ``filled`` raises ``OrderAlreadyFilled``: the cancel did not happen.
    """
    if not is_accepted(kind, status):
        raise order_error(kind, status, parsed, payload)
