"""The engine: evaluates candidates on CV splits, never doing work twice.

Read this first. A search strategy (``_run_search`` of a tuner) is handed
an :class:`Evaluate`; calling it evaluates candidates on every split and
returns ``cv_results_`` so far. That call, ``time_left()`` and ``stopped``
are all a strategy may use; a strategy that asks in rounds (successive
halving) may also have the final models kept from one call to the next and
continued (``keep=``), label its progress lines and give the callback task
of each round. A strategy with several independent sequences of rounds
(Hyperband's brackets) hands ``evaluate.many`` one generator per sequence:
their batches are in flight at once, and the answer does not depend on the
order in which tasks finish (``_many``). Behind it, one call flows through
these modules:

``_evaluate.Engine``
    The search in progress: plans each batch, skips what the checkpoint
    holds, runs the rest, records results as they arrive, keeps every
    candidate whose splits all finished (so a stopped search has results).
``_many.InFlight``
    Several batches in flight (``evaluate.many``): each source's next batch
    asked when its batch is complete, rows kept in (source, batch) order.
``_settings``
    ``Settings`` (the tuner's parameters, resolved once per ``fit``),
    ``TaskContext`` (what a worker gets), ``Stop`` (why a search stopped).
``_registry``
    What is known of estimator classes: warm-start paths (``_warm``), staged
    paths (``_staged``, with the built-in ones in ``skhyper._paths``) and
    cheap steps (``_schedule``); users' registrations, which can be undone.
``_outcome``
    ``SearchOutcome``: what ``Engine.outcome()`` hands the tuner (after the
    search, a Ctrl-C or a deadline): the finished candidates, their rows,
    ``history_``, ``work_``, failures, why the search stopped, and
    ``cv_results_``. The tuner reads nothing else of the engine.
``_keys``
    Value equality: ``canonical`` keys and the ``KeyTable`` that interns
    them. Equal keys are the same work.
``_plan``
    Candidates x splits -> a work tree: leaves (distinct configurations),
    pipeline step paths, warm-start chains (``_warm``), staged chains
    (``_staged``: one run per fold, every value's model from it), branches of
    composites (``_branches``) -> units (one split, a leaf or a chain).
``_cost``
    What steps and leaves cost, measured as tasks finish; predictions for
    the rest of the search (the list of cheap step classes is the prior).
``_schedule``
    The ``Scheduler`` cuts units into tasks one at a time as workers need
    them, from the measured costs: expensive prefixes held per fold (the
    last ones split into parts that start from the prefix handed over),
    small units grouped into tasks worth their dispatch.
``_run.Runner``
    Runs tasks through ``sklearn.utils.parallel.Parallel``, streams results
    back to one loop in the parent: time budget, Ctrl-C, lost workers. A
    ``Flight`` feeds it tasks from several plans at once (lowest key first),
    a plan opened when its first task is needed.
``_worker.Worker``
    In a worker: fits each leaf's path step by step as ``Pipeline`` does,
    scores, times; ``_store`` keeps shared outputs across tasks of a plan,
    each worker process its share of ``share_memory``, and passes handed
    over prefixes between workers; ``_arrays`` freezes shared arrays;
    ``_binned`` bins a fold once for every histogram gradient boosting fit
    that asks for the same bins (content keys).
``_report``
    What a task gives back beside its results (``TaskReport``: counts by
    ``work_``'s names, measured costs, prefixes handed over, kept models;
    one made by the runner for a lost worker), and ``Work``, which adds the
    reports up into ``work_``.
``_kept``
    Final models kept in the parent between calls (``keep=``), bounded by
    ``share_memory``, handed to the next call's tasks to continue them.
``_journal``
    The SQLite checkpoint of finished (candidate, split) results: rows with
    checksums, a fixed schema, one search at a time (``flock``); keyed by
    ``_keys.persistent_key`` (content, code by name or ``__main__`` source,
    package versions), never by identity.
``_checkpointed``
    The engine's side of the checkpoint: opens and keys it, reads a batch's
    rows back, writes what arrives, says which candidates are journaled
    (they cost no budget), and turns it off with one warning when a read or
    a write fails mid-search.
``_progress``
    Progress lines and scikit-learn callback hooks, reported from the parent.

Nothing here reads the tuner: the tuner builds ``Settings`` and an
``Engine``, hands its strategy ``Evaluate(engine)``, and reads the search's
``engine.outcome()``.
"""

from ._branches import is_passthrough
from ._evaluate import Engine, Evaluate
from ._keys import canonical
from ._outcome import SearchOutcome
from ._registry import unregister_class
from ._schedule import add_cheap_step
from ._settings import Settings, Stop
from ._staged import add_staged_path, staged_path
from ._warm import add_warm_path, warm_path_param

__all__ = [
    "Engine",
    "Evaluate",
    "SearchOutcome",
    "Settings",
    "Stop",
    "add_cheap_step",
    "add_staged_path",
    "add_warm_path",
    "canonical",
    "is_passthrough",
    "staged_path",
    "unregister_class",
    "warm_path_param",
]
