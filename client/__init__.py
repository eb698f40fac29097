"""A standalone Kraken Futures client (REST and WebSocket); it imports nothing from
mock_exchange. Built by issue E5; nothing is here yet.
"""
