"""PyTorch rebuild of a workbench vanilla-GAN recipe (sequential specs), for FD comparisons.

Reads the recipe (the workbench config JSON, as `presets show` prints it) and builds the same
networks: TF 'same' padding (asymmetric where TF pads asymmetrically), glorot-uniform or N(0, std)
kernels as the config says, zero biases, BN with tfjs' eps 1e-3 and momentum, Adam with tfjs'
eps 1e-7, non-saturating loss, D loss ½(BCE real + BCE fake), real/fake through D separately
(D has batch norm), a fresh z for G's step. Writes N samples (G in eval mode) as float32 NHWC; with --every K, also
after every K steps (OUT's name with .STEP before .npy), from the same fixed z.
usage: torch_gan_rebuild.py CONFIG.json --data IMAGES.f32 --steps S --seed K --out samples.npy [--n 1000] [--every K]
Run through `npx tsx bench/peer-fd.ts PRESET STEPS SEED`, which writes the config and the training
images (the same ones the workbench trains on, in [-1, 1]) and scores the samples with the
workbench's own `eval --samples-file` code: the peer figure of the DCGAN reproductions.
"""
import argparse, json, math, os, time, sys
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('config'); p.add_argument('--data', required=True); p.add_argument('--steps', type=int, required=True); p.add_argument('--seed', type=int, default=1)
p.add_argument('--out', required=True); p.add_argument('--n', type=int, default=5000); p.add_argument('--threads', type=int, default=2)
p.add_argument('--every', type=int, default=0, help='also write samples every this many steps, to OUT with .STEP before .npy')
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed); np.random.seed(a.seed)
cfg = json.load(open(a.config))

def load_data(file):
    """The training images as the workbench feeds them: float32 in [-1, 1], 28 x 28."""
    return torch.from_numpy(np.fromfile(file, dtype=np.float32).reshape(-1, 1, 28, 28))

def same_pads(n, k, s):
    out = -(-n // s); total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2

class Conv(nn.Module):
    def __init__(self, cin, L):
        super().__init__()
        self.k, self.s, self.pad = L['kernelSize'], L.get('strides', 1), L.get('padding', 'same')
        self.conv = nn.Conv2d(cin, L['filters'], self.k, self.s, bias=L.get('useBias', True))
    def forward(self, x):
        if self.pad == 'same':
            t, b = same_pads(x.shape[2], self.k, self.s); l, r = same_pads(x.shape[3], self.k, self.s)
            x = F.pad(x, (l, r, t, b))
        return self.conv(x)

class ConvT(nn.Module):
    def __init__(self, cin, L):
        super().__init__()
        self.k, self.s, self.pad = L['kernelSize'], L.get('strides', 1), L.get('padding', 'same')
        self.conv = nn.ConvTranspose2d(cin, L['filters'], self.k, self.s, bias=L.get('useBias', True))
    def forward(self, x):
        h, w = x.shape[2], x.shape[3]
        y = self.conv(x)
        if self.pad == 'same':  # TF: the gradient of a 'same' conv from (h·s) to h: crop the full output
            total = max(self.k - self.s, 0); top = total // 2
            y = y[:, :, top:top + h * self.s, top:top + w * self.s]
        return y

def act(name, alpha=0.2):
    return {'relu': nn.ReLU(), 'leakyRelu': nn.LeakyReLU(alpha), 'tanh': nn.Tanh(), 'sigmoid': nn.Identity(), 'linear': nn.Identity(), None: nn.Identity()}[name]

def build(spec, init):
    shape = list(spec['inputShape'])  # channels-last as in the spec
    layers = []
    for L in spec['layers']:
        t = L['type']
        if t == 'dense':
            n_in = int(np.prod(shape)); m = nn.Linear(n_in, L['units'], bias=L.get('useBias', True)); layers.append(m); shape = [L['units']]
            layers.append(act(L.get('activation', 'linear')))
        elif t in ('conv2d', 'conv2dTranspose'):
            cin = shape[2]; m = (Conv if t == 'conv2d' else ConvT)(cin, L); layers.append(m)
            s = L.get('strides', 1); same = L.get('padding', 'same') == 'same'; k = L['kernelSize']
            if t == 'conv2d': hw = [-(-d // s) if same else (d - k) // s + 1 for d in shape[:2]]
            else: hw = [d * s if same else (d - 1) * s + k for d in shape[:2]]
            shape = hw + [L['filters']]
            layers.append(act(L.get('activation', 'linear')))
        elif t == 'batchNorm':
            bn = (nn.BatchNorm1d if len(shape) == 1 else nn.BatchNorm2d)(shape[-1], eps=1e-3, momentum=1 - L.get('momentum', 0.99)); layers.append(bn)
        elif t == 'activation':
            layers.append(act(L['activation'], L.get('alpha', 0.2)))
        elif t == 'reshape':
            ts = L['targetShape']; layers.append(Reshape([ts[2], ts[0], ts[1]] if len(ts) == 3 else ts)); shape = list(ts)
        elif t == 'flatten':
            layers.append(nn.Flatten()); shape = [int(np.prod(shape))]
        elif t == 'dropout':
            layers.append(nn.Dropout(L['rate']))
        else:
            raise SystemExit(f'layer {t} not supported here')
    net = nn.Sequential(*layers)
    for m in net.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            if init and init.get('distribution') == 'normal': nn.init.normal_(m.weight, 0.0, init['std'])
            else: nn.init.xavier_uniform_(m.weight)
            if m.bias is not None: nn.init.zeros_(m.bias)
    return net

class Reshape(nn.Module):
    def __init__(self, s): super().__init__(); self.s = s
    def forward(self, x): return x.view(x.shape[0], *self.s)

G = build(cfg['generator'], cfg.get('_init'))
D = build(cfg['discriminator'], cfg.get('_init'))
print('params G', sum(p.numel() for p in G.parameters()), 'D', sum(p.numel() for p in D.parameters()), file=sys.stderr)
def adam(o): return torch.optim.Adam(None or [], lr=o['learningRate'], betas=(o.get('beta1', 0.5), o.get('beta2', 0.999)), eps=1e-7)
og, od = cfg['optimizers']['generator'], cfg['optimizers']['discriminator']
optG = torch.optim.Adam(G.parameters(), lr=og['learningRate'], betas=(og.get('beta1', 0.5), og.get('beta2', 0.999)), eps=1e-7)
optD = torch.optim.Adam(D.parameters(), lr=od['learningRate'], betas=(od.get('beta1', 0.5), od.get('beta2', 0.999)), eps=1e-7)
X = load_data(a.data); N = X.shape[0]
bs = cfg['training']['batchSize']; zdim = cfg['latent']['dim']
bce = F.binary_cross_entropy_with_logits
sampling_s = 0.0  # time spent writing samples (--every), left out of the timing
def write_samples(file):
    """N samples from a fixed z, G in eval mode (its moving batch-norm statistics), then back to training."""
    global sampling_s
    started = time.time()
    G.eval()
    g = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        out = torch.cat([G(torch.randn(500, zdim, generator=g)) for _ in range(a.n // 500)])
    np.save(file, out.permute(0, 2, 3, 1).contiguous().numpy().astype(np.float32))
    G.train()
    sampling_s += time.time() - started
t0 = time.time()
for step in range(a.steps):
    real = X[torch.randperm(N)[:bs]]
    with torch.no_grad(): fake = G(torch.randn(bs, zdim))
    dr, df = D(real), D(fake)
    lossD = 0.5 * (bce(dr, torch.ones_like(dr)) + bce(df, torch.zeros_like(df)))
    optD.zero_grad(set_to_none=True); lossD.backward(); optD.step()
    dg = D(G(torch.randn(bs, zdim)))
    lossG = bce(dg, torch.ones_like(dg))
    optG.zero_grad(set_to_none=True); lossG.backward(); optG.step()
    if step % 200 == 0 or step == a.steps - 1:
        el = time.time() - t0 - sampling_s
        print(f'step {step} dLoss {lossD.item():.3f} gLoss {lossG.item():.3f} D(x) {torch.sigmoid(dr).mean():.3f} D(G(z)) {torch.sigmoid(df).mean():.3f} {(step + 1) / el:.2f} it/s', file=sys.stderr, flush=True)
    if a.every and (step + 1) % a.every == 0 and step + 1 < a.steps:
        write_samples(f'{os.path.splitext(a.out)[0]}.{step + 1}.npy')
el = time.time() - t0 - sampling_s
write_samples(a.out)
print(json.dumps({'steps': a.steps, 'seed': a.seed, 'wall_s': round(el, 1), 'it_per_s': round(a.steps / el, 3), 'samples_per_s': round(a.steps * bs / el, 1)}))
