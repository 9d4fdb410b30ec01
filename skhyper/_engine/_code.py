"""The user's code behind a persistent key: its file, what it imports, and
whether the code running is still that file's.

A key digests the source files of the user's modules (``_keys``). Two
things could make that digest say "same" for different work: a module
imported inside a function body (in no module's globals, so not followed),
and a file edited after its module was imported (the digest is the new
file's, the scores the old code's). :func:`imports_in` finds every import
in a file, wherever it stands; :func:`not_the_file` tells when a loaded
module's functions or constants differ from its file's.
"""

import ast
import functools
import importlib.machinery
import importlib.util
import os
import sys
import types


def _stat_key(path):
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=512)
def _parsed(stat_key):
    path = stat_key[0]
    try:
        with open(path, "rb") as f:
            source = f.read()
        tree = ast.parse(source, path)
        code = compile(tree, path, "exec", dont_inherit=True)
    except (OSError, SyntaxError, ValueError):
        return None
    return tree, code


def imports_in(path, package):
    """The absolute names of every module the file at ``path`` imports,
    at its top or inside a function or class; ``package`` resolves relative
    imports. Empty when the file cannot be read or parsed."""
    stat_key = _stat_key(path)
    parsed = _parsed(stat_key) if stat_key else None
    if parsed is None:
        return ()
    names = []
    for node in ast.walk(parsed[0]):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                try:
                    base = importlib.util.resolve_name(
                        "." * node.level + base, package or ""
                    )
                except (ImportError, ValueError):
                    continue
            names.append(base)
            # ``from package import module``: the names may be modules too
            names += [f"{base}.{alias.name}" for alias in node.names]
    return tuple(dict.fromkeys(n for n in names if n))


def module_file(name):
    """The source file of module ``name``: the loaded module's, or where an
    import would find it (a module imported lazily, not loaded yet); None
    when there is none (not a module, a built-in, no source)."""
    module = sys.modules.get(name)
    if module is not None:
        path = getattr(module, "__file__", None)
        return path if isinstance(path, str) else None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError, AttributeError):
        return None
    origin = getattr(spec, "origin", None)
    if isinstance(origin, str) and origin.endswith(".py"):
        return origin
    return None


def _code_objects(code, found):
    found[code.co_qualname] = code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _code_objects(const, found)
    return found


def _same_code(a, b):
    """Equal bytecode, names and constants (nested code compared alike);
    line numbers aside, so an edited comment elsewhere does not count."""
    if a.co_code != b.co_code or a.co_names != b.co_names:
        return False
    if len(a.co_consts) != len(b.co_consts):
        return False
    for x, y in zip(a.co_consts, b.co_consts):
        if isinstance(x, types.CodeType) and isinstance(y, types.CodeType):
            if not _same_code(x, y):
                return False
        elif type(x) is not type(y) or not (x == y or (x != x and y != y)):
            return False
    return True


def _functions(module):
    """The functions a module defines, its classes' methods included."""
    name = module.__name__
    for value in list(vars(module).values()):
        if isinstance(value, types.FunctionType) and value.__module__ == name:
            yield value
        elif isinstance(value, type) and value.__module__ == name:
            for attr in list(vars(value).values()):
                if isinstance(attr, staticmethod | classmethod):
                    attr = attr.__func__
                elif isinstance(attr, property):
                    attr = attr.fget
                if isinstance(attr, types.FunctionType):
                    yield attr


_LITERALS = (int, float, complex, str, bytes, bool, type(None), tuple, frozenset)


def not_the_file(module, path):
    """Why the code running as ``module`` is not its file's (the file was
    edited after the import, and the module not reloaded), or None.

    Compares every function the module defines (its classes' methods too)
    with the file compiled afresh, and every top-level constant assigned a
    literal. A function the file no longer has counts as a difference.
    """
    loader = getattr(getattr(module, "__spec__", None), "loader", None)
    if loader is None:
        loader = getattr(module, "__loader__", None)
    if type(loader) is not importlib.machinery.SourceFileLoader:
        # An import hook that rewrites code (pytest's assertions, say):
        # what it compiles cannot be compared with a plain compile.
        return None
    stat_key = _stat_key(path)
    parsed = _parsed(stat_key) if stat_key else None
    if parsed is None:
        return None  # no readable source: the file digest says so already
    tree, code = parsed
    compiled = _code_objects(code, {})
    for function in _functions(module):
        live = function.__code__
        if "<locals>" in live.co_qualname or "<lambda>" in live.co_qualname:
            continue
        fresh = compiled.get(live.co_qualname)
        if fresh is None or not _same_code(live, fresh):
            return f"{live.co_qualname} differs from {path}"
    namespace = vars(module)
    for node in tree.body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            continue
        name = node.targets[0].id
        try:
            value = ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        if not isinstance(value, _LITERALS) or name not in namespace:
            continue
        live = namespace[name]
        if type(live) is not type(value) or not (
            live == value or (live != live and value != value)
        ):
            return f"{name} is {live!r} in the running code, {value!r} in {path}"
    return None
