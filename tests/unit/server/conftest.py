"""Fixtures for the server tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ws_support import Tap


@pytest.fixture
def tap() -> Iterator[Tap]:
    """A WebSocket hub on a fresh exchange, with connections read directly."""
    t = Tap()
    yield t
    t.close()
