"""SearchHistoryDisplay: the best score so far, over time or over fits."""

import numpy as np

from .._cv_results import n_splits_of, pick_metric
from ._common import (
    check_cv_results,
    check_matplotlib,
    fitted_results,
    new_axes,
)

X_AXES = {
    "elapsed_time": "elapsed time (s)",
    "n_fits": "fits done ((candidate, split) results)",
}
HISTORY_KEYS = ("elapsed_time", "n_fits", "from_checkpoint")


class SearchHistoryDisplay:
    """The best cross-validated score found so far, as the search went.

    Each candidate is a point at the moment its last split arrived, either
    in seconds since the search started (``x="elapsed_time"``) or in fits
    done, counted as scikit-learn counts them, one per (candidate, split)
    (``x="n_fits"``); a step line follows the best mean test score so far.
    Candidates read from a checkpoint (a resumed search) are drawn apart:
    they are stamped when read, at the start. A search stopped by
    ``max_time`` shows the budget as a vertical line.

    The times come from a skhyper tuner's ``history_``; ``cv_results_``
    alone (a scikit-learn search) has none, and can only be shown against
    fits, taking the candidates in ``cv_results_`` order.

    Make one with :meth:`from_estimator` or :meth:`from_cv_results`. Needs
    matplotlib (the ``plot`` extra).

    Parameters
    ----------
    x : ndarray of shape (n_candidates,)
        When each candidate finished, in finishing order.

    scores : ndarray of shape (n_candidates,)
        Their mean test scores, in the same order.

    from_checkpoint : ndarray of bool of shape (n_candidates,)
        Whether each was read from a checkpoint.

    candidates : ndarray of shape (n_candidates,)
        Their indices in ``cv_results_``.

    x_kind : {"elapsed_time", "n_fits"}, default="elapsed_time"
        What ``x`` counts.

    metric : str, default="score"
        The metric's name.

    max_time : float or None, default=None
        The search's time budget, drawn on a time axis.

    xlabel : str or None, default=None
        The x axis' label; None says what ``x_kind`` counts.

    Attributes
    ----------
    best_so_far : ndarray of shape (n_candidates,)
        The best mean test score among the candidates finished so far.

    ax_ : matplotlib Axes
        The axes drawn on.

    figure_ : matplotlib Figure
        The figure of ``ax_``.

    line_ : matplotlib Line2D
        The best score so far (a step line).

    scatter_ : matplotlib PathCollection
        The candidates evaluated in this search.

    checkpoint_scatter_ : matplotlib PathCollection or None
        The candidates read from the checkpoint.

    max_time_line_ : matplotlib Line2D or None
        The time budget.

    See Also
    --------
    ParameterScoreDisplay : The score against one parameter.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhyper import GridTuner
    >>> from skhyper.display import SearchHistoryDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> tuner = GridTuner(SVC(), {"C": [0.01, 0.1, 1, 10]}, cv=3).fit(X, y)
    >>> display = SearchHistoryDisplay.from_estimator(tuner, x="n_fits")
    >>> display.x
    array([ 3,  6,  9, 12])
    >>> bool(display.best_so_far[-1] == tuner.best_score_)
    True
    """

    def __init__(
        self,
        *,
        x,
        scores,
        from_checkpoint,
        candidates,
        x_kind="elapsed_time",
        metric="score",
        max_time=None,
        xlabel=None,
    ):
        self.x = x
        self.scores = scores
        self.from_checkpoint = from_checkpoint
        self.candidates = candidates
        self.x_kind = x_kind
        self.metric = metric
        self.max_time = max_time
        self.xlabel = xlabel
        # np.fmax ignores NaN (failed candidates) unless all are NaN so far.
        self.best_so_far = np.fmax.accumulate(np.asarray(scores, float))

    @classmethod
    def from_estimator(cls, estimator, *, x="elapsed_time", metric=None, ax=None):
        """Plot the history of a fitted skhyper tuner.

        Parameters
        ----------
        estimator : fitted skhyper tuner
            A tuner with ``history_``. A scikit-learn search has none: use
            :meth:`from_cv_results` with ``x="n_fits"``.

        x : {"elapsed_time", "n_fits"}, default="elapsed_time"
            Seconds since the search started, or fits done.

        metric : str, default=None
            With several metrics, which one; None takes the ``refit``
            metric.

        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        Returns
        -------
        SearchHistoryDisplay
            The display, drawn.
        """
        cv_results = fitted_results(estimator)
        if not hasattr(estimator, "history_"):
            raise AttributeError(
                f"{type(estimator).__name__} has no history_: only skhyper's tuners "
                "record when candidates finish. Use SearchHistoryDisplay."
                "from_cv_results(cv_results_, x='n_fits') to show candidates in "
                "cv_results_ order."
            )
        metric = pick_metric(
            cv_results, metric, refit=getattr(estimator, "refit", None)
        )
        return cls.from_cv_results(
            cv_results,
            estimator.history_,
            x=x,
            metric=metric,
            max_time=getattr(estimator, "max_time", None),
            ax=ax,
        )

    @classmethod
    def from_cv_results(
        cls,
        cv_results,
        history=None,
        *,
        x="elapsed_time",
        metric=None,
        max_time=None,
        ax=None,
    ):
        """Plot a search's history from ``cv_results_`` and ``history_``.

        Parameters
        ----------
        cv_results : dict
            The ``cv_results_`` of a skhyper tuner or a scikit-learn search.

        history : dict or None, default=None
            The tuner's ``history_``. None (a scikit-learn search) takes the
            candidates in ``cv_results_`` order, each adding its number of
            splits to the fits done; only ``x="n_fits"`` is possible then.

        x : {"elapsed_time", "n_fits"}, default="elapsed_time"
            Seconds since the search started, or fits done.

        metric : str, default=None
            With several metrics, which one (required then).

        max_time : float or None, default=None
            The search's time budget, drawn on a time axis.

        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.

        Returns
        -------
        SearchHistoryDisplay
            The display, drawn.
        """
        check_matplotlib(f"{cls.__name__}.from_cv_results")
        check_cv_results(cv_results)
        if x not in X_AXES:
            raise ValueError(f"x must be one of {tuple(X_AXES)}, got {x!r}")
        metric = pick_metric(cv_results, metric)
        scores = np.asarray(cv_results[f"mean_test_{metric}"], float)
        n = len(scores)
        xlabel = None
        if history is None:
            if x != "n_fits":
                raise ValueError(
                    "x='elapsed_time' needs a history (a skhyper tuner's history_): "
                    "cv_results_ does not say when candidates finished. Use "
                    "x='n_fits', which takes the candidates in cv_results_ order."
                )
            n_splits = n_splits_of(cv_results, metric)
            history = {
                "elapsed_time": np.full(n, np.nan),
                "n_fits": n_splits * np.arange(1, n + 1),
                "from_checkpoint": np.zeros(n, bool),
            }
            xlabel = "fits dispatched (candidates in cv_results_ order)"
        missing = [k for k in HISTORY_KEYS if k not in history]
        if missing or any(len(history[k]) != n for k in HISTORY_KEYS):
            raise ValueError(
                f"history must have the keys {HISTORY_KEYS}, one value per "
                f"candidate of cv_results ({n}); got "
                f"{ {k: len(v) for k, v in history.items()} }"
            )
        # Finishing order: by the fits done, which only grow.
        order = np.lexsort((np.asarray(history["elapsed_time"]), history["n_fits"]))
        display = cls(
            x=np.asarray(history[x])[order],
            scores=scores[order],
            from_checkpoint=np.asarray(history["from_checkpoint"], bool)[order],
            candidates=order,
            x_kind=x,
            metric=metric,
            max_time=max_time,
            xlabel=xlabel,
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
        SearchHistoryDisplay
            This display, with ``ax_``, ``figure_`` and the drawn artists.
        """
        check_matplotlib(f"{type(self).__name__}.plot")
        ax, figure = new_axes(ax)
        resumed = np.asarray(self.from_checkpoint, bool)
        here = ~resumed
        self.scatter_ = ax.scatter(
            self.x[here],
            self.scores[here],
            s=14,
            color="0.55",
            label=f"candidates ({here.sum()})",
            zorder=2,
        )
        self.checkpoint_scatter_ = None
        if resumed.any():
            self.checkpoint_scatter_ = ax.scatter(
                self.x[resumed],
                self.scores[resumed],
                s=22,
                marker="x",
                color="tab:orange",
                label=f"read from the checkpoint ({resumed.sum()})",
                zorder=2,
            )
        (self.line_,) = ax.plot(
            self.x,
            self.best_so_far,
            drawstyle="steps-post",
            color="tab:blue",
            linewidth=2,
            label="best so far",
            zorder=3,
        )
        self.max_time_line_ = None
        if self.max_time is not None and self.x_kind == "elapsed_time":
            self.max_time_line_ = ax.axvline(
                self.max_time,
                color="tab:red",
                linestyle="--",
                label=f"max_time={self.max_time:g} s",
            )
        ax.set_xlabel(self.xlabel or X_AXES[self.x_kind])
        ax.set_ylabel(f"mean test {self.metric}")
        ax.legend(loc="lower right")
        self.ax_, self.figure_ = ax, figure
        return self
