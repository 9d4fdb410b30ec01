"""The only module allowed to touch private scikit-learn names.

Each import below says why it is needed and the versions it was checked on.
Checked on scikit-learn 1.6.1 and 1.9.1.
"""

import sklearn
from sklearn.utils.fixes import parse_version

SKLEARN_VERSION = parse_version(sklearn.__version__)

# Each name below is private in its library; what it is for and where it was
# checked (scikit-learn 1.6.1 and 1.9.1, joblib 1.5):
# - TerminatedWorkerError: raised by joblib's loky backend when a worker
#   process dies (segfault, OOM kill); joblib re-exports nothing for it.
# - _MultimetricScorer: what check_scoring returns for multimetric scoring; we
#   recognise it and read its name -> scorer dict.
# - InvalidParameterError: the error scikit-learn raises for a bad constructor
#   parameter (a subclass of both ValueError and TypeError); ours is the same.
# - _raise_for_params: the same error as scikit-learn when metadata is passed
#   while routing is off.
# - _safe_split: slicing X for a split, rows and columns for pairwise
#   estimators (precomputed kernels); no public equivalent.
# - _check_method_params: splitting array-like fit parameters (sample_weight,
#   ...) along with X; no public equivalent.
from joblib.externals.loky.process_executor import TerminatedWorkerError  # noqa: E402
from sklearn.metrics._scorer import _MultimetricScorer  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402
from sklearn.utils.metadata_routing import _raise_for_params  # noqa: E402
from sklearn.utils.metaestimators import _safe_split  # noqa: E402
from sklearn.utils.validation import _check_method_params  # noqa: E402

# The HTML repr block (moved between versions).
try:  # 1.7+, checked on 1.9.1
    from sklearn.utils._repr_html.estimator import _VisualBlock
except ImportError:  # 1.6.1
    from sklearn.utils._estimator_html_repr import _VisualBlock


def multimetric_scorers(scorer):
    """Return the ``{name: scorer}`` dict held by a multimetric scorer."""
    return scorer._scorers


def scorer_accepts_sample_weight(scorer):
    """Whether a scorer takes ``sample_weight`` (scikit-learn's own rule).

    Scorers made by scikit-learn know it (``_accept_sample_weight``, 1.7+);
    for a plain callable we look at its signature, as scikit-learn does.
    """
    from inspect import signature

    if hasattr(scorer, "_accept_sample_weight"):
        return scorer._accept_sample_weight()
    try:
        return "sample_weight" in signature(scorer).parameters
    except (TypeError, ValueError):
        return False


def _search_forwards_sample_weight_to_scorer():
    # scikit-learn started passing fit's sample_weight to the scorers of its
    # searches when routing is off in 1.7 (BaseSearchCV grew this method).
    # We follow whichever version is installed, so results stay equal.
    from sklearn.model_selection._search import BaseSearchCV

    return hasattr(BaseSearchCV, "_check_scorers_accept_sample_weight")


FORWARD_SAMPLE_WEIGHT_TO_SCORER = _search_forwards_sample_weight_to_scorer()

__all__ = [
    "FORWARD_SAMPLE_WEIGHT_TO_SCORER",
    "SKLEARN_VERSION",
    "TerminatedWorkerError",
    "InvalidParameterError",
    "_MultimetricScorer",
    "_VisualBlock",
    "_check_method_params",
    "_raise_for_params",
    "_safe_split",
    "multimetric_scorers",
    "scorer_accepts_sample_weight",
]


def _router_owner_is_object():
    # MetadataRouter(owner=...) took the owner's class name up to 1.7 and the
    # owner object itself later (display only); _routing_repr came with that.
    from sklearn.utils import _metadata_requests

    return hasattr(_metadata_requests, "_routing_repr")


ROUTER_OWNER_IS_OBJECT = _router_owner_is_object()


def is_response_scorer(scorer):
    """Whether ``scorer`` only calls the estimator's response methods.

    scikit-learn's scorers (``make_scorer``, names, ``check_scoring``'s
    default that calls ``estimator.score``) see nothing of a pipeline but
    what its final step returns on transformed data; a user's callable
    might. Multimetric scorers qualify when all their members do.
    """
    if isinstance(scorer, _MultimetricScorer):
        return all(is_response_scorer(s) for s in scorer._scorers.values())
    return type(scorer).__module__ == "sklearn.metrics._scorer"


# scikit-learn's callback API (sklearn.callback, public from 1.9): the tuners
# support set_callbacks(ProgressBar(), ...) where it exists. Before 1.9,
# set_callbacks raises a clear error.
try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks

    HAS_CALLBACKS = True
except ImportError:  # scikit-learn < 1.9
    HAS_CALLBACKS = False

    def with_callbacks(method):
        return method

    class CallbackSupportMixin:
        def set_callbacks(self, *callbacks):
            """Not available: scikit-learn's callbacks need scikit-learn >= 1.9."""
            raise NotImplementedError(
                "set_callbacks needs scikit-learn >= 1.9 (sklearn.callback); "
                f"scikit-learn {sklearn.__version__} is installed. Upgrade "
                "scikit-learn, or use verbose=1 for progress lines."
            )
