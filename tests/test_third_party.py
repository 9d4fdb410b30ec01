"""Estimators that route keys in their own ``set_params`` run as in scikit-learn.

skorch's ``NeuralNet`` takes ``module__num_units`` and friends for
attributes that are classes, not estimators; scikeras does the same with
``model__``; scikit-learn's own minimal estimators take any key. The check
of the search space before any fit must let them through (``GridSearchCV``
runs them) and still refuse a typo on an ordinary estimator.
"""

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhyper import GridTuner, RandomTuner

from .counting import CountingClassifier, reset_counts
from .utils import assert_search_equal

X, y = make_classification(n_samples=60, n_features=5, random_state=0)
PREFIXES = ("module__", "optimizer__", "iterator_train__", "criterion__")


class Module:
    """A network class: configured by keyword, not an estimator."""

    def __init__(self, num_units=10, nonlin="relu"):
        self.num_units = num_units
        self.nonlin = nonlin


class Optimizer:
    def __init__(self, lr=0.1, momentum=0.0):
        self.lr = lr
        self.momentum = momentum


class NetLike(ClassifierMixin, BaseEstimator):
    """A mimic of skorch's NeuralNet: ``prefix__name`` keys are stored as is
    (``get_params`` lists those that were set) and used to build the module
    and the optimizer at fit time."""

    fits = []

    def __init__(
        self, module=Module, optimizer=Optimizer, lr=0.1, max_epochs=10, **kwargs
    ):
        self.module = module
        self.optimizer = optimizer
        self.lr = lr
        self.max_epochs = max_epochs
        for key, value in kwargs.items():
            if not key.startswith(PREFIXES):
                raise TypeError(f"__init__() got an unexpected keyword {key!r}")
            setattr(self, key, value)

    def _prefixed(self):
        return {k: v for k, v in vars(self).items() if k.startswith(PREFIXES)}

    def get_params(self, deep=True):
        return {**super().get_params(deep=False), **self._prefixed()}

    def set_params(self, **params):
        plain = {}
        for key, value in params.items():
            if key.startswith(PREFIXES):
                setattr(self, key, value)
            else:
                plain[key] = value
        return super().set_params(**plain) if plain else self

    def _kwargs(self, prefix):
        n = len(prefix)
        return {k[n:]: v for k, v in self._prefixed().items() if k.startswith(prefix)}

    def fit(self, X, y):
        module = self.module(**self._kwargs("module__"))
        optimizer = self.optimizer(**self._kwargs("optimizer__"))
        type(self).fits.append(dict(self._prefixed()))
        # A deterministic model whose result depends on every setting.
        C = module.num_units * self.lr * (1 + optimizer.momentum) / self.max_epochs
        self.model_ = LogisticRegression(C=C).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


SKORCH_GRIDS = [
    {"lr": [0.01, 0.1], "max_epochs": [10, 20], "module__num_units": [10, 20]},
    {"optimizer__momentum": [0.0, 0.9], "module__nonlin": ["relu", "tanh"]},
    [{"module__num_units": [5]}, {"lr": [0.5], "optimizer__lr": [0.2]}],
]


@pytest.mark.parametrize("grid", SKORCH_GRIDS)
@pytest.mark.parametrize("share", [True, False])
def test_skorch_like_routing_equals_grid_search(grid, share):
    theirs = GridSearchCV(NetLike(), grid, cv=3).fit(X, y)
    ours = GridTuner(NetLike(), grid, cv=3, share=share).fit(X, y)
    assert_search_equal(ours, theirs, X, y)


def test_skorch_like_key_given_at_construction():
    net = NetLike(module__num_units=10)
    assert "module__num_units" in net.get_params()
    grid = {"module__num_units": [10, 30]}
    theirs = GridSearchCV(net, grid, cv=3).fit(X, y)
    assert_search_equal(GridTuner(net, grid, cv=3).fit(X, y), theirs, X, y)


def test_skorch_like_in_a_pipeline_and_random_search():
    pipe = Pipeline([("scale", StandardScaler()), ("net", NetLike())])
    space = {"net__module__num_units": [5, 10, 20], "net__lr": loguniform(1e-2, 1)}
    theirs = RandomizedSearchCV(pipe, space, n_iter=4, cv=3, random_state=0)
    ours = RandomTuner(pipe, space, n_iter=4, cv=3, random_state=0)
    assert_search_equal(ours.fit(X, y), theirs.fit(X, y), X, y)


def test_skorch_like_module_swapped_in_the_grid():
    class Wide(Module):
        pass

    grid = {"module": [Module, Wide], "module__num_units": [10, 20]}
    theirs = GridSearchCV(NetLike(), grid, cv=3).fit(X, y)
    assert_search_equal(GridTuner(NetLike(), grid, cv=3).fit(X, y), theirs, X, y)


def test_key_its_set_params_refuses_is_refused_before_any_fit():
    NetLike.fits.clear()
    with pytest.raises(ValueError, match="'modul__num_units' is not a parameter"):
        GridTuner(NetLike(), {"modul__num_units": [10]}, cv=3).fit(X, y)
    assert NetLike.fits == []


def test_sklearn_minimal_estimators_take_any_key():
    testing = pytest.importorskip("sklearn.utils._testing")
    for name in ("MinimalClassifier", "MinimalRegressor"):
        cls = getattr(testing, name, None)
        if cls is None:
            pytest.skip(f"no {name} in this scikit-learn")
        grid = {"param": [1, 2]}
        theirs = GridSearchCV(cls(), grid, cv=3).fit(X, y)
        ours = GridTuner(cls(), grid, cv=3).fit(X, y)
        assert_search_equal(ours, theirs, X, y)


@pytest.mark.parametrize(
    "estimator, grid, match",
    [
        (SVC(), {"CC": [1.0]}, r"Did you mean 'C'"),
        (CountingClassifier(), {"max_ite": [5]}, r"Did you mean 'max_iter'"),
        (
            Pipeline([("scale", StandardScaler()), ("clf", CountingClassifier())]),
            {"clf__CC": [1.0]},
            r"Did you mean 'clf__C'",
        ),
        (
            Pipeline([("scale", StandardScaler()), ("clf", CountingClassifier())]),
            {"clf": ["passthrough"], "clf__C": [1.0]},
            r"'clf__C' sets a parameter of 'clf'",
        ),
    ],
)
def test_typos_on_sklearn_estimators_are_still_refused_before_any_fit(
    estimator, grid, match
):
    reset_counts()
    with pytest.raises(ValueError, match=match):
        GridTuner(estimator, grid, cv=3).fit(X, y)
    assert CountingClassifier.fits == []


@pytest.mark.parametrize("share", [True, False])
def test_real_skorch_equals_grid_search(share):
    torch = pytest.importorskip("torch")
    skorch = pytest.importorskip("skorch")

    class MyModule(torch.nn.Module):
        def __init__(self, num_units=10):
            super().__init__()
            self.dense = torch.nn.Linear(5, num_units)
            self.out = torch.nn.Linear(num_units, 2)

        def forward(self, X):
            return torch.softmax(self.out(torch.relu(self.dense(X))), dim=-1)

    Xf, yi = X.astype(np.float32), y.astype(np.int64)
    # The canonical grid of the issue, kept small: tiny networks, few epochs.
    grid = {"lr": [0.01, 0.1], "max_epochs": [1, 2], "module__num_units": [4, 8]}

    def net():
        torch.manual_seed(0)
        return skorch.NeuralNetClassifier(
            MyModule, max_epochs=1, lr=0.1, train_split=None, verbose=0
        )

    # skorch seeds nothing itself: fix torch's seed before each fit, as a user
    # does for reproducible networks, so both searches see the same weights.
    torch.manual_seed(0)
    theirs = GridSearchCV(net(), grid, cv=3, n_jobs=1).fit(Xf, yi)
    torch.manual_seed(0)
    ours = GridTuner(net(), grid, cv=3, n_jobs=1, share=share).fit(Xf, yi)
    assert_search_equal(ours, theirs, Xf, yi)
