"""Read endpoints: account, order-status and market data (owned by the reads work item)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
