"""The checkpoint journal: every finished (candidate, split) result, on disk.

An SQLite file (the standard library's ``sqlite3``, WAL mode) written by the
parent process as results arrive, one transaction per finished task. A row
is keyed by a digest of everything its result depends on (the estimator,
the data and fit parameters, the scoring, ``error_score``,
``return_train_score``, the scikit-learn version, the split's train and
test indices) and by a digest of the candidate's parameters, so a search
with any of these changed never reuses a row, and several searches can
share one file. A file that is not such a journal is never written to.
"""

import json
import os
import sqlite3

import joblib
import numpy as np
import sklearn

from ._keys import canonical

FORMAT = "skhyper-journal-1"
# Seconds to wait for another process that holds the file's write lock.
LOCK_TIMEOUT = 60
_SQLITE_MAGIC = b"SQLite format 3\x00"


def _digest(*parts):
    return joblib.hash(parts, hash_name="sha1")


def search_digest(estimator, X, y, fit_params, scoring, error_score, train_score):
    """Digest of what every result of a search depends on, splits aside."""
    return _digest(
        FORMAT,
        sklearn.__version__,
        canonical(estimator),
        X,
        y,
        {k: fit_params[k] for k in sorted(fit_params)},
        canonical(scoring),
        canonical(error_score),
        bool(train_score),
    )


def split_digest(search, train, test):
    return _digest(search, np.asarray(train), np.asarray(test))


def candidate_digest(params):
    return _digest(canonical(params))


def _plain(value):
    """JSON-ready: numpy scalars to Python numbers (exact for floats)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


class Journal:
    """Read and append results in a checkpoint file.

    Raises ValueError, before anything is written, when ``path`` exists and is
    not a skhyper journal (another SQLite database, any other file, a corrupt
    file).
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        exists = os.path.exists(self.path) and os.path.getsize(self.path) > 0
        if exists:
            with open(self.path, "rb") as f:
                head = f.read(len(_SQLITE_MAGIC))
            if head != _SQLITE_MAGIC:
                raise ValueError(
                    f"checkpoint={self.path!r} exists and is not a skhyper "
                    "checkpoint (not an SQLite file); refusing to overwrite it. "
                    "Give a new path or remove the file."
                )
        try:
            self.db = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT)
            if exists:
                self._check_format()
            else:
                self._create()
        except sqlite3.DatabaseError as exc:
            raise ValueError(
                f"checkpoint={self.path!r} cannot be read as a skhyper checkpoint "
                f"({exc}); refusing to write to it."
            ) from exc

    def _check_format(self):
        query = "SELECT name FROM sqlite_master WHERE type='table'"
        tables = {row[0] for row in self.db.execute(query)}
        ok = "skhyper_meta" in tables and "results" in tables
        if ok:
            row = self.db.execute(
                "SELECT value FROM skhyper_meta WHERE key='format'"
            ).fetchone()
            ok = row is not None and row[0] == FORMAT
        if not ok:
            self.db.close()
            raise ValueError(
                f"checkpoint={self.path!r} is an SQLite database but not a "
                f"{FORMAT!r} checkpoint (tables: {sorted(tables)}); refusing to "
                "write to it."
            )
        self.db.execute("PRAGMA journal_mode=WAL")

    def _create(self):
        self.db.execute("PRAGMA journal_mode=WAL")
        with self.db:
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS skhyper_meta "
                "(key TEXT PRIMARY KEY, value TEXT)"
            )
            self.db.execute(
                "INSERT OR REPLACE INTO skhyper_meta VALUES ('format', ?)", (FORMAT,)
            )
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS results (split TEXT, candidate TEXT, "
                "result TEXT, PRIMARY KEY (split, candidate))"
            )

    def load(self, split_keys):
        """``{(split_key, candidate_key): result}`` for the given splits."""
        found = {}
        for split in set(split_keys):
            rows = self.db.execute(
                "SELECT candidate, result FROM results WHERE split = ?", (split,)
            )
            for candidate, result in rows:
                found[split, candidate] = json.loads(result)
        return found

    def write(self, rows):
        """Append ``[(split_key, candidate_key, result), ...]`` in one transaction."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?)",
                [(s, c, json.dumps(_plain(r))) for s, c, r in rows],
            )

    def close(self):
        self.db.close()
