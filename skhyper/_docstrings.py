"""Docstring paragraphs shared by the tuners, filled in by :func:`fill_doc`.

A tuner's docstring names a shared paragraph as ``%(name)s`` on a line of
its own, indented as the paragraph's first line; the text is written once
here, so the tuners cannot drift apart.
"""

PARAMETERS = {
    "estimator": """estimator : estimator object
        The object to tune. It implements ``fit`` and is scored by
        ``scoring`` or, if ``scoring`` is None, by its own ``score`` method.""",
    "scoring": """scoring : str, callable, list, tuple or dict, default=None
        How candidates are scored: a scorer name, a callable
        ``scorer(estimator, X, y)`` returning a number or a dict of numbers,
        a list or tuple of names, or a dict of name to scorer. None uses the
        estimator's ``score``.""",
    "n_jobs": """n_jobs : int, default=None
        Number of jobs to run in parallel, through
        :class:`sklearn.utils.parallel.Parallel` and any joblib backend.
        None means 1 unless in a :func:`joblib.parallel_config` context; -1
        means all processors.""",
    "refit": """refit : bool, str, or callable, default=True
        Refit an estimator with the best parameters on the whole data. For
        multimetric scoring, a metric name, or a callable taking
        ``cv_results_`` and returning the best index.""",
    "cv": """cv : int, cross-validation generator or an iterable, default=None
        None for 5-fold, an int for (Stratified)KFold, a splitter, or an
        iterable of (train, test) index arrays.""",
    "verbose": """verbose : int, default=0
        0: silent; >=1: the number of fits; >=2: time per fit; >=3: scores.""",
    "pre_dispatch": """pre_dispatch : int or str, default='2*n_jobs'
        Number of jobs dispatched ahead during parallel execution.""",
    "error_score": """error_score : 'raise' or numeric, default=np.nan
        The score of a failed fit; 'raise' raises the error instead.""",
    "return_train_score": """return_train_score : bool, default=False
        Whether ``cv_results_`` also holds training scores.""",
    "share": """share : bool, default=True
        Never do the same work twice: candidates with equal parameters are
        fitted once per fold, pipeline steps shared by several candidates are
        fitted once per fold and their outputs reused, and warm-start paths
        (e.g. ``n_estimators`` of forests) are fitted in increasing order on
        one model. Scores are those of the plain search. False runs the plain
        search: one fresh clone per candidate and fold, as scikit-learn does.""",
    "share_memory": """share_memory : int, default=2**30
        Bytes of transformed data the search may hold for reuse by later
        candidates (1 GiB), for all its workers together: each of the
        ``n_jobs`` worker processes holds at most its share. Past it, the
        least recently used outputs are dropped and recomputed when needed
        again.""",
    "max_time": """max_time : float, default=None
        A wall-clock budget in seconds. Once spent, no new fit starts and
        ``fit`` returns (within ``max_time`` plus the longest single fit) with
        the candidates that finished every split, the best of them refitted,
        and a ``UserWarning`` saying how many were evaluated.""",
    "checkpoint": """checkpoint : str or path-like, default=None
        An SQLite file journaling every finished (candidate, split) result as
        it arrives. Fitting again with the same checkpoint, estimator, data,
        CV splits and scoring skips every journaled fit, so an interrupted or
        crashed search resumes where it stopped. Several searches may share a
        file; a file that is not a skhyper checkpoint is never written to.""",
}

ATTRIBUTES = """best_estimator_ : estimator
        The estimator refitted on the whole data with ``best_params_``; only
        when ``refit`` is not False.

    best_score_ : float
        Mean cross-validated score of the best candidate.

    best_params_ : dict
        Parameters of the best candidate.

    best_index_ : int
        Index of the best candidate in ``cv_results_``.

    scorer_ : callable or dict
        The scorer, or dict of scorers, used for the search.

    n_splits_ : int
        Number of cross-validation splits.

    refit_time_ : float
        Seconds taken to refit the best estimator.

    multimetric_ : bool
        Whether several metrics were scored.

    classes_ : ndarray of shape (n_classes,)
        Class labels of the best estimator (classifiers only).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    work_ : dict
        What the search did: ``candidates``, ``distinct_candidates``,
        ``splits``, ``tasks``, ``plain_fits`` (step fits a plain search runs:
        one per pipeline step, candidate and fold), ``fits`` (fresh step fits
        done), ``warm_start_fits`` (fits continuing a warm-start path),
        ``staged_fits`` (models taken from the one run of a staged path, a
        network's epochs or a booster's rounds, with no fit of their own),
        ``plain_iterations`` and ``iterations`` (the epochs, boosting rounds
        or ensemble members, by the value of the path parameter, that a plain
        search trains and that this one trained), ``from_checkpoint``
        (results read from the checkpoint), ``fallbacks`` (staged runs
        that fitted each value afresh, and kept models that could not be
        sent back, for a reason the search warns about once) and ``unkeyed``
        (candidates that hold a value with no sound key, such as an estimator
        with its own ``__sklearn_clone__``: fitted as distinct work and not
        journaled; a warning says why).

    history_ : dict of ndarrays
        When each candidate finished, in the order of ``cv_results_``:
        ``elapsed_time`` (seconds from the start of the search to the arrival
        of its last split), ``n_fits`` ((candidate, split) results the search
        had by then, those read from the checkpoint included) and
        ``from_checkpoint`` (True where every split was read from the
        checkpoint, at the start of the search). Shown by
        :class:`skhyper.display.SearchHistoryDisplay`."""


def fill_doc(cls=None, *, parameters=None, attributes=ATTRIBUTES):
    """Class decorator: replace ``%(name)s`` in ``cls.__doc__`` by the shared text.

    ``parameters`` adds paragraphs of a family of tuners (successive
    halving's) to :data:`PARAMETERS`; ``attributes`` is what
    ``%(attributes)s`` stands for. ``@fill_doc`` or ``@fill_doc(...)``.
    """

    def fill(cls):
        names = {**PARAMETERS, **(parameters or {}), "attributes": attributes}
        cls.__doc__ = cls.__doc__ % names
        return cls

    return fill if cls is None else fill(cls)
