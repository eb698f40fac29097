"""The history recorder dispatches on an event's exact type, which is right only while no event
class derives from another event class."""

from __future__ import annotations

import inspect

from mock_exchange.engine import events as ev


def test_no_event_class_derives_from_another() -> None:
    classes = [c for _, c in inspect.getmembers(ev, inspect.isclass)
               if issubclass(c, ev.Event) and c is not ev.Event]  # fmt: skip
    assert len(classes) > 20
    for cls in classes:
        bases = [b for b in cls.__mro__[1:] if b in classes]
        assert bases == [], f"{cls.__name__} derives from {bases}"
