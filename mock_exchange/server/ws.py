"""WebSocket v1 at /ws/v1 (owned by the WebSocket work item)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
