"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest
from support import Harness


@pytest.fixture
def mx() -> Harness:
    """A fresh exchange on a manual clock (2026-01-01T00:00Z) with an event recorder."""
    return Harness()
