"""The PyTorch side of bench/quality.ts: the catalog recipe rebuilt in PyTorch (the same models,
Glorot-uniform weights and zero biases as Keras and tfjs initialise them, the same data, batch,
losses, Adam rates, betas and epsilon 1e-7; an MLP recipe comes as DIR/recipe.json, built from its
config), tuned as bench/torch_peer.py is. Every EVAL_EVERY steps
it writes its samples (float32, raw) and prints `EVAL <step> <training seconds> <file>`, then
waits on stdin for `go` or `stop`: bench/quality.ts scores them with the same code as ours, and only
training time is counted. Prints one JSON line at the end.

Usage: /usr/bin/python3 bench/torch_quality.py ring8|acgan THREADS EVAL_EVERY MAX_STEPS SAMPLES DIR [SEED]
"""
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from torch_peer import AcganD, AcganG, BCE  # noqa: E402


def glorot(model):
    """Keras' initialisation: Glorot-uniform kernels and embeddings, zero biases."""
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d, nn.Embedding)):
            nn.init.xavier_uniform_(m.weight)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)
    return model


def adam(model, lr):
    return torch.optim.Adam(model.parameters(), lr, betas=(0.5, 0.999), eps=1e-7, foreach=True)


def activation(name, alpha):
    return {"relu": nn.ReLU(), "leakyRelu": nn.LeakyReLU(alpha), "tanh": nn.Tanh(), "sigmoid": nn.Sigmoid()}.get(name)


def mlp_from(layers, inputs):
    """The recipe's dense layers (units, bias, activation) as a torch Sequential."""
    modules, width = [], inputs
    for layer in layers:
        modules.append(nn.Linear(width, layer["units"], bias=layer["bias"]))
        act = activation(layer["act"], layer["alpha"])
        if act is not None:
            modules.append(act)
        width = layer["units"]
    return nn.Sequential(*modules)


def ring8_task(recipe):
    """An MLP recipe on a 2D mixture (recipe.json from bench/quality.ts): the config's models, batch,
    Adam settings, D steps and G loss; its learning-rate schedule (linear decay to 0 at the run's last
    step, warm-up) and generator weight averaging where it sets them, as the workbench applies them."""
    g, d = glorot(mlp_from(recipe["g"], recipe["inputDim"])), glorot(mlp_from(recipe["d"], recipe["dataDim"]))
    ga, da = recipe["gAdam"], recipe["dAdam"]
    og = torch.optim.Adam(g.parameters(), ga["lr"], betas=(ga["beta1"], ga["beta2"]), eps=1e-7, foreach=True)
    od = torch.optim.Adam(d.parameters(), da["lr"], betas=(da["beta1"], da["beta2"]), eps=1e-7, foreach=True)
    centres = torch.tensor(recipe["centres"], dtype=torch.float32)
    batch, std, dim, total = recipe["batch"], recipe["std"], recipe["inputDim"], recipe["totalSteps"]
    beta = recipe["generatorEma"]
    ema = [p.detach().clone() for p in g.parameters()] if beta > 0 else None
    counter = {"step": 0}

    def latent(n):
        return torch.randn(n, dim) if recipe["latent"] == "normal" else torch.rand(n, dim) * 2 - 1

    def step():
        i = counter["step"]
        warm = min(1.0, (i + 1) / recipe["warmupSteps"]) if recipe["warmupSteps"] > 0 else 1.0
        factor = warm * (max(0.0, 1 - i / total) if recipe["lrSchedule"] == "linear" else 1.0)
        for opt, cfg in ((og, ga), (od, da)):
            for group in opt.param_groups:
                group["lr"] = cfg["lr"] * factor
        for _ in range(recipe["dSteps"]):
            real = centres[torch.randint(0, len(centres), (batch,))] + std * torch.randn(batch, 2)
            with torch.no_grad():
                fake = g(latent(batch))
            od.zero_grad(set_to_none=True)
            out = d(torch.cat([real, fake]))
            r, f = out[:batch], out[batch:]
            (0.5 * (BCE(r, torch.ones_like(r)) + BCE(f, torch.zeros_like(f)))).backward()
            od.step()
        og.zero_grad(set_to_none=True)
        out = d(g(latent(batch)))
        (BCE(out, torch.ones_like(out)) if recipe["gLoss"] == "non-saturating" else -BCE(out, torch.zeros_like(out))).backward()
        og.step()
        if ema is not None:
            with torch.no_grad():
                for avg, p in zip(ema, g.parameters()):
                    avg.add_((1 - beta) * (p - avg))
        counter["step"] = i + 1

    def samples(n):
        with torch.no_grad():
            if ema is None:
                return g(latent(n))
            saved = [p.detach().clone() for p in g.parameters()]
            for p, avg in zip(g.parameters(), ema):
                p.copy_(avg)
            out = g(latent(n))
            for p, keep in zip(g.parameters(), saved):
                p.copy_(keep)
            return out
    return step, samples


def acgan_task(data_dir):
    """acgan-mnist: the lecture's AC-GAN on the same 10,000 digits, batch 64, Adam 2e-4."""
    images = torch.from_numpy(np.fromfile(os.path.join(data_dir, "data.f32"), dtype=np.float32)).reshape(-1, 1, 28, 28)
    labels = torch.from_numpy(np.fromfile(os.path.join(data_dir, "labels.u8"), dtype=np.uint8).astype(np.int64))
    cl = torch.channels_last
    images = images.contiguous(memory_format=cl)
    g, d = glorot(AcganG()).to(memory_format=cl), glorot(AcganD()).to(memory_format=cl)
    og, od = adam(g, 2e-4), adam(d, 2e-4)
    batch = 64

    def step():
        pick = torch.randperm(images.shape[0])[:batch]
        real, real_labels = images[pick], labels[pick]
        fake_labels = torch.randint(0, 10, (batch,))
        with torch.no_grad():
            fake = g(torch.randn(batch, 100), fake_labels)
        od.zero_grad(set_to_none=True)
        s, c = d(torch.cat([real, fake]))
        rs, fs, rc, fc = s[:batch], s[batch:], c[:batch], c[batch:]
        loss = 0.5 * (BCE(rs, torch.ones_like(rs)) + BCE(fs, torch.zeros_like(fs))) \
            + F.cross_entropy(rc, real_labels) + F.cross_entropy(fc, fake_labels)
        loss.backward()
        od.step()
        og.zero_grad(set_to_none=True)
        asked = torch.randint(0, 10, (batch,))
        s, c = d(g(torch.randn(batch, 100), asked))
        (BCE(s, torch.ones_like(s)) + F.cross_entropy(c, asked)).backward()
        og.step()

    def samples(n):
        with torch.no_grad():
            return g(torch.randn(n, 100), torch.arange(n) % 10)
    return step, samples


def main():
    task, threads, every, max_steps, n, out_dir = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    torch.set_num_threads(threads)
    torch.manual_seed(int(sys.argv[7]) if len(sys.argv) > 7 else 42)
    if task == "ring8":
        with open(os.path.join(out_dir, "recipe.json")) as f:
            step, samples = ring8_task(json.load(f))
    else:
        step, samples = acgan_task(out_dir)
    train_seconds, done = 0.0, 0
    for i in range(max_steps):
        t0 = time.perf_counter()
        step()
        train_seconds += time.perf_counter() - t0
        done = i + 1
        if done % every:
            continue
        path = os.path.join(out_dir, "samples.f32")
        samples(n).contiguous().numpy().astype(np.float32).tofile(path)
        print(f"EVAL {done} {train_seconds:.4f} {path}", flush=True)
        if sys.stdin.readline().strip() == "stop":
            break
    print(json.dumps({"stepsRun": done, "trainSecondsRun": train_seconds, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
