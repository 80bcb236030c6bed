"""The PyTorch peer of `npm run bench`: the same models and the same iteration (one D step on a
real and a generated batch, then one G step; Adam 2e-4/0.5 or 1e-3/0.5 as in the presets) on the
CPU. Run with Debian's python3 (python3-torch); prints one JSON line per workload.

Usage: /usr/bin/python3 bench/torch_peer.py WORKLOAD THREADS WARMUP MAX_ITERATIONS MAX_SECONDS
"""
import json
import resource
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F


def blas_loaded():
    """Which BLAS this process mapped (Debian's torch uses whatever libblas.so.3 points to)."""
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if ".so" in line}
    for name in ("openblas", "mkl", "blis", "atlas"):
        hits = sorted(lib for lib in libs if name in lib.lower())
        if hits:
            return hits[0]
    hits = sorted(lib for lib in libs if "libblas" in lib)
    return (hits[0] + " (reference BLAS)") if hits else "none found"


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.shape[0], *self.shape)


def keras_dcgan():
    """The Keras-style pair: G 1,164,289 parameters, D 40,705 (checked below)."""
    g = nn.Sequential(
        nn.Linear(100, 6272), nn.LeakyReLU(0.2), Reshape(128, 7, 7),
        nn.ConvTranspose2d(128, 128, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(128, 128, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(128, 1, 7, padding=3), nn.Tanh())
    d = nn.Sequential(
        nn.Conv2d(1, 64, 3, 2, 1), nn.LeakyReLU(0.2), nn.Dropout(0.4),
        nn.Conv2d(64, 64, 3, 2, 1), nn.LeakyReLU(0.2), nn.Dropout(0.4),
        nn.Flatten(), nn.Linear(3136, 1))
    return g, d


class AcganG(nn.Module):
    """Lecture 9a's AC-GAN generator (856,425 parameters)."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 100)
        self.body = nn.Sequential(
            nn.Linear(100, 6272), nn.ReLU(), Reshape(128, 7, 7),
            nn.Upsample(scale_factor=2), nn.Conv2d(128, 128, 3, padding=1), nn.ReLU(),
            nn.Upsample(scale_factor=2), nn.Conv2d(128, 64, 3, padding=1), nn.ReLU(),
            nn.Conv2d(64, 1, 3, padding=1), nn.Tanh())

    def forward(self, z, labels):
        return self.body(z * self.embed(labels))


class AcganD(nn.Module):
    """Lecture 9a's AC-GAN discriminator with its two heads (119,691 parameters)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, 2, 1), nn.LeakyReLU(0.2), nn.Dropout(0.25),
            nn.Conv2d(16, 32, 3, 2, 1), nn.ZeroPad2d((0, 1, 0, 1)), nn.LeakyReLU(0.2), nn.Dropout(0.25),
            nn.Conv2d(32, 64, 3, 2, 1), nn.LeakyReLU(0.2), nn.Dropout(0.25),
            nn.Conv2d(64, 128, 3, 1, 1), nn.LeakyReLU(0.2), nn.Dropout(0.25), nn.Flatten())
        self.source = nn.Linear(2048, 1)
        self.klass = nn.Linear(2048, 10)

    def forward(self, x):
        f = self.body(x)
        return self.source(f), self.klass(f)


def mlp():
    g = nn.Sequential(nn.Linear(4, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.LeakyReLU(0.2), nn.Linear(128, 2))
    d = nn.Sequential(nn.Linear(2, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))
    return g, d


def count(m):
    return sum(p.numel() for p in m.parameters())


def make(workload):
    """(step function, batch size, parameter counts) of a workload."""
    bce = F.binary_cross_entropy_with_logits
    if workload in ("dcgan", "mlp"):
        g, d = keras_dcgan() if workload == "dcgan" else mlp()
        lr = 2e-4 if workload == "dcgan" else 1e-3
        batch = 64 if workload == "dcgan" else 256
        og = torch.optim.Adam(g.parameters(), lr, betas=(0.5, 0.999))
        od = torch.optim.Adam(d.parameters(), lr, betas=(0.5, 0.999))
        shape = (batch, 1, 28, 28) if workload == "dcgan" else (batch, 2)
        zdim = 100 if workload == "dcgan" else 4
        real = torch.rand(shape) * 2 - 1

        def step():
            z = torch.randn(batch, zdim)
            with torch.no_grad():
                fake = g(z)
            od.zero_grad()
            r, f = d(real), d(fake)
            loss = 0.5 * (bce(r, torch.ones_like(r)) + bce(f, torch.zeros_like(f)))
            loss.backward()
            od.step()
            og.zero_grad()
            out = d(g(torch.randn(batch, zdim)))
            bce(out, torch.ones_like(out)).backward()
            og.step()
        return step, batch, (count(g), count(d))

    g, d = AcganG(), AcganD()
    og = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    batch = 64
    real = torch.rand(batch, 1, 28, 28) * 2 - 1
    real_labels = torch.randint(0, 10, (batch,))

    def step():
        labels = torch.randint(0, 10, (batch,))
        with torch.no_grad():
            fake = g(torch.randn(batch, 100), labels)
        od.zero_grad()
        (rs, rc), (fs, fc) = d(real), d(fake)
        loss = 0.5 * (bce(rs, torch.ones_like(rs)) + bce(fs, torch.zeros_like(fs))) \
            + F.cross_entropy(rc, real_labels) + F.cross_entropy(fc, labels)
        loss.backward()
        od.step()
        og.zero_grad()
        labels = torch.randint(0, 10, (batch,))
        s, c = d(g(torch.randn(batch, 100), labels))
        (bce(s, torch.ones_like(s)) + F.cross_entropy(c, labels)).backward()
        og.step()
    return step, batch, (count(g), count(d))


def main():
    workload, threads, warmup, max_it, max_s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    step, batch, params = make(workload)
    for _ in range(warmup):
        step()
    n, start = 0, time.perf_counter()
    while n < 3 or (n < max_it and time.perf_counter() - start < max_s):
        step()
        n += 1
    seconds = time.perf_counter() - start
    print(json.dumps({
        "workload": workload, "threads": threads, "iterations": n, "seconds": seconds,
        "itPerSec": n / seconds, "imagesPerSec": n / seconds * batch, "params": params,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__, "blas": blas_loaded(),
    }))


if __name__ == "__main__":
    main()
