"""Admin routes (owned by the admin work item)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
