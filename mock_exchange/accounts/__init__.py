"""Pure account keeping: wallets and balances, positions, fees and margin.

Nothing here performs I/O or reads time; amounts are `Decimal` throughout.
"""
