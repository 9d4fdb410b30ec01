"""One rule for which metric of ``cv_results_`` is read, and its fold scores."""

import numpy as np
import pytest

from skhyper._cv_results import n_splits_of, pick_metric, split_scores

SINGLE = {"mean_test_score": [0.5], "split0_test_score": [0.4]}
ONE_NAMED = {"mean_test_acc": [0.5]}
SEVERAL = {"mean_test_acc": [0.5], "mean_test_f1": [0.6]}


def test_a_metric_named_must_be_there():
    assert pick_metric(SEVERAL, "f1") == "f1"
    with pytest.raises(ValueError, match=r"metric='auc' is not in cv_results_.*acc"):
        pick_metric(SEVERAL, "auc")


def test_refit_then_score_then_the_fallback():
    for fallback in ("only", "first", "raise"):
        assert pick_metric(SEVERAL, refit="f1", fallback=fallback) == "f1"
        assert pick_metric(SINGLE, refit=True, fallback=fallback) == "score"
    # displays: the only metric; BayesTuner: the first; selection: none
    assert pick_metric(ONE_NAMED, fallback="only") == "acc"
    assert pick_metric(SEVERAL, refit=False, fallback="first") == "acc"
    with pytest.raises(ValueError, match=r"several metrics \['acc', 'f1'\]"):
        pick_metric(SEVERAL, fallback="only")
    with pytest.raises(ValueError, match=r"pass metric= one of them"):
        pick_metric(ONE_NAMED, fallback="raise")
    with pytest.raises(ValueError, match=r"fallback must be one of"):
        pick_metric(SINGLE, fallback="last")


def test_split_scores_are_candidates_by_folds():
    results = {f"split{i}_test_score": [i, 10 + i] for i in range(3)}
    results |= {f"split{i}_train_score": [1, 2] for i in range(3)}
    assert n_splits_of(results, "score") == 3
    np.testing.assert_array_equal(
        split_scores(results, "score"), [[0, 1, 2], [10, 11, 12]]
    )
    train = split_scores(results, "score", "train")
    np.testing.assert_array_equal(train, [[1, 1, 1], [2, 2, 2]])
