"""The one search outcome the engine hands a tuner (``SearchOutcome``).

The tuner's ``cv_results_``, ``history_`` and ``work_`` are the outcome's;
the outcome is a frozen snapshot, there after a Ctrl-C or a deadline too.
"""

import dataclasses
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from skhyper import GridTuner
from skhyper._base import BaseTuner
from skhyper._engine import SearchOutcome

from .test_parity import FailingClassifier


@pytest.fixture
def outcomes(monkeypatch):
    """Every outcome a tuner's fit keeps, in order."""
    seen = []
    keep = BaseTuner._set_results

    def spy(self, outcome):
        seen.append(outcome)
        return keep(self, outcome)

    monkeypatch.setattr(BaseTuner, "_set_results", spy)
    return seen


def test_the_tuner_sets_its_attributes_from_the_outcome(classification, outcomes):
    X, y = classification
    grid = {"fail": ["never", "fit-odd"], "shrink": [1.0, 0.5]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuner = GridTuner(FailingClassifier(), grid, cv=KFold(3)).fit(X[:119], y[:119])
    (outcome,) = outcomes
    assert isinstance(outcome, SearchOutcome)
    with pytest.raises(dataclasses.FrozenInstanceError):
        outcome.n_asked = 0
    assert outcome.cv_results is tuner.cv_results_
    assert list(outcome.candidates) == tuner.cv_results_["params"]
    assert outcome.history is tuner.history_
    assert outcome.work.as_dict() == tuner.work_
    assert outcome.n_asked == 4 and outcome.n_splits == 3
    assert outcome.stopped is None and not outcome.multimetric
    assert len(outcome.rows) == len(outcome.test_sizes) == 4 * 3
    # 119 samples in 3 folds: 40, 40, 39 to test, so 79, 79, 80 to train
    assert outcome.test_sizes == (40, 40, 39) * 4
    for c in range(len(outcome.candidates)):
        scores = [r["test_scores"] for r in outcome.rows[c * 3 : (c + 1) * 3]]
        assert np.allclose(
            scores,
            [tuner.cv_results_[f"split{s}_test_score"][c] for s in range(3)],
            equal_nan=True,
        )
    failed = [c for c, p in enumerate(outcome.candidates) if p["fail"] == "fit-odd"]
    assert {c for c, _, _ in outcome.failures} == set(failed)
    assert len(outcome.failures) == 2 * len(failed)
    assert all(s in (0, 1) and "FitError" in tb for _, s, tb in outcome.failures)


def test_a_stopped_search_has_an_outcome(classification, outcomes):
    # Ctrl-C in the strategy after its first call: the outcome holds what
    # finished, and the tuner its cv_results_.
    X, y = classification

    class Interrupted(GridTuner):
        def _run_search(self, evaluate):
            evaluate([{"C": 1.0}, {"C": 2.0}])
            raise KeyboardInterrupt

    tuner = Interrupted(LogisticRegression(), {"C": [1.0]}, cv=2)
    with pytest.raises(KeyboardInterrupt):
        tuner.fit(X, y)
    (outcome,) = outcomes
    assert [p["C"] for p in outcome.candidates] == [1.0, 2.0]
    assert tuner.cv_results_ is outcome.cv_results
    assert outcome.n_asked == 2 and len(outcome.rows) == 4
    assert not hasattr(tuner, "best_params_")
