"""skhyper: hyperparameter tuners for scikit-learn.

`GridTuner` and `RandomTuner` are drop-in replacements for
:class:`~sklearn.model_selection.GridSearchCV` and
:class:`~sklearn.model_selection.RandomizedSearchCV`; `BayesTuner` replaces
`RandomizedSearchCV` too, proposing candidates with an Optuna sampler (the
``bayes`` extra).
"""

from ._bayes import BayesTuner
from ._grid import GridTuner
from ._random import RandomTuner

__version__ = "0.1.0"

__all__ = ["BayesTuner", "GridTuner", "RandomTuner", "__version__"]
