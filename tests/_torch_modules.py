"""Small torch modules for the skorch tests, importable (so picklable) by
reference; imported only by tests that have skipped without torch."""

import torch


class Module(torch.nn.Module):
    """A one-hidden-layer network with dropout (a use of the RNG per batch)."""

    def __init__(self, n_in=8, n_out=2, dropout=0.3):
        super().__init__()
        self.seq = torch.nn.Sequential(
            torch.nn.Linear(n_in, 16),
            torch.nn.ReLU(),
            torch.nn.Dropout(dropout),
            torch.nn.Linear(16, n_out),
        )

    def forward(self, X):
        return self.seq(X)


class Module1d(Module):
    """One output per sample, as ``NeuralNetBinaryClassifier`` wants."""

    def forward(self, X):
        return self.seq(X).squeeze(-1)
