"""What a worker process keeps across the tasks of one plan.

The folds' splits and the shared steps' fits and outputs, in one
least-recently-used memo bounded by ``share_memory`` bytes: the next task of
the same fold (e.g. the next candidate below a shared scaler) starts from
them. A new plan replaces the store; the parent releases it at the end of a
search (sequential and threading runs share the parent's process). The plans
of a flight (``_many``) share one store id, and scope its entries by each
split's content digest (``TaskContext.scopes``) rather than its index, so a
worker keeps what one rung fitted for the next rung on the same fold. A task
may also start from a prefix another worker fitted and handed over.
"""

import os
import threading
import time
from collections import OrderedDict

import joblib

from ._keys import KeyTable


class Memo:
    """Least-recently-used store of fitted steps, bounded in bytes."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.items = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()  # threads of one process share it

    def get(self, key):
        with self.lock:
            entry = self.items.get(key)
            if entry is not None:
                self.items.move_to_end(key)
            return entry

    def drop(self, key):
        """Forget ``key``'s entry, if held."""
        with self.lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.size -= old["nbytes"]

    def put(self, key, entry):
        with self.lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.size -= old["nbytes"]
            nbytes = entry["nbytes"]
            if nbytes > self.max_bytes:
                return
            while self.items and self.size + nbytes > self.max_bytes:
                _, old = self.items.popitem(last=False)
                self.size -= old["nbytes"]
            self.items[key] = entry
            self.size += nbytes


# The store of this process: one plan's memo and key table at a time.
_STORE = {"plan": None}
_STORE_LOCK = threading.Lock()


def store_for(plan_id, max_bytes):
    """``(memo, keys)`` of ``plan_id`` in this process, new if another plan held it."""
    with _STORE_LOCK:
        if _STORE["plan"] != plan_id:
            _STORE.clear()
            _STORE.update(plan=plan_id, memo=Memo(max_bytes), keys=KeyTable())
        return _STORE["memo"], _STORE["keys"]


def release(plan_id):
    """Free what this process keeps for ``plan_id``."""
    with _STORE_LOCK:
        if _STORE["plan"] == plan_id:
            _STORE.clear()
            _STORE["plan"] = None
        for handover in [h for h in _HANDOVERS if h[0] == plan_id]:
            del _HANDOVERS[handover]


# Handovers between the threads of one process: (plan, split, step key) ->
# an Event set once the prefix is in the shared store (or will not be).
_HANDOVERS = {}
# How often a worker looks for a handover file another process writes.
HANDOVER_POLL = 0.005  # seconds


def _event(plan_id, split, key):
    with _STORE_LOCK:
        return _HANDOVERS.setdefault((plan_id, split, key), threading.Event())


def signal_handover(plan_id, split, key, where, ok):
    """Tell the tasks waiting for a prefix that it is there (``ok``) or that
    it will not be: a file for other processes, an event for threads."""
    if where == "store":
        _event(plan_id, split, key).set()
    elif not ok:
        with open(where + ".failed", "w"):
            pass


def wait_for_handover(plan_id, split, key, where, deadline):
    """Wait until a prefix is handed over; its entries (None from the shared
    store, or if it will not come, or past the deadline).

    File arrays are memory-mapped read-only: workers on one machine share
    them through the page cache instead of each holding a copy. A file that
    cannot be read is skipped: the task then fits the prefix itself.
    """
    if where == "store":
        event = _event(plan_id, split, key)
        while not event.wait(HANDOVER_POLL * 20):
            if deadline is not None and time.time() >= deadline:
                return None
        return None
    while not os.path.exists(where):
        if os.path.exists(where + ".failed"):
            return None
        if deadline is not None and time.time() >= deadline:
            return None
        time.sleep(HANDOVER_POLL)
    try:
        return joblib.load(where, mmap_mode="r")
    except Exception:
        return None
