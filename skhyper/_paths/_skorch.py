"""Staged path of ``max_epochs`` for skorch's ``NeuralNet``,
``NeuralNetClassifier``, ``NeuralNetBinaryClassifier`` and
``NeuralNetRegressor``.

One fit at the largest ``max_epochs``. A callback appended to the
initialized net's ``callbacks_`` (after every other callback, ``PrintLog``
included) copies the whole net at the end of each smaller epoch ``k``
(module, criterion and optimizer state, history, callbacks' state) with
:func:`copy_net`, a ``copy.deepcopy`` of its attributes that does not go
through skorch's pickling (which pickles the module's class by name, and a
class from the user's ``__main__`` has no name in a worker process, where
it came by value); the copy is then finished as a fit of ``k`` finishes it:
``max_epochs`` set to ``k`` and ``on_train_end`` notified. The run itself is
the fit ``fit`` makes (``initialize``, then ``fit`` with ``warm_start`` on so
that it does not initialize again, which is ``fit``'s own path).

When it is exact. Given the same torch (and numpy) RNG state at the start of
the fit, the copy at ``k`` is the fit of ``k``: the training loop draws its
random numbers (weight init, shuffling, dropout) epoch by epoch and nothing in
it depends on ``max_epochs`` but the number of epochs. The tests establish
this bit-for-bit (predict, predict_proba, score, ``module_`` state and the
history without timings) with shuffling and dropout, for classification
(binary, multi-class) and regression, and with the ``LRScheduler`` policies
listed in :data:`_EXACT_POLICIES`.

But that a fit starts from a given RNG state cannot be seen from the
parameters: skorch has no ``random_state``, and a module that seeds torch in
its ``__init__`` looks like one that does not. So the path asks the user to
opt in with the :class:`SeedTorch` callback, which seeds torch when the net
initializes (before the module is built), making every fit of the net
repeatable; without it the staged models would be one random run shared by
all ``k`` where scikit-learn makes independent runs. ``condition`` is True
only when:

- a :class:`SeedTorch` is among the callbacks, and every callback is known
  safe (its type exactly one of :data:`_SAFE_CALLBACKS`: skorch's defaults
  ``EpochTimer``, ``PrintLog``, ``EpochScoring``, ``PassthroughScoring``, and
  ``BatchScoring``, ``GradientNormClipping``, ``LRScheduler`` with a policy
  in :data:`_EXACT_POLICIES` and a named monitor). Unknown callbacks refuse,
  and so do those that depend on the total number of epochs or end training
  on their own: ``EarlyStopping``, ``Checkpoint``/``TrainEndCheckpoint``/
  ``LoadInitState``, ``LRScheduler`` with ``OneCycleLR`` (it raises once
  stepped past its total, so the longest run can fail where shorter fits
  succeed) or any other policy;
- ``train_split`` is None, ``predefined_split(...)``, or a ``ValidSplit``
  whose split is fixed (an int ``cv``, or a float ``cv`` with an int
  ``random_state``);
- ``max_epochs`` is an int.
"""

import copy
import functools
import numbers

import torch
from sklearn.base import clone
from skorch import (
    NeuralNet,
    NeuralNetBinaryClassifier,
    NeuralNetClassifier,
    NeuralNetRegressor,
)
from skorch.callbacks import (
    BatchScoring,
    Callback,
    EpochScoring,
    EpochTimer,
    GradientNormClipping,
    LRScheduler,
    PassthroughScoring,
    PrintLog,
)
from skorch.dataset import ValidSplit
from skorch.helper import predefined_split

from . import fresh_stages


class SeedTorch(Callback):
    """Seed torch's global RNG when the net initializes, before its module.

    Every fit of a net with this callback starts from the same RNG state, so
    it is repeatable, and skhyper fits one run of the largest ``max_epochs``
    per fold for a search over ``max_epochs``.

    Parameters
    ----------
    seed : int, default=0
        The seed given to ``torch.manual_seed``.
    """

    def __init__(self, seed=0):
        self.seed = seed

    def initialize(self):
        torch.manual_seed(self.seed)
        return self


# Callbacks that act epoch by epoch and never on the total number of epochs.
_SAFE_CALLBACKS = (
    SeedTorch,
    EpochTimer,
    PrintLog,
    EpochScoring,
    PassthroughScoring,
    BatchScoring,
    GradientNormClipping,
    LRScheduler,
)

# LRScheduler policies whose rate at a step depends on the steps so far only
# (each tested).
_EXACT_POLICIES = (
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "ReduceLROnPlateau",
)


def _exact_policy(policy):
    """A name in _EXACT_POLICIES, or the very torch class of that name."""
    if isinstance(policy, str):
        return policy in _EXACT_POLICIES
    return any(
        policy is getattr(torch.optim.lr_scheduler, name) for name in _EXACT_POLICIES
    )


def _callbacks(params):
    """``(name, callback or class, overrides)`` for the user's callbacks, with
    ``callbacks__<name>`` replacements applied and the
    ``callbacks__<name>__<attr>`` overrides collected."""
    listed = params.get("callbacks")
    if listed in (None, "disable"):
        listed = []
    named = {}
    for item in listed:
        if isinstance(item, (tuple, list)):
            name, cb = item
        else:
            cb = item
            name = cb.__name__ if isinstance(cb, type) else type(cb).__name__
        named[name] = cb
    overrides = {}
    for key, value in params.items():
        if not key.startswith("callbacks__"):
            continue
        name, _, attr = key[len("callbacks__") :].partition("__")
        if attr:
            overrides.setdefault(name, {})[attr] = value
        else:
            named[name] = value
    return [(name, cb, overrides.get(name, {})) for name, cb in named.items()]


def _safe_callback(cb, overrides):
    if cb is None:  # a default callback switched off
        return True
    cls = cb if isinstance(cb, type) else type(cb)
    if cls not in _SAFE_CALLBACKS:
        return False
    if cls is LRScheduler:
        policy = overrides.get("policy", getattr(cb, "policy", "WarmRestartLR"))
        monitor = overrides.get("monitor", getattr(cb, "monitor", "train_loss"))
        return _exact_policy(policy) and isinstance(monitor, str)
    return True


# The function that skorch's public predefined_split wraps.
_PREDEFINED_SPLIT = predefined_split(None).func


def _fixed_split(train_split):
    if train_split is None:
        return True
    if type(train_split) is ValidSplit:
        cv, seed = train_split.cv, train_split.random_state
        if isinstance(cv, numbers.Integral):
            return True
        return isinstance(cv, numbers.Real) and isinstance(seed, numbers.Integral)
    return (
        isinstance(train_split, functools.partial)
        and train_split.func is _PREDEFINED_SPLIT
    )


def condition(params):
    """Whether the staged path of ``max_epochs`` is exact for ``params``."""
    callbacks = _callbacks(params)
    max_epochs = params.get("max_epochs")
    return (
        isinstance(max_epochs, numbers.Integral)
        and not isinstance(max_epochs, bool)
        and any(isinstance(cb, SeedTorch) or cb is SeedTorch for _, cb, _ in callbacks)
        and all(_safe_callback(cb, over) for _, cb, over in callbacks)
        and _fixed_split(params.get("train_split"))
    )


def copy_net(net, memo=None):
    """A deep copy of ``net``, as ``copy.deepcopy`` makes it but without
    pickling: the attributes are deep-copied (module, criterion and
    optimizer together, so that the optimizer holds the copied module's
    parameters) and set as skorch's ``__setstate__`` sets them."""
    copied = object.__new__(type(net))
    vars(copied).update(copy.deepcopy(vars(net), memo))
    return copied


class _Snapshots(Callback):
    """Copies the net at the end of the epochs in ``epochs``."""

    def __init__(self, epochs, finish):
        self.epochs = epochs
        self.finish = finish
        self.taken = []

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if epoch in self.epochs:
            # The memo leaves this callback (and the snapshots it holds) out.
            snapshot = copy_net(net, memo={id(self): None})
            self.taken.append((epoch, self.finish(snapshot, epoch)))


def stages(estimator, values, X, y, fit_params):
    """Fit ``estimator`` once and yield ``(k, the net at the end of epoch k)``."""
    warm_start = estimator.warm_start
    name = "_skhyper_snapshots"

    def finish(net, epochs):
        # What a fit of `epochs` leaves: the callback gone, its own
        # max_epochs and warm_start, the end of training notified.
        net.callbacks_ = [(n, cb) for n, cb in net.callbacks_ if n != name]
        net.set_params(max_epochs=epochs, warm_start=warm_start)
        net.notify("on_train_end", X=X, y=y)
        return net

    snapshots = _Snapshots(frozenset(values[:-1]), finish)
    net = clone(estimator)
    net.initialize()  # what fit does first
    try:
        copy_net(net)
    except Exception as exc:  # something in the net that cannot be copied
        reason = f"the net cannot be copied at the end of an epoch ({exc!r})"
        yield from fresh_stages(
            estimator, "max_epochs", values, X, y, fit_params, reason
        )
        return
    net.callbacks_.append((name, snapshots))  # after every callback
    net.warm_start = True  # so that fit does not initialize again
    try:
        net.fit(X, y, **fit_params)
    finally:
        net.callbacks_ = [(n, cb) for n, cb in net.callbacks_ if n != name]
        net.warm_start = warm_start
    yield from snapshots.taken
    yield values[-1], net


PATHS = {
    NeuralNet: ("max_epochs", condition, stages),
    NeuralNetClassifier: ("max_epochs", condition, stages),
    NeuralNetBinaryClassifier: ("max_epochs", condition, stages),
    NeuralNetRegressor: ("max_epochs", condition, stages),
}
