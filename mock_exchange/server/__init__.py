"""The only Starlette/uvicorn code: Kraken's REST v3 and WebSocket v1 over one Exchange."""
