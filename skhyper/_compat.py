"""The only module allowed to touch private names of scikit-learn and joblib.

Each name below says why it is needed; all were checked on scikit-learn
1.6.1 and 1.9.1 with joblib 1.5 and 1.6. The rest of the package imports
them from here, so an upgrade that moves one is mended in one place.
"""

from contextlib import contextmanager
from inspect import signature

import sklearn

# - TerminatedWorkerError: raised by joblib's loky backend when a worker
#   process dies (segfault, OOM kill); joblib re-exports nothing for it.
from joblib.externals.loky.process_executor import TerminatedWorkerError

# - lost_worker_errors(): TerminatedWorkerError, and Dask's errors for a task
#   whose worker died (KilledWorker once Dask gave up retrying it; a
#   cancelled future when joblib's Dask backend dropped it), when
#   ``distributed`` is in use (never imported here).
# - short_format_time: joblib's "1.2s" / "3.4min" formatting, used by
#   scikit-learn's verbose lines; ours must print the same.
from joblib.logger import short_format_time

# - get_active_backend: which joblib backend a Parallel call would use, to
#   know whether it can stream results (return_as="generator_unordered");
#   the multiprocessing and Ray backends cannot.
from joblib.parallel import get_active_backend

# - _MultimetricScorer: what check_scoring returns for multimetric scoring; we
#   recognise it and read its name -> scorer dict.
from sklearn.metrics._scorer import _MultimetricScorer

# - _yields_constant_splits: whether cv.split() gives the same folds on every
#   call, scikit-learn's rule for its halving searches (which split once per
#   rung); the halving tuners refuse the same splitters.
from sklearn.model_selection._split import _yields_constant_splits

# - InvalidParameterError and the constraint machinery: the tuners declare
#   ``_parameter_constraints`` and validate them as BaseSearchCV does, with
#   scikit-learn's wording and exception type.
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)

# - _raise_for_params: the same error as scikit-learn when metadata is passed
#   while routing is off.
from sklearn.utils.metadata_routing import _raise_for_params

# - _safe_split: slicing X for a split, rows and columns for pairwise
#   estimators (precomputed kernels); no public equivalent.
from sklearn.utils.metaestimators import _safe_split

# - _check_method_params: splitting array-like fit parameters (sample_weight,
#   ...) along with X; no public equivalent.
# - _num_samples: the number of samples of X as scikit-learn counts it (lists,
#   arrays, dataframes, sparse), for max_resources='auto'.
from sklearn.utils.validation import _check_method_params, _num_samples

# - _VisualBlock: the HTML repr block (moved in 1.7).
try:  # 1.7+, checked on 1.9.1
    from sklearn.utils._repr_html.estimator import _VisualBlock
except ImportError:  # 1.6.1
    from sklearn.utils._estimator_html_repr import _VisualBlock

# - sklearn.callback: scikit-learn's callback API (public from 1.9). Before
#   1.9, set_callbacks raises a clear error.
try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks

    HAS_CALLBACKS = True
except ImportError:  # scikit-learn < 1.9
    HAS_CALLBACKS = False

    def with_callbacks(method):
        return method

    class CallbackSupportMixin:
        def set_callbacks(self, *callbacks):
            """Set callbacks: not available, they need scikit-learn >= 1.9.

            Parameters
            ----------
            *callbacks : callback instances
                The callbacks to set.

            Raises
            ------
            NotImplementedError
                Always: this scikit-learn has no callback API.
            """
            raise NotImplementedError(
                "set_callbacks needs scikit-learn >= 1.9 (sklearn.callback); "
                f"scikit-learn {sklearn.__version__} is installed. Upgrade "
                "scikit-learn, or use verbose=1 for progress lines."
            )


def validate_params(estimator):
    """Check ``estimator``'s constructor parameters against its
    ``_parameter_constraints``, as ``BaseEstimator._validate_params`` does."""
    validate_parameter_constraints(
        estimator._parameter_constraints,
        estimator.get_params(deep=False),
        caller_name=type(estimator).__name__,
    )


def backend_kind(n_jobs):
    """How the workers of a ``Parallel(n_jobs)`` call share memory.

    ``"sequential"`` (one worker, this process), ``"threads"`` (threads of
    this process), ``"processes"`` (processes on this machine: loky,
    multiprocessing) or ``"remote"`` (any other backend: Dask, Ray...).
    """
    backend, default_n_jobs = get_active_backend()
    if n_jobs is None:
        n_jobs = default_n_jobs
    if backend.effective_n_jobs(n_jobs) == 1:
        return "sequential"
    name = type(backend).__name__
    if name == "ThreadingBackend":
        return "threads"
    if name in ("LokyBackend", "MultiprocessingBackend"):
        return "processes"
    return "remote"


def backend_streams_results():
    """Whether the active joblib backend yields results as tasks finish."""
    backend, _ = get_active_backend()
    return bool(getattr(backend, "supports_return_generator", False))


def multimetric_scorers(scorer):
    """Return the ``{name: scorer}`` dict held by a multimetric scorer."""
    return scorer._scorers


def scorer_accepts_sample_weight(scorer):
    """Whether a scorer takes ``sample_weight`` (scikit-learn's own rule).

    Scorers made by scikit-learn know it (``_accept_sample_weight``, 1.7+);
    for a plain callable we look at its signature, as scikit-learn does.
    """
    if hasattr(scorer, "_accept_sample_weight"):
        return scorer._accept_sample_weight()
    try:
        return "sample_weight" in signature(scorer).parameters
    except (TypeError, ValueError):
        return False


def is_response_scorer(scorer):
    """Whether ``scorer`` only calls the estimator's response methods.

    scikit-learn's scorers (``make_scorer``, names, ``check_scoring``'s
    default that calls ``estimator.score``) see nothing of a pipeline but
    what its final step returns on transformed data; a user's callable
    might. Multimetric scorers qualify when all their members do.
    """
    if isinstance(scorer, _MultimetricScorer):
        return all(is_response_scorer(s) for s in scorer._scorers.values())
    return type(scorer).__module__ == "sklearn.metrics._scorer"


def output_config(estimator):
    """What ``set_output`` configured on ``estimator`` (None if nothing):
    it changes what a transformer returns, so it is part of its identity."""
    return getattr(estimator, "_sklearn_output_config", None)


def remainder_of(column_transformer):
    """A fitted ``ColumnTransformer``'s ``(name, transformer, columns)`` of its
    remainder, or None before fit."""
    return column_transformer.__dict__.get("_remainder")


def set_remainder(column_transformer, remainder):
    column_transformer._remainder = remainder


def _callbacks_inside(objects):
    """Whether an estimator inside ``objects`` (steps, wrapped estimators,
    candidate values, recursively) has scikit-learn callbacks set."""
    seen = set()
    stack = list(objects)
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if getattr(obj, "_skl_callbacks", None):
            return True
        if isinstance(obj, dict):
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple):
            stack.extend(obj)
        elif hasattr(obj, "get_params") and not isinstance(obj, type):
            try:
                stack.extend(obj.get_params(deep=False).values())
            except Exception:
                continue
    return False


def search_callbacks(tuner):
    """``(any, reach_fits)``: whether scikit-learn callbacks are set on the
    tuner or inside its search, and whether some reach the candidates' fits
    (an auto-propagated callback on the tuner, or callbacks set on an
    estimator of the search)."""
    if not HAS_CALLBACKS:
        return False, False
    from sklearn.callback import AutoPropagatedCallback

    own = getattr(tuner, "_skl_callbacks", None) or []
    propagated = any(isinstance(cb, AutoPropagatedCallback) for cb in own)
    inside = _callbacks_inside(list(tuner.get_params(deep=False).values()))
    return bool(own) or inside, propagated or inside


def legacy_estimator_type(estimator):
    """The ``_estimator_type`` attribute of estimators written before
    scikit-learn's tags (PyOD's detectors, older third-party code)."""
    return getattr(estimator, "_estimator_type", None)


def _search_forwards_sample_weight_to_scorer():
    # scikit-learn started passing fit's sample_weight to the scorers of its
    # searches when routing is off in 1.7 (BaseSearchCV grew this method).
    # We follow whichever version is installed, so results stay equal.
    from sklearn.model_selection._search import BaseSearchCV

    return hasattr(BaseSearchCV, "_check_scorers_accept_sample_weight")


def _router_owner_is_object():
    # MetadataRouter(owner=...) took the owner's class name up to 1.7 and the
    # owner object itself later (display only); _routing_repr came with that.
    from sklearn.utils import _metadata_requests

    return hasattr(_metadata_requests, "_routing_repr")


FORWARD_SAMPLE_WEIGHT_TO_SCORER = _search_forwards_sample_weight_to_scorer()
ROUTER_OWNER_IS_OBJECT = _router_owner_is_object()

__all__ = [
    "FORWARD_SAMPLE_WEIGHT_TO_SCORER",
    "HAS_CALLBACKS",
    "ROUTER_OWNER_IS_OBJECT",
    "CallbackSupportMixin",
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "TerminatedWorkerError",
    "lost_worker_errors",
    "_MultimetricScorer",
    "_VisualBlock",
    "_check_method_params",
    "_num_samples",
    "_raise_for_params",
    "_safe_split",
    "backend_kind",
    "backend_streams_results",
    "is_response_scorer",
    "legacy_estimator_type",
    "multimetric_scorers",
    "output_config",
    "remainder_of",
    "scorer_accepts_sample_weight",
    "search_callbacks",
    "set_remainder",
    "short_format_time",
    "validate_params",
    "_yields_constant_splits",
    "with_callbacks",
]


@contextmanager
def at_epoch_end(mlp, callback):
    """Call ``callback()`` at the end of every epoch of ``mlp``'s fit.

    - ``_update_no_improvement_count``: what ``MLPClassifier`` and
      ``MLPRegressor`` call once at the end of every epoch of the stochastic
      solvers (``sgd``, ``adam``), after the epoch's weight updates and the
      early-stopping bookkeeping (the best weights so far), before the test
      that stops the fit; no public hook exists. The staged path of
      ``max_iter`` snapshots the network there. Checked on 1.6.1 and 1.9.1
      (its arguments changed in 1.7: sample weights).
    """
    original = mlp._update_no_improvement_count

    def hooked(*args, **kwargs):
        original(*args, **kwargs)
        callback()

    mlp._update_no_improvement_count = hooked  # the instance's, not the class's
    try:
        yield
    finally:
        del mlp._update_no_improvement_count


def mlp_random_state(mlp):
    """The RNG a fitted network drew from (``_random_state``: seeded from
    ``random_state`` at each ``fit``, drawn by the initial weights and then
    by each epoch's shuffle), or None; checked on 1.6.1 and 1.9.1."""
    return vars(mlp).get("_random_state")


def mlp_end_epoch(mlp):
    """Finish ``mlp``'s last epoch as its fit does after the end-of-epoch
    hook (``at_epoch_end``); True when the fit stops there.

    A snapshot taken in the hook has not yet had the rest of the epoch: the
    optimizer's ``iteration_ends`` (``invscaling`` sets its learning rate
    from ``t_``) and the stopping test (past ``n_iter_no_change`` epochs
    without improvement, ``trigger_stopping`` stops the fit or, for
    ``adaptive``, divides the learning rate by 5 and the count restarts).
    Both are idempotent on a fit that ended (its count was reset, or it
    stopped: then the test stops it again without a change), so a model
    from either gives the state the next epoch starts from.

    - ``_optimizer``, ``_no_improvement_count``, ``t_`` and the order of the
      two steps: checked on 1.6.1 and 1.9.1.
    """
    optimizer = mlp._optimizer
    optimizer.iteration_ends(mlp.t_)
    if mlp._no_improvement_count > mlp.n_iter_no_change:
        if optimizer.trigger_stopping("", False):
            return True
        mlp._no_improvement_count = 0
    return False


@contextmanager
def mlp_continued(mlp, order, done, total):
    """While ``mlp.fit`` runs with ``warm_start=True`` and ``max_iter=total -
    done``, make its epochs those of a fit of ``total`` epochs after its
    first ``done``: the optimizer's state carried over, the samples taken in
    ``order`` (the shuffled index after ``done`` epochs, which the fit
    starts afresh from ``arange``; None without shuffling), and the epochs
    counted from ``done``.

    - ``_fit_stochastic(X, y[, sample_weight], ...)``: a warm fit creates a
      new optimizer there; its first ``_backprop`` (the first batch) is
      where the old one is put back, and where ``n_iter_`` (reset to 0
      before the epoch loop, whose length is already set) and ``max_iter``
      (read at each epoch's end, for the convergence warning) are set as a
      fit of ``total`` epochs has them. Checked on 1.6.1 and 1.9.1 (sample
      weights came in 1.7).
    """
    cls = type(mlp)
    optimizer = mlp._optimizer
    fit_signature = signature(cls._fit_stochastic)
    permuted = [] if order is None else ["X", "y", "sample_weight"]

    def fit_stochastic(*args, **kwargs):
        bound = fit_signature.bind(mlp, *args, **kwargs)
        for name in permuted:
            if bound.arguments.get(name) is not None:
                bound.arguments[name] = bound.arguments[name][order]
        return cls._fit_stochastic(*bound.args, **bound.kwargs)

    def backprop(*args, **kwargs):
        del mlp._backprop  # the first batch only
        mlp._optimizer = optimizer
        mlp.n_iter_ = done
        mlp.max_iter = total
        return cls._backprop(mlp, *args, **kwargs)

    mlp._fit_stochastic = fit_stochastic  # the instance's, not the class's
    mlp._backprop = backprop
    try:
        yield
    finally:
        vars(mlp).pop("_fit_stochastic", None)
        vars(mlp).pop("_backprop", None)


def mlp_stopped_by_test(mlp):
    """Whether ``mlp``'s fit ended on its own stopping test (no improvement for
    ``n_iter_no_change`` epochs), as opposed to an interruption.

    - ``_no_improvement_count``: past ``n_iter_no_change`` only when the fit
      broke off on that test (it is reset to 0 when the test lowers the
      learning rate instead); checked on 1.6.1 and 1.9.1.
    """
    return getattr(mlp, "_no_improvement_count", 0) > mlp.n_iter_no_change


def lost_worker_errors():
    """The exception types that mean a task's worker process died."""
    import sys

    errors = [TerminatedWorkerError]
    if "distributed" in sys.modules:
        from distributed import KilledWorker
        from distributed.client import FutureCancelledError

        errors += [KilledWorker, FutureCancelledError]
    return tuple(errors)


# - _metadata_request, _serialize: an estimator's or scorer's own metadata
#   requests (set_fit_request, set_score_request...), which clone carries and
#   which change what a fit or score receives; read as plain dicts for keys.
def metadata_request_of(obj):
    """The requests set on ``obj`` itself, as a dict (None if none were set).

    Raises TypeError when they cannot be read as plain data."""
    request = getattr(obj, "__dict__", {}).get("_metadata_request")
    if request is None:
        return None
    serialize = getattr(request, "_serialize", None)
    if serialize is None:
        raise TypeError(f"a metadata request of type {type(request).__name__}")
    return serialize()


def scorer_state(obj):
    """A scikit-learn scorer's attributes (its function, sign, kwargs,
    response method, the scorers of a multimetric one), or None when ``obj``
    is not one of scikit-learn's scorer objects."""
    cls = type(obj)
    if isinstance(obj, type) or cls.__module__ != "sklearn.metrics._scorer":
        return None
    state = getattr(obj, "__dict__", None)
    return None if state is None else dict(state)
