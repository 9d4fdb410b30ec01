"""What the engine knows about estimator classes: one registry, three kinds.

- ``"warm"``: a *warm-start path*, ``WarmPath(param, condition)``: the values
  of ``param`` fitted in increasing order on one model with
  ``warm_start=True`` give, at each value, the model a fresh fit gives
  (``_warm``);
- ``"staged"``: a *staged path*, ``StagedPath(param, condition, stages)``:
  one fit at the largest value gives, on the way, the model of every smaller
  value (a snapshot at the end of epoch k, the first k rounds of a booster;
  ``_staged``);
- ``"cheap"``: a step class cheap enough to be refitted in several tasks
  (``_schedule``), entry ``True``.

The built-in entries live beside the code that uses them (``_warm.WARM_PATHS``,
``_schedule.CHEAP_STEPS``, ``skhyper._paths``); users' entries, made through
:mod:`skhyper.extend`, live here, take precedence over the built-in ones, and
each registration can be undone (:class:`Registration`), so that a test or a
docs page leaves the process as it found it.
"""

import threading
from contextlib import contextmanager
from dataclasses import dataclass

KINDS = ("warm", "staged", "cheap")
_MISSING = object()
_USER = {kind: {} for kind in KINDS}
_LOCK = threading.Lock()


def _always(params):
    return True


@dataclass(frozen=True)
class WarmPath:
    """``param`` grows on one model with ``warm_start=True``, where
    ``condition(params)`` holds (``params``: ``get_params(deep=False)``)."""

    param: str
    condition: object = _always


@dataclass(frozen=True)
class StagedPath:
    """One run at the largest value of ``param`` gives every smaller value's
    model: ``stages(estimator, values, X, y, fit_params)`` yields
    ``(value, model)`` in increasing order, where ``condition(params)``
    holds.

    A path may also *resume* a fitted model: ``resume(estimator, model, X,
    y, fit_params)`` continues ``model`` (fitted with a smaller value, on
    the same ``X, y`` and ``fit_params``) to the value of ``estimator``
    (an unfitted clone, which ``resume`` may fit and return), and returns
    the model a fresh fit of ``estimator`` gives,
    or None where it cannot (then the value is fitted afresh). It applies
    where ``resumable(params)`` holds too (None: wherever the path does).
    Models are kept between a strategy's calls (``keep=``) only for such
    configurations."""

    param: str
    condition: object
    stages: object
    resume: object = None
    resumable: object = None

    def resumes(self, params):
        """Whether a model of this configuration can be resumed."""
        if self.resume is None:
            return False
        if self.resumable is None:
            return True
        try:
            return bool(self.resumable(params))
        except Exception:
            return False


class Registration:
    """One registration of a class: undo it, or use it as a context manager.

    ``undo()`` restores what the class had before this registration (the
    built-in entry, or an earlier registration of the user's). As a context
    manager, the registration holds for the ``with`` block only.
    """

    def __init__(self, kind, cls, previous):
        self.kind, self.cls, self._previous = kind, cls, previous
        self.active = True

    def undo(self):
        """Forget this registration; calling it again does nothing."""
        if not self.active:
            return
        with _LOCK:
            if self._previous is _MISSING:
                _USER[self.kind].pop(self.cls, None)
            else:
                _USER[self.kind][self.cls] = self._previous
        self.active = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.undo()

    def __repr__(self):
        state = "" if self.active else ", undone"
        return f"<{self.kind} registration of {self.cls.__name__}{state}>"


def register(kind, cls, entry):
    """Register ``entry`` for exactly ``cls``; returns its ``Registration``."""
    with _LOCK:
        previous = _USER[kind].get(cls, _MISSING)
        _USER[kind][cls] = entry
    return Registration(kind, cls, previous)


def unregister(kind, cls):
    """Forget the user's entry of ``kind`` for ``cls``; whether there was one."""
    with _LOCK:
        return _USER[kind].pop(cls, _MISSING) is not _MISSING


def unregister_class(cls):
    """Forget every user's entry of ``cls``; whether there was one."""
    found = [unregister(kind, cls) for kind in KINDS]
    return any(found)


@contextmanager
def isolated():
    """Registrations made inside the block are forgotten at its end (tests and
    docs pages register classes of their own)."""
    with _LOCK:
        saved = {kind: dict(entries) for kind, entries in _USER.items()}
    try:
        yield
    finally:
        with _LOCK:
            for kind, entries in saved.items():
                _USER[kind].clear()
                _USER[kind].update(entries)


def user_entry(kind, cls):
    """The user's entry of ``kind`` for exactly ``cls``, or None."""
    return _USER[kind].get(cls)


def check_class(cls, what):
    if not isinstance(cls, type):
        raise TypeError(
            f"{what} takes an estimator class, got {cls!r} ({type(cls).__name__})"
        )
