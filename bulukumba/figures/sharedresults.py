"""Results computed once and shared by every thread that asks: a bounded, least-recently-used
map in which concurrent callers of the same key wait for the first caller's answer.

Twenty sessions that rerun at once after an import ask the same questions (the data module's
queries, the web layer's figures). Without this, each would compute every answer itself, twenty
times over on two cores; with it, one computes and nineteen wait for its result.
"""
from __future__ import annotations

import collections
import threading
from typing import Any, Callable, Hashable


class _Slot:
    __slots__ = ("done", "value", "error")

    def __init__(self):
        self.done = threading.Event()
        self.value = None
        self.error: BaseException | None = None


class SharedResults:
    """At most `capacity` results; the least recently used goes first."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._slots: collections.OrderedDict[Hashable, _Slot] = collections.OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._slots)

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """`compute()` once for `key`; callers that arrive meanwhile wait for it. An error reaches
        every waiter, and the key is forgotten so that the next call tries again."""
        with self._lock:
            slot = self._slots.get(key)
            owner = slot is None
            if owner:
                slot = self._slots[key] = _Slot()
                while len(self._slots) > self.capacity:
                    self._slots.popitem(last=False)
            else:
                self._slots.move_to_end(key)
        if not owner:
            slot.done.wait()
            if slot.error is not None:
                raise slot.error
            return slot.value
        try:
            slot.value = compute()
        except BaseException as error:
            slot.error = error
            with self._lock:
                if self._slots.get(key) is slot:
                    del self._slots[key]
            raise
        finally:
            slot.done.set()
        return slot.value
