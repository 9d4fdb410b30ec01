"""The gallery's order: from a first search to the add-ons."""

ORDER = [
    "grid_pipeline.py",
    "random_custom_scorer.py",
    "sharing_work.py",
    "long_searches.py",
    "hyperband_boosting.py",
    "displays.py",
    "choosing_the_best.py",
    "distributed_dask.py",
    "anomaly_labelled.py",
]


class ExampleOrder:
    """sphinx-gallery sort key: ``ORDER`` first, then any other file by name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        if filename in ORDER:
            return (0, ORDER.index(filename), filename)
        return (1, 0, filename)
