"""The pure matching core: instruments, books, triggers, commands and events.

Nothing in this package performs I/O, reads the wall clock or uses OS randomness; time and ids
come from the injected `Clock` and `IdGenerator`.
"""
