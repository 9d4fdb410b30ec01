"""ParallelCoordinatesDisplay: every parameter and the score, one line per candidate."""

import numpy as np

from .._cv_results import param_column, param_names, pick_metric
from ._common import (
    ParamScale,
    check_cv_results,
    check_matplotlib,
    new_axes,
    results_and_metric,
)

# Where candidates without a parameter are drawn on its axis (axes run 0..1).
NOT_SET = -0.1
# Numeric axes with more distinct values than this get only NUMERIC_TICKS ticks.
MAX_VALUE_TICKS = 8
NUMERIC_TICKS = 5


def _numeric_axis(values, present, log):
    """Positions in [0, 1] and ticks (positions, labels) of a numeric parameter."""
    raw = np.array([float(v) if p else np.nan for v, p in zip(values, present)])
    t = np.log10(raw) if log else raw
    lo, hi = np.nanmin(t), np.nanmax(t)
    span = hi - lo

    def where(u):
        return (u - lo) / span if span > 0 else np.full_like(u, 0.5)

    distinct = np.unique(raw[~np.isnan(raw)])
    if len(distinct) <= MAX_VALUE_TICKS:
        tick_values = distinct
    else:
        tick_t = np.linspace(lo, hi, NUMERIC_TICKS)
        tick_values = 10**tick_t if log else tick_t
    tick_t = np.log10(tick_values) if log else tick_values
    ticks = [(float(p), f"{v:.3g}") for p, v in zip(where(tick_t), tick_values)]
    return where(t), ticks


def _categorical_axis(values, present, scale):
    k = len(scale.keys)
    step = 1 / (k - 1) if k > 1 else 0.0
    start = 0.0 if k > 1 else 0.5
    positions = np.array(
        [
            start + step * scale.position(v) if p else np.nan
            for v, p in zip(values, present)
        ]
    )
    ticks = [(start + step * i, label) for i, label in enumerate(scale.labels)]
    return positions, ticks


class ParallelCoordinatesDisplay:
    """Every searched parameter and the score, one line per candidate.

    One vertical axis per parameter, and the mean test score on the last
    one; each candidate is a line across them, coloured by its score, the
    best drawn on top. Numeric parameters are scaled to their range (in
    log space where positive and spanning two decades), categorical ones
    (strings, estimators by class name) evenly spaced. A candidate without a
    parameter (a list of grids) crosses that axis below it, at "not set".
    Candidates whose score is not finite (failed fits) are left out.

    Make one with :meth:`from_estimator` or :meth:`from_cv_results`. Needs
    matplotlib (the ``plot`` extra).

    Parameters
    ----------
    names : list of str
        The axes: the parameters, then the metric.

    coordinates : ndarray of shape (n_candidates, n_axes)
        Each drawn candidate's position on each axis, in [0, 1]
        (``NOT_SET``, -0.1, where a parameter is not set).

    scores : ndarray of shape (n_candidates,)
        The drawn candidates' mean test scores.

    candidates : ndarray of shape (n_candidates,)
        Their indices in ``cv_results_``, drawn in this order (worst first).

    ticks : list of list of (float, str)
        For each axis, tick positions and labels.

    metric : str, default="score"
        The metric's name.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.

    figure_ : matplotlib Figure
        The figure of ``ax_``.

    lines_ : matplotlib LineCollection
        One polyline per candidate, in the order of ``candidates``.

    colorbar_ : matplotlib Colorbar
        The colour scale of the score.

    See Also
    --------
    ParameterHeatmapDisplay : The score over two parameters.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhyper import RandomTuner
    >>> from skhyper.display import ParallelCoordinatesDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1),
    ...          "kernel": ["rbf", "sigmoid"]}
    >>> tuner = RandomTuner(SVC(), space, n_iter=12, cv=3, random_state=0)
    >>> display = ParallelCoordinatesDisplay.from_estimator(tuner.fit(X, y))
    >>> display.names
    ['C', 'gamma', 'kernel', 'score']
    >>> len(display.lines_.get_segments())
    12
    """

    def __init__(
        self, *, names, coordinates, scores, candidates, ticks, metric="score"
    ):
        self.names = names
        self.coordinates = coordinates
        self.scores = scores
        self.candidates = candidates
        self.ticks = ticks
        self.metric = metric

    @classmethod
    def from_estimator(cls, estimator, *, params=None, metric=None, ax=None, **kwargs):
        """Plot every candidate of a fitted search across its parameters.

        Parameters
        ----------
        estimator : fitted search
            A skhyper tuner or a scikit-learn search.

        params : list of str, default=None
            The parameters to show, in order; None shows all.

        metric : str, default=None
            With several metrics, which one; None takes the ``refit``
            metric.

        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        **kwargs : dict
            Passed to :meth:`plot` (``cmap``).

        Returns
        -------
        ParallelCoordinatesDisplay
            The display, drawn.
        """
        cv_results, metric = results_and_metric(estimator, metric)
        return cls.from_cv_results(
            cv_results, params=params, metric=metric, ax=ax, **kwargs
        )

    @classmethod
    def from_cv_results(
        cls, cv_results, *, params=None, metric=None, ax=None, **kwargs
    ):
        """Plot every candidate of ``cv_results_`` across its parameters.

        Parameters
        ----------
        cv_results : dict
            The ``cv_results_`` of a skhyper tuner or a scikit-learn search.

        params : list of str, default=None
            The parameters to show, in order; None shows all.

        metric : str, default=None
            With several metrics, which one (required then).

        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        ParallelCoordinatesDisplay
            The display, drawn.
        """
        check_matplotlib(f"{cls.__name__}.from_cv_results")
        check_cv_results(cv_results)
        metric = pick_metric(cv_results, metric)
        names = param_names(cv_results) if params is None else list(params)
        columns, ticks = [], []
        for name in names:
            values, present = param_column(cv_results, name)
            scale = ParamScale.of(name, values, present)
            if scale.numeric:
                positions, axis_ticks = _numeric_axis(values, present, scale.log)
            else:
                positions, axis_ticks = _categorical_axis(values, present, scale)
            if not present.all():
                positions = np.where(present, positions, NOT_SET)
                axis_ticks.append((NOT_SET, "not set"))
            columns.append(positions)
            ticks.append(axis_ticks)
        scores = np.asarray(cv_results[f"mean_test_{metric}"], float)
        shown = np.flatnonzero(np.isfinite(scores))
        order = shown[np.argsort(scores[shown], kind="stable")]
        score_position, score_ticks = _numeric_axis(
            scores, np.isfinite(scores), log=False
        )
        columns.append(score_position)
        ticks.append(score_ticks)
        coordinates = np.column_stack(columns)[order]
        display = cls(
            names=[n.removeprefix("param_") for n in names] + [metric],
            coordinates=coordinates,
            scores=scores[order],
            candidates=order,
            ticks=ticks,
            metric=metric,
        )
        return display.plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, cmap="viridis"):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        cmap : str or matplotlib Colormap, default="viridis"
            The colour map of the score.

        Returns
        -------
        ParallelCoordinatesDisplay
            This display, with ``ax_``, ``figure_``, ``lines_`` and
            ``colorbar_``.
        """
        check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.collections import LineCollection

        ax, figure = new_axes(ax)
        n_axes = len(self.names)
        xs = np.arange(n_axes, dtype=float)
        segments = [np.column_stack([xs, row]) for row in self.coordinates]
        self.lines_ = LineCollection(segments, cmap=cmap, linewidths=1.2, alpha=0.8)
        self.lines_.set_array(np.asarray(self.scores, float))
        ax.add_collection(self.lines_)
        for i in range(n_axes):
            ax.axvline(i, color="0.3", linewidth=0.8, zorder=0)
            for position, label in self.ticks[i]:
                ax.text(
                    i + 0.04,
                    position,
                    label,
                    fontsize="x-small",
                    va="center",
                    ha="left",
                    color="0.2",
                    bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none"},
                )
        ax.set_xticks(xs, self.names)
        ax.set_xlim(-0.1, n_axes - 1 + 0.5)
        ax.set_ylim(NOT_SET - 0.05, 1.05)
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        self.colorbar_ = figure.colorbar(self.lines_, ax=ax)
        self.colorbar_.set_label(f"mean test {self.metric}")
        ax.set_title(
            f"{len(self.scores)} candidates, one line each (best on top)",
            fontsize="medium",
        )
        self.ax_, self.figure_ = ax, figure
        return self
