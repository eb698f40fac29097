"""The one table (client.errors.ERRORS) is total over every error string and order-level status
the reference lists (kraken-futures-rest.md §3.3-3.4, kraken-futures-rfq-assignment-transfers.md
§6), maps each to the class a user would expect, and the core raises from it."""

from __future__ import annotations

import pytest

from client import errors as e
from client.core import Call, result
from client.errors import ACCEPTED, ERRORS, error_class, is_accepted, raise_for_status
from client.models import BATCH_KINDS

TOP_LEVEL = [
    "accountInactive", "apiLimitExceeded", "authenticationError", "insufficientFunds",
    "invalidAccount", "invalidAmount", "invalidArgument", "invalidUnit", "Json Parse Error",
    "marketUnavailable", "nonceBelowThreshold", "nonceDuplicate", "notFound",
    "requiredArgumentMissing", "Server Error", "Unavailable", "unknownError",
    "contractNotFound", "Bad Request", "INSUFFICIENT_MARGIN", "unavailable",
    "rfqNotFound", "offerNotFound", "assignmentProgramTermsNotAcceptedFrontend",
    # RFQ refusals and max-leverage errors (rfq-assignment-transfers §4.3, §6)
    "insufficientMargin", "maxPositionExceed", "wouldCauseLiquidation", "fixedLeverageTooHigh",
    "orderError", "symbolNotFound", "invalidExpiry", "invalidQuantity", "marketRestricted",
    "noLegsSpecified", "accountNotFound", "mixedCurrencyPairs", "tooManyNonOptionLegs",
    "noOptionLegs", "tooManyOpenRfqs", "tooManyLegs", "expiryTooShort", "offerNoLongerValid",
    "priceTooFarFromMarket", "rfqAssignmentMaxLeverageOutOfBounds",
    "rfqAssignmentMaxLeverageDisabled",
    # coded errors (rest §3.2-3.3)
    "CONTRACT_DOES_NOT_EXIST", "CONTRACT_IS_NOT_MULTI_COLLATERAL", "CURRENCY_DOES_NOT_EXIST",
    "INSUFFICIENT_MARGIN", "TOO_MANY_REQUESTS", "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE",
    "INTERNAL_SERVER_ERROR",
]
SEND = [
    "placed", "partiallyFilled", "filled", "cancelled", "edited", "marketSuspended",
    "marketInactive", "invalidPrice", "invalidSize", "tooManySmallOrders",
    "insufficientAvailableFunds", "wouldCauseLiquidation", "clientOrderIdAlreadyExist",
    "clientOrderIdTooBig", "maxPositionViolation", "outsidePriceCollar",
    "wouldIncreasePriceDislocation", "notFound", "orderForEditNotAStop", "orderForEditNotFound",
    "postWouldExecute", "iocWouldNotExecute", "selfFill", "wouldNotReducePosition",
    "marketIsPostOnly", "tooManyOrders", "fixedLeverageTooHigh", "clientOrderIdInvalid",
    "cannotEditTriggerPriceOfTrailingStop", "cannotEditLimitPriceOfTrailingStop",
    "wouldProcessAfterSpecifiedTime", "invalidOrderType", "invalidSide", "clientOrderIdTooLong",
]
EDIT = [
    "edited", "invalidSize", "invalidPrice", "insufficientAvailableFunds", "selfFill",
    "tooManySmallOrders", "outsidePriceCollar", "postWouldExecute", "wouldNotReducePosition",
    "orderForEditNotFound", "orderForEditNotAStop",
]
CANCEL = ["cancelled", "filled", "notFound"]
CANCEL_ALL = ["cancelled", "noOrdersToCancel"]
BATCH = [
    "placed", "edited", "cancelled", "invalidOrderType", "invalidSide", "invalidSize",
    "invalidPrice", "insufficientAvailableFunds", "selfFill", "tooManySmallOrders",
    "marketSuspended", "marketInactive", "clientOrderIdAlreadyExist", "clientOrderIdTooLong",
    "outsidePriceCollar", "postWouldExecute", "iocWouldNotExecute", "requiredArgumentMissing",
    "notFound",
]


@pytest.mark.parametrize("code", TOP_LEVEL)
def test_every_top_level_error_string_has_a_class(code: str) -> None:
    assert code in ERRORS
    found = error_class(code)
    assert found is ERRORS[code] and found is not e.KrakenError  # a specific class, not the root


@pytest.mark.parametrize(
    ("kind", "statuses"),
    [("send", SEND), ("edit", EDIT), ("cancel", CANCEL), ("cancel_all", CANCEL_ALL)],
)
def test_every_order_level_status_is_accepted_or_has_a_class(
    kind: str, statuses: list[str]
) -> None:
    undecided = [s for s in statuses
                 if not is_accepted(kind, s) and s not in ERRORS and s != e.ORDER_NOT_FOUND]
    assert undecided == []


def test_every_batch_status_is_accepted_for_its_instruction_or_has_a_class() -> None:
    undecided = [s for s in BATCH
                 if not any(is_accepted(kind, s) for kind in BATCH_KINDS)
                 and s not in ERRORS and s != e.ORDER_NOT_FOUND]
    assert undecided == []


def test_accepted_statuses_per_instruction() -> None:
    assert ACCEPTED["send"] == {"placed", "partiallyFilled", "filled"}
    assert ACCEPTED["edit"] == {"edited"}
    assert ACCEPTED["cancel"] == {"cancelled"}
    assert ACCEPTED["cancel_all"] == {"cancelled", "noOrdersToCancel"}


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("authenticationError", e.AuthenticationError),
        ("nonceDuplicate", e.NonceError),
        ("apiLimitExceeded", e.RateLimitExceeded),
        ("insufficientFunds", e.InsufficientFunds),
        ("invalidArgument: limitPrice", e.InvalidArgument),
        ("requiredArgumentMissing", e.InvalidArgument),
        ("contractNotFound", e.NotFound),
        ("rfqNotFound", e.NotFound),
        ("Unavailable", e.ExchangeUnavailable),
        ("assignmentProgramTermsNotAcceptedFrontend", e.PermissionDenied),
        ("accountInactive", e.PermissionDenied),  # not worth retrying: not ExchangeUnavailable
        ("rfqAssignmentMaxLeverageDisabled", e.PermissionDenied),
        ("rfqAssignmentMaxLeverageOutOfBounds", e.InvalidArgument),
        ("somethingNew", e.KrakenError),
    ],
)
def test_top_level_classes(code: str, cls: type[e.KrakenError]) -> None:
    assert error_class(code) is cls


@pytest.mark.parametrize(
    ("kind", "status", "cls"),
    [
        ("send", "insufficientAvailableFunds", e.InsufficientAvailableFunds),
        ("send", "wouldCauseLiquidation", e.InsufficientAvailableFunds),
        ("send", "postWouldExecute", e.PostWouldExecute),
        ("send", "iocWouldNotExecute", e.IocWouldNotExecute),
        ("send", "invalidPrice", e.InvalidOrder),
        ("send", "invalidSize", e.InvalidOrder),
        ("send", "clientOrderIdAlreadyExist", e.DuplicateClientOrderId),
        ("send", "outsidePriceCollar", e.PriceOutsideCollar),
        ("send", "selfFill", e.SelfFill),
        ("send", "wouldNotReducePosition", e.WouldNotReducePosition),
        ("send", "marketSuspended", e.MarketClosed),
        ("send", "wouldProcessAfterSpecifiedTime", e.ProcessBeforeExpired),
        ("send", "cancelled", e.OrderRejected),
        ("send", "brandNewStatus", e.OrderRejected),
        ("edit", "orderForEditNotFound", e.OrderNotFound),
        ("edit", "orderForEditNotAStop", e.InvalidOrder),
        ("cancel", "notFound", e.OrderNotFound),
        ("cancel", "filled", e.OrderAlreadyFilled),
        ("cancel", "notFound", e.OrderNotFound),
        ("send", "requiredArgumentMissing", e.InvalidArgument),
        ("send", "edited", e.OrderRejected),
    ],
)
def test_rejections_raise_the_tables_class_with_the_status(
    kind: str, status: str, cls: type[e.KrakenError]
) -> None:
    parsed = object()
    with pytest.raises(e.KrakenError) as caught:
        raise_for_status(kind, status, parsed, {"result": "success"})
    assert type(caught.value) is cls
    assert (caught.value.code, caught.value.status) == (status, parsed)


def test_the_tree_lets_users_catch_broadly() -> None:
    assert issubclass(e.InsufficientAvailableFunds, e.InsufficientFunds)
    assert issubclass(e.InvalidOrder, e.InvalidArgument)
    assert issubclass(e.OrderNotFound, e.NotFound)
    assert issubclass(e.OrderAlreadyFilled, e.OrderNotFound)
    assert issubclass(e.NonceError, e.AuthenticationError)
    for cls in ERRORS.values():
        assert issubclass(cls, e.KrakenError)


def _call() -> Call[dict[str, object]]:
    return Call("GET", "/derivatives/api/v3/accounts", lambda envelope: envelope)


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [
        (200, b'{"result":"error","error":"apiLimitExceeded","serverTime":"x"}',
         e.RateLimitExceeded, "apiLimitExceeded"),
        (200, b'{"result":"error","error":"invalidArgument: size"}', e.InvalidArgument,
         "invalidArgument: size"),
        (500, b'{"status":"INTERNAL_SERVER_ERROR","result":"error","errors":[{"code":92,'
              b'"message":"INSUFFICIENT_MARGIN"}]}', e.InsufficientFunds, "INSUFFICIENT_MARGIN"),
        (404, b'{"result":"error","error":"notFound"}', e.NotFound, "notFound"),
        (400, b'{"result":"error","errors":[{"code":87,"message":"CONTRACT_DOES_NOT_EXIST"}]}',
         e.NotFound, "CONTRACT_DOES_NOT_EXIST"),
        (429, b'{"status":"TOO_MANY_REQUESTS","result":"error","errors":[{"code":10,'
              b'"message":"rate limited"}]}', e.RateLimitExceeded, "TOO_MANY_REQUESTS"),
        (500, b'{"status":"INTERNAL_SERVER_ERROR","result":"error","errors":[{"code":1,'
              b'"message":"SOMETHING_NEW"}]}', e.ExchangeUnavailable, "INTERNAL_SERVER_ERROR"),
        (200, b'{"result":"error"}', e.ExchangeUnavailable, "unknownError"),
        (429, b"Too many requests", e.RateLimitExceeded, "HTTP 429"),
        (401, b'{"reason":"nope","status":"unauthorized"}', e.AuthenticationError, "HTTP 401"),
        (502, b"<html>bad gateway</html>", e.ExchangeUnavailable, "HTTP 502"),
        (200, b"<html>a marketing page</html>", e.UnexpectedResponse, "HTTP 200"),
        (200, b'{"result":"weird"}', e.UnexpectedResponse, "weird"),
    ],
)
def test_envelopes_become_exceptions(status: int, body: bytes, cls: type[e.KrakenError],
                                     code: str) -> None:
    with pytest.raises(e.KrakenError) as caught:
        result(_call(), status, body)
    assert type(caught.value) is cls
    assert (caught.value.code, caught.value.http_status) == (code, status)


def test_a_success_without_its_payload_is_an_unexpected_response() -> None:
    from client.endpoints import get_accounts, submit_order

    with pytest.raises(e.UnexpectedResponse, match="accounts"):
        result(get_accounts(), 200, b'{"result":"success"}')
    with pytest.raises(e.UnexpectedResponse, match="sendorder"):
        result(submit_order("mkt", "PF_XBTUSD", "buy", 1), 200,
               b'{"result":"success","sendStatus":{"status":"placed","receivedTime":"soon"}}')


def test_a_per_endpoint_override_wins_over_the_table() -> None:
    from client.endpoints_funds import submit_transfer_to_spot

    with pytest.raises(e.InsufficientFunds) as caught:
        result(submit_transfer_to_spot("USD", 1), 200, b'{"result":"error","error":"Unavailable"}')
    assert caught.value.code == "Unavailable"
    assert error_class("Unavailable") is e.ExchangeUnavailable  # everywhere else


def test_a_success_envelope_is_parsed_with_exact_decimals() -> None:
    from decimal import Decimal

    parsed = result(_call(), 200, b'{"result":"success","x":0.1,"n":3}')
    assert parsed == {"result": "success", "x": Decimal("0.1"), "n": 3}
