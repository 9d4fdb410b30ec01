"""The checkpoint journal: every finished (candidate, split) result, on disk.

An SQLite file (the standard library's ``sqlite3``, WAL mode) written by the
parent process as results arrive, one transaction per finished task. A row
is keyed by a digest of everything its result depends on (the estimator,
the data and fit parameters, the scoring, ``return_train_score``, the
versions of scikit-learn and of the packages the estimator's and scorer's
code comes from, the split's train and test indices) and by a digest of the
candidate's parameters (``_keys.persistent_key``), so a search with any of
these changed never reuses a row, and several searches can share one file,
one after the other. A value with no such key (compared by identity, a
lambda) is never journaled. ``error_score`` is in the key of a row that
holds it (a failed fit, or a score that failed: :func:`holds_error_score`,
:func:`error_key`) and only there: a successful fit is reused whatever
``error_score`` is.

The file checks itself:

- it holds skhyper's two tables and nothing else (no other table, index,
  view or trigger), created in one transaction, and is read with
  ``PRAGMA trusted_schema=OFF``; any other file is refused (``ValueError``)
  and never written to. The tables are only created in a file with no page
  (a path that does not exist yet, or a 0-byte file): an SQLite database
  with no table is another application's, refused too;
- each row carries a checksum of its keys and result; a row whose checksum
  or shape is wrong is ignored (its fit runs again and replaces it), and
  counted in :attr:`Journal.n_bad`;
- a running search holds an exclusive ``flock`` on the file, which the
  operating system releases when the process ends, however it ends; a
  second search on the same file meanwhile is refused (``RuntimeError``).

It holds scores, times and error messages: no model, no code. Its checksums
catch damage, not forgery: a checkpoint from someone else is trusted for
its scores.
"""

import hashlib
import json
import math
import numbers
import os
import sqlite3
import threading
import time

import joblib
import numpy as np
import sklearn

from ._keys import Unstable, persistent_key, persistent_parts

try:
    import fcntl
except ImportError:  # Windows: no lock; one search per file is up to the user
    fcntl = None

FORMAT = "skhyper-journal-2"
# Seconds to wait for another process that holds the file's write lock.
LOCK_TIMEOUT = 60
_SQLITE_MAGIC = b"SQLite format 3\x00"
# Switching a file to WAL takes it whole, and SQLite answers "database is
# locked" at once, without its busy timeout, while another connection reads
# it: several processes opening one new checkpoint at once wait and retry.
WAL_RETRY = 0.01  # seconds, doubled up to WAL_RETRY_MAX
WAL_RETRY_MAX = 0.5
# (device, inode) of the checkpoints this process's searches hold. A second
# search of this process is refused from here, without opening the file:
# closing any descriptor of a file drops every POSIX lock the process holds
# on it, SQLite's included.
_HELD = set()
_HELD_LOCK = threading.Lock()

# What sqlite_master holds in a journal: (type, name) -> sql, exactly.
_TABLES = {
    "skhyper_meta": "CREATE TABLE skhyper_meta (key TEXT PRIMARY KEY, value TEXT)",
    "results": (
        "CREATE TABLE results (split TEXT, candidate TEXT, result TEXT, "
        "checksum TEXT, PRIMARY KEY (split, candidate))"
    ),
}
_SCHEMA = {("table", name): sql for name, sql in _TABLES.items()}
_SCHEMA |= {("index", f"sqlite_autoindex_{name}_1"): None for name in _TABLES}


def _digest(*parts):
    return joblib.hash(parts, hash_name="sha1")


def _content(what, value):
    """``joblib.hash(value)``, or Unstable naming ``what``."""
    try:
        return joblib.hash(value, hash_name="sha1")
    except Exception as exc:
        raise Unstable(f"{what} cannot be pickled by content ({exc})") from None


def search_digests(estimator, X, y, fit_params, scoring, train_score):
    """Digests of what every result of a search depends on, splits aside:
    ``(digest, digest without the user's code, {module: source digest})``,
    the last two to tell that only the user's code changed.

    ``error_score`` is not in it: only failed rows depend on it
    (:func:`error_key`). Raises :class:`Unstable` when the estimator, the
    scoring or the fit parameters hold a value with no key valid in another
    process.
    """
    parts, codeless, code = [], [], {}
    for what, value in (
        ("the estimator", estimator),
        ("scoring", scoring),
    ):
        try:
            digest, sources = persistent_parts(value)
        except Unstable as exc:
            raise Unstable(f"{what}: {exc}") from None
        parts.append(_digest(digest, sorted(sources)))
        codeless.append(digest)
        code.update(sources)
    fit = {k: fit_params[k] for k in sorted(fit_params)}
    rest = (
        _content("X", X),
        _content("y", y),
        _content("the fit parameters", fit),
        bool(train_score),
    )
    return (
        _digest(FORMAT, sklearn.__version__, *parts, *rest),
        _digest(FORMAT, sklearn.__version__, *codeless, *rest),
        code,
    )


def split_digest(search, train, test):
    return _digest(search, np.asarray(train), np.asarray(test))


def holds_error_score(result):
    """Whether a result holds ``error_score``: its fit or a score failed."""
    return result.get("fit_error") is not None or bool(result.get("score_error"))


def error_key(candidate, error_score):
    """The candidate key of a row that :func:`holds_error_score`."""
    return _digest(candidate, "error_score", persistent_key(error_score))


def candidate_digest(params):
    """Digest of a candidate's parameters; raises :class:`Unstable`."""
    return persistent_key(params)


def _plain(value):
    """JSON-ready: numpy scalars to Python numbers (exact for floats)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _checksum(split, candidate, text):
    data = "\x00".join((FORMAT, split, candidate, text)).encode()
    return hashlib.sha256(data).hexdigest()


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_scores(value, names):
    if _is_number(value):
        return names is None or names == ()
    if not isinstance(value, dict) or not value:
        return False
    if names and set(value) != set(names):
        return False
    return all(isinstance(k, str) and _is_number(v) for k, v in value.items())


def check_result(result, train_score, names=None):
    """Whether a row read back has the shape of a result of this search.

    ``names``: the metric names of a multimetric scoring, ``()`` for one
    metric, None when unknown (a callable, which may return either).
    """
    keys = {"fit_error", "test_scores", "fit_time", "score_time"}
    if train_score:
        keys.add("train_scores")
    # Keys added by later versions of a result are let through; the ones
    # read must be there, of the right types.
    if not isinstance(result, dict) or not keys <= set(result):
        return False
    error = result["fit_error"]
    if error is not None and not isinstance(error, str):
        return False
    times = result["fit_time"], result["score_time"]
    if not all(_is_number(t) and math.isfinite(t) and t >= 0 for t in times):
        return False
    return all(
        _is_scores(result[k], names)
        for k in ("test_scores", "train_scores")
        if k in keys
    )


class ReadError(ValueError):
    """The checkpoint could not be read in the middle of a search."""


def _wal(db):
    """Put the file in WAL mode (persistent: done once, by whichever process
    gets there first), retrying while other connections hold it, up to
    ``LOCK_TIMEOUT``."""
    deadline, wait = time.monotonic() + LOCK_TIMEOUT, WAL_RETRY
    while True:
        try:
            (mode,) = db.execute("PRAGMA journal_mode").fetchone()
            if mode.lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = "locked" in str(exc) or "busy" in str(exc)
            if not busy or time.monotonic() + wait > deadline:
                raise
        time.sleep(wait)
        wait = min(2 * wait, WAL_RETRY_MAX)


class Journal:
    """Read and append results in a checkpoint file.

    Raises ValueError, before anything is written, when ``path`` is not a
    file path or exists and is not a skhyper journal (another SQLite
    database, any other file, a corrupt file, a journal with anything added
    to its schema), and RuntimeError when another running search holds it.
    """

    def __init__(self, path, *, lock=True):
        self.path = os.fspath(path)
        self.n_bad = 0  # rows read back and ignored: wrong checksum or shape
        self._bad = set()
        self._lock_fd = None
        self.db = None
        if isinstance(self.path, bytes):
            self.path = os.fsdecode(self.path)
        if not self.path or self.path == ":memory:":  # SQLite's, not files
            raise ValueError(f"checkpoint must be a file path, got {path!r}")
        if os.path.isdir(self.path):
            raise ValueError(
                f"checkpoint must be a file path, got {path!r}, a directory"
            )
        self._check_magic()
        try:
            # Several batches in flight (``_many``) are opened, and read
            # their rows, in the thread that dispatches tasks; every use of
            # the connection is one at a time (under the flight's lock).
            self.db = sqlite3.connect(
                self.path, timeout=LOCK_TIMEOUT, check_same_thread=False
            )
            self.db.execute("PRAGMA trusted_schema=OFF")
            self._open()
        except sqlite3.DatabaseError as exc:
            self._close_db()
            raise ValueError(
                f"checkpoint={self.path!r} cannot be read as a skhyper checkpoint "
                f"({exc}); refusing to write to it."
            ) from exc
        except BaseException:
            self._close_db()
            raise
        if lock:
            self._lock()

    def _check_magic(self):
        try:
            with open(self.path, "rb") as f:
                head = f.read(len(_SQLITE_MAGIC))
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ValueError(
                f"checkpoint={self.path!r} cannot be read ({exc})"
            ) from exc
        if head and head != _SQLITE_MAGIC:
            raise ValueError(
                f"checkpoint={self.path!r} exists and is not a skhyper "
                "checkpoint (not an SQLite file); refusing to overwrite it. "
                "Give a new path or remove the file."
            )

    def _open(self):
        """Check the schema, or create it in an empty file: one transaction,
        under the write lock, so two processes creating one file both see
        it whole."""
        db = self.db
        db.isolation_level = None  # transactions are explicit here
        db.execute("BEGIN IMMEDIATE")
        try:
            schema = {
                (kind, name): sql
                for kind, name, sql in db.execute(
                    "SELECT type, name, sql FROM sqlite_master"
                )
            }
            if not schema:
                # A new or 0-byte file is ours to create (under the write
                # lock: no one else writes it now); an SQLite database with
                # pages and no table is another application's.
                if os.path.getsize(self.path):
                    raise ValueError(
                        f"checkpoint={self.path!r} is an SQLite database with no "
                        "skhyper tables (another application's); refusing to "
                        "write to it. Give a new path or an empty file."
                    )
                for sql in _TABLES.values():
                    db.execute(sql)
                db.execute("INSERT INTO skhyper_meta VALUES ('format', ?)", (FORMAT,))
            else:
                self._check_schema(schema)
            db.execute("COMMIT")
        except BaseException:
            try:
                db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise
        db.isolation_level = ""  # back to sqlite3's implicit transactions
        _wal(db)
        check = db.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            raise ValueError(
                f"checkpoint={self.path!r} is damaged (SQLite's quick_check: "
                f"{check[0][0]!r}); refusing to write to it. Give a new path or "
                "remove the file."
            )

    def _check_schema(self, schema):
        names = sorted(name for _, name in schema)
        tables = {name for kind, name in schema if kind == "table"}
        if not {"skhyper_meta", "results"} <= tables:
            raise ValueError(
                f"checkpoint={self.path!r} is an SQLite database but not a "
                f"{FORMAT!r} checkpoint (tables: {names}); refusing to "
                "write to it."
            )
        try:
            row = self.db.execute(
                "SELECT value FROM skhyper_meta WHERE key='format'"
            ).fetchone()
        except sqlite3.DatabaseError:
            row = None
        if row is None or row[0] != FORMAT:
            found = None if row is None else row[0]
            raise ValueError(
                f"checkpoint={self.path!r} has format {found!r}, not {FORMAT!r} "
                "(written by another version of skhyper, or edited); refusing "
                "to write to it. Give a new path or remove the file."
            )
        if set(schema) != set(_SCHEMA):
            raise ValueError(
                f"checkpoint={self.path!r} is a skhyper checkpoint with other "
                f"objects added to it (schema: {names}); refusing to read or "
                "write it. Give a new path or remove the file."
            )
        for key, sql in _SCHEMA.items():
            if sql is not None and schema[key] != sql:
                raise ValueError(
                    f"checkpoint={self.path!r}: its table {key[1]!r} is not "
                    f"skhyper's (got {schema[key]!r}); refusing to write to it."
                )

    def _lock(self):
        """Hold an exclusive lock on the file while the search runs."""
        if fcntl is None:
            return
        stat = os.stat(self.path)
        key = (stat.st_dev, stat.st_ino)
        with _HELD_LOCK:
            held = key in _HELD
            if not held:
                _HELD.add(key)
        if held:
            self._in_use(None)
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except BaseException:
            _HELD.discard(key)
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._close_db()
            os.close(fd)  # after SQLite's: closing drops the process's locks
            _HELD.discard(key)
            self._in_use(exc)
        self._lock_fd, self._lock_key = fd, key

    def _in_use(self, cause):
        self._close_db()
        raise RuntimeError(
            f"checkpoint={self.path!r} is in use by another running search "
            "(it holds the file's lock); two searches cannot share one "
            "checkpoint at the same time. Wait for it to end, or give "
            "another path."
        ) from cause

    def load(self, split_keys, train_score=False, names=None):
        """``{(split_key, candidate_key): result}`` for the given splits.

        Rows whose checksum or shape (:func:`check_result`) is wrong are
        left out and counted in ``n_bad`` (once each)."""
        found = {}
        try:
            for split in set(split_keys):
                rows = self.db.execute(
                    "SELECT candidate, result, checksum FROM results WHERE split = ?",
                    (split,),
                )
                for candidate, text, checksum in rows:
                    result = self._verified(split, candidate, text, checksum)
                    if result is not None and check_result(result, train_score, names):
                        found[split, candidate] = result
                    elif (split, candidate) not in self._bad:
                        self._bad.add((split, candidate))
                        self.n_bad += 1
        except (sqlite3.DatabaseError, OSError) as exc:
            raise ReadError(
                f"checkpoint={self.path!r} cannot be read ({exc}); it may be "
                "damaged. Give a new path or remove the file."
            ) from exc
        return found

    def n_candidates(self, split_keys):
        """How many candidate keys the file holds rows for on these splits
        (a candidate with failed rows counts under both its keys)."""
        keys = sorted(set(split_keys))
        marks = ", ".join("?" * len(keys))
        query = "SELECT count(DISTINCT candidate) FROM results WHERE split IN "
        try:
            (n,) = self.db.execute(f"{query}({marks})", keys).fetchone()
        except (sqlite3.DatabaseError, OSError) as exc:
            raise ReadError(
                f"checkpoint={self.path!r} cannot be read ({exc}); it may be "
                "damaged. Give a new path or remove the file."
            ) from exc
        return n

    @staticmethod
    def _verified(split, candidate, text, checksum):
        if not all(isinstance(v, str) for v in (candidate, text, checksum)):
            return None
        if checksum != _checksum(split, candidate, text):
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def code_changed(self, codeless, code):
        """The user's modules whose source changed since this search (same
        digest but for that code) last ran on this file; records ``code``.

        ``codeless``: the search's digest without the user's code; ``code``:
        ``{module: digest of its source}``. Returns a sorted list, empty when
        nothing changed or the search never ran here.
        """
        key = "code " + codeless
        row = self.db.execute(
            "SELECT value FROM skhyper_meta WHERE key = ?", (key,)
        ).fetchone()
        changed = []
        if row is not None:
            try:
                before = json.loads(row[0])
            except ValueError:
                before = None
            if isinstance(before, dict) and before != code:
                changed = sorted(
                    name
                    for name in set(before) | set(code)
                    if before.get(name) != code.get(name)
                )
        if row is None or changed:
            with self.db:
                self.db.execute(
                    "INSERT OR REPLACE INTO skhyper_meta VALUES (?, ?)",
                    (key, json.dumps(code, sort_keys=True)),
                )
        return changed

    def write(self, rows):
        """Append ``[(split_key, candidate_key, result), ...]`` in one transaction."""
        values = []
        for s, c, r in rows:
            text = json.dumps(_plain(r))
            values.append((s, c, text, _checksum(s, c, text)))
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", values
            )

    def _close_db(self):
        if self.db is not None:
            self.db.close()
            self.db = None

    def close(self):
        self._close_db()
        if self._lock_fd is not None:  # released after SQLite closed its own
            os.close(self._lock_fd)
            self._lock_fd = None
            with _HELD_LOCK:
                _HELD.discard(self._lock_key)
