"""Evaluate one task in a worker: fit each leaf's path, score, time.

The steps of a path are fitted as ``Pipeline.fit`` fits them (the same
calls, the same fit parameters), so every score equals the one a fresh
``clone(estimator).fit`` would give. A step's fit and its transformed
train/test outputs are kept in a memo, keyed by the step and everything
upstream, for the next leaf below it; the memo holds at most
``share_memory`` bytes and drops the least recently used outputs past that
(they are recomputed when needed again).

Times: a candidate's ``fit_time`` is the fit time of every step on its path
(shared steps counted in full), its ``score_time`` the time to transform the
test data along its path and score it: what fitting and scoring it alone
would have cost. For a warm-start chain, ``fit_time`` is the time spent on
the chain up to that value (counting the earlier calls' part of a chain
continued from a kept model, see ``_kept``); for a staged chain (``_staged``),
the time its one run took to reach that value's model.
"""

import os
import time
from contextlib import contextmanager
from traceback import format_exc

from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags

from .._compat import (
    _check_method_params,
    _safe_split,
    is_response_scorer,
    multimetric_scorers,
)
from .._scoring import is_multimetric, score
from ._arrays import freeze, nbytes, thaw, writable
from ._binned import binned_once
from ._branches import (
    Branches,
    count_fits,
    fit_transform,
    is_composite,
    unwrap,
)
from ._cost import shape_of
from ._kept import dump, dump_to, load
from ._report import TaskReport
from ._settings import SIGINTS
from ._staged import StagedRun
from ._store import signal_handover, store_for, wait_for_handover


def _step_params(fit_params, name, is_pipeline):
    if not is_pipeline:
        return fit_params
    prefix = name + "__"
    return {k[len(prefix) :]: v for k, v in fit_params.items() if k.startswith(prefix)}


def _fit_step(step, data, y, params, error_score, branches, in_key):
    """Fit an intermediate step as ``Pipeline._fit`` does; transform test data.

    Returns the memo entry and the number of estimator fits it took.
    """
    Xt, Xt_test, Xt_train = data
    entry = {"fitted": step.estimator, "fit_time": 0.0, "transform_time": 0.0}
    if step.is_passthrough:
        entry.update(outputs=(Xt, Xt_test, Xt_train), error=None, nbytes=0)
        return entry, 0
    est, before = clone(step.estimator), branches.fits
    if not params:
        est = branches.open(est, in_key, as_transformer=True)
    own_fits = count_fits(est)  # before the fit, which may add branches
    start = time.time()
    try:
        out = writable(lambda X: fit_transform(est, X, y, params), Xt)
    except Exception:
        if error_score == "raise":
            raise
        entry.update(fit_time=time.time() - start, error=format_exc(), nbytes=0)
        entry["outputs"] = None
        return entry, branches.fits - before + (0 if is_composite(est) else own_fits)
    entry["fit_time"] = time.time() - start
    start = time.time()
    outputs = (out, _transform(est, Xt_test), _transform(est, Xt_train))
    entry["transform_time"] = time.time() - start
    entry.update(fitted=est, outputs=tuple(map(freeze, outputs)), error=None)
    entry["nbytes"] = sum(map(nbytes, outputs))
    return entry, branches.fits - before + own_fits


def _transform(est, X):
    """``est.transform(X)``; None when X is None or the transform fails.

    A failing transform of the test (or train) data is a failure to score,
    not to fit: the leaf is then scored by scikit-learn's path (the whole
    pipeline on raw data), which fails and is reported as scikit-learn
    reports it.
    """
    if X is None:
        return None
    try:
        return writable(est.transform, X)
    except Exception:
        return None


class Worker:
    """Evaluates the leaves of one task on its split."""

    def __init__(self, task, X, y, train, test, context):
        self.task, self.X, self.y, self.train, self.test = task, X, y, train, test
        self.context, self.settings = context, context.settings
        settings = context.settings
        self.memo, keys = store_for(context.plan_id, context.memory)
        self.scope = self._scope(task.split)  # what the store knows the split by
        self.branches = Branches(self.memo, keys, scope=self.scope)
        self.data = {}  # this task's splits, also when the memo cannot keep them
        # What the task did, by the names of ``work_`` (``TaskReport``).
        self.fits = self.warm_start_fits = self.staged_fits = 0
        self.iterations = 0  # path iterations trained (epochs, rounds, trees)
        self.fit_params = _check_method_params(X, settings.fit_params, indices=train)
        sp = settings.score_params
        self.score_params_train = _check_method_params(X, sp, indices=train)
        self.score_params_test = _check_method_params(X, sp, indices=test)
        self.warm = {}  # chain -> (model, cumulative fit time)
        self.staged = {}  # staged chain -> its StagedRun on this split
        self.fit_ctx = None  # the callback context of the leaf being fitted
        self.kept = {}  # kept chain -> (candidate, value) of its last leaf
        # (class name, what fell back, why) -> times: paths fitted afresh
        self.fallbacks = {}
        self.response_scorer = is_response_scorer(settings.scorer)
        self.step_costs, self.leaf_costs = [], []  # measured, for ``_cost``
        # Prefixes to hand over, (split, step key) -> where; those handed.
        self.to_hand = {(s, k): where for s, k, where in task.hand_out}
        self.handed_out = []
        # The entries of the last path, whether the store kept them or not
        # (one transient copy per running task, as in scikit-learn's search):
        # the task's next leaf below the same steps reads them.
        self.recent = {}

    def _scope(self, split):
        scopes = self.context.scopes
        return split if scopes is None else scopes[split]

    def split(self, estimator, pairwise):
        key = ("split", self.scope, pairwise)
        entry = self.data.get(pairwise) or self.memo.get(key)
        if entry is None:
            X, y, train, test = self.X, self.y, self.train, self.test
            X_train, y_train = _safe_split(estimator, X, y, train)
            X_test, y_test = _safe_split(estimator, X, y, test, train)
            # shared by the leaves: a step that writes into its input must
            # copy it (scikit-learn's estimators do, for read-only data)
            X_train, X_test = freeze(X_train), freeze(X_test)
            entry = {"data": (X_train, y_train, X_test, y_test)}
            entry["nbytes"] = nbytes(X_train) + nbytes(X_test)
            self.memo.put(key, entry)
        self.data[pairwise] = entry
        return entry["data"]

    def run(self):
        out = []
        deadline = self.context.deadline
        try:
            for split, key, where in self.task.handover:
                self.take_over(split, key, where)
            with self.branches:
                self._run(out, deadline)
        finally:
            for (split, key), where in list(self.to_hand.items()):
                self.give(split, key, where, None)  # not fitted: say so
        return out

    def drop(self):
        """Drop from the store what no later task reads (``_schedule``).

        Not in a store that several plans share (``scopes``): a later task of
        another plan may read it; the store's bound in bytes frees it."""
        if self.context.scopes is not None:
            return
        for key in self.task.drop:
            if key[0] == "fold":  # the fold's split of X
                for pairwise in (False, True):
                    self.memo.drop(("split", key[1], pairwise))
            else:
                self.memo.drop(key)

    def report(self):
        """The task's :class:`TaskReport`, once it ran."""
        # (candidate, value, pickled model, fit time) of each kept chain
        kept = []
        for chain, (cand, value) in self.kept.items():
            if chain not in self.warm:
                continue
            model, spent = self.warm[chain]
            try:
                blob = dump(model)
            except Exception as exc:  # refitted when the next call needs it
                cls = type(model).__name__
                reason = f"the model cannot be pickled ({exc!r})"
                self.fell_back(cls, "kept model", reason)
                continue
            kept.append((cand, value, blob, spent))
        return TaskReport(
            fits=self.fits,
            warm_start_fits=self.warm_start_fits,
            staged_fits=self.staged_fits,
            iterations=self.iterations,
            fallbacks=tuple(self.fallbacks.items()),
            step_costs=tuple(self.step_costs),
            leaf_costs=tuple(self.leaf_costs),
            handed_over=tuple(self.handed_out),
            kept=tuple(kept),
            callbacks_reported=True,
        )

    def give(self, split, key, where, entries):
        """Hand over a prefix's fitted steps and outputs (``_schedule``) as
        soon as they are fitted, so the parts waiting for them start."""
        del self.to_hand[split, key]
        ok = entries is not None
        if ok and where != "store":  # threads find them in the shared store
            try:
                part = where + ".part"
                dump_to(entries, part)
                os.replace(part, where)  # whole, or not there
            except Exception:  # a full disk, an unpicklable step
                ok = False
        if ok:
            self.handed_out.append((split, key, where))
        signal_handover(self.context.plan_id, split, key, where, ok)

    def take_over(self, split, key, where):
        """Wait for a prefix handed over by another task; start from it."""
        entries = wait_for_handover(
            self.context.plan_id, split, key, where, self.context.deadline
        )
        for k, entry in (entries or {}).items():
            self.recent[k] = entry
            if self.memo.get(k) is None:
                self.memo.put(k, entry)

    def _run(self, out, deadline):
        for leaf in self.task.leaves:
            if deadline is not None and time.time() >= deadline:
                break  # the time budget is spent: start no new fit
            interrupts = SIGINTS[0]
            result = self.evaluate_with_hooks(leaf)
            # A fit cut short is never kept, whatever the estimator did with
            # the interruption (some catch it and return a half-trained model).
            if SIGINTS[0] != interrupts:  # Ctrl-C in this process
                raise KeyboardInterrupt
            if deadline is not None and time.time() >= deadline:
                break  # running at the deadline: discarded
            if leaf.keep and result["fit_error"] is None:
                value = leaf.path[-1].estimator.get_params(deep=False)[leaf.warm]
                self.kept[leaf.chain] = (leaf.candidates[0], value)
            for cand in leaf.candidates:
                out.append((cand, dict(result)))

    def evaluate_with_hooks(self, leaf):
        """``evaluate(leaf)`` inside each candidate's callback context.

        As ``_fit_and_score`` does: the evaluation task of the candidate
        begins before the fit and ends after scoring, and the context is
        propagated into the estimator being fitted, whose own task tree then
        hangs below it. A leaf fitted once for several equal candidates
        reports its fit under the first; the others' tasks begin and end
        with no fit below them.
        """
        contexts = self.task.contexts
        if not contexts:
            return self.evaluate(leaf)
        caller = self.context.caller
        pairwise = get_tags(leaf.estimator).input_tags.pairwise
        X_train, y_train, _, _ = self.split(leaf.estimator, pairwise)
        weight = self.fit_params.get("sample_weight")
        hook = dict(
            estimator=caller,
            X=X_train,
            y=y_train,
            metadata=None if weight is None else {"sample_weight": weight},
        )
        first, *others = leaf.candidates
        ctx = contexts[first]
        self.fit_ctx, self.hook, self.begun = ctx, hook, False
        try:
            result = self.evaluate(leaf)  # begins the task where it fits
        finally:
            if not self.begun:  # failed before the fit
                ctx.call_on_fit_task_begin(**hook)
            self.fit_ctx = None
            ctx.call_on_fit_task_end(**hook)
        for cand in others:  # as if fitted: the same hooks, no fit below
            with contexts[cand].propagate_callback_context(clone(leaf.estimator)):
                contexts[cand].call_on_fit_task_begin(**hook)
            contexts[cand].call_on_fit_task_end(**hook)
        return result

    def evaluate(self, leaf):
        s = self.settings
        error_score, return_train = s.error_score, s.return_train_score
        pairwise = get_tags(leaf.estimator).input_tags.pairwise
        X_train, y_train, X_test, y_test = self.split(leaf.estimator, pairwise)
        Xt, Xt_test = X_train, X_test
        Xt_train = X_train if return_train else None
        fit_time = transform_time = 0.0
        fitted_steps = []
        error = None
        in_key = ("input", pairwise)
        recent = {}
        for step in leaf.path[:-1]:
            store_key = (self.scope, step.key)
            entry = self.memo.get(store_key) or self.recent.get(store_key)
            if entry is None:
                params = _step_params(self.fit_params, step.name, True)
                data = (Xt, Xt_test, Xt_train)
                entry, fits = _fit_step(
                    step, data, y_train, params, error_score, self.branches, in_key
                )
                self.fits += fits
                if entry["error"] is None:
                    seconds = entry["fit_time"] + entry["transform_time"]
                    self.step_costs.append((step.key, seconds))
                self.memo.put(store_key, entry)
            recent[store_key] = entry
            hand_key = (self.task.split, step.key)  # handovers: one plan's
            if hand_key in self.to_hand:
                ready = entry["error"] is None
                where = self.to_hand[hand_key]
                self.give(*hand_key, where, dict(recent) if ready else None)
            in_key = step.key
            fit_time += entry["fit_time"]
            if entry["error"] is not None:
                error = entry["error"]
                break
            transform_time += entry["transform_time"]
            Xt, Xt_test, Xt_train = entry["outputs"]
            fitted_steps.append((step.name, entry["fitted"]))
        if self.settings.share_memory > 0:  # 0: nothing held, as documented
            self.recent = recent

        final = leaf.path[-1]
        model = None
        started = time.time()  # the leaf's own work, for ``_cost``
        if error is None:
            params = _step_params(self.fit_params, final.name, leaf.pipeline)
            try:
                model, elapsed = self.fit_final(
                    leaf, final, Xt, y_train, params, in_key
                )
                fit_time += elapsed
            except Exception:
                if error_score == "raise":
                    raise
                error = format_exc()
                fit_time += self.failed_time

        if error is not None:
            return failed_result(s, error, fit_time)
        result = {"fit_error": None}

        start = time.time()
        missing = Xt_test is None or (return_train and Xt_train is None)
        if leaf.pipeline and (
            final.is_passthrough or not self.response_scorer or missing
        ):
            # Score the assembled pipeline on raw data, as scikit-learn does;
            # the scorer sees the steps scikit-learn's fit makes, no proxies.
            steps = fitted_steps + [(final.name, model)]
            target = Pipeline(
                [(name, unwrap(est)) for name, est in steps],
                memory=leaf.estimator.memory,
            )
            Xs_test = thaw(X_test)  # the pipeline may write into it
            Xs_train = thaw(X_train) if return_train else None
            transform_time = 0.0
        else:
            # A scikit-learn scorer only calls the final estimator's response
            # methods on the transformed data: reuse it (a copy of its own).
            target, Xs_test, Xs_train = model, thaw(Xt_test), thaw(Xt_train)
        failures = []  # scores that are error_score: the row depends on it
        test_scores = score(
            target,
            Xs_test,
            y_test,
            s.scorer,
            self.score_params_test,
            error_score,
            failures,
        )
        score_time = transform_time + time.time() - start
        result.update(test_scores=test_scores, fit_time=fit_time, score_time=score_time)
        if return_train:
            result["train_scores"] = score(
                target,
                Xs_train,
                y_train,
                s.scorer,
                self.score_params_train,
                error_score,
                failures,
            )
        if failures:
            result["score_error"] = True
        self.leaf_costs.append((shape_of(leaf), time.time() - started))
        return result

    def fit_final(self, leaf, final, Xt, y, params, in_key):
        """Fit the final step: fresh, or continuing its warm-start chain."""
        if final.is_passthrough:
            return final.estimator, 0.0
        if leaf.staged is not None:
            return self.fit_staged(leaf, final, Xt, y, params)
        chain = self.warm.get(leaf.chain) if leaf.chain is not None else None
        start = time.time()
        if chain is None and leaf.chain in self.task.starts:
            blob, spent = self.task.starts[leaf.chain]  # kept by an earlier call
            chain = (load(blob), spent)
        self.failed_time = 0.0
        try:
            if chain is not None:
                model, spent = chain
                value = final.estimator.get_params(deep=False)[leaf.warm]
                before = model.get_params(deep=False)[leaf.warm]
                model.set_params(**{leaf.warm: value, "warm_start": True})
                self.warm_start_fits += 1
                self.iterations += value - before
            else:
                model, spent, before = clone(final.estimator), 0.0, self.branches.fits
                if leaf.pipeline and not params:
                    model = self.branches.open(model, in_key, as_transformer=False)
                own_fits = count_fits(model)
                self.iterations += leaf.rounds
            try:
                with propagated(self.fit_ctx, model):
                    if self.fit_ctx is not None:
                        self.fit_ctx.call_on_fit_task_begin(**self.hook)
                        self.begun = True
                    # The final estimator gets data of its own, as in
                    # scikit-learn (shared data is read-only; torch and
                    # others warn about or write into read-only input).
                    with binned_once(model, self.context.memory // 4):
                        if y is None:
                            model.fit(thaw(Xt), **params)
                        else:
                            model.fit(thaw(Xt), y, **params)
            except Exception:
                if chain is None:  # a composite's failure: its proxies counted
                    own = 0 if is_composite(model) else own_fits
                    self.fits += self.branches.fits - before + own
                raise
            if chain is None:
                self.fits += self.branches.fits - before + own_fits
        except Exception:
            self.failed_time = time.time() - start
            self.warm.pop(leaf.chain, None)
            raise
        spent += time.time() - start
        if leaf.chain is not None:
            self.warm[leaf.chain] = (model, spent)
        return model, spent

    def fit_staged(self, leaf, final, Xt, y, params):
        """The model of a staged chain's leaf: its chain is fitted once on this
        split, at the largest value of the chain's leaves in the task, and
        every leaf takes its value's model from that run."""
        run = self.staged.get(leaf.chain)
        value = leaf.rounds
        self.failed_time = 0.0
        if run is None and leaf.keep and leaf.chain in self.task.starts:
            resumed = self.resume_staged(leaf, final, Xt, y, params)
            if resumed is not None:
                return resumed
        if run is None:
            members = [m for m in self.task.leaves if m.chain == leaf.chain]
            top = max(members, key=lambda m: m.rounds)
            values = sorted({m.rounds for m in members})
            model = clone(top.path[-1].estimator)
            with propagated(self.fit_ctx, model):
                if self.fit_ctx is not None and not self.begun:
                    self.fit_ctx.call_on_fit_task_begin(**self.hook)
                    self.begun = True
                run = StagedRun(leaf.staged, model, values, thaw(Xt), y, params)
            self.staged[leaf.chain] = run
            if run.fallback is not None and len(values) > 1:
                # (one value fitted afresh is no fallback: a plain fit)
                self.fell_back(run.cls, "staged path", run.fallback)
            self.fits += run.fits
            self.iterations += run.rounds
        elif self.fit_ctx is not None and not self.begun:
            self.fit_ctx.call_on_fit_task_begin(**self.hook)
            self.begun = True
        try:
            model, spent = run.take(value)
        except Exception:
            self.failed_time = run.seconds
            raise
        self.staged_fits += run.staged(value)
        if leaf.keep:  # sent back with the report, to be resumed later
            self.warm[leaf.chain] = (model, spent)
        return model, spent

    def resume_staged(self, leaf, final, Xt, y, params):
        """``(model, fit time)`` of a kept chain's leaf, its model resumed from
        the one an earlier call kept (the path's ``resume``), or None where
        the path declines or fails: the leaf is then fitted afresh.

        Only a leaf alone in its chain in this task is resumed (a strategy
        that keeps models asks for one value per candidate and call); a
        chain of several values is one staged run, as without ``keep``."""
        if any(m.chain == leaf.chain and m is not leaf for m in self.task.leaves):
            return None
        blob, spent = self.task.starts[leaf.chain]
        start = time.time()
        try:
            model = load(blob)
            before = model.get_params(deep=False)[leaf.warm]
            estimator = clone(final.estimator)
            with propagated(self.fit_ctx, estimator):
                if self.fit_ctx is not None:
                    self.fit_ctx.call_on_fit_task_begin(**self.hook)
                    self.begun = True
                resumed = leaf.staged.resume(estimator, model, thaw(Xt), y, params)
        except Exception as exc:  # a fresh fit says whether the fit fails
            self.fell_back(type(final.estimator).__name__, "resumed model", repr(exc))
            return None
        if resumed is None:
            return None
        self.warm_start_fits += 1
        self.iterations += leaf.rounds - before
        spent += time.time() - start
        self.warm[leaf.chain] = (resumed, spent)
        return resumed, spent

    def fell_back(self, cls, what, reason):
        key = (cls, what, reason)
        self.fallbacks[key] = self.fallbacks.get(key, 0) + 1


@contextmanager
def propagated(ctx, estimator):
    """``ctx.propagate_callback_context(estimator)``, or nothing without ctx."""
    if ctx is None:
        yield
    else:
        with ctx.propagate_callback_context(estimator):
            yield


def failed_result(settings, error, fit_time=0.0):
    """The result of a failed fit: ``error_score`` everywhere, the traceback kept."""
    error_score, scorer = settings.error_score, settings.scorer
    if is_multimetric(scorer):
        test_scores = dict.fromkeys(multimetric_scorers(scorer), error_score)
    else:
        test_scores = error_score
    result = {
        "fit_error": error,
        "test_scores": test_scores,
        "fit_time": fit_time,
        "score_time": 0.0,
    }
    if settings.return_train_score:
        result["train_scores"] = (
            test_scores.copy() if isinstance(test_scores, dict) else test_scores
        )
    return result


def run_task(task, X, y, train, test, context):
    """Worker entry point: ``(task.id, [(candidate, result)], TaskReport)``."""
    worker = Worker(task, X, y, train, test, context)
    out = worker.run()
    worker.drop()
    return task.id, out, worker.report()
