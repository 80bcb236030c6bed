"""PyTorch rebuild of the lecture's AC-GAN pair trained on Fashion-MNIST, to tell the recipe's faults
from the engine's: do the stripes of acgan-fashion-mnist-real-class come from the workbench?

The networks and the conventions (TF 'same' padding, NHWC reshape/flatten, tfjs' Adam epsilon, the
losses as the workbench computes them) are tests/helpers/torch_parity.py's, which the parity test
checks step by step against the workbench. Here they train from scratch as the preset does: Keras'
initialisers (glorot-uniform kernels, zero biases, embeddings U(-0.05, 0.05)), Adam 2e-4 (β1 0.5),
batch 64 of the 60,000 training garments, dropout 0.25 in D, D's class loss on real images only
(--fake-class-weight 0, the preset's acgan.fakeClassWeight), G's loss the non-saturating one plus
the class loss. Writes 1,000 samples (100 per class, class-major, one fixed z per column) as float32
(n, 28, 28) in [-1, 1], their labels beside them (NAME-labels.npy), and a 10×10 grid (NAME.png).
Score them as the workbench scores its runs:
  gan-workbench eval --samples-file NAME.npy --labels NAME-labels.npy --dataset fashion-mnist

usage: /usr/bin/python3 bench/torch_acgan_rebuild.py --steps 2400 --seed 1 --out NAME.npy [--threads 1]
(Debian's python3-torch; 2,400 steps took 24 minutes on one thread of the 2-core Zen 5 VM.)
"""
import argparse, gzip, os, struct, sys, time, zlib
import numpy as np
import torch, torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'helpers'))
from torch_parity import AcganDiscriminator, AcganGenerator, Conventions, sigmoid_cross_entropy, softmax_cross_entropy  # noqa: E402

FASHION = '/usr/share/datasets/fashion-mnist/'


def idx(file):
    raw = gzip.open(file).read()
    if raw[3] == 3:
        return np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 1, 28, 28)
    return np.frombuffer(raw, np.uint8, offset=8)


def keras_init(model):
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        if isinstance(m, nn.Embedding):
            nn.init.uniform_(m.weight, -0.05, 0.05)


def write_grid(samples, file):
    """10 rows (classes) of the first 10 samples each, 2× enlarged, grey borders; a plain 8-bit PNG."""
    x = ((samples + 1) * 127.5).clip(0, 255).astype(np.uint8)
    g = np.full((300, 300), 60, np.uint8)
    for c in range(10):
        for j in range(10):
            g[c * 30 + 1:c * 30 + 29, j * 30 + 1:j * 30 + 29] = x[c * 100 + j]
    g = np.kron(g, np.ones((2, 2), np.uint8))
    raw = b''.join(b'\x00' + row.tobytes() for row in g)
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xFFFFFFFF)
    png = chunk(b'IHDR', struct.pack('>IIBBBBB', g.shape[1], g.shape[0], 8, 0, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw))
    open(file, 'wb').write(b'\x89PNG\r\n\x1a\n' + png + chunk(b'IEND', b''))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--steps', type=int, default=2400)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--out', required=True)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--fake-class-weight', type=float, default=0.0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    images = torch.from_numpy(idx(FASHION + 'train-images-idx3-ubyte.gz').astype(np.float32) / 127.5 - 1)
    labels = torch.from_numpy(idx(FASHION + 'train-labels-idx1-ubyte.gz').astype(np.int64))
    conv = Conventions()
    G, D = AcganGenerator(conv), AcganDiscriminator(conv, 0.25)
    keras_init(G)
    keras_init(D)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    start = time.time()
    for step in range(1, a.steps + 1):
        pick = torch.randint(0, images.shape[0], (64,))
        real, real_labels = images[pick], labels[pick]
        z = torch.randn(64, 100)
        fake_labels = torch.randint(0, 10, (64,))
        with torch.no_grad():
            fake = G(z, fake_labels)
        real_score, real_class = D(real)
        fake_score, fake_class = D(fake)
        d_loss = 0.5 * (sigmoid_cross_entropy(1.0, real_score) + sigmoid_cross_entropy(0.0, fake_score))
        d_loss = d_loss + softmax_cross_entropy(real_labels, real_class, 10)
        if a.fake_class_weight:
            d_loss = d_loss + a.fake_class_weight * softmax_cross_entropy(fake_labels, fake_class, 10)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        z = torch.randn(64, 100)
        g_labels = torch.randint(0, 10, (64,))
        score, klass = D(G(z, g_labels))
        g_loss = sigmoid_cross_entropy(1.0, score) + softmax_cross_entropy(g_labels, klass, 10)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        if step % 200 == 0:
            print(f'step {step}/{a.steps}  dLoss {d_loss.item():.3f}  gLoss {g_loss.item():.3f}  {time.time() - start:.0f} s', flush=True)
    G.eval()
    with torch.no_grad():
        torch.manual_seed(12345)
        z = torch.randn(100, 100)
        samples = torch.cat([G(z, torch.full((100,), k)) for k in range(10)]).view(-1, 28, 28).numpy().astype(np.float32)
    np.save(a.out, samples)
    np.save(a.out.replace('.npy', '-labels.npy'), np.repeat(np.arange(10), 100).astype(np.uint8))
    write_grid(samples, a.out.replace('.npy', '.png'))
    print('wrote', a.out)


if __name__ == '__main__':
    main()
