"""HalvingRungsDisplay: the rungs of a successive-halving search."""

import numpy as np

from .._cv_results import pick_metric
from ._common import (
    check_cv_results,
    check_matplotlib,
    new_axes,
    results_and_metric,
    value_key,
)

RUNG_KEYS = ("iter", "n_resources")


def _candidate_key(params):
    return tuple(sorted((name, value_key(v)) for name, v in params.items()))


class HalvingRungsDisplay:
    """The rungs of a successive-halving search: who went on, with what score.

    The x axis is the rungs (``iter`` in ``cv_results_``), labelled with
    their resource (``n_resources``) and number of candidates; each
    candidate is a line through the mean test scores of the rungs it
    reached. The best candidate of the last rung (the search's choice) is
    drawn in colour. Works with any ``cv_results_`` that has the ``iter``
    and ``n_resources`` keys, as scikit-learn's
    :class:`~sklearn.model_selection.HalvingGridSearchCV` and
    :class:`~sklearn.model_selection.HalvingRandomSearchCV` produce.

    Make one with :meth:`from_estimator` or :meth:`from_cv_results`. Needs
    matplotlib (the ``plot`` extra).

    Parameters
    ----------
    trajectories : list of ndarray of shape (n_rungs_reached, 2)
        For each candidate, its (rung, mean test score) points.

    rows : list of ndarray of int
        For each candidate, its rows in ``cv_results_``, by rung.

    best : int
        Which trajectory is the search's choice.

    n_resources : ndarray of shape (n_rungs,)
        The resource of each rung.

    n_candidates : ndarray of shape (n_rungs,)
        How many candidates each rung evaluated.

    metric : str, default="score"
        The metric's name.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.

    figure_ : matplotlib Figure
        The figure of ``ax_``.

    lines_ : matplotlib LineCollection
        One line per candidate, in the order of ``trajectories``.

    best_line_ : matplotlib Line2D
        The search's choice.

    See Also
    --------
    SearchHistoryDisplay : The best score so far over time.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    >>> from sklearn.model_selection import HalvingGridSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhyper.display import HalvingRungsDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> grid = {"C": [0.01, 0.1, 1, 10], "gamma": [0.01, 0.1, 1]}
    >>> search = HalvingGridSearchCV(SVC(), grid, cv=3, random_state=0).fit(X, y)
    >>> display = HalvingRungsDisplay.from_estimator(search)
    >>> display.n_candidates
    array([12,  4])
    """

    def __init__(
        self, *, trajectories, rows, best, n_resources, n_candidates, metric="score"
    ):
        self.trajectories = trajectories
        self.rows = rows
        self.best = best
        self.n_resources = n_resources
        self.n_candidates = n_candidates
        self.metric = metric

    @classmethod
    def from_estimator(cls, estimator, *, metric=None, ax=None):
        """Plot the rungs of a fitted successive-halving search.

        Parameters
        ----------
        estimator : fitted search
            A successive-halving search (its ``cv_results_`` has ``iter``
            and ``n_resources``).

        metric : str, default=None
            With several metrics, which one; None takes the ``refit``
            metric.

        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        Returns
        -------
        HalvingRungsDisplay
            The display, drawn.
        """
        cv_results, metric = results_and_metric(estimator, metric)
        return cls.from_cv_results(cv_results, metric=metric, ax=ax)

    @classmethod
    def from_cv_results(cls, cv_results, *, metric=None, ax=None):
        """Plot the rungs from a successive-halving search's ``cv_results_``.

        Parameters
        ----------
        cv_results : dict
            ``cv_results_`` with the ``iter`` and ``n_resources`` keys.

        metric : str, default=None
            With several metrics, which one (required then).

        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        Returns
        -------
        HalvingRungsDisplay
            The display, drawn.
        """
        check_matplotlib(f"{cls.__name__}.from_cv_results")
        check_cv_results(cv_results)
        missing = [k for k in RUNG_KEYS if k not in cv_results]
        if missing:
            raise ValueError(
                f"cv_results has no {missing} key: it is not from a "
                "successive-halving search"
            )
        metric = pick_metric(cv_results, metric)
        rung = np.asarray(cv_results["iter"], int)
        resources = np.asarray(cv_results["n_resources"])
        means = np.asarray(cv_results[f"mean_test_{metric}"], float)
        rungs = np.unique(rung)
        n_resources = np.array([resources[rung == r][0] for r in rungs])
        n_candidates = np.array([(rung == r).sum() for r in rungs])
        by_candidate = {}
        for i, params in enumerate(cv_results["params"]):
            by_candidate.setdefault(_candidate_key(params), []).append(i)
        rows = [
            np.array(sorted(r, key=lambda i: rung[i])) for r in by_candidate.values()
        ]
        trajectories = [np.column_stack([rung[r], means[r]]) for r in rows]
        last = np.flatnonzero(rung == rungs[-1])
        finite = last[np.isfinite(means[last])]
        choice = finite[np.argmax(means[finite])] if finite.size else last[0]
        best = next(k for k, r in enumerate(rows) if choice in r)
        display = cls(
            trajectories=trajectories,
            rows=rows,
            best=best,
            n_resources=n_resources,
            n_candidates=n_candidates,
            metric=metric,
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
        HalvingRungsDisplay
            This display, with ``ax_``, ``figure_``, ``lines_`` and
            ``best_line_``.
        """
        check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.collections import LineCollection

        ax, figure = new_axes(ax)
        self.lines_ = LineCollection(
            self.trajectories, colors="0.6", linewidths=1, alpha=0.7, zorder=1
        )
        ax.add_collection(self.lines_)
        points = np.concatenate(self.trajectories)
        ax.scatter(points[:, 0], points[:, 1], s=10, color="0.45", zorder=2)
        best = self.trajectories[self.best]
        (self.best_line_,) = ax.plot(
            best[:, 0],
            best[:, 1],
            marker="o",
            color="tab:red",
            linewidth=2,
            label="chosen candidate",
            zorder=3,
        )
        rungs = np.arange(len(self.n_resources))
        ax.set_xticks(
            rungs,
            [
                f"{r:g}\n{n} cand."
                for r, n in zip(self.n_resources.astype(float), self.n_candidates)
            ],
        )
        ax.set_xlim(-0.3, len(rungs) - 0.7)
        ax.set_xlabel("rung: n_resources, candidates")
        ax.set_ylabel(f"mean test {self.metric}")
        ax.legend(loc="lower right")
        ax.margins(y=0.1)
        self.ax_, self.figure_ = ax, figure
        return self
