"""API keys: the public key and base64 secret that sign requests for one account.

Keys and secrets are drawn from the exchange's seeded id generator, so a seeded run hands out
the same credentials every time. A key looks like Kraken's: 56 base64 characters; the secret is
88 base64 characters (64 bytes).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from .engine.ids import IdGenerator


@dataclass(frozen=True, slots=True)
class ApiKey:
    key: str
    secret: str
    account_id: str


class KeyStore:
    def __init__(self, ids: IdGenerator) -> None:
        self._ids = ids
        self._by_key: dict[str, ApiKey] = {}

    def issue(self, account_id: str) -> ApiKey:
        key = base64.b64encode(self._ids.token(42)).decode()
        secret = base64.b64encode(self._ids.token(64)).decode()
        return self.add(ApiKey(key, secret, account_id))

    def add(self, api_key: ApiKey) -> ApiKey:
        self._by_key[api_key.key] = api_key
        return api_key

    def get(self, key: str) -> ApiKey | None:
        return self._by_key.get(key)

    def for_account(self, account_id: str) -> list[ApiKey]:
        return [k for k in self._by_key.values() if k.account_id == account_id]

    def clear(self) -> None:
        self._by_key.clear()
