"""kraken-futures-mock: a deterministic, offline simulation of the Kraken Futures exchange."""

__version__ = "0.1.0"
