"""Tuning outlier and novelty detectors.

scikit-learn's searches cannot tune a detector as they are: detectors have no
``score``; they predict ``-1`` for outliers while most data sets mark outliers
with ``1``, so ``scoring="roc_auc"`` scores the wrong class; plain ``KFold``
leaves folds without outliers; ``LocalOutlierFactor(novelty=False)`` has no
method for new data; and without labels there is nothing to score. This
module supplies what is missing:

- :func:`make_outlier_scorer`: labelled scorers with the right orientation,
  for scikit-learn and PyOD-style detectors, labels ``{0, 1}`` or ``{-1, 1}``;
- :func:`make_mass_volume_scorer`, :func:`make_excess_mass_scorer`: label-free
  criteria (Goix, 2016);
- :func:`default_cv` (folds stratified on the outlier indicator, the tuners'
  default for detectors) and :class:`NoveltySplit` (outliers kept out of the
  training folds);
- :class:`Transductive`: tunes ``fit_predict``-only detectors;
- :func:`check_threshold_grid`: warns when a grid varies only
  ``contamination`` under a threshold-free score;
- :func:`load_outlier_dataset`: small outlier data sets built from
  scikit-learn's bundled data.

How a detector's outputs are oriented is recognised by duck typing: a
detector whose class comes from the ``pyod`` package, or defines PyOD's
``_process_decision_scores``, or that holds ``decision_scores_`` and
``threshold_`` once fitted, follows PyOD's convention (higher
``decision_function`` is more anomalous, ``predict`` gives ``1`` for
outliers); otherwise a detector with scikit-learn's outlier tag
(``get_tags(est).estimator_type == "outlier_detector"``) follows
scikit-learn's (higher ``score_samples`` is more normal, ``predict`` gives
``-1`` for outliers). Pipelines, :class:`Transductive` and fitted searches are
looked through to their final detector. ``convention="sklearn"`` or
``"pyod"`` overrides the rule.
"""

# Where things live: _scoring (labelled scorers), _level_sets (Mass-Volume and
# Excess-Mass), _splitters (NoveltySplit), _transductive (Transductive),
# _datasets (load_outlier_dataset), _convention (how a detector orients its
# outputs). default_cv and check_threshold_grid are the core's (..._detectors):
# the tuners use them without importing this add-on.
from .._detectors import check_threshold_grid, default_cv
from ._datasets import load_outlier_dataset
from ._level_sets import make_excess_mass_scorer, make_mass_volume_scorer
from ._scoring import make_outlier_scorer
from ._splitters import NoveltySplit
from ._transductive import Transductive

__all__ = [
    "NoveltySplit",
    "Transductive",
    "check_threshold_grid",
    "default_cv",
    "load_outlier_dataset",
    "make_excess_mass_scorer",
    "make_mass_volume_scorer",
    "make_outlier_scorer",
]
