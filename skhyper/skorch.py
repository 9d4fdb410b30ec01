"""What skhyper adds for skorch networks: ``SeedTorch``.

A search over ``max_epochs`` of a skorch net trains one run per fold, at the
largest value, and scores every smaller value's net from it (a snapshot at
the end of its epoch), where scikit-learn's search trains each value from
scratch. That is exact only when a fit of the net is repeatable, which its
parameters cannot show (skorch has no ``random_state``): add a
:class:`SeedTorch` callback, which seeds torch when the net initializes, to
say so. Importing this module imports skorch and torch; ``import skhyper``
does not.

Examples
--------
>>> import numpy as np
>>> import torch
>>> from skorch import NeuralNetClassifier
>>> from sklearn.datasets import load_iris
>>> from skhyper import GridTuner
>>> from skhyper.skorch import SeedTorch
>>> X, y = load_iris(return_X_y=True)
>>> net = NeuralNetClassifier(
...     torch.nn.Linear,
...     module__in_features=4,
...     module__out_features=3,
...     criterion=torch.nn.CrossEntropyLoss,
...     callbacks=[SeedTorch(0)],
...     train_split=None,
...     verbose=0,
... )
>>> grid = {"max_epochs": [2, 5, 10]}
>>> tuner = GridTuner(net, grid, cv=3).fit(X.astype(np.float32), y)
>>> tuner.work_["fits"], tuner.work_["staged_fits"]  # one run per fold
(3, 6)

The net is copied at the end of an epoch without pickling, so a module class
defined anywhere (in a function, or in the script run as ``__main__``, which
a worker process receives by value) is staged on every backend. A net that
cannot be copied is fitted afresh for every value, as scikit-learn fits it;
``work_["fallbacks"]`` counts it and the search warns once.
"""

from ._paths._skorch import SeedTorch

__all__ = ["SeedTorch"]
