"""Estimators that count their fits, to prove what was (not) fitted.

Counts live in a class attribute: use them with ``n_jobs=1`` (fits in this
process) or the threading backend.
"""

from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression


class CountingClassifier(ClassifierMixin, BaseEstimator):
    """LogisticRegression that records the parameters of every fit."""

    fits = []

    def __init__(self, C=1.0, max_iter=200):
        self.C = C
        self.max_iter = max_iter

    def fit(self, X, y, sample_weight=None):
        type(self).fits.append(self.get_params())
        self.model_ = LogisticRegression(C=self.C, max_iter=self.max_iter)
        self.model_.fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def decision_function(self, X):
        return self.model_.decision_function(X)


class CountingTransformer(TransformerMixin, BaseEstimator):
    """Scales by ``factor``; records every fit."""

    fits = []

    def __init__(self, factor=1.0):
        self.factor = factor

    def fit(self, X, y=None):
        type(self).fits.append(self.get_params())
        self.fitted_ = True  # what check_is_fitted looks for
        return self

    def transform(self, X):
        return X * self.factor


def reset_counts():
    CountingClassifier.fits.clear()
    CountingTransformer.fits.clear()


class SleepyClassifier(ClassifierMixin, BaseEstimator):
    """LogisticRegression whose fit first sleeps ``delay`` seconds."""

    def __init__(self, C=1.0, delay=0.1):
        self.C = C
        self.delay = delay

    def fit(self, X, y):
        import time

        time.sleep(self.delay)
        self.model_ = LogisticRegression(C=self.C).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


class LoggingClassifier(ClassifierMixin, BaseEstimator):
    """LogisticRegression that appends each fit to the file named by the
    environment variable SKHYPER_FIT_LOG (it counts fits across processes),
    and can end its own process:

    - SKHYPER_KILL_AFTER=N: SIGKILL this process when the log reaches N fits;
    - C == 13 and SKHYPER_DIE_ONCE=path: kill this worker process if ``path``
      does not exist yet (it is created first), so a retry succeeds;
    - C == 666: always kill this worker process.

    Killing only happens in a process other than SKHYPER_PARENT_PID, except for
    SKHYPER_KILL_AFTER, which simulates a crash of the whole search.
    """

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        import os
        import signal

        log = os.environ.get("SKHYPER_FIT_LOG")
        if log:
            with open(log, "a") as f:
                f.write(f"{self.C}\n")
            kill_after = os.environ.get("SKHYPER_KILL_AFTER")
            if kill_after:
                with open(log) as f:
                    if sum(1 for _ in f) >= int(kill_after):
                        os.kill(os.getpid(), signal.SIGKILL)
        in_worker = str(os.getpid()) != os.environ.get("SKHYPER_PARENT_PID")
        once = os.environ.get("SKHYPER_DIE_ONCE")
        if in_worker and self.C == 13 and once and not os.path.exists(once):
            open(once, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)
        if in_worker and self.C == 666:
            os.kill(os.getpid(), signal.SIGKILL)
        self.model_ = LogisticRegression(C=self.C).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


class LoggingCentroid(ClassifierMixin, BaseEstimator):
    """NearestCentroid (a fit in microseconds) that appends each fit to the
    file named by SKHYPER_FIT_LOG, for counting fits across processes."""

    def __init__(self, shrink_threshold=None):
        self.shrink_threshold = shrink_threshold

    def fit(self, X, y):
        import os

        from sklearn.neighbors import NearestCentroid

        log = os.environ.get("SKHYPER_FIT_LOG")
        if log:
            with open(log, "a") as f:
                f.write(f"{self.shrink_threshold}\n")
        self.model_ = NearestCentroid(shrink_threshold=self.shrink_threshold)
        self.model_.fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


class LoggingTree(ClassifierMixin, BaseEstimator):
    """A decision tree of ``depth`` levels that sleeps ``delay`` seconds per
    level and appends ``leaf depth`` to the file named by SKHYPER_FIT_LOG
    for each fit: fits counted across processes, a search slow enough to
    be killed in the middle."""

    def __init__(self, depth=1, leaf=1, delay=0.0):
        self.depth = depth
        self.leaf = leaf
        self.delay = delay

    def fit(self, X, y):
        import os
        import time

        from sklearn.tree import DecisionTreeClassifier

        time.sleep(self.delay * self.depth)
        self.model_ = DecisionTreeClassifier(
            max_depth=self.depth, min_samples_leaf=self.leaf, random_state=0
        ).fit(X, y)
        self.classes_ = self.model_.classes_
        log = os.environ.get("SKHYPER_FIT_LOG")
        if log:
            with open(log, "a") as f:
                f.write(f"{self.leaf} {self.depth}\n")
        return self

    def predict(self, X):
        return self.model_.predict(X)
