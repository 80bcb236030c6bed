"""The PyTorch peer of `npm run bench`: the workbench's workloads rebuilt in PyTorch on the CPU, the
same models (trainable parameter counts printed, and compared by bench/run.ts, which fails on a
mismatch) and the same iteration: one D step on a real and a generated batch, then one G step,
Adam with the presets' rates and betas.

Tuned (the default) the way a PyTorch user would on this machine: NHWC activations and weights
(`channels_last`, where oneDNN's convolutions are fastest), Adam with `foreach=True` (torch 1.13 has
no fused CPU Adam), `zero_grad(set_to_none=True)`, and D run once on the real and generated batches
together where D has no batch norm, as ours does. bench/run.ts gives it the same thread environment
as ours (OMP_NUM_THREADS, OMP_WAIT_POLICY=passive, OPENBLAS_THREAD_TIMEOUT) and measures 1 and 2
threads. `--untuned` is the peer as the bench first ran it (NCHW, default Adam, separate D passes).
What 1.13 cannot give: ConvTranspose2d runs `slow_conv_transpose2d` (im2col + OpenBLAS) in either
memory format; oneDNN takes transposed convolutions from PyTorch 2.0, not installable here.

Usage: /usr/bin/python3 bench/torch_peer.py WORKLOAD THREADS WARMUP MAX_ITERATIONS MAX_SECONDS [--untuned]
Prints one JSON line.
"""
import json
import resource
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

BCE = F.binary_cross_entropy_with_logits


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
        return x.reshape(x.shape[0], *self.shape)


def count(*models):
    return sum(p.numel() for m in models for p in m.parameters())


# ---- models (the presets' specs, src-shared/config/reference-models.ts and conditional-models.ts)

def keras_dcgan():
    """dcgan-mnist: G 1,164,289 trainable parameters, D 40,705."""
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


def radford_dcgan():
    """dcgan-radford-mnist: batch norm and ReLU in G, batch norm in D (784,641 / 138,945)."""
    g = nn.Sequential(
        nn.Linear(100, 6272, bias=False), nn.BatchNorm1d(6272, momentum=0.1, eps=1e-3), nn.ReLU(), Reshape(128, 7, 7),
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64, momentum=0.1, eps=1e-3), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
    d = nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128, momentum=0.1, eps=1e-3), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(6272, 1))
    return g, d


class AcganG(nn.Module):
    """acgan-mnist's generator (856,425)."""

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
    """acgan-mnist's discriminator with its two heads (119,691)."""

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
    """mlp-2d-ring8: 4 → 128 → 128 → 2 and 2 → 128 → 128 → 1, LeakyReLU 0.2."""
    g = nn.Sequential(nn.Linear(4, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.LeakyReLU(0.2), nn.Linear(128, 2))
    d = nn.Sequential(nn.Linear(2, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))
    return g, d


def bn2d(c):
    return nn.BatchNorm2d(c, momentum=0.1, eps=1e-3)


class UNet(nn.Module):
    """pix2pix-mnist-edges' U-Net generator at 28×28."""

    def __init__(self):
        super().__init__()
        self.down14 = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2))
        self.down7 = nn.Sequential(nn.Conv2d(64, 128, 4, 2, 1), bn2d(128), nn.LeakyReLU(0.2))
        self.bottleneck = nn.Sequential(nn.Conv2d(128, 256, 3, padding=1), bn2d(256), nn.ReLU())
        self.up14 = nn.Sequential(nn.ConvTranspose2d(256, 128, 4, 2, 1), bn2d(128), nn.Dropout(0.5), nn.ReLU())
        self.up28 = nn.Sequential(nn.ConvTranspose2d(192, 64, 4, 2, 1), bn2d(64), nn.ReLU())
        self.image = nn.Sequential(nn.Conv2d(65, 1, 3, padding=1), nn.Tanh())

    def forward(self, edges):
        d14 = self.down14(edges)
        u14 = self.up14(self.bottleneck(self.down7(d14)))
        u28 = self.up28(torch.cat([u14, d14], 1))
        return self.image(torch.cat([u28, edges], 1))


def patch_d(in_channels):
    """PatchGAN: 4×4 stride-2 convolutions 64 → 128 (batch norm), a 3×3 convolution to one score per 7×7 patch."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1), bn2d(128), nn.LeakyReLU(0.2),
        nn.Conv2d(128, 1, 3, padding=1))


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(64, 64, 3, padding=1), bn2d(64), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), bn2d(64))

    def forward(self, x):
        return x + self.body(x)


def cycle_g():
    """cyclegan-mnist-edges' ResNet translator at 28×28."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), bn2d(32), nn.ReLU(),
        nn.Conv2d(32, 64, 3, 2, 1), bn2d(64), nn.ReLU(),
        Residual(), Residual(),
        nn.ConvTranspose2d(64, 32, 3, 2, 1, output_padding=1), bn2d(32), nn.ReLU(),
        nn.Conv2d(32, 1, 5, padding=2), nn.Tanh())


# ---- workloads --------------------------------------------------------------------------------

class Setup:
    def __init__(self, tuned):
        self.tuned = tuned
        self.layout = torch.channels_last if tuned else torch.contiguous_format

    def models(self, *ms):
        return [m.to(memory_format=self.layout) for m in ms]

    def images(self, x):
        return x.contiguous(memory_format=self.layout)

    def adam(self, models, lr):
        params = [p for m in models for p in m.parameters()]
        return torch.optim.Adam(params, lr, betas=(0.5, 0.999), **({"foreach": True} if self.tuned else {}))

    def zero(self, opt):
        opt.zero_grad(set_to_none=self.tuned)

    def d_pair(self, d, real, fake, joint):
        """D on both batches: one pass over both where D has no batch norm (as ours), when tuned."""
        if joint and self.tuned:
            out = d(torch.cat([real, fake]))
            if isinstance(out, tuple):
                return tuple(o[: real.shape[0]] for o in out), tuple(o[real.shape[0]:] for o in out)
            return out[: real.shape[0]], out[real.shape[0]:]
        return d(real), d(fake)


def _no_mark(_phase):
    pass


def vanilla(setup, g, d, batch, zdim, real_shape, lr, joint, mark=None):
    """The D step then the G step. `mark(phase)` (bench/torch_profile.py --phases) is called as each
    phase ends, with the phase names of bench/mlp-phases.ts; the bench passes none (a no-op call)."""
    g, d = setup.models(g, d)
    og, od = setup.adam([g], lr), setup.adam([d], lr)
    real = setup.images(torch.rand(real_shape) * 2 - 1) if len(real_shape) == 4 else torch.rand(real_shape) * 2 - 1
    timed = mark is not None
    mark = mark or _no_mark

    def step():
        z = torch.randn(batch, zdim)
        mark("d.inputs")
        with torch.no_grad():
            fake = g(z)
        mark("d.gForward")
        setup.zero(od)
        mark("d.adam")
        r, f = setup.d_pair(d, real, fake, joint)
        mark("d.dForward")
        loss = 0.5 * (BCE(r, torch.ones_like(r)) + BCE(f, torch.zeros_like(f)))
        mark("d.loss")
        loss.backward()
        mark("d.dBackward")
        od.step()
        mark("d.adam")
        setup.zero(og)
        z = torch.randn(batch, zdim)
        mark("g.inputs")
        fake = g(z)
        mark("g.gForward")
        out = d(fake)
        mark("g.dForward")
        loss = BCE(out, torch.ones_like(out))
        mark("g.loss")
        if timed:
            # The gradient reaches G's output once autograd is through D: the rest is G's backward.
            fake.register_hook(lambda grad: mark("g.dBackward"))
        loss.backward()
        mark("g.gBackward")
        og.step()
        mark("g.adam")
    return step, {"g": count(g), "d": count(d)}


def acgan(setup):
    g, d = setup.models(AcganG(), AcganD())
    og, od = setup.adam([g], 2e-4), setup.adam([d], 2e-4)
    batch = 64
    real = setup.images(torch.rand(batch, 1, 28, 28) * 2 - 1)
    real_labels = torch.randint(0, 10, (batch,))

    def step():
        labels = torch.randint(0, 10, (batch,))
        with torch.no_grad():
            fake = g(torch.randn(batch, 100), labels)
        setup.zero(od)
        (rs, rc), (fs, fc) = setup.d_pair(d, real, fake, True)
        loss = 0.5 * (BCE(rs, torch.ones_like(rs)) + BCE(fs, torch.zeros_like(fs))) \
            + F.cross_entropy(rc, real_labels) + F.cross_entropy(fc, labels)
        loss.backward()
        od.step()
        setup.zero(og)
        labels = torch.randint(0, 10, (batch,))
        s, c = d(g(torch.randn(batch, 100), labels))
        (BCE(s, torch.ones_like(s)) + F.cross_entropy(c, labels)).backward()
        og.step()
    return step, {"g": count(g), "d": count(d)}


def pix2pix(setup):
    """pix2pix-mnist-edges at batch 32: D (batch norm) sees (edges, image) pairs apart; G adds L1 × 100."""
    g, d = setup.models(UNet(), patch_d(2))
    og, od = setup.adam([g], 2e-4), setup.adam([d], 2e-4)
    batch = 32
    edges = setup.images(torch.rand(batch, 1, 28, 28).round() * 2 - 1)
    real = setup.images(torch.rand(batch, 1, 28, 28) * 2 - 1)

    def step():
        with torch.no_grad():
            fake = g(edges)
        setup.zero(od)
        r, f = d(torch.cat([edges, real], 1)), d(torch.cat([edges, fake], 1))
        (0.5 * (BCE(r, torch.ones_like(r)) + BCE(f, torch.zeros_like(f)))).backward()
        od.step()
        setup.zero(og)
        fake = g(edges)
        out = d(torch.cat([edges, fake], 1))
        (BCE(out, torch.ones_like(out)) + 100 * (fake - real).abs().mean()).backward()
        og.step()
    return step, {"g": count(g), "d": count(d)}


def cyclegan(setup):
    """cyclegan-mnist-edges at batch 32: two translators, two PatchGAN critics (least squares), cycle × 10."""
    gab, gba, db, da = setup.models(cycle_g(), cycle_g(), patch_d(1), patch_d(1))
    og, od = setup.adam([gab, gba], 2e-4), setup.adam([db, da], 2e-4)
    batch = 32
    a = setup.images(torch.rand(batch, 1, 28, 28).round() * 2 - 1)
    b = setup.images(torch.rand(batch, 1, 28, 28) * 2 - 1)

    def step():
        with torch.no_grad():
            fake_b, fake_a = gab(a), gba(b)
        setup.zero(od)
        loss_b = 0.5 * ((db(b) - 1).pow(2).mean() + db(fake_b).pow(2).mean())
        loss_a = 0.5 * ((da(a) - 1).pow(2).mean() + da(fake_a).pow(2).mean())
        (0.5 * (loss_a + loss_b)).backward()
        od.step()
        setup.zero(og)
        fake_b, fake_a = gab(a), gba(b)
        adversarial = 0.5 * (db(fake_b) - 1).pow(2).mean() + 0.5 * (da(fake_a) - 1).pow(2).mean()
        cycle = (gba(fake_b) - a).abs().mean() + (gab(fake_a) - b).abs().mean()
        (adversarial + 10 * cycle).backward()
        og.step()
    return step, {"g": count(gab, gba), "d": count(db, da)}


def make(workload, setup, mark=None):
    """(step function, batch size, trainable parameter counts) of a workload; `mark`: see vanilla."""
    if workload == "dcgan":
        return (*vanilla(setup, *keras_dcgan(), 64, 100, (64, 1, 28, 28), 2e-4, joint=True, mark=mark), 64)
    if workload == "dcgan-radford":
        return (*vanilla(setup, *radford_dcgan(), 64, 100, (64, 1, 28, 28), 2e-4, joint=False, mark=mark), 64)
    if workload == "mlp":
        return (*vanilla(setup, *mlp(), 256, 4, (256, 2), 1e-3, joint=True, mark=mark), 256)
    if workload == "acgan":
        return (*acgan(setup), 64)
    if workload == "pix2pix":
        return (*pix2pix(setup), 32)
    if workload == "cyclegan":
        return (*cyclegan(setup), 32)
    raise SystemExit(f"unknown workload {workload}")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    tuned = "--untuned" not in sys.argv
    workload, threads, warmup, max_it, max_s = args[0], int(args[1]), int(args[2]), int(args[3]), float(args[4])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    step, params, batch = make(workload, Setup(tuned))
    for _ in range(warmup):
        step()
    n, start = 0, time.perf_counter()
    while n < 3 or (n < max_it and time.perf_counter() - start < max_s):
        step()
        n += 1
    seconds = time.perf_counter() - start
    print(json.dumps({
        "workload": workload, "threads": torch.get_num_threads(), "iterations": n, "seconds": seconds,
        "itPerSec": n / seconds, "imagesPerSec": n / seconds * batch, "params": params,
        "tuned": tuned, "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__, "blas": blas_loaded(), "cpuCapability": torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, "cpu") else None,
    }))


if __name__ == "__main__":
    main()
