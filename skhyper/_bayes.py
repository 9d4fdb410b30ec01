"""BayesTuner: model-based search on Optuna's samplers, a drop-in for
RandomizedSearchCV.

The strategy asks an Optuna study for candidates in rounds and tells it
each round's scores (ask-and-tell): with ``n_workers`` workers, a round is
``n_workers`` candidates, evaluated on every split by one call of the
engine, so that every worker has a candidate's folds to fit. Trials of a
round are asked one after the other before any is told; the default TPE
sampler sees the ones asked earlier as running (its ``constant_liar``) and
proposes the others away from them. The default sampler's first
``N_STARTUP`` trials are random, whatever it is told: they are asked as
one first round (the same candidates as in rounds of ``n_workers``, with
fewer waits for a round's last fit).

What is asked depends only on the seed, the space, ``n_jobs`` (the round
size) and the scores told, never on the order in which fits finish: a
search is reproducible for a fixed ``random_state`` and ``n_jobs``. That
is also how a checkpointed search resumes: it runs again from the start,
the engine reads every finished fit from the checkpoint instead of
fitting it, the study is told the same scores, so it asks the same
candidates, and fitting starts again where it stopped.

Optuna is an optional extra: nothing here imports it until ``fit``.
"""

import importlib.util
import numbers
import warnings
from contextlib import contextmanager
from copy import deepcopy

import numpy as np
from sklearn.model_selection import ParameterGrid
from sklearn.utils import check_random_state

from ._base import BaseTuner
from ._bayes_space import compile_space
from ._compat import HasMethods, Interval, InvalidParameterError
from ._cv_results import pick_metric
from ._docstrings import fill_doc
from ._space import check_distributions, is_all_lists, sampled_candidates

MISSING_OPTUNA = (
    "BayesTuner needs Optuna, which is an optional extra of skhyper: install "
    "it with pip install 'skhyper[bayes]' (or pip install optuna)."
)
# Largest seed drawn from a RandomState given as random_state.
MAX_SEED = 2**31 - 1
# Asks for one candidate before a candidate proposed before is taken again.
MAX_ASKS = 10
# The default sampler's first trials, drawn at random (Optuna's default):
# they do not depend on any score, so they are asked as one round.
N_STARTUP = 10


def _optuna_installed():
    # find_spec returns None, not raises, for a module set to None in
    # sys.modules (how tests simulate a missing package)
    return importlib.util.find_spec("optuna") is not None


def import_optuna():
    """The ``optuna`` module, or an ImportError naming the extra to install."""
    try:
        import optuna
    except ImportError as exc:
        raise ImportError(MISSING_OPTUNA) from exc
    return optuna


def _seed(random_state):
    """An int seed for Optuna's sampler (None stays None: unseeded)."""
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(MAX_SEED))


@contextmanager
def _quiet(optuna):
    """Optuna's INFO lines (study created, trial finished) off during ``fit``;
    skhyper's own progress lines (``verbose``) report the search."""
    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(max(previous, optuna.logging.WARNING))
    try:
        yield
    finally:
        optuna.logging.set_verbosity(previous)


@fill_doc
class BayesTuner(BaseTuner):
    """Model-based search: each candidate is proposed from the scores so far.

    A drop-in replacement for
    :class:`sklearn.model_selection.RandomizedSearchCV` that proposes
    candidates with an `Optuna <https://optuna.org>`_ sampler (TPE by
    default) instead of sampling them independently: the same parameters
    (plus ``sampler``), the same spaces as :class:`RandomTuner`, the same
    ``cv_results_`` and ``best_*`` attributes, and the work sharing,
    checkpoints and time budget of the other tuners. Needs the ``bayes``
    extra (``pip install 'skhyper[bayes]'``).

    Candidates are asked in rounds of as many as there are workers
    (``n_jobs``); after each round the sampler is told the mean test
    scores. The default sampler's first 10 candidates, random, are one
    round. The search is reproducible for a fixed ``random_state`` and
    ``n_jobs``; different ``n_jobs`` give different rounds, so different
    candidates. A candidate proposed again is not fitted again.

    Parameters
    ----------
    %(estimator)s

    param_distributions : dict or list of dicts
        As for :class:`RandomTuner`: parameter names mapped to non-empty
        lists, tuples, ranges or 1-D arrays (categorical: the sampler picks
        an index, any value works, estimators included), or to
        distributions. ``scipy.stats.uniform``, ``loguniform`` and
        ``randint`` are modelled on their support (``loguniform`` on a log
        scale); any other distribution with a ``ppf``, continuous or
        discrete, through its quantile; an object with only ``rvs`` is
        sampled by it, unmodelled. A list of dicts is a conditional space:
        the sampler picks a dict, then its parameters.

    n_iter : int or None, default=50
        Number of candidates evaluated. None proposes candidates until
        ``max_time`` is spent (it then needs ``max_time``).

    sampler : optuna.samplers.BaseSampler or None, default=None
        The Optuna sampler proposing candidates. None uses
        ``TPESampler(seed=..., multivariate=True, constant_liar=True)``
        (``group=True`` too for a list of dicts), seeded from
        ``random_state``. A sampler given is copied at each ``fit``, so
        that its state at construction seeds every fit.

    %(scoring)s
        With several metrics, the sampler maximises the one ``refit``
        names (the first one if ``refit`` is not a name).

    %(n_jobs)s
        It is also the number of candidates asked per round.

    %(refit)s

    %(cv)s

    %(verbose)s

    %(pre_dispatch)s

    random_state : int, RandomState instance or None, default=None
        Seeds the default sampler, and the draws of parameters given by an
        object with only ``rvs``. An int gives the same candidates at every
        ``fit`` (for the same ``n_jobs``); a RandomState draws a seed from
        it at each ``fit``; None is unseeded.

    %(error_score)s
        A candidate whose mean score is NaN is told to the sampler as
        failed.

    %(return_train_score)s

    %(share)s
        Across rounds too: a candidate the sampler proposes again is not
        fitted again.

    %(share_memory)s

    %(max_time)s

    %(checkpoint)s
        The sampler resumes too: it is told the journaled scores again, so
        it proposes what an uninterrupted search would have.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        Scores, times and parameters of every candidate, in the order they
        were proposed, with the keys and meaning of
        :class:`~sklearn.model_selection.RandomizedSearchCV`'s.

    %(attributes)s

    See Also
    --------
    RandomTuner : Search over independently sampled candidates.
    sklearn.model_selection.RandomizedSearchCV : The scikit-learn search it
        replaces.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhyper import BayesTuner
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1e1)}
    >>> tuner = BayesTuner(SVC(), space, n_iter=15, random_state=0)
    >>> tuner.fit(X, y).best_params_
    {'C': np.float64(...), 'gamma': np.float64(...)}
    >>> len(tuner.cv_results_["params"])
    15
    >>> BayesTuner(SVC(), {"C": loguniform(1, 0)}).fit(X, y)
    Traceback (most recent call last):
    ...
    ValueError: param_distributions['C']: the support of ... is (nan, nan): ...
    """

    _parameter_constraints: dict = {
        **BaseTuner._parameter_constraints,
        "param_distributions": [dict, list],
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "sampler": [
            HasMethods(
                ["infer_relative_search_space", "sample_relative", "sample_independent"]
            ),
            None,
        ],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=50,
        sampler=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        share=True,
        share_memory=2**30,
        max_time=None,
        checkpoint=None,
    ):
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.sampler = sampler
        self.random_state = random_state
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
            share=share,
            share_memory=share_memory,
            max_time=max_time,
            checkpoint=checkpoint,
        )

    def _n_search_tasks(self):
        return None  # rounds until n_iter candidates or max_time

    def _check_params(self):
        # Checked at fit, not in __init__ (scikit-learn's rule: no logic
        # there), before anything else: no search runs without Optuna.
        if not _optuna_installed():
            raise ImportError(MISSING_OPTUNA)
        super()._check_params()
        if isinstance(self.sampler, type):
            raise InvalidParameterError(
                f"The 'sampler' parameter of {type(self).__name__} must be an "
                f"Optuna sampler instance or None. Got {self.sampler!r} instead, a "
                f"class: did you mean {self.sampler.__name__}()?"
            )

    def _check_search_space(self):
        check_distributions(
            self.param_distributions, self.estimator, self.n_iter, self.max_time
        )
        # What the sampler cannot model (a ppf that fails) fails here too.
        compile_space(self.param_distributions)

    def _make_sampler(self, optuna, seed, space):
        if self.sampler is not None:
            return deepcopy(self.sampler)
        with warnings.catch_warnings():
            # our own choice of options, some experimental in some versions
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.samplers.TPESampler(
                seed=seed,
                n_startup_trials=N_STARTUP,
                multivariate=True,
                group=space.is_conditional,
                constant_liar=True,
            )

    def _run_search(self, evaluate):
        if is_all_lists(self.param_distributions):
            size = len(ParameterGrid(self.param_distributions))
            if self.n_iter is None or self.n_iter >= size:
                # Nothing to choose: every candidate, as RandomizedSearchCV
                # (and its warning that the space is smaller than n_iter).
                evaluate(
                    sampled_candidates(
                        self.param_distributions,
                        size if self.n_iter is None else self.n_iter,
                        self.random_state,
                    )
                )
                return
        optuna = import_optuna()
        space = compile_space(self.param_distributions)
        seed = _seed(self.random_state)
        sampler = self._make_sampler(optuna, seed, space)
        n_workers = max(1, evaluate.n_workers)
        # The default sampler's random first trials make the first round.
        first = max(n_workers, N_STARTUP if self.sampler is None else 0)
        with _quiet(optuna):
            study = optuna.create_study(direction="maximize", sampler=sampler)
            seen = set()  # identities of the candidates proposed so far
            n_asked = n_told = 0
            n_read = 0  # rounds' candidates read back once the budget was spent
            limit = None  # how many the checkpoint may hold, once it is spent
            while self.n_iter is None or n_asked < self.n_iter:
                spent = evaluate.time_left() <= 0
                if spent:
                    # Journaled trials cost no budget: the rounds the
                    # checkpoint holds whole are read back and told, until
                    # one is not (the sampler cannot be told the rest).
                    limit = evaluate.n_journaled() if limit is None else limit
                    if n_read >= limit:
                        break
                size = first if n_asked == 0 else n_workers
                if self.n_iter is not None:
                    size = min(size, self.n_iter - n_asked)
                trials, candidates = [], []
                for _ in range(size):
                    trial, candidate = _propose(optuna, study, space, seed, seen)
                    trials.append(trial)
                    candidates.append(candidate)
                if spent:
                    if not _all_journaled(evaluate, candidates, self.n_iter):
                        break
                    n_read += size
                results = evaluate(candidates, defer_failures=True)
                n_asked += size
                finished = len(results.get("params", ())) - n_told
                if finished < size:
                    break  # stopped inside the round: the engine keeps the rest
                # the refit metric, else the first one
                metric = pick_metric(results, refit=self.refit, fallback="first")
                scores = results[f"mean_test_{metric}"][n_told:]
                for trial, score in zip(trials, scores):
                    if np.isnan(score):
                        study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    else:
                        study.tell(trial, float(score))
                n_told += size
        evaluate.report_failures()


def _all_journaled(evaluate, candidates, n_iter):
    """Whether the checkpoint holds every split of every candidate of a round
    asked with the budget spent; if not, read back the ones it holds (they
    cost no budget; the sampler cannot be told the others, so the search
    ends). With an ``n_iter``, the whole round is asked, as a grid is: the
    engine reads back what is journaled and says that ``max_time`` left the
    rest out; ``n_iter=None`` has no count to fall short of."""
    known = evaluate.journaled(candidates)
    if all(known):
        return True
    read = [c for c, k in zip(candidates, known) if k or n_iter is not None]
    if read:
        evaluate(read, defer_failures=True)
    return False


def _propose(optuna, study, space, seed, seen):
    """Ask the study for a candidate not proposed before, ``MAX_ASKS`` times at
    most (then a candidate proposed again is taken: the engine does not fit it
    again). Trials of repeated candidates are told as failed, so that they
    weigh nothing in the sampler's model."""
    for attempt in range(MAX_ASKS):
        trial = study.ask()
        rng = _rng(seed, trial.number) if space.has_unmodelled else None
        candidate, identity = space.candidate(trial, rng)
        if identity not in seen or attempt == MAX_ASKS - 1:
            seen.add(identity)
            return trial, candidate
        study.tell(trial, state=optuna.trial.TrialState.FAIL)


def _rng(seed, number):
    """The random state for parameters drawn by ``rvs`` in trial ``number``."""
    if seed is None:
        return None
    return np.random.RandomState([seed, number])
