"""skhyper: hyperparameter tuners for scikit-learn.

`GridTuner` and `RandomTuner` are drop-in replacements for
:class:`~sklearn.model_selection.GridSearchCV` and
:class:`~sklearn.model_selection.RandomizedSearchCV`.
"""

__version__ = "0.1.0"
