"""The checkpoint side of the engine: open, read back, write, turn off.

:class:`Checkpointed` is a part of :class:`._evaluate.Engine`: it opens the
journal of ``checkpoint`` and keys the search (``_open_checkpoint``), reads
a batch's rows back (``_read_checkpoint``), writes the rows that arrive
(``_journal_rows``), tells a strategy which candidates are journaled (they
cost no budget) and, at the end, says what it could not hold or reuse. A
read or a write that fails mid-search turns the checkpoint off for the rest
of the search with one warning (``_turn_off``); the search goes on and keeps
every result in memory.
"""

import sqlite3
import warnings

from ._journal import (
    Journal,
    ReadError,
    candidate_digest,
    error_key,
    holds_error_score,
    search_digests,
    split_digest,
)
from ._keys import Unstable, canonical, persistent_key


class Checkpointed:
    """The checkpoint methods of :class:`._evaluate.Engine` (a mixin: it uses
    the engine's ``_settings``, ``_work``, ``_cv``, ``_X``, ``_y``,
    ``_split_params`` and ``_metric_names``)."""

    def _open_checkpoint(self, estimator, X, y, journal_scoring):
        """Open the journal of ``checkpoint`` (if any) and key this search."""
        settings = self._settings
        self._journal = self._key = None
        self._journal_off = None  # the checkpoint, once a write to it failed
        # Why the search is not journaled; the candidates that are not, and why.
        self._not_journaled = None
        self._unkeyed = {}
        self._code_changed = []  # the user's modules edited since the last run
        if settings.checkpoint is None:
            return
        self._journal = Journal(settings.checkpoint)
        try:
            self._key, codeless, code = search_digests(
                estimator,
                X,
                y,
                settings.fit_params,
                journal_scoring,
                settings.return_train_score,
            )
            self._code_changed = self._journal.code_changed(codeless, code)
        except Unstable as exc:
            self._journal.close()
            self._journal, self._not_journaled = None, str(exc)
        except (sqlite3.Error, OSError) as exc:  # before any fit: refused
            self._journal.close()
            raise ValueError(
                f"checkpoint={settings.checkpoint!r} cannot be read or written "
                f"({type(exc).__name__}: {exc}). Give a new path or remove the "
                "file."
            ) from exc
        except BaseException:
            self._journal.close()
            raise

    def _close_checkpoint(self):
        """Close the journal; say what it could not hold or reuse."""
        checkpoint = self._settings.checkpoint
        journal = self._journal or self._journal_off
        if self._journal is not None:
            self._journal.close()
        if journal is not None and journal.n_bad:
            warnings.warn(
                f"checkpoint={checkpoint!r}: {journal.n_bad} rows of "
                "this search failed their check (a wrong checksum or shape: "
                "the file was damaged or edited) and were ignored; their "
                "fits were run again.",
                UserWarning,
            )
        if self._code_changed:
            names = ", ".join(self._code_changed)
            warnings.warn(
                f"checkpoint={checkpoint!r}: the source of {names} changed since "
                "this search last ran, so its rows were not reused and its fits "
                "ran again.",
                UserWarning,
            )
        self._warn_unkeyed(checkpoint)

    def _warn_unkeyed(self, checkpoint):
        """Say which candidates were neither shared nor journaled, and why."""
        if self._unshared is not None:
            warnings.warn(
                f"{self._work.unkeyed} candidates were fitted as distinct work, "
                "neither shared with other candidates nor journaled, because "
                f"they hold a value with no sound key: {self._unshared}",
                UserWarning,
            )
        if self._not_journaled is not None:
            warnings.warn(
                f"checkpoint={checkpoint!r} was not used: {self._not_journaled}, "
                "so its results could not be keyed for another run. The search "
                "ran as without a checkpoint.",
                UserWarning,
            )
        elif self._unkeyed and self._journal is not None:
            first = next(iter(self._unkeyed.values()))
            warnings.warn(
                f"checkpoint={checkpoint!r}: {len(self._unkeyed)} candidates were "
                f"not journaled (a rerun fits them again): {first}",
                UserWarning,
            )

    def _journal_rows(self, rows):
        """Write rows to the checkpoint; if that fails (disk full, permissions,
        a file removed), turn the checkpoint off for the rest of the search,
        with one warning: the results stay in memory and are returned."""
        try:
            self._journal.write(rows)
        except (sqlite3.Error, OSError) as exc:
            self._turn_off(
                f"could not be written ({type(exc).__name__}: {exc})",
                "the rows not written will be fitted again by a rerun",
            )

    def _turn_off(self, what, then):
        """Turn the checkpoint off for the rest of the search, with one
        warning saying ``what`` happened and what ``then`` follows."""
        journal, self._journal = self._journal, None
        self._journal_off = journal
        try:
            journal.close()
        except (sqlite3.Error, OSError):
            pass
        warnings.warn(
            f"checkpoint={self._settings.checkpoint!r} {what}; the checkpoint "
            "is off for the rest of this search. Every result is kept in memory "
            f"and returned; {then}.",
            UserWarning,
        )

    def _load(self, split_keys):
        """The checkpoint's rows on these splits (see ``Journal.load``); {}
        once it is off. A read that fails turns it off: what it would have
        read is fitted."""
        if self._journal is None:
            return {}
        try:
            return self._journal.load(
                split_keys, self._settings.return_train_score, self._metric_names
            )
        except ReadError as exc:
            self._turn_off(
                f"could not be read ({exc.__cause__ or exc})",
                "what it held is fitted again",
            )
            return {}

    def _candidate_key(self, params):
        """The candidate's persistent digest, or None when it has none (then
        it is neither journaled nor recalled from an earlier call)."""
        try:
            return candidate_digest(params)
        except Unstable:
            pass
        if self._journal is not None:
            key = canonical(params, self._unkeyed_alive)
            if key not in self._unkeyed:
                self._unkeyed[key] = _why_unkeyed(params)
        return None

    def journaled(self, candidate_params, cv=None):
        """Which candidates the checkpoint holds every split of (a list of
        bools): what a search whose budget is spent still reads back."""
        candidate_params = list(candidate_params)
        if self._journal is None or not candidate_params:
            return [False] * len(candidate_params)
        split_keys = self._split_keys(cv)
        found = self._load(split_keys)
        error_score = self._settings.error_score
        known = []
        for params in candidate_params:
            try:
                key = candidate_digest(params)
            except Unstable:
                known.append(False)
                continue
            fail = error_key(key, error_score)
            known.append(
                all(
                    _read_back(found, s, key) is not None
                    or _read_back(found, s, fail, True) is not None
                    for s in split_keys
                )
            )
        return known

    def n_journaled(self, cv=None):
        """How many candidate keys the checkpoint holds rows for on the
        splits of ``cv`` (0 without a checkpoint, or once it is off)."""
        if self._journal is None:
            return 0
        try:
            return self._journal.n_candidates(self._split_keys(cv))
        except ReadError as exc:
            self._turn_off(
                f"could not be read ({exc.__cause__ or exc})",
                "what it held is fitted again",
            )
            return 0

    def _split_keys(self, cv):
        splits = (cv or self._cv).split(self._X, self._y, **self._split_params)
        return [split_digest(self._key, tr, te) for tr, te in splits]

    def _read_checkpoint(self, batch):
        """Copy the results the checkpoint holds for this batch."""
        found = self._load(batch.split_keys)
        if not found:
            return
        n_splits = batch.n_splits
        for c, (cand_key, fail_key) in enumerate(
            zip(batch.cand_keys, batch.error_keys)
        ):
            for s, split_key in enumerate(batch.split_keys):
                if batch.out[c * n_splits + s] is not None:
                    continue
                result = _read_back(found, split_key, cand_key)
                if result is None and fail_key is not None:
                    result = _read_back(found, split_key, fail_key, True)
                if result is not None:
                    batch.out[c * n_splits + s] = result
                    self._work.from_checkpoint += 1


def _read_back(found, split_key, candidate_key, failed=False):
    """The row of ``found`` at these keys, if it is of its kind: a row under
    a candidate's own key must not hold ``error_score``, one under its
    :func:`error_key` must."""
    result = found.get((split_key, candidate_key))
    if result is None or holds_error_score(result) != failed:
        return None
    return result


def _why_unkeyed(params):
    """Which parameter of a candidate has no persistent key, and why."""
    for name, value in params.items():
        try:
            persistent_key(value)
        except Unstable as exc:
            return f"parameter {name!r}: {exc}"
    return "its parameters have no persistent key"
