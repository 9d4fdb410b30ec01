"""Sphinx configuration of skhyper's documentation site.

Build it with ``sphinx-build -W --keep-going -b html docs docs/_build/html``
after ``pip install ".[docs]"``. The user guide is the Markdown pages of
this folder (through myst-parser), the API reference is generated from the
numpydoc docstrings, and the gallery runs ``examples/`` (sphinx-gallery).
Nothing is fetched from the network.
"""

import os
import sys
from pathlib import Path

import skhyper

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS))  # for _gallery_order
os.environ.setdefault("MPLBACKEND", "Agg")

project = "skhyper"
author = "The skhyper developers"
copyright = "The skhyper developers"
release = version = skhyper.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]

# myst: "page.md#a-heading" links as on GitHub.
myst_heading_anchors = 3

# autosummary writes one page per public name into api/generated.
autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"\.py$",  # run every example
    # Left out: it takes about 31 s, over the 20 s an example may take here.
    "ignore_pattern": r"anomaly_label_free\.py$",
    "within_subsection_order": "_gallery_order.ExampleOrder",
    "abort_on_example_error": True,
    # "Examples using X" on each API page (the template's minigallery).
    "doc_module": ("skhyper",),
    "backreferences_dir": "generated/backreferences",
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "matplotlib_animations": False,
}

html_theme = "furo"
html_title = f"skhyper {release}"
html_static_path = []
