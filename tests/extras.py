"""The optional libraries of the tests: what installs each, and what needs it.

skhyper needs scikit-learn, numpy, scipy and joblib; everything else is
optional. The README's test command (``pip install ".[test]" && python -m
pytest``) passes without any of the libraries below beyond the ``test``
extra: a test that needs a missing one is skipped, and the reason names what
installs it (:func:`reason`). ``tests/test_imports.py`` hides all of them
and imports every module, so a module that imports one at its top, and is
not listed in :data:`NEEDS`, fails there rather than on a new user's machine.
"""

import importlib.util

_TEST = 'the test extra (pip install "skhyper[test]")'
_THIRD_PARTY = "{0}, a third-party library that skhyper supports (pip install {0})"

# Import name -> what installs it: named in the reason of every skip.
EXTRAS = {
    "optuna": 'the bayes extra (pip install "skhyper[bayes]")',
    "dask": 'the dask extra (pip install "skhyper[dask]")',
    "distributed": 'the dask extra (pip install "skhyper[dask]")',
    "ray": 'the ray extra (pip install "skhyper[ray]")',
    "matplotlib": 'the plot extra (pip install "skhyper[plot]")',
    "pandas": _TEST,
    "hypothesis": _TEST,
    "numpydoc": _TEST,
    "rich": _TEST,
    "torch": "torch and skorch (pip install torch skorch)",
    "skorch": "torch and skorch (pip install torch skorch)",
    "xgboost": _THIRD_PARTY.format("xgboost"),
    "lightgbm": _THIRD_PARTY.format("lightgbm"),
    "catboost": _THIRD_PARTY.format("catboost"),
}

# Modules (from the repository's root) that import an optional library at
# their top: not collected where one is missing. The adapters of
# ``skhyper/_paths`` are loaded only once their library is imported.
NEEDS = {
    "skhyper/_paths/_xgboost.py": ("xgboost",),
    "skhyper/_paths/_lightgbm.py": ("lightgbm",),
    "skhyper/_paths/_catboost.py": ("catboost",),
    "skhyper/_paths/_skorch.py": ("torch", "skorch"),
    "skhyper/skorch.py": ("torch", "skorch"),
    "tests/_torch_modules.py": ("torch",),
    "tests/test_resume.py": ("xgboost", "lightgbm"),
}

# Modules that import a library where it is used, whose docstring examples
# need it: their doctests are skipped where it is missing.
DOCTESTS_NEED = {"skhyper/_bayes.py": ("optuna",)}


# The slowest tests (node id prefixes), marked ``slow`` by conftest.py:
# ``python -m pytest -m "not slow"`` runs the rest in under 2 minutes.
SLOW = (
    # processes killed, interrupted and resumed
    "tests/test_faults.py",
    "tests/test_long.py::test_worker_killed",
    "tests/test_long.py::test_sigint",
    "tests/test_long.py::test_checkpoint_survives_sigkill",
    "tests/test_long.py::test_max_time_is_honoured",
    "tests/test_nothing_lost.py::test_a_checkpoint_past_a_file_size_limit",
    # a local Dask or Ray cluster
    "tests/test_distributed.py",
    "tests/test_ray.py",
    # skorch networks (torch)
    "tests/test_staged_search.py::test_skorch",
    "tests/test_staged_thirdparty.py::test_skorch",
    "tests/test_third_party.py::test_real_skorch",
    # scripts run as __main__ in a child process
    "tests/test_staged_main.py::test_main_classes",
    "tests/test_main.py",
    "tests/test_main_figure.py",
    "tests/test_bayes.py::test_example_script_runs",
    "tests/test_bayes.py::test_resumed_search_asks",
    # whole docs pages and gallery examples (Sphinx-like runs)
    "tests/test_docs.py::test_examples_in_docs",
    "tests/test_gallery.py",
    # a fresh interpreter to see what an import loads
    "tests/test_layout.py::test_import_skhyper",
    "tests/test_bayes.py::test_import_skhyper_does_not_import_optuna",
    "tests/test_display.py::test_importing_skhyper_display_does_not_import",
    "tests/test_imports.py::test_every_module_imports_without",
    # worker processes started for one test
    "tests/test_backends.py::test_backend_gives_the_same_result[multiprocessing]",
    "tests/test_halving.py::test_continuation_across_worker_processes",
    "tests/test_hyperband.py::test_continuation_across_worker_processes",
    # time budgets spent on purpose
    "tests/test_halving.py::test_max_time_keeps_the_completed_rungs",
    "tests/test_hyperband.py::test_max_time_keeps_the_completed_rungs",
    "tests/test_hyperband.py::test_max_time_on_two_workers_keeps_only_finished_rows"
    "[threading-2.0]",
    "tests/test_hyperband.py::test_max_time_on_two_workers_keeps_only_finished_rows"
    "[loky-4.0]",
    "tests/test_long.py::test_random_n_iter_none_samples_until_the_budget_is_spent",
    # many searches: property tests, several metrics, gallery-sized examples
    "tests/test_anomaly.py::test_multimetric_in_tuner_and_sklearn_search_agree",
    "tests/test_keys_sound.py::test_sharing_equals_scikit_learn_over_a_catalogue",
    "tests/test_keys_sound.py::test_an_edit_between_run_and_resume_never",
    "tests/test_fuzz.py::test_a_drawn_search_runs_as_scikit_learns",
    "tests/test_selection.py::test_one_standard_error_rule_as_scikit_learns_gallery",
    "tests/test_sharing.py::test_composites_nested_with_pandas_output",
)


def missing(*modules):
    """The modules of ``modules`` that cannot be imported here."""
    return [m for m in modules if importlib.util.find_spec(m) is None]


def reason(module):
    """Why a test that needs ``module`` is skipped: what installs it."""
    top = module.partition(".")[0]
    if top == "sklearn":
        return f"needs {module}, which this scikit-learn release does not have"
    what = EXTRAS.get(top, f"{top} (pip install {top})")
    return f"needs {what}: {module} is not installed"


def collect_ignore():
    """The files of :data:`NEEDS` whose libraries are missing here."""
    return [path for path, modules in NEEDS.items() if missing(*modules)]
