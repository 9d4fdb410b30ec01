"""Displays of a search's results, in scikit-learn's display convention.

Each display is made from a fitted search, ``XDisplay.from_estimator(search,
...)``, or from its results, ``XDisplay.from_cv_results(cv_results, ...)``,
which also takes the ``cv_results_`` of scikit-learn's own searches. Either
way it is drawn at once and returned, with the axes in ``ax_`` and the
figure in ``figure_``; ``plot(ax=...)`` draws it again elsewhere.

- :class:`ParameterScoreDisplay`: the score against one parameter (mean and
  standard deviation over folds, train and test);
- :class:`ParameterHeatmapDisplay`: the score over two parameters;
- :class:`ParallelCoordinatesDisplay`: every parameter and the score, one
  line per candidate;
- :class:`SearchHistoryDisplay`: the best score so far against elapsed time
  or fits done (from a skhyper tuner's ``history_``);
- :class:`HalvingRungsDisplay`: the rungs of a successive-halving search.

Where other parameters vary, the plot says how they were summed up.

matplotlib is an optional dependency (``pip install "skhyper[plot]"``):
importing this module does not need it; making a display does, and raises
an ``ImportError`` naming the extra when it is missing.
"""

# Where things live: _common (reading cv_results_, parameter scales, the
# matplotlib check), one private module per display.
from ._halving import HalvingRungsDisplay
from ._heatmap import ParameterHeatmapDisplay
from ._history import SearchHistoryDisplay
from ._parallel import ParallelCoordinatesDisplay
from ._param import ParameterScoreDisplay

__all__ = [
    "HalvingRungsDisplay",
    "ParallelCoordinatesDisplay",
    "ParameterHeatmapDisplay",
    "ParameterScoreDisplay",
    "SearchHistoryDisplay",
]
