"""The staged path of scikit-learn's networks: ``max_iter`` of the MLPs.

``MLPClassifier`` and ``MLPRegressor`` with a stochastic solver (``sgd``,
``adam``) train epoch after epoch, and nothing an epoch does depends on
``max_iter``: the shuffles, the batches, the learning-rate schedules
(``invscaling``, ``adaptive``), the early-stopping validation split and its
bookkeeping, and the test that stops the fit are the same in a fit with
``max_iter=k`` and in the first k epochs of a longer one. So one fit at the
largest value gives every smaller value's network: a snapshot at the end of
epoch k, finished as a fit that ends there is finished (the best weights
restored with ``early_stopping``), is the network a fresh fit with
``max_iter=k`` returns, and a fit that stopped at epoch j gives the same
network for every value from j on. ``tests/test_staged.py`` checks the
predictions bit for bit for every solver, schedule and early-stopping
setting. It is exact only when the randomness is fixed (``random_state`` an
int) and ``warm_start`` is off; ``lbfgs`` is one scipy call, with no epochs
to take, and is fitted afresh.

The convergence warning a fresh fit gives at ``max_iter=k`` (the fit reached
k epochs without stopping) is given for each such snapshot too.

:func:`mlp_resume` continues a kept network (the halving and Hyperband
tuners' survivors) by the epochs the next rung adds, where
:func:`mlp_resumable` holds (no early stopping: a kept network then holds
its best weights, not the last ones). What a fit carries from one epoch to
the next is the weights, the optimizer's state (Adam's moments, the
momentum, the learning rate), the counters of the stopping test, the RNG
and the shuffled order of the samples. The network keeps all but the last;
the order is found again by drawing from the seed what its fit drew (the
initial weights, then one shuffle per epoch) and is used only when the
RNG then stands where the network's does. ``tests/test_resume_mlp.py``
checks resumed against fresh networks bit for bit.
"""

import copy
import numbers
import warnings
from inspect import signature

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils import shuffle

from .._compat import (
    at_epoch_end,
    mlp_continued,
    mlp_end_epoch,
    mlp_random_state,
    mlp_stopped_by_test,
)

NOT_CONVERGED = (
    "Stochastic Optimizer: Maximum iterations (%d) reached and the "
    "optimization hasn't converged yet."
)
NON_FINITE = (
    "Solver produced non-finite parameter weights. The input data may"
    " contain large values and need to be preprocessed."
)


def mlp_condition(params):
    """Exact for a stochastic solver, an int ``random_state``, no warm start."""
    random_state = params.get("random_state")
    return (
        params.get("solver") in ("sgd", "adam")
        and isinstance(random_state, numbers.Integral)
        and not isinstance(random_state, bool)
        and not params.get("warm_start")
    )


def _finish(snapshot, value):
    """A snapshot at the end of epoch ``value``, finished as ``fit`` ends."""
    vars(snapshot).pop("_update_no_improvement_count", None)  # the hook
    snapshot.max_iter = value
    if snapshot.early_stopping:  # as fit does: restore the best weights
        snapshot.coefs_ = snapshot._best_coefs
        snapshot.intercepts_ = snapshot._best_intercepts
    weights = snapshot.coefs_ + snapshot.intercepts_
    if not all(np.isfinite(w).all() for w in weights):
        return ValueError(NON_FINITE)
    return snapshot


def mlp_stages(estimator, values, X, y, fit_params):
    """Fit once at ``max(values)``; yield ``(value, network)`` in increasing
    order (an exception in place of the network where a fresh fit with that
    value raises it)."""
    values = sorted(values)
    top = values[-1]
    model = clone(estimator).set_params(max_iter=top)
    wanted = set(values[:-1])
    snapshots = {}

    def at_end():
        if model.n_iter_ in wanted:
            snapshots[model.n_iter_] = copy.deepcopy(model)

    error = None
    try:
        with at_epoch_end(model, at_end):
            model.fit(X, y, **fit_params)
    except Exception as exc:  # after the snapshots taken before it
        error = exc
    ran = getattr(model, "n_iter_", 0)
    if error is None and ran < top and not mlp_stopped_by_test(model):
        # The network caught a KeyboardInterrupt (the user's Ctrl-C, or the
        # time budget) and returned early: what it ran is not a fit.
        raise KeyboardInterrupt("the staged fit was interrupted")
    for value in values:
        if value in snapshots:
            if ran > value:  # a fresh fit at value ends at max_iter, not stopped
                warnings.warn(NOT_CONVERGED % value, ConvergenceWarning)
            yield value, _finish(snapshots.pop(value), value)
        elif error is not None:
            raise error  # the fresh fit at value runs into it too
        elif value == top:
            yield value, model
        else:  # the fit stopped at epoch ran < value: so does a fresh one
            yield value, copy.deepcopy(model).set_params(max_iter=value)


def mlp_resumable(params):
    """Whether a network of ``params`` can be resumed exactly: the staged
    path's conditions, without early stopping."""
    return mlp_condition(params) and not params.get("early_stopping")


def _same_state(rng, other):
    if other is None:
        return False
    a, b = rng.get_state(), other.get_state()
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and a[2:] == b[2:]


def _sample_order(model, n_samples, epochs):
    """The RNG and the shuffled sample order (None without shuffling) after
    ``epochs`` epochs of ``model``'s fit on ``n_samples`` samples, drawn
    again from its seed; None unless the RNG then stands where ``model``'s
    does: a check that the draws were these (not of the data, which the
    engine checks by its training indices)."""
    rng = np.random.RandomState(model.random_state)
    for coef, intercept in zip(model.coefs_, model.intercepts_):
        rng.uniform(size=coef.shape)  # the initial weights' draws
        rng.uniform(size=intercept.shape)
    order = None  # without shuffling, the samples in their order
    if model.shuffle:
        order = np.arange(n_samples, dtype=int)
        for _ in range(epochs):
            order = shuffle(order, random_state=rng)
    if not _same_state(rng, mlp_random_state(model)):
        return None
    return rng, order


def mlp_resume(estimator, model, X, y, fit_params):
    """``model`` (a network fitted with fewer epochs, or a staged snapshot)
    trained on to ``estimator``'s ``max_iter``: the network a fresh fit of
    ``estimator`` gives (exact where :func:`mlp_resumable` holds), or None
    where it cannot be resumed (then the value is fitted afresh)."""
    if set(fit_params) - {"sample_weight"}:
        return None
    if fit_params and "sample_weight" not in signature(type(model).fit).parameters:
        return None  # (before 1.7) the fresh fit says what it says of them
    total, done = estimator.max_iter, model.n_iter_
    if not 0 < done < total:
        return None
    n_samples = X.shape[0] if hasattr(X, "shape") else len(X)
    found = _sample_order(model, n_samples, done)
    if found is None:
        return None
    rng, order = found
    seed = model.random_state
    if mlp_end_epoch(model):  # it stopped at ``done``: so does a longer fit
        model.max_iter = total
        return model
    if done < model.max_iter:  # it ended early without stopping: not a fit
        return None
    model.set_params(warm_start=True, max_iter=total - done, random_state=rng)
    try:
        with mlp_continued(model, order, done, total):
            model.fit(X, y, **fit_params)
    finally:
        model.set_params(warm_start=False, max_iter=total, random_state=seed)
    if model.n_iter_ < total and not mlp_stopped_by_test(model):
        raise KeyboardInterrupt("the resumed fit was interrupted")
    return model


PATHS = {
    MLPClassifier: ("max_iter", mlp_condition, mlp_stages, mlp_resume, mlp_resumable),
    MLPRegressor: ("max_iter", mlp_condition, mlp_stages, mlp_resume, mlp_resumable),
}
