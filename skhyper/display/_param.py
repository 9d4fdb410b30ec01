"""ParameterScoreDisplay: the score against one parameter."""

import numpy as np

from .._cv_results import param_column, param_names, pick_metric
from ._common import (
    ParamScale,
    aggregate_statement,
    check_aggregate,
    check_cv_results,
    check_matplotlib,
    groups_by,
    new_axes,
    pick_best,
    results_and_metric,
    set_title,
    tilt_if_long,
)

# With train scores, categories draw test and train this far left and right.
CATEGORY_SHIFT = 0.08


class ParameterScoreDisplay:
    """The cross-validated score against one parameter of a search.

    The mean test score over the folds, with a band (or error bars) of one
    standard deviation, and the train score where the search kept it
    (``return_train_score=True``). Each value of the parameter may have
    several candidates (other parameters vary): ``aggregate`` says how they
    are summed up, and the plot's title says it too. Numeric parameters are
    on a log axis when their values are positive and span two decades or
    more; other parameters (strings, ``None``, estimators swapped by the
    grid, labelled by class name) are categories. Candidates without the
    parameter (in a list of grids) are left out.

    Make one with :meth:`from_estimator` or :meth:`from_cv_results`; the
    constructor only stores what they computed. Needs matplotlib (the
    ``plot`` extra).

    Parameters
    ----------
    param_name : str
        The parameter on the x axis.

    x : ndarray of shape (n_values,)
        Where each value is drawn: the value itself, or its category's index.

    test_mean, test_std : ndarray of shape (n_values,)
        Mean and standard deviation over the folds of the test score.

    train_mean, train_std : ndarray of shape (n_values,) or None
        The same for the train score; None when it was not kept.

    candidates : ndarray of shape (n_values,)
        With ``aggregate="best"``, the index in ``cv_results_`` of the
        candidate shown at each value (-1 where none has a finite score);
        with ``"mean"``, the number of candidates averaged.

    metric : str, default="score"
        The metric's name (``score``, or a multimetric name).

    aggregate : {"best", "mean"}, default="best"
        How the candidates sharing a value were summed up.

    other_params : list of str, default=()
        The other searched parameters.

    tick_labels : list of str or None, default=None
        Labels of a categorical parameter's values; None for numeric ones.

    log_scale : bool, default=False
        Whether the x axis is logarithmic.

    points : bool, default=False
        Whether to draw points with error bars rather than a line with a
        band (categorical parameters, and numeric ones whose every candidate
        has its own value, as in a random search).

    title : str or None, default=None
        The axes' title: how the other parameters were summed up. None
        says it from ``aggregate`` and ``other_params``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.

    figure_ : matplotlib Figure
        The figure of ``ax_``.

    lines_ : dict of str to matplotlib Line2D
        The mean score lines, under ``"test"`` and ``"train"``.

    fill_between_ : dict of str to matplotlib PolyCollection
        The standard deviation bands (line style only).

    errorbar_ : dict of str to matplotlib ErrorbarContainer
        The error bars (points style only).

    See Also
    --------
    ParameterHeatmapDisplay : The score over two parameters.
    sklearn.model_selection.ValidationCurveDisplay : The score against one
        parameter, other parameters fixed, computed afresh.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhyper import GridTuner
    >>> from skhyper.display import ParameterScoreDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> grid = {"C": [0.01, 0.1, 1, 10, 100], "kernel": ["linear", "rbf"]}
    >>> tuner = GridTuner(SVC(), grid, cv=3, return_train_score=True).fit(X, y)
    >>> display = ParameterScoreDisplay.from_estimator(tuner, "C")
    >>> display.ax_.get_xscale()
    'log'
    >>> display.ax_.get_title()
    'best candidate per value over the other parameters (kernel)'
    """

    def __init__(
        self,
        *,
        param_name,
        x,
        test_mean,
        test_std,
        train_mean=None,
        train_std=None,
        candidates=None,
        metric="score",
        aggregate="best",
        other_params=(),
        tick_labels=None,
        log_scale=False,
        points=False,
        title=None,
    ):
        self.param_name = param_name
        self.x = x
        self.test_mean = test_mean
        self.test_std = test_std
        self.train_mean = train_mean
        self.train_std = train_std
        self.candidates = candidates
        self.metric = metric
        self.aggregate = aggregate
        self.other_params = other_params
        self.tick_labels = tick_labels
        self.log_scale = log_scale
        self.points = points
        self.title = title

    @classmethod
    def from_estimator(
        cls, estimator, param_name, *, metric=None, aggregate="best", ax=None
    ):
        """Plot the score against ``param_name`` for a fitted search.

        Parameters
        ----------
        estimator : fitted search
            A skhyper tuner or a scikit-learn search (anything with a
            ``cv_results_``).

        param_name : str
            A searched parameter (``step__param`` in pipelines).

        metric : str, default=None
            With several metrics, which one; None takes the ``refit``
            metric.

        aggregate : {"best", "mean"}, default="best"
            For each value, show the candidate with the best mean test
            score among those with that value (``"best"``), or the mean over
            them of the mean scores and of the standard deviations
            (``"mean"``).

        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        Returns
        -------
        ParameterScoreDisplay
            The display, drawn.
        """
        cv_results, metric = results_and_metric(estimator, metric)
        return cls.from_cv_results(
            cv_results, param_name, metric=metric, aggregate=aggregate, ax=ax
        )

    @classmethod
    def from_cv_results(
        cls, cv_results, param_name, *, metric=None, aggregate="best", ax=None
    ):
        """Plot the score against ``param_name`` from a ``cv_results_`` dict.

        Parameters
        ----------
        cv_results : dict
            The ``cv_results_`` of a skhyper tuner or a scikit-learn search.

        param_name : str
            A searched parameter (``step__param`` in pipelines).

        metric : str, default=None
            With several metrics, which one (required then).

        aggregate : {"best", "mean"}, default="best"
            How candidates sharing a value are summed up; see
            :meth:`from_estimator`.

        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        Returns
        -------
        ParameterScoreDisplay
            The display, drawn.
        """
        check_matplotlib(f"{cls.__name__}.from_cv_results")
        check_cv_results(cv_results)
        check_aggregate(aggregate)
        metric = pick_metric(cv_results, metric)
        values, present = param_column(cv_results, param_name)
        name = param_name.removeprefix("param_")
        scale = ParamScale.of(name, values, present)
        groups = groups_by(values, present, scale)
        if not groups:
            raise ValueError(f"no candidate of the search sets {name!r}")
        test_mean = np.asarray(cv_results[f"mean_test_{metric}"], float)
        test_std = np.asarray(cv_results[f"std_test_{metric}"], float)
        has_train = f"mean_train_{metric}" in cv_results
        train_mean = train_std = None
        if has_train:
            train_mean = np.asarray(cv_results[f"mean_train_{metric}"], float)
            train_std = np.asarray(cv_results[f"std_train_{metric}"], float)

        rows = {"test_mean": [], "test_std": [], "train_mean": [], "train_std": []}
        candidates = []
        for indices in groups.values():
            if aggregate == "best":
                best = pick_best(indices, test_mean)
                candidates.append(-1 if best is None else best)
                pick = [] if best is None else [best]
            else:
                candidates.append(len(indices))
                pick = indices
            for key, array in (
                ("test_mean", test_mean),
                ("test_std", test_std),
                ("train_mean", train_mean),
                ("train_std", train_std),
            ):
                if array is not None:
                    chosen = array[pick]
                    chosen = chosen[np.isfinite(chosen)]
                    rows[key].append(chosen.mean() if chosen.size else np.nan)
        others = [p for p in param_names(cv_results) if p != name]
        every_value_alone = all(len(i) == 1 for i in groups.values())
        title = None
        if every_value_alone and others:
            title = (
                f"one candidate per value; the other parameters ({', '.join(others)}) "
                "vary"
            )
        display = cls(
            param_name=name,
            x=np.fromiter(groups, float),
            test_mean=np.asarray(rows["test_mean"]),
            test_std=np.asarray(rows["test_std"]),
            train_mean=np.asarray(rows["train_mean"]) if has_train else None,
            train_std=np.asarray(rows["train_std"]) if has_train else None,
            candidates=np.asarray(candidates),
            metric=metric,
            aggregate=aggregate,
            other_params=others if not every_value_alone else [],
            tick_labels=None if scale.numeric else scale.labels,
            log_scale=scale.log,
            points=not scale.numeric or (every_value_alone and len(others) > 0),
            title=title,
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        Returns
        -------
        ParameterScoreDisplay
            This display, with ``ax_``, ``figure_`` and the drawn artists.
        """
        check_matplotlib(f"{type(self).__name__}.plot")
        ax, figure = new_axes(ax)
        self.lines_, self.fill_between_, self.errorbar_ = {}, {}, {}
        curves = [("test", "Test", self.test_mean, self.test_std)]
        if self.train_mean is not None:
            curves.append(("train", "Train", self.train_mean, self.train_std))
        for key, label, mean, std in curves:
            if self.points:
                # Categories: train beside test, not on top of it.
                shift = CATEGORY_SHIFT if self.tick_labels is not None else 0.0
                shift *= {"test": -1, "train": 1}[key] if len(curves) > 1 else 0
                bars = ax.errorbar(
                    self.x + shift,
                    mean,
                    yerr=std,
                    fmt="o" if key == "test" else "s",
                    capsize=3,
                    label=label,
                    alpha=1.0 if key == "test" else 0.7,
                )
                self.errorbar_[key] = bars
                self.lines_[key] = bars.lines[0]
            else:
                (line,) = ax.plot(
                    self.x,
                    mean,
                    marker="o",
                    linestyle="-" if key == "test" else "--",
                    label=label,
                )
                self.lines_[key] = line
                self.fill_between_[key] = ax.fill_between(
                    self.x, mean - std, mean + std, alpha=0.2, color=line.get_color()
                )
        if self.log_scale:
            ax.set_xscale("log")
        if self.tick_labels is not None:
            ax.set_xticks(self.x, self.tick_labels, **tilt_if_long(self.tick_labels))
            ax.set_xlim(self.x.min() - 0.5, self.x.max() + 0.5)
        ax.set_xlabel(self.param_name)
        ax.set_ylabel(f"{self.metric} (mean ± std over folds)")
        title = self.title or aggregate_statement(self.aggregate, self.other_params)
        set_title(ax, title)
        ax.legend(loc="best")
        self.ax_, self.figure_ = ax, figure
        return self
