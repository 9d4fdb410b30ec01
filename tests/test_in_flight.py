"""Several evaluations in flight (``evaluate.many``): rows kept in the order
of (source, batch) whatever the order tasks finish in, each source sent its
own complete batches only."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

from skhyper import GridTuner

X, y = make_classification(n_samples=150, n_features=6, random_state=0)

TIMES = ("fit_time", "score_time")


@pytest.fixture(autouse=True)
def one_blas_thread():
    with threadpool_limits(1):
        yield


def comparable(results):
    """``cv_results_`` without the times, as plain lists."""
    return {
        key: [repr(v) for v in value] if key == "params" else np.asarray(value).tolist()
        for key, value in results.items()
        if not any(t in key for t in TIMES)
    }


# -- the engine's entrance -----------------------------------------------------


class ManySources(GridTuner):
    """Each of ``self.sources_spec`` (lists of lists of C values, or of
    parameter dicts) is a source of batches; a source also records the
    results it is sent."""

    sources_spec = ()
    side_by_side = True
    seen = []

    def _n_search_tasks(self):
        return None

    def _run_search(self, evaluate):
        def source(i, batches):
            for step, values in enumerate(batches):
                n = len(values)
                results = yield {
                    "candidate_params": [
                        c if isinstance(c, dict) else {"C": c} for c in values
                    ],
                    "more_results": {"source": [i] * n, "step": [step] * n},
                }
                self.seen.append((i, step, list(results["source"])))

        sources = [source(i, batches) for i, batches in enumerate(self.sources_spec)]
        if self.side_by_side:
            evaluate.many(sources)
            return
        for gen in sources:  # one after another, by hand
            request = next(gen, None)
            while request is not None:
                more = request["more_results"]
                evaluate(request["candidate_params"], more_results=more)
                n = len(request["candidate_params"])
                batch = {key: np.asarray(v[-n:]) for key, v in more.items()}
                try:
                    request = gen.send(batch)
                except StopIteration:
                    request = None


SPEC = (
    [[0.01, 0.1, 1.0], [1.0, 10.0]],
    [],  # a source that asks nothing
    [[0.5], [0.05, 5.0], [50.0]],
    [[0.2], [0.2]],  # a batch with nothing to fit: recalled whole
)


@pytest.mark.parametrize(
    "n_jobs, backend",
    # multiprocessing: results come as one list per Parallel call, so a
    # batch asked once another completed goes into the next call
    [(1, None), (2, None), (2, "threading"), (2, "multiprocessing")],
)
def test_many_sources_keep_rows_in_source_then_batch_order(n_jobs, backend):
    def run(side_by_side, n_jobs):
        tuner = ManySources(LogisticRegression(), {"C": [1.0]}, cv=3, n_jobs=n_jobs)
        tuner.sources_spec, tuner.side_by_side, tuner.seen = SPEC, side_by_side, []
        tuner.fit(X, y)
        return tuner

    reference = run(False, 1)
    with parallel_config(backend=backend) if backend else parallel_config():
        tuner = run(True, n_jobs)
    assert comparable(tuner.cv_results_) == comparable(reference.cv_results_)
    assert list(tuner.cv_results_["source"]) == [0] * 5 + [2] * 4 + [3] * 2
    assert list(tuner.cv_results_["step"]) == [0, 0, 0, 1, 1, 0, 1, 1, 2, 0, 1]
    # each source is sent its own batch only, once complete
    assert sorted(tuner.seen) == sorted(reference.seen)
    assert all(set(sent) == {i} for i, _, sent in tuner.seen)
    assert tuner.best_params_ == reference.best_params_
    # C=1.0 of source 0's second batch and source 3's second batch were
    # recalled from their source's first batch, as in turn
    assert tuner.work_["fits"] <= 9 * 3
    if n_jobs == 1:
        assert tuner.work_["fits"] == reference.work_["fits"] == 9 * 3


# Two dicts, one estimator: the planner fits them as one leaf. The second
# source knows the first dict (from the first source) but not the second.
EQUAL_ESTIMATORS = (
    [[{"C": 1.0}], [{"C": 2.0}]],
    [[{"C": 1.0}, {"C": 1.0, "fit_intercept": True}], [{"C": 3.0}]],
)


@pytest.mark.parametrize("side_by_side", [False, True])
@pytest.mark.parametrize("n_jobs, backend", [(1, None), (2, "threading")])
def test_a_known_row_in_a_leaf_fitted_again_is_kept_once(side_by_side, n_jobs, backend):
    """A row known already (recalled from an earlier call, copied from or
    following a batch in flight) whose leaf is fitted again for another
    candidate is recorded once: it was recorded twice, and its candidate,
    with more results than splits, vanished from cv_results_ silently (a
    review found it; with one worker it predates the flights); the batch
    that followed it still completes and its source goes on."""
    tuner = ManySources(LogisticRegression(), {"C": [1.0]}, cv=2, n_jobs=n_jobs)
    tuner.sources_spec, tuner.side_by_side, tuner.seen = (
        EQUAL_ESTIMATORS,
        side_by_side,
        [],
    )
    with parallel_config(backend=backend) if backend else parallel_config():
        tuner.fit(X, y)
    results = tuner.cv_results_
    rows = list(zip(results["source"], results["step"], map(repr, results["params"])))
    assert rows == [
        (0, 0, repr({"C": 1.0})),
        (0, 1, repr({"C": 2.0})),
        (1, 0, repr({"C": 1.0})),
        (1, 0, repr({"C": 1.0, "fit_intercept": True})),
        (1, 1, repr({"C": 3.0})),
    ]
    reference = GridSearchCV(LogisticRegression(), {"C": [1.0]}, cv=2).fit(X, y)
    for i in (0, 2, 3):  # C=1.0 however written: the same scores
        for s in range(2):
            assert (
                results[f"split{s}_test_score"][i]
                == reference.cv_results_[f"split{s}_test_score"][0]
            )
    if side_by_side:  # every batch sent back to its source: none left waiting
        assert sorted((i, step) for i, step, _ in tuner.seen) == [
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
        ]
