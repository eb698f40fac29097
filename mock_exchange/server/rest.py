"""Order-management endpoints: sendorder, editorder, cancelorder, cancelallorders,
cancelallordersafter, batchorder. Each handler reads, decodes, authenticates, submits, encodes.

Arguments are checked before the signature (Kraken answers `requiredArgumentMissing` to an
unsigned empty sendorder); a refusal the table maps to an error envelope raises `WireError`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..engine import commands as c
from ..exchange import Outcome
from ..protocol import decode, encode
from ..protocol.decode import Params
from ..protocol.errors import REJECTS, WireError
from ..protocol.formats import iso
from .http import authenticate, read, submit, submit_batch, success

V3 = "/derivatives/api/v3"


def _checked(outcome: Outcome) -> Outcome:
    """Raise for refusals that Kraken answers with an error envelope rather than a status."""
    if outcome.reject is not None and REJECTS[outcome.reject].status is None:
        raise WireError(REJECTS[outcome.reject].error or "unknownError")
    return outcome


async def sendorder(request: Request) -> Response:
    call = await read(request)
    command = decode.place_order(call.params)
    authenticate(call, 10)
    outcome = _checked(await submit(call.state, replace(command, account_id=call.account_id)))
    return success(call.state, sendStatus=encode.send_status(outcome, command.cli_ord_id))


async def editorder(request: Request) -> Response:
    call = await read(request)
    command = decode.edit_order(call.params)
    authenticate(call, 10)
    outcome = _checked(await submit(call.state, replace(command, account_id=call.account_id)))
    status = encode.edit_status(outcome, command.order_id, command.cli_ord_id)
    return success(call.state, editStatus=status)


async def cancelorder(request: Request) -> Response:
    call = await read(request)
    command = decode.cancel_order(call.params)
    authenticate(call, 10)
    outcome = await submit(call.state, replace(command, account_id=call.account_id))
    return success(call.state, cancelStatus=encode.cancel_status(outcome, command.cli_ord_id))


async def cancelallorders(request: Request) -> Response:
    call = await read(request)
    command = decode.cancel_all(call.params)
    authenticate(call, 25)
    outcome = await submit(call.state, replace(command, account_id=call.account_id))
    return success(call.state, cancelStatus=encode.cancel_all_status(outcome, command.symbol))


async def cancelallordersafter(request: Request) -> Response:
    call = await read(request)
    command = decode.dead_man_switch(call.params)
    authenticate(call, 25)
    outcome = await submit(call.state, replace(command, account_id=call.account_id))
    return success(call.state, status=encode.dead_man_switch_status(outcome))


_BATCH_STATUS = {
    "invalidArgument: orderType": "invalidOrderType",
    "invalidArgument: side": "invalidSide",
    "invalidArgument: size": "invalidSize",
    "invalidArgument: limitPrice": "invalidPrice",
    "invalidArgument: stopPrice": "invalidPrice",
}
_DECODERS = {"send": decode.place_order, "edit": decode.edit_order, "cancel": decode.cancel_order}


async def batchorder(request: Request) -> Response:
    call = await read(request)
    instructions = decode.batch_instructions(call.params)
    authenticate(call, 9 + len(instructions))
    batch_before = call.params.time("processBefore", "ProcessBefore")
    entries: list[dict[str, Any] | None] = []
    commands: list[c.Command] = []
    slots: list[int] = []
    for instruction in instructions:
        entry, command = _batch_command(instruction, call.account_id, batch_before)
        entries.append(entry)
        if command is not None:
            slots.append(len(entries) - 1)
            commands.append(command)
    outcomes = await submit_batch(call.state, commands)
    for slot, command, outcome in zip(slots, commands, outcomes, strict=True):
        entries[slot] = _batch_entry(instructions[slot], command, outcome)
    return success(call.state, batchStatus=entries)


def _batch_command(
    instruction: dict[str, Any], account_id: str, batch_before: int | None
) -> tuple[dict[str, Any] | None, c.Command | None]:
    kind = instruction.get("order")
    decoder = _DECODERS.get(kind) if isinstance(kind, str) else None
    echo = _echo(instruction)
    if decoder is None:
        return {"status": "invalidArgument: order", **echo, "orderEvents": []}, None
    try:
        command: Any = decoder(Params.from_mapping(instruction))
    except WireError as err:
        return {"status": _BATCH_STATUS.get(err.code, err.code), **echo, "orderEvents": []}, None
    if batch_before is not None and command.process_before is None:
        command = replace(command, process_before=batch_before)
    return None, replace(command, account_id=account_id)


def _echo(instruction: dict[str, Any]) -> dict[str, Any]:
    """Send entries echo `order_tag`; edits and cancels echo the identifier they were given."""
    return {k: instruction[k] for k in ("order_tag", "order_id", "cliOrdId") if k in instruction}


def _batch_entry(
    instruction: dict[str, Any], command: c.Command, outcome: Outcome
) -> dict[str, Any]:
    echo = _echo(instruction)
    if outcome.reject is not None and REJECTS[outcome.reject].status is None:
        return {"status": REJECTS[outcome.reject].error, **echo, "orderEvents": []}
    if isinstance(command, c.PlaceOrder):
        entry = encode.send_status(outcome, None)
        return {
            "status": entry["status"],
            **echo,
            "order_id": outcome.order_id,
            "dateTimeReceived": iso(outcome.received),
            "orderEvents": entry["orderEvents"],
        }
    if isinstance(command, c.EditOrder):
        entry = encode.edit_status(outcome, command.order_id, command.cli_ord_id)
        return {
            "status": entry["status"],
            **echo,
            "order_id": entry["orderId"],
            "orderEvents": entry["orderEvents"],
        }
    entry = encode.cancel_status(outcome, None)
    return {"status": entry["status"], **echo, "orderEvents": entry.get("orderEvents", [])}


routes: list[BaseRoute] = [
    Route(f"{V3}/sendorder", sendorder, methods=["POST"]),
    Route(f"{V3}/editorder", editorder, methods=["POST"]),
    Route(f"{V3}/cancelorder", cancelorder, methods=["POST"]),
    Route(f"{V3}/cancelallorders", cancelallorders, methods=["POST"]),
    Route(f"{V3}/cancelallordersafter", cancelallordersafter, methods=["POST"]),
    Route(f"{V3}/batchorder", batchorder, methods=["POST"]),
]
