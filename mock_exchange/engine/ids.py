"""Deterministic, UUID-shaped identifiers from a seed.

SplitMix64 gives a well-mixed 64-bit stream from any integer seed without the `random` module;
two draws make one RFC 4122 version-4 UUID string. The same seed yields the same ids.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1


class IdGenerator:
    __slots__ = ("_state",)

    def __init__(self, seed: int = 0) -> None:
        self._state = seed & _MASK

    def _next64(self) -> int:
        self._state = (self._state + 0x9E3779B97F4A7C15) & _MASK
        z = self._state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def uuid(self) -> str:
        hi = (self._next64() & 0xFFFFFFFFFFFF0FFF) | 0x0000000000004000
        lo = (self._next64() & 0x3FFFFFFFFFFFFFFF) | 0x8000000000000000
        h = f"{hi:016x}{lo:016x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def token(self, nbytes: int) -> bytes:
        """Deterministic bytes (for API secrets in tests and seeded runs)."""
        out = bytearray()
        while len(out) < nbytes:
            out += self._next64().to_bytes(8, "big")
        return bytes(out[:nbytes])
