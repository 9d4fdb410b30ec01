"""Teach skhyper about your own estimators.

skhyper shares work it knows to be exact. Three kinds of knowledge are
lists inside the engine (one registry), and these functions extend them:

- :func:`register_warm_start`: a parameter whose values can be fitted in
  increasing order on one model with ``warm_start=True`` (as
  ``n_estimators`` of a random forest), so a search over it grows one model
  per fold instead of fitting each value afresh;
- :func:`register_staged_path`: an epoch-like parameter (the epochs of a
  network, the rounds of a booster) whose smaller values' models can be
  taken from one fit at the largest value, so a search over it trains once
  per fold and scores every value from that run;
- :func:`register_cheap_step`: a transformer cheap enough to be refitted
  in several tasks, so the candidates below it can run in parallel rather
  than wait in one task per fold.

:func:`check_warm_start` and :func:`check_staged_path` are the tests that
every built-in path passes: register a path only once it passes for your
estimator. Registrations hold for the process that runs ``fit`` (the plan
is made there), for every later search, until undone: each ``register_*``
returns a registration that ``undo()`` forgets, or that holds only inside a
``with`` block; :func:`unregister` forgets a class's registrations.

**Scorer hooks.** A scorer passed as ``scoring`` (a callable
``scorer(estimator, X, y)``, or a value of a ``scoring`` dict) may define two
optional attributes that skhyper's tuners read. Plain scikit-learn searches
ignore them, so such a scorer still works everywhere a scorer does. The
outlier scorers of :mod:`skhyper.anomaly` (``make_outlier_scorer``,
``make_mass_volume_scorer``, ``make_excess_mass_scorer``) define both.

``skhyper_check(estimator)``
    A method that raises ``TypeError`` (with a message saying why) when the
    scorer cannot score ``estimator``, an unfitted clone of the tuner's
    ``estimator`` set to one candidate's parameters. It must not fit or
    modify it. The tuners call it in the process that runs ``fit``, on every
    batch of candidates, before any fit of that batch (the whole grid for
    ``GridTuner``, each rung of successive halving, each round of
    ``BayesTuner``), once per distinct candidate (by value), for each scorer
    that has it. Whatever it raises stops the search before the batch's
    fits: a bad pairing of scorer and estimator (``LocalOutlierFactor()``
    without ``novelty=True`` under a scorer that needs scores of new data)
    fails at once, not as ``error_score`` after every fit.

``threshold_free``
    An attribute (or property) that is ``True`` when the score does not
    depend on where a detector cuts its scores into labels (ranking
    metrics, Mass-Volume, Excess-Mass). Only ``True`` itself counts. Before
    each batch, the tuners warn (``UserWarning``) when the estimator is an
    outlier detector, every scorer of ``scoring`` is threshold-free
    (scikit-learn's ranking scorer names count too) and the candidates vary
    a threshold parameter such as ``contamination`` (at any depth:
    ``det__contamination``): those candidates score the same, and the
    search spends fits telling apart what cannot differ. See
    :func:`skhyper.anomaly.check_threshold_grid`.

Examples
--------
>>> import warnings
>>> import numpy as np
>>> from sklearn.ensemble import IsolationForest
>>> from sklearn.metrics import roc_auc_score
>>> from sklearn.neighbors import LocalOutlierFactor
>>> from skhyper import GridTuner
>>> class ScoreAUC:
...     \"\"\"ROC AUC of the anomaly scores (-score_samples), outliers y == -1.\"\"\"
...
...     threshold_free = True  # reads scores, never the predicted labels
...
...     def skhyper_check(self, estimator):
...         if not hasattr(estimator, "score_samples"):
...             raise TypeError(f"{estimator!r} cannot score new samples")
...
...     def __call__(self, estimator, X, y):
...         return roc_auc_score(y == -1, -estimator.score_samples(X))
>>> rng = np.random.RandomState(0)
>>> X = np.r_[rng.normal(size=(90, 2)), rng.uniform(-6, 6, size=(10, 2))]
>>> y = np.r_[np.ones(90, int), -np.ones(10, int)]
>>> lof = GridTuner(
...     LocalOutlierFactor(), {"n_neighbors": [5, 20]}, scoring=ScoreAUC(), cv=3
... )
>>> lof.fit(X, y)  # skhyper_check: refused before any fit
Traceback (most recent call last):
...
TypeError: LocalOutlierFactor(n_neighbors=5) cannot score new samples
>>> lof.set_params(estimator=LocalOutlierFactor(novelty=True))
GridTuner(...)
>>> lof.fit(X, y).best_params_
{'n_neighbors': 5}
>>> forest = GridTuner(
...     IsolationForest(random_state=0),
...     {"contamination": [0.05, 0.1]},
...     scoring=ScoreAUC(),
...     cv=3,
... )
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     forest.fit(X, y)  # threshold_free: contamination cannot matter
GridTuner(...)
>>> any("differ only in 'contamination'" in str(w.message) for w in caught)
True
>>> scores = forest.cv_results_["mean_test_score"]
>>> bool(scores[0] == scores[1])
True
"""

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import GridSearchCV, check_cv

from ._compat import _safe_split
from ._engine import (
    add_cheap_step,
    add_staged_path,
    add_warm_path,
    staged_path,
    unregister_class,
    warm_path_param,
)
from ._grid import GridTuner

__all__ = [
    "check_staged_path",
    "check_warm_start",
    "register_cheap_step",
    "register_staged_path",
    "register_warm_start",
    "unregister",
]


def register_warm_start(cls, param, condition=None):
    """Declare a warm-start path of an estimator class.

    Fitting the values of ``param`` in increasing order on one model with
    ``warm_start=True`` must give, at each value, the model a fresh fit
    gives; check it with :func:`check_warm_start` before registering. The
    path is used for exactly ``cls`` (not subclasses), when the candidate
    has ``warm_start`` off, ``random_state`` an int (or no ``random_state``
    parameter), an int value of ``param``, and ``condition`` holds.

    Parameters
    ----------
    cls : type
        The estimator class. Its constructor takes ``param`` and
        ``warm_start``.

    param : str
        The path parameter (an int-valued parameter such as
        ``n_estimators`` or ``max_iter``).

    condition : callable, default=None
        ``condition(params) -> bool``, given the candidate's
        ``get_params(deep=False)``: whether the path is exact for that
        configuration (e.g. ``lambda p: p["early_stopping"] is False``).
        None means always.

    Returns
    -------
    registration : Registration
        ``registration.undo()`` forgets it; ``with register_warm_start(...):``
        holds it for the block only.

    Raises
    ------
    TypeError
        If ``cls`` is not a class or ``condition`` not a callable.
    ValueError
        If ``cls`` has no ``param`` or no ``warm_start`` parameter.

    See Also
    --------
    check_warm_start : Test that a path equals fresh fits.
    unregister : Forget a class's registrations.

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skhyper.extend import register_warm_start
    >>> class MyForest(RandomForestClassifier):
    ...     pass
    >>> registration = register_warm_start(MyForest, "n_estimators")
    >>> registration
    <warm registration of MyForest>
    >>> registration.undo()
    >>> register_warm_start(MyForest, "n_trees")
    Traceback (most recent call last):
    ...
    ValueError: MyForest has no parameter 'n_trees': ...
    """
    return add_warm_path(cls, param, condition)


def register_cheap_step(cls):
    """Declare a transformer class cheap to repeat.

    Candidates of a pipeline that share an expensive first step (a kernel
    approximation, a PCA) are evaluated in one task per fold (or in parts
    that start from its handed-over outputs), so that step is fitted once
    per fold. Below a cheap step (a scaler, an encoder) they are spread
    over the tasks, and each worker refits the step when it does not hold
    it already: more parallelism for a little repeated work. The scheduler
    measures every step's cost as the search runs and decides by the
    measurement; this list is the prior it uses before a step of the class
    has been measured once (the first folds of a search). Declare a step
    cheap when one fit and transform costs about one pass over the data.
    The answer of the search does not change either way, only its speed.

    Parameters
    ----------
    cls : type
        The transformer class (exactly this class, not subclasses).

    Returns
    -------
    registration : Registration
        ``registration.undo()`` forgets it; ``with register_cheap_step(...):``
        holds it for the block only.

    Raises
    ------
    TypeError
        If ``cls`` is not a class.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator, TransformerMixin
    >>> from skhyper.extend import register_cheap_step
    >>> class Centre(TransformerMixin, BaseEstimator):
    ...     def fit(self, X, y=None):
    ...         self.mean_ = X.mean(axis=0)
    ...         return self
    ...
    ...     def transform(self, X):
    ...         return X - self.mean_
    >>> with register_cheap_step(Centre):
    ...     pass  # searches here treat Centre as cheap
    """
    return add_cheap_step(cls)


def check_warm_start(estimator, param, values, X, y=None, *, cv=3, scoring=None):
    """Check that a registered warm-start path gives fresh fits' scores.

    Runs a :class:`~skhyper.GridTuner` over ``values`` of ``param`` (which
    grows one model per fold along the path) and a
    :class:`~sklearn.model_selection.GridSearchCV` (a fresh fit per value)
    side by side, and compares every score of their ``cv_results_``
    exactly, train scores included. This is the test every built-in path
    passes.

    Parameters
    ----------
    estimator : estimator object
        An instance of a registered class, configured as it will be searched
        (``random_state`` an int where it has one).

    param : str
        The registered path parameter.

    values : list of int
        At least two values, in any order.

    X : array-like of shape (n_samples, n_features)
        Data to fit on.

    y : array-like of shape (n_samples,), default=None
        Targets, if the estimator takes them.

    cv : int or CV splitter, default=3
        The cross-validation of both searches.

    scoring : str or callable, default=None
        How both searches score; None uses the estimator's ``score``.

    Raises
    ------
    ValueError
        If no path applies to ``estimator`` and ``param`` (not registered,
        ``random_state`` not an int, ``warm_start`` on, or its condition
        fails), or fewer than two values are given.
    AssertionError
        If the path was not followed or a score differs from a fresh fit's.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import ExtraTreesClassifier
    >>> from skhyper.extend import check_warm_start
    >>> X, y = make_classification(n_samples=60, random_state=0)
    >>> check_warm_start(
    ...     ExtraTreesClassifier(random_state=0), "n_estimators", [2, 5], X, y
    ... )
    """
    found = warm_path_param(estimator)
    if found != param:
        raise ValueError(
            f"No warm-start path applies to {param!r} of {estimator!r} (found "
            f"{found!r}): register the class with register_warm_start, give it an "
            "int random_state and warm_start=False."
        )
    values = list(values)
    if len(set(values)) < 2:
        raise ValueError(
            f"values must hold at least two different values, got {values!r}"
        )
    _search_against_sklearn(estimator, param, values, X, y, cv, scoring, "warm-start")


def register_staged_path(
    cls, param, stages, condition=None, *, resume=None, resumable=None
):
    """Declare a staged path of an estimator class.

    A fit with ``param=k`` must be the start of a fit with a larger value
    (the network at the end of epoch k, the first k rounds of a booster):
    then a search over ``param`` trains once per fold, at the largest value,
    and scores every smaller value's model from that run. ``stages`` takes
    those models from the run; check with :func:`check_staged_path` that
    each predicts exactly what a fresh fit with its value predicts before
    registering. The path is used for exactly ``cls`` (not subclasses), for
    candidates with an int value of ``param`` where ``condition`` holds, and
    takes precedence over a built-in path of the class.

    Parameters
    ----------
    cls : type
        The estimator class.

    param : str
        The path parameter (``max_epochs``, ``n_estimators``, ...).

    stages : callable
        ``stages(estimator, values, X, y, fit_params)``: fit ``estimator``
        (unfitted, configured with the largest value) once on ``X, y`` with
        ``fit_params``, and yield ``(value, model)`` for each of ``values``
        (sorted, distinct ints) in increasing order: ``model`` a fitted
        estimator with ``get_params()[param] == value``, or the exception a
        fresh fit with that value raises. An exception that ``stages``
        raises is the fit of every value it did not yield.

    condition : callable, default=None
        ``condition(params) -> bool``, given the candidate's
        ``get_params(deep=False)``: whether the path is exact for that
        configuration. None means: ``random_state`` an int where the class
        has one, and ``warm_start`` off where it has one.

    resume : callable, default=None
        ``resume(estimator, model, X, y, fit_params)``: continue ``model``,
        fitted on ``X, y`` with ``fit_params`` and a smaller value of
        ``param``, to the value of ``estimator`` (unfitted), and return the
        model a fresh fit of ``estimator`` gives (or None where it cannot;
        the value is then fitted afresh). With it, the halving and
        Hyperband tuners (``resource=param``) keep each rung's models and
        continue a survivor's model instead of refitting it, as for a
        warm-start path. :func:`check_staged_path` checks it too.

    resumable : callable, default=None
        ``resumable(params) -> bool``: the configurations ``resume`` is
        exact for (None: wherever ``condition`` holds); models are kept
        between rungs only for them.

    Returns
    -------
    registration : Registration
        ``registration.undo()`` forgets it; ``with register_staged_path(...):``
        holds it for the block only.

    Raises
    ------
    TypeError
        If ``cls`` is not a class, or ``stages``, ``condition``, ``resume``
        or ``resumable`` not callable.
    ValueError
        If ``cls`` has no parameter ``param``, or ``resumable`` is given
        without ``resume``.

    See Also
    --------
    check_staged_path : Test that a staged path equals fresh fits.
    unregister : Forget a class's registrations.

    Examples
    --------
    An estimator fitted by ``n_steps`` steps of gradient descent; its
    ``fit`` calls ``on_step`` after each step, and ``stages`` keeps a copy
    of the model at the steps asked for:

    >>> import copy
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator, RegressorMixin
    >>> class Descent(RegressorMixin, BaseEstimator):
    ...     def __init__(self, n_steps=10, rate=0.1):
    ...         self.n_steps, self.rate = n_steps, rate
    ...
    ...     def fit(self, X, y, on_step=None):
    ...         self.coef_ = np.zeros(X.shape[1])
    ...         for step in range(1, self.n_steps + 1):
    ...             grad = X.T @ (X @ self.coef_ - y) / len(y)
    ...             self.coef_ = self.coef_ - self.rate * grad
    ...             if on_step is not None:
    ...                 on_step(step, self)
    ...         return self
    ...
    ...     def predict(self, X):
    ...         return X @ self.coef_
    >>> def descent_stages(estimator, values, X, y, fit_params):
    ...     models = {}
    ...
    ...     def on_step(step, model):
    ...         if step in values:
    ...             models[step] = copy.deepcopy(model).set_params(n_steps=step)
    ...
    ...     estimator.fit(X, y, on_step=on_step, **fit_params)
    ...     for value in values:
    ...         yield value, models[value]
    >>> from skhyper.extend import check_staged_path, register_staged_path
    >>> registration = register_staged_path(Descent, "n_steps", descent_stages)
    >>> from sklearn.datasets import make_regression
    >>> X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    >>> check_staged_path(Descent(), "n_steps", [5, 20, 50], X, y)
    >>> from skhyper import GridTuner
    >>> tuner = GridTuner(Descent(), {"n_steps": [5, 20, 50]}, cv=3).fit(X, y)
    >>> tuner.work_["fits"], tuner.work_["staged_fits"]  # 1 run, 2 taken, per fold
    (3, 6)
    >>> tuner.work_["iterations"], tuner.work_["plain_iterations"]
    (150, 225)
    >>> registration.undo()
    """
    return add_staged_path(cls, param, stages, condition, resume, resumable)


def unregister(cls):
    """Forget every registration of ``cls``: warm-start, staged, cheap.

    The built-in entries of the class (if any) apply again.

    Parameters
    ----------
    cls : type
        The class registered with ``register_*``.

    Returns
    -------
    found : bool
        Whether ``cls`` had a registration.

    Examples
    --------
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skhyper.extend import register_cheap_step, unregister
    >>> class Scaler(StandardScaler):
    ...     pass
    >>> _ = register_cheap_step(Scaler)
    >>> unregister(Scaler), unregister(Scaler)
    (True, False)
    """
    return unregister_class(cls)


PREDICTIONS = ("predict", "predict_proba", "decision_function", "score_samples")


def check_staged_path(estimator, param, values, X, y=None, *, cv=3, scoring=None):
    """Check that a staged path gives fresh fits' models and scores.

    On every CV split, runs the path once at the largest of ``values`` and
    compares, for each value, the model it gives with a fresh fit with that
    value: its ``param``, and its predictions on the test fold (``predict``,
    ``predict_proba``, ``decision_function``, ``score_samples``, whichever
    the fresh fit has), bit for bit. Then runs a
    :class:`~skhyper.GridTuner` (which follows the path) and a
    :class:`~sklearn.model_selection.GridSearchCV` over ``values`` side by
    side and compares every score of their ``cv_results_`` exactly, train
    scores included. Where the path resumes models of this configuration
    (``resume``), it also resumes, on every split, a fresh fit with each
    value to the next value, and compares it with a fresh fit with that
    one. This is the test every built-in staged path passes.

    Parameters
    ----------
    estimator : estimator object
        An instance of a class with a staged path (built-in or registered),
        configured as it will be searched.

    param : str
        The path parameter.

    values : list of int
        At least two different values, in any order.

    X : array-like of shape (n_samples, n_features)
        Data to fit on.

    y : array-like of shape (n_samples,), default=None
        Targets, if the estimator takes them.

    cv : int or CV splitter, default=3
        The cross-validation of the check and of both searches.

    scoring : str or callable, default=None
        How both searches score; None uses the estimator's ``score``.

    Raises
    ------
    ValueError
        If no staged path of ``param`` applies to ``estimator`` (none
        registered, or its condition fails), or fewer than two values are
        given.
    AssertionError
        If a model differs from a fresh fit, the path was not followed, or a
        score differs from scikit-learn's.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.neural_network import MLPClassifier
    >>> from skhyper.extend import check_staged_path
    >>> X, y = load_iris(return_X_y=True)
    >>> net = MLPClassifier(hidden_layer_sizes=(5,), solver="adam", random_state=0)
    >>> import warnings
    >>> with warnings.catch_warnings():  # few epochs: not converged
    ...     warnings.simplefilter("ignore")
    ...     check_staged_path(net, "max_iter", [2, 5, 10], X, y)
    """
    values = sorted(set(values))
    if len(values) < 2:
        raise ValueError(
            f"values must hold at least two different values, got {values!r}"
        )
    # the path as a candidate of the search sees it: param set to a value
    try:
        path = staged_path(clone(estimator).set_params(**{param: values[-1]}))
    except ValueError:  # no such parameter
        path = None
    found = None if path is None else path.param
    if found != param:
        raise ValueError(
            f"No staged path applies to {param!r} of {estimator!r} (found "
            f"{found!r}): register the class with register_staged_path, and "
            "configure it so that its condition holds (fixed randomness, ...)."
        )
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    for train, test in splitter.split(X, y):
        X_train, y_train = _safe_split(estimator, X, y, train)
        X_test, _ = _safe_split(estimator, X, y, test, train)
        top = clone(estimator).set_params(**{param: values[-1]})
        models = {
            stage[0]: stage[1]
            for stage in path.stages(top, values, X_train, y_train, {})
        }
        for value in values:
            _compare(
                estimator, param, value, models.get(value), X_train, y_train, X_test
            )
        if path.resumes(top.get_params(deep=False)):
            for before, value in zip(values, values[1:]):
                model = clone(estimator).set_params(**{param: before})
                target = clone(estimator).set_params(**{param: value})
                try:
                    model.fit(X_train, y_train)
                except Exception:  # no model to resume: the fresh fit fails
                    continue
                resumed = path.resume(target, model, X_train, y_train, {})
                if resumed is not None:
                    _compare(estimator, param, value, resumed, X_train, y_train, X_test)
    _search_against_sklearn(estimator, param, values, X, y, cv, scoring, "staged")


def _compare(estimator, param, value, model, X_train, y_train, X_test):
    """Assert that ``model`` is what a fresh fit with ``param=value`` gives."""
    fresh = clone(estimator).set_params(**{param: value})
    try:
        fresh.fit(X_train, y_train)
    except Exception as exc:
        if not isinstance(model, type(exc)):
            raise AssertionError(
                f"A fresh fit with {param}={value} raises {exc!r}; the staged "
                f"path gave {model!r}"
            ) from exc
        return
    if model is None or isinstance(model, BaseException):
        raise AssertionError(
            f"The staged path gave no model for {param}={value} (got {model!r})"
        )
    got = model.get_params(deep=False)[param]
    if got != value:
        raise AssertionError(
            f"The model for {param}={value} has {param}={got!r}: a staged model "
            "must have its own value of the path parameter"
        )
    for method in PREDICTIONS:
        if hasattr(fresh, method):
            np.testing.assert_array_equal(
                getattr(model, method)(X_test),
                getattr(fresh, method)(X_test),
                err_msg=f"{method} of the staged model for {param}={value} "
                "differs from a fresh fit's",
            )


def _search_against_sklearn(estimator, param, values, X, y, cv, scoring, kind):
    """A GridTuner over ``values`` follows the path and gives GridSearchCV's
    scores exactly, train scores included."""
    grid = {param: values}
    kwargs = dict(cv=cv, scoring=scoring, return_train_score=True)
    tuner = GridTuner(clone(estimator), grid, **kwargs).fit(X, y)
    reference = GridSearchCV(clone(estimator), grid, **kwargs).fit(X, y)
    count = {"warm-start": "warm_start_fits", "staged": "staged_fits"}[kind]
    if tuner.work_[count] == 0:
        raise AssertionError(
            f"The {kind} path of {param!r} was not followed (work_={tuner.work_})."
        )
    for key, expected in reference.cv_results_.items():
        if key.endswith("_time") or key == "params":
            continue
        np.testing.assert_array_equal(
            np.asarray(tuner.cv_results_[key]),
            np.asarray(expected),
            err_msg=f"{key}: the {kind} path differs from fresh fits",
        )
