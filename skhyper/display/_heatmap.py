"""ParameterHeatmapDisplay: the score over two parameters."""

import numpy as np

from .._cv_results import param_column, param_names, pick_metric
from ._common import (
    ParamScale,
    aggregate_statement,
    check_aggregate,
    check_cv_results,
    check_matplotlib,
    is_number,
    new_axes,
    pick_best,
    results_and_metric,
    set_title,
    tilt_if_long,
    value_label,
)

# Text in a cell is white above this fraction of the colour scale, else black.
DARK_CELL = 0.5


def _cells(scale, values, present, bins):
    """(cell index per candidate or -1, tick labels) along one parameter."""
    positions = np.array(
        [scale.position(v) if p else np.nan for v, p in zip(values, present)]
    )
    distinct = np.unique(positions[~np.isnan(positions)])
    if not scale.numeric:
        index = np.where(np.isnan(positions), -1, positions).astype(int)
        return index, list(scale.labels)
    if bins is None or len(distinct) <= bins:
        index = np.full(len(positions), -1)
        ok = ~np.isnan(positions)
        index[ok] = np.searchsorted(distinct, positions[ok])
        return index, [value_label(v) for v in distinct]
    # More distinct values than bins (a random search): equal-width bins, in
    # log space where the values span two decades.
    lo, hi = distinct[0], distinct[-1]
    if scale.log:
        edges = np.geomspace(lo, hi, bins + 1)
    else:
        edges = np.linspace(lo, hi, bins + 1)
    index = np.full(len(positions), -1)
    ok = ~np.isnan(positions)
    index[ok] = np.clip(
        np.searchsorted(edges, positions[ok], side="right") - 1, 0, bins - 1
    )
    labels = [f"{edges[i]:.3g}–{edges[i + 1]:.3g}" for i in range(bins)]
    return index, labels


class ParameterHeatmapDisplay:
    """The cross-validated score over two parameters of a search, as a heatmap.

    Each cell holds the mean test score of the candidates with that pair of
    values; when several candidates share a cell (other parameters vary),
    ``aggregate`` says how they are summed up, and the title says it too.
    Empty cells are left blank. Numeric parameters with more distinct values
    than ``bins`` (a random search) are cut into ``bins`` intervals, spaced
    logarithmically where the values are positive and span two decades.

    Make one with :meth:`from_estimator` or :meth:`from_cv_results`. Needs
    matplotlib (the ``plot`` extra).

    Parameters
    ----------
    x_name, y_name : str
        The parameters along the x and y axes.

    scores : ndarray of shape (n_y, n_x)
        The score of each cell; NaN for an empty cell.

    x_labels, y_labels : list of str
        The tick labels of the columns and rows.

    candidates : ndarray of shape (n_y, n_x)
        With ``aggregate="best"``, the index in ``cv_results_`` of the
        candidate shown in each cell (-1 if none); with ``"mean"``, how
        many candidates were averaged.

    metric : str, default="score"
        The metric's name.

    aggregate : {"best", "mean"}, default="best"
        How candidates sharing a cell were summed up.

    other_params : list of str, default=()
        The other searched parameters.

    title : str or None, default=None
        The axes' title: how candidates sharing a cell were summed up. None
        says it from ``aggregate`` and ``other_params``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.

    figure_ : matplotlib Figure
        The figure of ``ax_``.

    im_ : matplotlib AxesImage
        The heatmap.

    text_ : ndarray of matplotlib Text or None
        The value written in each cell (None where the cell is empty, or
        when ``annotate=False``).

    colorbar_ : matplotlib Colorbar
        The colour scale.

    See Also
    --------
    ParameterScoreDisplay : The score against one parameter.
    ParallelCoordinatesDisplay : All the parameters at once.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhyper import GridTuner
    >>> from skhyper.display import ParameterHeatmapDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> grid = {"C": [0.1, 1, 10], "gamma": [0.01, 0.1, 1]}
    >>> tuner = GridTuner(SVC(), grid, cv=3).fit(X, y)
    >>> display = ParameterHeatmapDisplay.from_estimator(tuner, "C", "gamma")
    >>> display.scores.shape
    (3, 3)
    >>> [t.get_text() for t in display.ax_.get_xticklabels()]
    ['0.1', '1', '10']
    """

    def __init__(
        self,
        *,
        x_name,
        y_name,
        scores,
        x_labels,
        y_labels,
        candidates=None,
        metric="score",
        aggregate="best",
        other_params=(),
        title=None,
    ):
        self.x_name = x_name
        self.y_name = y_name
        self.scores = scores
        self.x_labels = x_labels
        self.y_labels = y_labels
        self.candidates = candidates
        self.metric = metric
        self.aggregate = aggregate
        self.other_params = other_params
        self.title = title

    @classmethod
    def from_estimator(
        cls,
        estimator,
        x_name,
        y_name,
        *,
        metric=None,
        aggregate="best",
        bins=10,
        ax=None,
        **kwargs,
    ):
        """Plot the score over ``x_name`` and ``y_name`` for a fitted search.

        Parameters
        ----------
        estimator : fitted search
            A skhyper tuner or a scikit-learn search.

        x_name, y_name : str
            Two searched parameters.

        metric : str, default=None
            With several metrics, which one; None takes the ``refit``
            metric.

        aggregate : {"best", "mean"}, default="best"
            For each cell, the best mean test score of its candidates
            (``"best"``) or the mean of their mean scores (``"mean"``).

        bins : int or None, default=10
            Numeric parameters with more distinct values are cut into this
            many intervals; None never cuts.

        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        **kwargs : dict
            Passed to :meth:`plot` (``cmap``, ``annotate``,
            ``values_format``).

        Returns
        -------
        ParameterHeatmapDisplay
            The display, drawn.
        """
        cv_results, metric = results_and_metric(estimator, metric)
        return cls.from_cv_results(
            cv_results,
            x_name,
            y_name,
            metric=metric,
            aggregate=aggregate,
            bins=bins,
            ax=ax,
            **kwargs,
        )

    @classmethod
    def from_cv_results(
        cls,
        cv_results,
        x_name,
        y_name,
        *,
        metric=None,
        aggregate="best",
        bins=10,
        ax=None,
        **kwargs,
    ):
        """Plot the score over ``x_name`` and ``y_name`` from ``cv_results_``.

        Parameters
        ----------
        cv_results : dict
            The ``cv_results_`` of a skhyper tuner or a scikit-learn search.

        x_name, y_name : str
            Two searched parameters.

        metric : str, default=None
            With several metrics, which one (required then).

        aggregate : {"best", "mean"}, default="best"
            How candidates sharing a cell are summed up; see
            :meth:`from_estimator`.

        bins : int or None, default=10
            Numeric parameters with more distinct values are cut into this
            many intervals; None never cuts.

        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        ParameterHeatmapDisplay
            The display, drawn.
        """
        check_matplotlib(f"{cls.__name__}.from_cv_results")
        check_cv_results(cv_results)
        check_aggregate(aggregate)
        if bins is not None and (not is_number(bins) or int(bins) != bins or bins < 1):
            raise ValueError(f"bins must be an int >= 1 or None, got {bins!r}")
        metric = pick_metric(cv_results, metric)
        axes = []
        for name in (x_name, y_name):
            values, present = param_column(cv_results, name)
            scale = ParamScale.of(name.removeprefix("param_"), values, present)
            axes.append((scale,) + _cells(scale, values, present, bins))
        (x_scale, x_index, x_labels), (y_scale, y_index, y_labels) = axes
        if x_scale.name == y_scale.name:
            raise ValueError(f"x_name and y_name must differ, both are {x_name!r}")
        means = np.asarray(cv_results[f"mean_test_{metric}"], float)
        scores = np.full((len(y_labels), len(x_labels)), np.nan)
        shared = False  # whether some cell has several candidates
        candidates = np.full(scores.shape, -1 if aggregate == "best" else 0)
        for row in range(len(y_labels)):
            for col in range(len(x_labels)):
                members = np.flatnonzero((x_index == col) & (y_index == row)).tolist()
                shared = shared or len(members) > 1
                if aggregate == "best":
                    best = pick_best(members, means)
                    if best is not None:
                        scores[row, col], candidates[row, col] = means[best], best
                else:
                    finite = [i for i in members if np.isfinite(means[i])]
                    candidates[row, col] = len(members)
                    if finite:
                        scores[row, col] = means[finite].mean()
        others = [
            p for p in param_names(cv_results) if p not in (x_scale.name, y_scale.name)
        ]
        title = None
        if not others and shared:  # intervals hold several candidates
            how = "best candidate" if aggregate == "best" else "mean of the candidates"
            title = f"{how} per cell (cells are intervals of values)"
        display = cls(
            x_name=x_scale.name,
            y_name=y_scale.name,
            scores=scores,
            x_labels=x_labels,
            y_labels=y_labels,
            candidates=candidates,
            metric=metric,
            aggregate=aggregate,
            other_params=others,
            title=title,
        )
        return display.plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, cmap="viridis", annotate=True, values_format=".3g"):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        cmap : str or matplotlib Colormap, default="viridis"
            The colour map.

        annotate : bool, default=True
            Whether to write each cell's score in it.

        values_format : str, default=".3g"
            The format of the written scores.

        Returns
        -------
        ParameterHeatmapDisplay
            This display, with ``ax_``, ``figure_``, ``im_``, ``text_`` and
            ``colorbar_``.
        """
        check_matplotlib(f"{type(self).__name__}.plot")
        ax, figure = new_axes(ax)
        import matplotlib

        if isinstance(cmap, str):
            cmap = matplotlib.colormaps[cmap]
        cmap = cmap.with_extremes(bad="0.9")  # empty cells in light grey
        scores = np.ma.masked_invalid(self.scores)
        self.im_ = ax.imshow(scores, cmap=cmap, origin="lower", aspect="auto")
        self.colorbar_ = figure.colorbar(self.im_, ax=ax)
        self.colorbar_.set_label(f"mean test {self.metric}")
        self.text_ = None
        if annotate:
            self.text_ = np.empty(self.scores.shape, dtype=object)
            norm = self.im_.norm
            for (row, col), value in np.ndenumerate(self.scores):
                if np.isfinite(value):
                    dark = self.im_.cmap(norm(value))[:3]
                    light = sum(dark) / 3 > DARK_CELL
                    self.text_[row, col] = ax.text(
                        col,
                        row,
                        format(value, values_format),
                        ha="center",
                        va="center",
                        color="black" if light else "white",
                        fontsize="small",
                    )
        ax.set_xticks(
            np.arange(len(self.x_labels)), self.x_labels, **tilt_if_long(self.x_labels)
        )
        ax.set_yticks(np.arange(len(self.y_labels)), self.y_labels)
        ax.set_xlabel(self.x_name)
        ax.set_ylabel(self.y_name)
        title = self.title or aggregate_statement(
            self.aggregate, self.other_params, per="cell"
        )
        set_title(ax, title)
        self.ax_, self.figure_ = ax, figure
        return self
