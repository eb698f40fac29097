"""The `Exchange` facade: one deterministic object holding the whole simulated market."""

from .core import Exchange, ExchangeSettings, Outcome

__all__ = ["Exchange", "ExchangeSettings", "Outcome"]
