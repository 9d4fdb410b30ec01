"""The skorch network of bench_staged.py, in a module of its own so that the
workers can import its module class (and torch loads only where skorch runs)."""

import torch
from skorch import NeuralNetClassifier

from skhyper.skorch import SeedTorch


class DigitsModule(torch.nn.Module):
    """64 -> 64 -> 10 with dropout (a use of the RNG at every batch)."""

    def __init__(self):
        super().__init__()
        self.seq = torch.nn.Sequential(
            torch.nn.Linear(64, 64),
            torch.nn.ReLU(),
            torch.nn.Dropout(0.2),
            torch.nn.Linear(64, 10),
        )

    def forward(self, X):
        return self.seq(X)


def skorch_net():
    """A seeded skorch classifier of the digits, one torch thread."""
    torch.set_num_threads(1)
    return NeuralNetClassifier(
        DigitsModule,
        criterion=torch.nn.CrossEntropyLoss,
        callbacks=[SeedTorch(0)],
        batch_size=64,
        iterator_train__shuffle=True,
        train_split=None,
        verbose=0,
    )
