"""skhyper: hyperparameter tuners for scikit-learn.

`GridTuner`, `RandomTuner`, `HalvingGridTuner` and `HalvingRandomTuner` are
drop-in replacements for :class:`~sklearn.model_selection.GridSearchCV`,
:class:`~sklearn.model_selection.RandomizedSearchCV`,
:class:`~sklearn.model_selection.HalvingGridSearchCV` and
:class:`~sklearn.model_selection.HalvingRandomSearchCV`. `BayesTuner` replaces
`RandomizedSearchCV` too, proposing candidates with an Optuna sampler (the
``bayes`` extra). `HyperbandTuner` runs Hyperband's brackets of successive
halving, continuing survivors' models from rung to rung.
"""

from ._bayes import BayesTuner
from ._grid import GridTuner
from ._halving import HalvingGridTuner, HalvingRandomTuner
from ._hyperband import HyperbandTuner
from ._random import RandomTuner

__version__ = "0.1.0"

__all__ = [
    "BayesTuner",
    "GridTuner",
    "HalvingGridTuner",
    "HalvingRandomTuner",
    "HyperbandTuner",
    "RandomTuner",
    "__version__",
]
