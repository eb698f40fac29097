"""Kraken's History API (v2 and v3) and the charts API (owned by the reads work item)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
