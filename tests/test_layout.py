"""The package's shape: the core does not load its add-ons."""

import subprocess
import sys


def test_import_skhyper_does_not_import_the_anomaly_addon():
    code = (
        "import sys, skhyper\n"
        "from sklearn.datasets import load_iris\n"
        "from sklearn.svm import SVC\n"
        "X, y = load_iris(return_X_y=True)\n"
        "skhyper.GridTuner(SVC(), {'C': [1, 10]}, cv=3).fit(X, y)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('skhyper.anomaly'))\n"
        "print(loaded)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_import_skhyper_is_light():
    code = "import sys, skhyper; print('sklearn.datasets' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
