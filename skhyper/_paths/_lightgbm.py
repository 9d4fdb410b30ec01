"""Staged path of ``n_estimators`` for LightGBM's ``LGBMClassifier`` and
``LGBMRegressor``.

One fit at the largest ``n_estimators``; the model of ``k`` rounds is built
from that booster's first ``k`` iterations with LightGBM's public
``Booster.model_to_string(num_iteration=k)`` and ``Booster(model_str=...)``,
set into a copy of the fitted estimator (the one private access, in
:func:`_with_booster`).

Exact, as established in ``tests/test_staged_thirdparty.py``: predict,
predict_proba, raw scores and score bit-for-bit against a fresh fit at ``k``,
and ``booster_.model_to_string()`` identical text (trees, leaf values and the
parameters section), for binary and multi-class classification and
regression, with ``boosting_type`` ``"gbdt"``, ``"rf"`` and GOSS sampling, with
bagging and feature subsampling (``subsample``/``bagging_fraction`` with
``subsample_freq``/``bagging_freq``, ``colsample_bytree``/``feature_fraction``,
``feature_fraction_bynode``, ``extra_trees``: LightGBM's RNGs are seeded once
per fit and drawn iteration by iteration), with ``random_state=None`` (the
native seeds then have fixed defaults) and with ``n_jobs=2``. No
nondeterminism from threads was found: fits at 1 and 2 threads, col-wise and
row-wise histograms gave identical predictions (2,000 and 5,000 rows).

The path is refused (``condition`` is False) for:

- ``random_state`` (or a seed alias) that is not an int or None, e.g. a
  ``RandomState`` instance, which LightGBM draws a seed from at each fit;
- ``boosting_type`` (or an alias) ``"dart"``: dropout rescales earlier trees;
- any early-stopping parameter (``early_stopping_round(s)``,
  ``early_stopping``, ``n_iter_no_change``), and any alias of
  ``num_iterations`` in the keyword parameters (it overrides ``n_estimators``);
- a callable ``objective``, a ``device_type`` other than the CPU or a
  ``tree_learner`` other than ``"serial"`` (not tested).

Fit parameters other than ``sample_weight`` (``eval_set``, ``callbacks``,
``init_model``, ``init_score``, ...) make :func:`stages` fall back to a fresh
fit per value, since ``condition`` does not see them.

:func:`resume` continues a kept booster with more iterations (the halving
and Hyperband tuners' survivors), where :func:`resumable` holds: ``gbdt``
without bagging, feature subsampling, GOSS, extremely randomized or linear
trees, since a continued fit seeds LightGBM's RNGs afresh.
"""

import copy
import numbers

from lightgbm import Booster, LGBMClassifier, LGBMRegressor
from sklearn.base import clone

from . import fresh_stages, unhonoured

# Fit parameters that leave the boosting rounds as a run of k makes them.
_SAFE_FIT_PARAMS = frozenset({"sample_weight"})

# LightGBM's aliases (its "Parameters" documentation).
_ITERATIONS = frozenset(
    {
        "num_iterations",
        "num_iteration",
        "n_iter",
        "num_tree",
        "num_trees",
        "num_round",
        "num_rounds",
        "nrounds",
        "num_boost_round",
        "max_iter",
    }
)
_EARLY_STOPPING = frozenset(
    {
        "early_stopping_round",
        "early_stopping_rounds",
        "early_stopping",
        "n_iter_no_change",
    }
)
_BOOSTING = ("boosting_type", "boosting", "boost")
_SEEDS = (
    "random_state",
    "seed",
    "random_seed",
    "bagging_seed",
    "bagging_fraction_seed",
    "feature_fraction_seed",
    "extra_seed",
    "drop_seed",
    "objective_seed",
    "data_random_seed",
    "data_seed",
)
_DEVICES = ("device_type", "device")
_TREE_LEARNERS = ("tree_learner", "tree", "tree_learner_type", "tree_type")


def _is_seed(value):
    return value is None or (
        isinstance(value, numbers.Integral) and not isinstance(value, bool)
    )


def condition(params):
    """Whether the staged path of ``n_estimators`` is exact for ``params``."""
    return (
        all(_is_seed(params.get(name)) for name in _SEEDS)
        and all(params.get(name) in (None, "gbdt", "rf", "goss") for name in _BOOSTING)
        and not (set(params) & (_EARLY_STOPPING | _ITERATIONS))
        and not callable(params.get("objective"))
        and all(params.get(name) in (None, "cpu") for name in _DEVICES)
        and all(params.get(name) in (None, "serial") for name in _TREE_LEARNERS)
    )


def _with_booster(full, model_str, k):
    """A copy of the fitted ``full`` whose booster is the one in ``model_str``
    (the first ``k`` rounds of ``full``'s).

    The one place that touches private state: ``LGBMModel`` keeps its booster
    in ``_Booster`` and has no public way to set it. The rest of the fitted
    state (classes, label encoder, feature counts and names, objective, and
    ``best_iteration_``/``best_score_``/``evals_result_``, empty without early
    stopping and eval sets) does not depend on the number of rounds and is
    copied; the full booster is kept out of the copy (memo), not duplicated.
    """
    # The parameters section a fresh fit at k writes says k, not max.
    head, sep, params = model_str.rpartition("\nparameters:\n")
    top = f"[num_iterations: {full.n_estimators}]\n"
    if sep and params.count(top) == 1:
        model_str = head + sep + params.replace(top, f"[num_iterations: {k}]\n")
    booster = Booster(model_str=model_str)
    booster.params = dict(full.booster_.params, num_iterations=k)
    model = copy.deepcopy(full, memo={id(full._Booster): None})
    model._Booster = booster
    model.n_estimators = k
    return model


def stages(estimator, values, X, y, fit_params):
    """Fit ``estimator`` once and yield ``(k, model of the first k rounds)``."""
    if set(fit_params) - _SAFE_FIT_PARAMS:
        reason = unhonoured(fit_params, _SAFE_FIT_PARAMS)
        yield from fresh_stages(
            estimator, "n_estimators", values, X, y, fit_params, reason
        )
        return
    full = clone(estimator).fit(X, y, **fit_params)
    for k in values[:-1]:
        model_str = full.booster_.model_to_string(num_iteration=k)
        yield k, _with_booster(full, model_str, k)
    yield values[-1], full


# Sampling (LightGBM's aliases): rounds added to a loaded booster draw from
# RNGs seeded afresh, not from where one run's RNGs are.
_BAGGING = (
    ("subsample", "bagging_fraction", "sub_row", "bagging"),
    ("pos_bagging_fraction", "pos_sub_row", "pos_subsample", "pos_bagging"),
    ("neg_bagging_fraction", "neg_sub_row", "neg_subsample", "neg_bagging"),
)
_BAGGING_FREQ = ("subsample_freq", "bagging_freq")
# Parameters (and aliases) whose values other than these make a resumed
# booster another than one fit's: sampling, whose RNGs a continued fit seeds
# afresh, and settings that carry state from round to round.
_NEUTRAL = (
    (("colsample_bytree", "feature_fraction", "sub_feature"), (1, 1.0)),
    (("feature_fraction_bynode", "sub_feature_bynode", "colsample_bynode"), (1, 1.0)),
    (("extra_trees", "extra_tree"), (False,)),
    (("linear_tree", "linear_trees"), (False,)),
    (("use_quantized_grad",), (False,)),  # stochastic rounding of gradients
    (("data_sample_strategy",), ("bagging",)),
    (_BOOSTING, ("gbdt",)),
)
# every name the checks above look at
_SAMPLING_NAMES = frozenset(
    [name for names, _ in _NEUTRAL for name in names]
    + [name for names in _BAGGING for name in names]
    + list(_BAGGING_FREQ)
)
# The keyword parameters (beyond the estimator's own) a resumed booster was
# checked with against fresh fits; any other one (e.g. the coupled feature
# penalty, charged once per feature per fit) is not resumed.
_CHECKED_KWARGS = frozenset(
    {
        "verbose",
        "verbosity",
        "num_threads",
        "nthread",
        "max_bin",
        "min_data_in_bin",
        "bin_construct_sample_cnt",
        "zero_as_missing",
        "use_missing",
        "monotone_constraints",
        "interaction_constraints",
        "path_smooth",
        "max_bin_by_feature",
        "feature_contri",
        "categorical_feature",
        "is_unbalance",
        "scale_pos_weight",
        "min_data_in_leaf",
        "min_sum_hessian_in_leaf",
        "lambda_l1",
        "lambda_l2",
        "min_gain_to_split",
        "max_delta_step",
        "num_class",
        "metric",
        "alpha",
        "cegb_penalty_split",
        "cegb_penalty_feature_lazy",
        "cegb_tradeoff",
        "deterministic",
        "force_col_wise",
        "force_row_wise",
        "max_cat_to_onehot",
        "max_cat_threshold",
        "cat_smooth",
        "cat_l2",
        "min_data_per_group",
    }
    | set(_SEEDS)
)
_OWN = frozenset(LGBMRegressor().get_params(deep=False))


def resumable(params):
    """Whether a booster of ``params`` resumed with more iterations is exactly
    the booster of one fit: the staged path's conditions, ``gbdt`` without
    bagging, feature subsampling, GOSS, extremely randomized or linear
    trees, quantized gradients, and no keyword parameter beyond those
    checked against fresh fits."""
    if not condition(params):
        return False
    extra = set(params) - _OWN - _SAMPLING_NAMES
    if extra - _CHECKED_KWARGS:
        return False
    neutral = list(_NEUTRAL)
    if any(params.get(name) not in (None, 0) for name in _BAGGING_FREQ):
        # the fractions bag only with a bagging frequency
        neutral += [(names, (1, 1.0)) for names in _BAGGING]
    return not any(
        params.get(name) not in (None, *values)
        for names, values in neutral
        for name in names
    )


def resume(estimator, model, X, y, fit_params):
    """``model`` (fitted with fewer iterations) given the iterations
    ``estimator`` has on top: LightGBM's training continuation
    (``init_model=``), which starts from the booster's raw scores as one fit
    goes on from them.

    Exact where :func:`resumable` holds (predictions, raw scores and the
    trees of the model text against fresh fits: ``tests/test_resume.py``);
    None for fit parameters a staged run does not honour."""
    if set(fit_params) - _SAFE_FIT_PARAMS:
        return None
    total = estimator.n_estimators  # (get_params is slow for boosters)
    done = model.booster_.current_iteration()
    if not 0 < done < total:
        return None
    more = estimator  # a clone, unfitted, which resume may fit
    more.n_estimators = total - done
    more.fit(X, y, init_model=model.booster_, **fit_params)
    # The booster's parameters say the iterations of this fit; its model
    # text (parameters section) keeps saying them, its trees are one fit's.
    more.booster_.params["num_iterations"] = total
    more.n_estimators = total
    return more


PATHS = {
    LGBMClassifier: ("n_estimators", condition, stages, resume, resumable),
    LGBMRegressor: ("n_estimators", condition, stages, resume, resumable),
}
