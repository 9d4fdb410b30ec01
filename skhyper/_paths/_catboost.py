"""Staged path of ``iterations`` for CatBoost's ``CatBoostClassifier`` and
``CatBoostRegressor`` (spelled ``iterations``, ``n_estimators``,
``num_boost_round`` or ``num_trees``: :data:`ALIASES`).

One fit at the largest value; the model of ``k`` iterations is a ``copy()`` of
it cut to its first ``k`` trees with CatBoost's public ``shrink``, saved with
``save_model`` and loaded (``load_model(blob=...)``) into a new, unfitted
estimator with the same parameters and ``k`` iterations. Its metadata (public
``get_metadata()``: the learn-metric history and the training parameters) is
cut to ``k`` iterations too, as a fit at ``k`` writes it (``evals_result_``,
``best_score_``, ``get_all_params()`` read it), and its feature importances
are recomputed with the public ``get_feature_importance``.

Exact, as established in ``tests/test_staged_thirdparty.py`` (predict,
predict_proba, score, feature importances, ``get_all_params()``,
``tree_count_``, ``learning_rate_`` against a fresh fit at ``k``; the learn
history ``evals_result_`` equal to a fresh fit's once both are pickled, and
within an ulp before: CatBoost's own save and load moves some of its values
by an ulp, and a fresh fit pickled reports them so), for binary and
multi-class classification and regression, with the ``Plain`` and
``Ordered`` boosting types, with the ``Bayesian``, ``Bernoulli`` and ``MVS``
bootstraps (``subsample``, ``bagging_temperature``) and column sampling
(``rsm``): CatBoost's RNG is seeded once per fit and drawn iteration by
iteration. ``random_seed=None`` is
exact too (CatBoost's seed then defaults to 0), and so is ``thread_count=2``.

The path is refused (``condition`` is False) when:

- ``learning_rate`` is not given: CatBoost then chooses it from the number of
  iterations, so a run of ``k`` uses another rate than a longer run (the
  tests show it for binary classification; CatBoost documents it for Logloss
  and RMSE);
- ``random_seed``/``random_state`` is not an int or None;
- any early stopping or best-model setting is given (``od_type``,
  ``od_pval``, ``od_wait``, ``early_stopping_rounds``, ``use_best_model``
  other than False);
- any parameter outside :data:`_EXACT_PARAMS` is given, among them the ones
  found not exact (``model_shrink_rate``, which rescales earlier trees at every
  iteration, and ``langevin``) and the untested ones (``cat_features``,
  ``task_type``, snapshots, custom objectives...).

``n_features_in_`` is set by hand (:func:`_set_n_features_in`): CatBoost
reports 0 for a loaded model, a fresh fit pickled included.

Fit parameters other than ``sample_weight`` (``eval_set``, which turns on
``use_best_model``, ``early_stopping_rounds``, ``callbacks``, ...) make
:func:`stages` fall back to a fresh fit per value, since ``condition`` does
not see them.
"""

import json
import numbers
import os
import tempfile

from catboost import CatBoostClassifier, CatBoostRegressor
from sklearn.base import clone

from . import fresh_stages, unhonoured

# The spellings of the path parameter.
ALIASES = ("iterations", "n_estimators", "num_boost_round", "num_trees")

# Fit parameters that leave the iterations as a run of k makes them.
_SAFE_FIT_PARAMS = frozenset({"sample_weight"})

# Parameters with which the path is exact (the tests fit them) or which do not
# change the trees (output, logging, metrics without an eval set).
_EXACT_PARAMS = frozenset(
    {
        *ALIASES,
        "learning_rate",
        "eta",
        "random_seed",
        "random_state",
        "depth",
        "max_depth",
        "l2_leaf_reg",
        "reg_lambda",
        "loss_function",
        "objective",
        "boosting_type",
        "bootstrap_type",
        "subsample",
        "bagging_temperature",
        "rsm",
        "colsample_bylevel",
        "random_strength",
        "border_count",
        "max_bin",
        "min_data_in_leaf",
        "min_child_samples",
        "grow_policy",
        "max_leaves",
        "num_leaves",
        "leaf_estimation_iterations",
        "leaf_estimation_method",
        "boost_from_average",
        "class_weights",
        "auto_class_weights",
        "thread_count",
        "verbose",
        "verbose_eval",
        "silent",
        "logging_level",
        "metric_period",
        "allow_writing_files",
        "train_dir",
        "eval_metric",
        "custom_metric",
        "use_best_model",
    }
)


def _is_seed(value):
    return value is None or (
        isinstance(value, numbers.Integral) and not isinstance(value, bool)
    )


def condition(params):
    """Whether the staged path of ``iterations`` is exact for ``params``."""
    return (
        set(params) <= _EXACT_PARAMS
        and (params.get("learning_rate") is not None or params.get("eta") is not None)
        and _is_seed(params.get("random_seed"))
        and _is_seed(params.get("random_state"))
        and params.get("use_best_model") in (None, False)
        and isinstance(params.get("loss_function", ""), str)
        and isinstance(params.get("objective", ""), str)
    )


def _blob(model):
    """``model`` in CatBoost's binary format, through a temporary file (CatBoost
    saves only to a path)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.cbm")
        model.save_model(path)
        with open(path, "rb") as file:
            return file.read()


class _Number(str):
    """A JSON number kept in the text CatBoost wrote, so that the metadata
    reads back exactly as a saved fresh fit's does (CatBoost's own save and
    load already moves some learn-metric values by an ulp; a Python ``repr``
    of the number need not read back the same way)."""


def _loads(text):
    return json.loads(text, parse_float=_Number, parse_int=_Number)


def _dumps(value):
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, dict):
        items = (f"{json.dumps(key)}:{_dumps(item)}" for key, item in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dumps(item) for item in value) + "]"
    return json.dumps(value)


def _cut_metadata(model, k):
    """Cut the learn-metric history and the training parameters in ``model``'s
    metadata (public: ``get_metadata()`` is writable) to ``k`` iterations, as
    a fit of ``k`` writes them."""
    metadata = model.get_metadata()
    training = _loads(metadata["training"])
    metrics = training.get("metrics", {})
    history = metrics.get("learn_metrics_history")
    if history:
        metrics["learn_metrics_history"] = history[:k]
        metrics["learn_best_error"] = history[k - 1]
    metadata["training"] = _dumps(training)
    params = _loads(metadata["params"])
    params["boosting_options"]["iterations"] = _Number(k)
    metadata["params"] = _dumps(params)


def _set_n_features_in(model, n_features):
    """The one private access: a loaded CatBoost model reports
    ``n_features_in_`` 0 (a fresh fit pickled does too), and the property has
    no setter; CatBoost keeps its value in ``_n_features_in``."""
    model._n_features_in = n_features


def stages(estimator, values, X, y, fit_params):
    """Fit ``estimator`` once and yield ``(k, model of the first k trees)``."""
    names = [name for name in ALIASES if name in estimator.get_params()]
    name = names[0] if names else "iterations"
    if set(fit_params) - _SAFE_FIT_PARAMS:
        reason = unhonoured(fit_params, _SAFE_FIT_PARAMS)
        yield from fresh_stages(estimator, name, values, X, y, fit_params, reason)
        return
    full = clone(estimator).fit(X, y, **fit_params)
    for k in values[:-1]:
        cut = full.copy()
        cut.shrink(k)
        _cut_metadata(cut, k)
        model = clone(estimator).set_params(**{name: k})
        model.load_model(blob=_blob(cut))
        model.get_feature_importance(type="PredictionValuesChange")  # caches it
        _set_n_features_in(model, full.n_features_in_)
        yield k, model
    yield values[-1], full


PATHS = {
    CatBoostClassifier: ("iterations", condition, stages),
    CatBoostRegressor: ("iterations", condition, stages),
}
