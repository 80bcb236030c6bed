"""Parity check of GAN Workbench's training engine against PyTorch.

Reads a step trace written by the workbench (`gan-workbench trace`: src-main/training/step-trace.ts)
and replays it in PyTorch: the models rebuilt here by hand, layer by layer, as their papers and
lectures define them, started from the workbench's own weights, fed the same real batches, latents
and labels, trained with the same losses and the same Adam, in float32. Prints one JSON document:
per step the losses PyTorch computes (D's and G's, and the terms they add up: AC-GAN's class
losses), the largest relative difference from the workbench's per loss, and how far the weights and
batch-norm statistics ended up apart. With --tolerance it exits 1 when a loss differs by that much
(the faithful replay; --break replays are meant to differ).

Two replays (--mode):
  windows  from each state the trace recorded (weights, batch-norm statistics, Adam's moments) to
           the next: each step is computed from the engine's own state at most a few steps back.
  free     from the initial weights through every step, PyTorch on its own.
Float32 rounding differs between any two libraries (summation order, Winograd vs direct
convolutions), and Adam's first updates are about +-lr per weight whatever the gradient's size, so a
weight whose gradient is rounding noise moves either way in any float32 implementation: free-running
conv GANs drift apart by float32's own amount (--float64 replays in float64 to measure it: PyTorch
float32 drifts from it about as far as the workbench does). Windows keep that from compounding.

What is rebuilt (picked from the trace's config, which must match it exactly: every traced weight is
used once, with the expected shape, and every PyTorch parameter and buffer is set):
  mlp     mlp-2d-* (the lecture's MLP GAN: 4 -> 128 -> 128 -> 2 and 2 -> 128 -> 128 -> 1, LeakyReLU
          0.2), vanilla loss, non-saturating G.
  acgan   acgan-mnist / acgan-fashion-mnist (lecture 9a; Keras-GAN's acgan.py without its batch
          norm): the label's embedding multiplied into z, dense 6272, up-sampling + 3x3 convolutions;
          D's 3x3 convolutions 16/32/64/128 with a zero-padding 7 -> 8 and two heads (real/fake, class).
  radford dcgan-radford-mnist / dcgan-fashion-mnist (Radford et al. 2016 at 28x28): transposed
          convolutions with batch norm and ReLU in G, strided convolutions with batch norm and
          LeakyReLU in D.

Nothing is random in a replay: dropout draws its masks from each framework's own generator, so a
trace for this check is taken with every dropout rate 0 (`trace --without-dropout`: an identity in
both frameworks, the rest of the model unchanged). Every random draw of a step (z, labels, the real
batch) comes from the trace; batch norm needs none.

tfjs / Keras conventions, each applied explicitly below:
  - Dense kernels are [in, out] (torch Linear weights [out, in]): transposed on loading.
  - Conv2D kernels are HWIO, Conv2DTranspose kernels HW(out)(in); torch wants OIHW and
    (in)(out)HW: both permuted (3, 2, 0, 1). Neither framework flips a kernel.
  - 'same' padding puts the odd pixel at the bottom/right (TF: pad_total = max((out-1)*s + k - in, 0),
    pad_before = pad_total // 2): torch's symmetric padding would shift every 3x3 stride-2 map by a
    pixel. Convolutions pad explicitly; transposed ones run unpadded and crop as TF pads.
  - Tensors are NHWC in tfjs: Reshape(7, 7, 128) and Flatten work in (H, W, C) order, so the rebuild
    permutes to and from torch's NCHW at exactly those points.
  - LeakyReLU alpha 0.2 (the spec's; Keras' own default would be 0.3).
  - UpSampling2D is nearest-neighbour (torch interpolate mode 'nearest').
  - BatchNormalization: epsilon 1e-3 (torch 1e-5); in training it normalises by the batch mean and
    biased variance (as torch does), and updates its moving statistics as
    moving -= (moving - batch) * (1 - momentum) with the *biased* batch variance. Keras' momentum
    m is torch's 1 - m (0.9 = torch 0.1, 0.99 = 0.01), and torch would feed the unbiased variance
    into running_var, so the rebuild keeps its own KerasBatchNorm.
  - The vanilla loss as losses.ts computes it, on logits (D's sigmoid folded into the loss):
    tf.losses.sigmoidCrossEntropy = mean(relu(x) - x*z + log1p(exp(-|x|))); D's loss is half the sum
    over the real (z = 1) and the generated (z = 0) batch, G's non-saturating loss is the BCE of
    D(G(z)) against 1. AC-GAN adds tf.losses.softmaxCrossEntropy (mean of -sum(onehot * logSoftmax))
    of the class head on the real and the generated batch to D's loss and on G's batch to G's.
  - Adam as tfjs computes it: epsilon 1e-7 (tfjs takes the backend's float32 epsilon; torch's
    default is 1e-8); m = m*b1 + g*(1-b1), v = v*b2 + g^2*(1-b2),
    w += (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) * (-lr): the bias-corrected second moment
    under the square root (torch divides sqrt(v) by sqrt(1 - b2^t)); b^t is kept as a running float32
    product as tfjs keeps it. --adam torch uses torch.optim.Adam(eps=1e-7) instead.
  - One iteration as Algorithm 1 of Goodfellow et al. with k = 1 (vanilla-gan.ts trainStep): D's
    step on a real batch and G's samples (G in training mode, so G's batch norm uses and updates
    batch statistics; no gradient reaches G), then G's step against D in training mode.

--break NAME[,NAME...] replays once per convention deliberately wrong, to see the check fail: adam-epsilon
(torch's 1e-8), bn-momentum (Keras' momentum used as torch's), bn-epsilon (torch's 1e-5),
same-padding (symmetric padding; the same as TF's where the total is even, as in the 4x4 stride-2
DCGAN), flatten-order (NCHW flatten), loss-sign (the other G loss: minimax,
log(1 - D(G(z))), for a non-saturating config, and the other way round), leaky-alpha (Keras' default 0.3), first-order-unroll (the unrolled
G's look-ahead weights treated as constants: no gradient through D's look-ahead steps).

Unrolled GAN, second order (training.unrollGradient, MLP only): after D's step, D's weights are
advanced K steps of D's own Adam (its moments and b^t, tfjs' form as above) on the G step's real batch
(g.target) and G's generated batch, with torch.autograd.grad(create_graph=True), and G's loss is taken
against the advanced weights: G's gradient flows through the K steps, as in Metz et al.'s reference
code. sqrt is taken of max(v / (1 - b2^t), 1e-30), as the engine guards it.

Usage: /usr/bin/python3 tests/helpers/torch_parity.py TRACE_DIR [--mode windows|free|both]
       [--max-windows N] [--adam tfjs|torch] [--break NAME,...] [--tolerance 1e-3] [--threads N] [--float64]
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

TFJS_ADAM_EPSILON = 1e-7
TORCH_ADAM_EPSILON = 1e-8
KERAS_BN_EPSILON = 1e-3
TORCH_BN_EPSILON = 1e-5
LEAKY_ALPHA = 0.2
BREAKS = ("adam-epsilon", "bn-momentum", "bn-epsilon", "same-padding", "flatten-order", "loss-sign", "leaky-alpha",
          "first-order-unroll")


class Conventions:
    """The tfjs conventions the replay follows, or one broken on purpose (--break)."""

    def __init__(self, broken=None):
        self.broken = broken
        self.adam_epsilon = TORCH_ADAM_EPSILON if broken == "adam-epsilon" else TFJS_ADAM_EPSILON
        self.bn_epsilon = TORCH_BN_EPSILON if broken == "bn-epsilon" else KERAS_BN_EPSILON
        self.tf_same_padding = broken != "same-padding"
        self.nhwc_flatten = broken != "flatten-order"
        self.non_saturating = broken != "loss-sign"
        self.leaky_alpha = 0.3 if broken == "leaky-alpha" else LEAKY_ALPHA
        # The unrolled G's gradient through D's look-ahead (Metz et al.); broken: the look-ahead
        # weights taken as constants, the first-order shortcut.
        self.second_order_unroll = broken != "first-order-unroll"

    def bn_decay(self, keras_momentum):
        """Keras keeps m of the old moving value (torch keeps 1 - m)."""
        return keras_momentum if self.broken == "bn-momentum" else 1.0 - keras_momentum


class Trace:
    """trace.json (index) and tensors.f32 (float32 values) of a step trace."""

    def __init__(self, directory):
        try:
            with open(os.path.join(directory, "trace.json")) as f:
                self.index = json.load(f)
            self.values = np.fromfile(os.path.join(directory, "tensors.f32"), dtype="<f4")
        except (OSError, ValueError) as e:
            raise SystemExit(f"{directory} holds no readable step trace ({e}); write one with `gan-workbench trace`")
        if self.index.get("format") != 1:
            raise SystemExit(f"unknown trace format {self.index.get('format')}")
        end = max((t["offset"] + t["length"] for t in self.index["tensors"]), default=0)
        if end > len(self.values):
            raise SystemExit(f"{directory}/tensors.f32 is shorter than trace.json says ({len(self.values)} of {end} values)")
        self.entries = {t["name"]: t for t in self.index["tensors"]}
        self.config = self.index["config"]
        self.steps = self.index["steps"]

    def has(self, name):
        return name in self.entries

    def tensor(self, name):
        t = self.entries[name]
        flat = self.values[t["offset"]:t["offset"] + t["length"]]
        return torch.from_numpy(flat.copy()).reshape(t["shape"]).to(torch.get_default_dtype())

    def weights(self, stage, model):
        prefix = f"{stage}/{model}/"
        return {n[len(prefix):]: e for n, e in self.entries.items() if n.startswith(prefix)}


# ----- layers with tfjs semantics -------------------------------------------------------------

def same_pads(size, kernel, stride):
    """TF 'same': out = ceil(size / stride); the odd padding pixel goes after (bottom/right)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class SameConv2d(nn.Conv2d):
    """Conv2D with TF 'same' padding (asymmetric for even totals), NCHW in and out."""

    def __init__(self, cin, cout, kernel, stride, conv, bias=True):
        super().__init__(cin, cout, kernel, stride, padding=0 if conv.tf_same_padding else (kernel - 1) // 2, bias=bias)
        self.tf_same = conv.tf_same_padding

    def forward(self, x):
        if self.tf_same:
            k, s = self.kernel_size[0], self.stride[0]
            top, bottom = same_pads(x.shape[2], k, s)
            left, right = same_pads(x.shape[3], k, s)
            x = F.pad(x, (left, right, top, bottom))
        return super().forward(x)


class SameConvTranspose2d(nn.ConvTranspose2d):
    """Conv2DTranspose with TF 'same' padding: output size * stride, cropped as TF pads the forward conv."""

    def __init__(self, cin, cout, kernel, stride, conv, bias=True):
        super().__init__(cin, cout, kernel, stride, padding=0 if conv.tf_same_padding else (kernel - stride + 1) // 2, bias=bias)
        self.tf_same = conv.tf_same_padding

    def forward(self, x):
        y = super().forward(x)
        if not self.tf_same:
            return y
        k, s = self.kernel_size[0], self.stride[0]
        out_h, out_w = x.shape[2] * s, x.shape[3] * s
        top, _ = same_pads(out_h, k, s)
        left, _ = same_pads(out_w, k, s)
        return y[:, :, top:top + out_h, left:left + out_w]


class KerasBatchNorm(nn.Module):
    """tfjs-layers' BatchNormalization in training mode, over every axis but channels."""

    def __init__(self, channels, keras_momentum, conv):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))
        self.register_buffer("moving_mean", torch.zeros(channels))
        self.register_buffer("moving_variance", torch.ones(channels))
        self.decay = conv.bn_decay(keras_momentum)
        self.epsilon = conv.bn_epsilon

    def forward(self, x):
        axes = [0] if x.dim() == 2 else [0, 2, 3]
        shape = [1, -1] + [1] * (x.dim() - 2)
        mean = x.mean(axes)
        variance = x.var(axes, unbiased=False)
        with torch.no_grad():
            self.moving_mean.sub_((self.moving_mean - mean) * self.decay)
            self.moving_variance.sub_((self.moving_variance - variance) * self.decay)
        normed = (x - mean.view(shape)) * torch.rsqrt(variance.view(shape) + self.epsilon)
        return normed * self.gamma.view(shape) + self.beta.view(shape)


def nhwc_flatten(x, conv):
    return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1) if conv.nhwc_flatten else x.reshape(x.shape[0], -1)


def nhwc_to_nchw(x, h, w, c):
    return x.view(x.shape[0], h, w, c).permute(0, 3, 1, 2)


# ----- the rebuilt models ---------------------------------------------------------------------

class MlpGenerator(nn.Module):
    """The lecture's G for 2D points: 4 numbers -> 128 -> 128 -> (x, y), LeakyReLU 0.2."""

    def __init__(self, conv):
        super().__init__()
        self.l1, self.l2, self.out = nn.Linear(4, 128), nn.Linear(128, 128), nn.Linear(128, 2)
        self.alpha = conv.leaky_alpha

    def forward(self, z, _condition=None):
        h = F.leaky_relu(self.l1(z), self.alpha)
        h = F.leaky_relu(self.l2(h), self.alpha)
        return self.out(h)

    names = {"l1": "g00_dense", "l2": "g02_dense", "out": "g04_dense"}


class MlpDiscriminator(nn.Module):
    """The lecture's D: (x, y) -> 128 -> 128 -> 1 logit (the sigmoid is in the loss)."""

    def __init__(self, conv, dropout):
        super().__init__()
        self.l1, self.l2, self.out = nn.Linear(2, 128), nn.Linear(128, 128), nn.Linear(128, 1)
        self.alpha = conv.leaky_alpha

    def forward(self, x):
        h = F.leaky_relu(self.l1(x), self.alpha)
        h = F.leaky_relu(self.l2(h), self.alpha)
        return self.out(h), None

    names = {"l1": "d00_dense", "l2": "d02_dense", "out": "d04_dense"}


class AcganGenerator(nn.Module):
    """Lecture 9a's AC-GAN G: z * embedding(label) -> dense 6272 ReLU -> 7x7x128 -> up, conv 128 ReLU -> up, conv 64 ReLU -> conv 1 tanh."""

    def __init__(self, conv):
        super().__init__()
        self.embedding = nn.Embedding(10, 100)
        self.project = nn.Linear(100, 6272)
        self.conv_14 = SameConv2d(128, 128, 3, 1, conv)
        self.conv_28 = SameConv2d(128, 64, 3, 1, conv)
        self.image = SameConv2d(64, 1, 3, 1, conv)

    def forward(self, z, labels):
        h = z * self.embedding(labels.view(-1).long())
        h = nhwc_to_nchw(F.relu(self.project(h)), 7, 7, 128)
        h = F.relu(self.conv_14(F.interpolate(h, scale_factor=2, mode="nearest")))
        h = F.relu(self.conv_28(F.interpolate(h, scale_factor=2, mode="nearest")))
        return torch.tanh(self.image(h))

    names = {"embedding": "g_label_embedding", "project": "g_project", "conv_14": "g_conv_14", "conv_28": "g_conv_28", "image": "g_image"}


class AcganDiscriminator(nn.Module):
    """Lecture 9a's AC-GAN D: 3x3 convs 16 (s2), 32 (s2), pad 7 -> 8, 64 (s2), 128, LeakyReLU 0.2 and dropout; heads on 2,048 features."""

    def __init__(self, conv, dropout):
        super().__init__()
        self.conv_16 = SameConv2d(1, 16, 3, 2, conv)
        self.conv_32 = SameConv2d(16, 32, 3, 2, conv)
        self.conv_64 = SameConv2d(32, 64, 3, 2, conv)
        self.conv_128 = SameConv2d(64, 128, 3, 1, conv)
        self.source = nn.Linear(2048, 1)
        self.klass = nn.Linear(2048, 10)
        self.drop = nn.Dropout(dropout)
        self.alpha = conv.leaky_alpha
        self.conv = conv

    def forward(self, x):
        a = self.alpha
        h = self.drop(F.leaky_relu(self.conv_16(x), a))
        h = self.drop(F.pad(F.leaky_relu(self.conv_32(h), a), (0, 1, 0, 1)))  # ZeroPadding2D [[0, 1], [0, 1]]
        h = self.drop(F.leaky_relu(self.conv_64(h), a))
        h = self.drop(F.leaky_relu(self.conv_128(h), a))
        f = nhwc_flatten(h, self.conv)
        return self.source(f), self.klass(f)

    names = {"conv_16": "d_conv_16", "conv_32": "d_conv_32", "conv_64": "d_conv_64", "conv_128": "d_conv_128", "source": "d_source", "klass": "d_class"}


class RadfordGenerator(nn.Module):
    """DCGAN's G at 28x28: dense 6272 (no bias) BN ReLU -> 7x7x128 -> 4x4 s2 up-conv 64 (no bias) BN ReLU -> 4x4 s2 up-conv 1 tanh."""

    def __init__(self, conv, momentum):
        super().__init__()
        self.project = nn.Linear(100, 6272, bias=False)
        self.project_bn = KerasBatchNorm(6272, momentum, conv)
        self.up_14 = SameConvTranspose2d(128, 64, 4, 2, conv, bias=False)
        self.up_14_bn = KerasBatchNorm(64, momentum, conv)
        self.image = SameConvTranspose2d(64, 1, 4, 2, conv)

    def forward(self, z, _condition=None):
        h = nhwc_to_nchw(F.relu(self.project_bn(self.project(z))), 7, 7, 128)
        h = F.relu(self.up_14_bn(self.up_14(h)))
        return torch.tanh(self.image(h))

    names = {"project": "g00_dense", "project_bn": "g01_batchNorm", "up_14": "g04_conv2dTranspose", "up_14_bn": "g05_batchNorm", "image": "g07_conv2dTranspose"}


class RadfordDiscriminator(nn.Module):
    """DCGAN's D at 28x28: 4x4 s2 conv 64 LeakyReLU -> 4x4 s2 conv 128 (no bias) BN LeakyReLU -> 1 logit."""

    def __init__(self, conv, dropout, momentum):
        super().__init__()
        self.conv_64 = SameConv2d(1, 64, 4, 2, conv)
        self.conv_128 = SameConv2d(64, 128, 4, 2, conv, bias=False)
        self.conv_128_bn = KerasBatchNorm(128, momentum, conv)
        self.score = nn.Linear(6272, 1)
        self.alpha = conv.leaky_alpha
        self.conv = conv

    def forward(self, x):
        h = F.leaky_relu(self.conv_64(x), self.alpha)
        h = F.leaky_relu(self.conv_128_bn(self.conv_128(h)), self.alpha)
        return self.score(nhwc_flatten(h, self.conv)), None

    names = {"conv_64": "d00_conv2d", "conv_128": "d02_conv2d", "conv_128_bn": "d03_batchNorm", "score": "d06_dense"}


def spec_layers(spec):
    return spec["layers"] if "layers" in spec else [n["layer"] for n in spec["nodes"]]


def which_model(config):
    g = spec_layers(config["generator"])
    kinds = [layer["type"] for layer in g]
    if config.get("conditioning") == "acgan":
        return "acgan"
    if config["dataset"]["kind"] == "toy2d" and kinds.count("dense") == 3:
        return "mlp"
    if "conv2dTranspose" in kinds and "batchNorm" in kinds:
        return "radford"
    raise SystemExit("no PyTorch rebuild for this config: the check covers the MLP GAN (mlp-2d-*), AC-GAN (acgan-*) and the Radford DCGAN (dcgan-radford-mnist, dcgan-fashion-mnist)")


def dropout_rate(config):
    rates = {layer["rate"] for layer in spec_layers(config["discriminator"]) + spec_layers(config["generator"]) if layer["type"] == "dropout"}
    if rates - {0}:
        raise SystemExit(f"the trace's models use dropout {sorted(rates)}: its masks come from each framework's own generator and cannot be replayed; trace with every dropout rate set to 0")
    return 0.0


def bn_momentum(spec):
    momenta = {layer.get("momentum", 0.99) for layer in spec_layers(spec) if layer["type"] == "batchNorm"}
    if len(momenta) != 1:
        raise SystemExit(f"expected one batch-norm momentum, found {sorted(momenta)}")
    return momenta.pop()


def build(kind, config, conv):
    rate = dropout_rate(config)
    if kind == "mlp":
        return MlpGenerator(conv), MlpDiscriminator(conv, rate)
    if kind == "acgan":
        return AcganGenerator(conv), AcganDiscriminator(conv, rate)
    return RadfordGenerator(conv, bn_momentum(config["generator"])), RadfordDiscriminator(conv, rate, bn_momentum(config["discriminator"]))


# ----- weights in and out ---------------------------------------------------------------------

def to_torch(module, field, value):
    """A tfjs weight in torch's layout: (torch attribute, value)."""
    if field == "kernel" and isinstance(module, nn.Linear):
        return "weight", value.t()  # [in, out] -> [out, in]
    if field == "kernel" and isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        return "weight", value.permute(3, 2, 0, 1)  # HWIO -> OIHW; HW(out)(in) -> (in)(out)HW
    if field == "embeddings":
        return "weight", value
    return field, value  # bias, gamma, beta, moving_mean, moving_variance


def to_tfjs(module, attr, value):
    """The inverse of to_torch: (tfjs field, value in tfjs layout)."""
    if attr == "weight" and isinstance(module, nn.Linear):
        return "kernel", value.t()
    if attr == "weight" and isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        return "kernel", value.permute(2, 3, 1, 0)
    if attr == "weight" and isinstance(module, nn.Embedding):
        return "embeddings", value
    return attr, value


def weight_table(model, trace, stage, which):
    """(tfjs name, module, torch attribute, tfjs value) for every traced weight of a model; fails unless
    each traced weight fits exactly one parameter or buffer of the rebuild and every one is set."""
    traced = trace.weights(stage, which)
    rows, used_torch = [], set()
    for attr, layer in model.names.items():
        module = getattr(model, attr)
        for name in sorted(n for n in traced if n.startswith(layer + "/")):
            value = trace.tensor(f"{stage}/{which}/{name}")
            target, torch_value = to_torch(module, name.split("/", 1)[1], value)
            slot = getattr(module, target, None)
            if slot is None or tuple(slot.shape) != tuple(torch_value.shape):
                raise SystemExit(f"{which} {name}: traced shape {list(value.shape)} does not fit the rebuild ({attr}.{target})")
            rows.append((name, module, target, torch_value))
            used_torch.add(f"{attr}.{target}")
    unused = sorted(set(traced) - {r[0] for r in rows})
    unset = sorted(n for n, _ in list(model.named_parameters()) + list(model.named_buffers()) if n not in used_torch)
    if unused or unset:
        raise SystemExit(f"the {which} rebuild does not match the trace: traced weights not used {unused}, rebuild weights not set {unset}")
    return rows


def load_state(model, trace, stage, which):
    """Sets every parameter and buffer from the trace's state; returns {parameter: tfjs name}."""
    names = {}
    with torch.no_grad():
        for name, module, target, value in weight_table(model, trace, stage, which):
            slot = getattr(module, target)
            slot.copy_(value)
            names[slot] = name
    return names


def export(model):
    """The model's weights under the trace's names, in tfjs layout."""
    out = {}
    for attr, layer in model.names.items():
        module = getattr(model, attr)
        for field, value in list(module.named_parameters(recurse=False)) + list(module.named_buffers(recurse=False)):
            tf_field, v = to_tfjs(module, field, value.detach())
            out[f"{layer}/{tf_field}"] = v
    return out


# ----- losses and optimizer -------------------------------------------------------------------

def sigmoid_cross_entropy(target, logits):
    """tf.losses.sigmoidCrossEntropy(labels, logits): mean of relu(x) - x*z + log1p(exp(-|x|))."""
    return (F.relu(logits) - logits * target + torch.log1p(torch.exp(-logits.abs()))).mean()


def softmax_cross_entropy(labels, logits, classes):
    """tf.losses.softmaxCrossEntropy(oneHot(labels), logits): mean over the batch of -sum(onehot * logSoftmax)."""
    onehot = F.one_hot(labels.view(-1).long(), classes).to(logits.dtype)
    return (-(onehot * F.log_softmax(logits, dim=1)).sum(1)).mean()


class TfjsAdam:
    """Adam in the order and form of tfjs' AdamOptimizer (and the workbench's fused kernel), float32."""

    def __init__(self, params, lr, beta1, beta2, epsilon, done=0, moments=None):
        self.params = list(params)
        self.lr, self.beta1, self.beta2, self.epsilon = lr, beta1, beta2, epsilon
        scalar = lambda x: torch.tensor(x, dtype=torch.get_default_dtype())
        # b^t as tfjs keeps it: a running float32 product, b^(done + 1) before the next step.
        self.acc_beta1, self.acc_beta2 = scalar(beta1), scalar(beta2)
        for _ in range(done):
            self.acc_beta1, self.acc_beta2 = self.acc_beta1 * beta1, self.acc_beta2 * beta2
        self.one_minus_b1, self.one_minus_b2 = scalar(1 - beta1), scalar(1 - beta2)  # 1 - b in double, then float32
        moments = moments or {}
        self.m = [moments[p][0].clone() if p in moments else torch.zeros_like(p) for p in self.params]
        self.v = [moments[p][1].clone() if p in moments else torch.zeros_like(p) for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        c1, c2 = 1 - self.acc_beta1, 1 - self.acc_beta2
        for p, m, v in zip(self.params, self.m, self.v):
            g = p.grad
            m.copy_(m * self.beta1 + g * self.one_minus_b1)
            v.copy_(v * self.beta2 + (g * g) * self.one_minus_b2)
            p.copy_((m / c1) / (torch.sqrt(v / c2) + self.epsilon) * (-self.lr) + p)
        self.acc_beta1 = self.acc_beta1 * self.beta1
        self.acc_beta2 = self.acc_beta2 * self.beta2


def reshape_like(p, value, name):
    """A moment in tfjs layout -> the parameter's torch layout (the same permutation as its weight)."""
    if name.endswith("/kernel"):
        return value.t() if value.dim() == 2 else value.permute(3, 2, 0, 1)
    return value


def optimizer(model, names, trace, stage, group, conv, kind):
    settings = trace.index["optimizers"]["generator" if group == "gOptimizer" else "discriminator"]
    if settings["type"] != "adam":
        raise SystemExit(f"{group}: the check covers Adam, the papers' optimizer (got {settings['type']})")
    traced_eps = settings.get("epsilon")
    if traced_eps is not None and not math.isclose(traced_eps, TFJS_ADAM_EPSILON, rel_tol=1e-6):
        raise SystemExit(f"{group}: the engine's Adam epsilon is {traced_eps}, not tfjs' float32 {TFJS_ADAM_EPSILON}")
    lr, b1, b2 = settings["learningRate"], settings["beta1"], settings["beta2"]
    moments, done = {}, 0
    if stage != "state0":
        moments = {}
        prefix = f"{stage}/{group}/"
        done = int(trace.tensor(prefix + "iter").item())
        for p, name in names.items():
            if p.requires_grad:
                moments[p] = (reshape_like(p, trace.tensor(f"{prefix}{name}/m"), name), reshape_like(p, trace.tensor(f"{prefix}{name}/v"), name))
    params = list(model.parameters())
    if kind == "torch":
        opt = torch.optim.Adam(params, lr=lr, betas=(b1, b2), eps=conv.adam_epsilon)
        for p, (m, v) in moments.items():
            opt.state[p] = {"step": torch.tensor(float(done)), "exp_avg": m.clone(), "exp_avg_sq": v.clone()}
        return opt
    return TfjsAdam(params, lr, b1, b2, conv.adam_epsilon, done, moments)


# ----- the replay -----------------------------------------------------------------------------

def nchw(images):
    return images.permute(0, 3, 1, 2) if images.dim() == 4 else images


def check_supported(config):
    if config["gan"] != "vanilla":
        raise SystemExit("the check covers the vanilla GAN (non-saturating or minimax G loss)")
    training, tricks = config["training"], config["tricks"]
    if training["dSteps"] != 1:
        raise SystemExit("the check covers one D step per G step")
    if training["unrollSteps"] != 0 and (training.get("unrollGradient") != "second-order" or which_model(config) != "mlp"):
        raise SystemExit("the check covers unrolling only second-order, on the MLP GAN")
    if any(tricks[k] for k in ("labelSmoothing", "instanceNoise", "softLabels", "labelFlip", "featureMatching", "virtualBatchNorm", "resizeConv")):
        raise SystemExit("the check covers training without tricks")


def replay(trace, conv, adam_kind, start, end):
    """Steps start..end-1 from the trace's state before `start`: PyTorch's losses, and its G and D after them."""
    config = trace.config
    kind = which_model(config)
    g, d = build(kind, config, conv)
    stage = f"state{start}"
    g_names = load_state(g, trace, stage, "generator")
    d_names = load_state(d, trace, stage, "discriminator")
    g.train()
    d.train()
    og = optimizer(g, g_names, trace, stage, "gOptimizer", conv, adam_kind)
    od = optimizer(d, d_names, trace, stage, "dOptimizer", conv, adam_kind)
    acgan = kind == "acgan"
    fake_class_weight = float((config.get("acgan") or {}).get("fakeClassWeight", 1.0))
    classes = 10
    steps = []
    for step in range(start, end):
        t = lambda name: trace.tensor(f"step{step}/{name}")
        # D's step: G's samples in training mode (batch statistics), no gradient into G.
        real = nchw(t("d0.real"))
        fake_labels = t("d0.fakeCondition") if acgan else None
        with torch.no_grad():
            fake = g(t("d0.z"), fake_labels)
        od.zero_grad()
        real_score, real_class = d(real)
        fake_score, fake_class = d(fake)
        d_adv = 0.5 * (sigmoid_cross_entropy(1.0, real_score) + sigmoid_cross_entropy(0.0, fake_score))
        record = {"d0.adversarial": d_adv.item()}
        d_loss = d_adv
        if acgan:
            class_real = softmax_cross_entropy(t("d0.realCondition"), real_class, classes)
            class_fake = softmax_cross_entropy(fake_labels, fake_class, classes)
            # acgan.fakeClassWeight (the paper's 1 unless the config says otherwise).
            d_loss = d_adv + (class_real + fake_class_weight * class_fake)
            record.update({"d0.classReal": class_real.item(), "d0.classFake": class_fake.item()})
        d_loss.backward()
        od.step()
        # G's step against the updated D (D in training mode: its batch norm sees this batch too).
        og.zero_grad()
        g_labels = t("g.condition") if acgan else None
        # The config's G loss; --break loss-sign takes the other one.
        non_saturating = (config["loss"]["generator"] == "non-saturating") == conv.non_saturating
        if config["training"]["unrollSteps"] > 0:
            fake = g(t("g.z"), None)
            real = t("g.target")
            weights = lookahead(d, od, real, fake, config["training"]["unrollSteps"], conv)
            score, klass = mlp_d_with(d, weights, fake), None
            # Minimax: Metz et al.'s saddle objective at the look-ahead weights, real term included.
            real_term = 0.0 if non_saturating else -sigmoid_cross_entropy(1.0, mlp_d_with(d, weights, real))
        else:
            score, klass = d(g(t("g.z"), g_labels))
            real_term = 0.0
        g_adv = sigmoid_cross_entropy(1.0, score) if non_saturating else -sigmoid_cross_entropy(0.0, score) + real_term
        g_loss = g_adv
        record["g.adversarial"] = g_adv.item()
        if acgan:
            aux = softmax_cross_entropy(g_labels, klass, classes)
            g_loss = g_adv + aux
            record["g.aux"] = aux.item()
        g_loss.backward()
        og.step()
        record.update({"dLoss": d_loss.item(), "gLoss": g_loss.item()})
        steps.append(record)
    return kind, g, d, steps


def mlp_d_with(d, weights, x):
    """The MLP D with `weights` (l1, l2, out: weight, bias each) in place of its parameters."""
    w1, b1, w2, b2, w3, b3 = weights
    h = F.leaky_relu(F.linear(x, w1, b1), d.alpha)
    h = F.leaky_relu(F.linear(h, w2, b2), d.alpha)
    return F.linear(h, w3, b3)


def lookahead(d, od, real, fake, steps, conv):
    """D's weights after `steps` of its Adam (tfjs' form, from od's moments) on this real and fake batch."""
    if not isinstance(od, TfjsAdam):
        raise SystemExit("the unrolled check replays tfjs' Adam (--adam tfjs)")
    weights = [d.l1.weight, d.l1.bias, d.l2.weight, d.l2.bias, d.out.weight, d.out.bias]
    index = {id(p): i for i, p in enumerate(od.params)}
    m = [od.m[index[id(p)]] for p in weights]
    v = [od.v[index[id(p)]] for p in weights]
    acc1, acc2 = od.acc_beta1, od.acc_beta2
    for _ in range(steps):
        loss = 0.5 * (sigmoid_cross_entropy(1.0, mlp_d_with(d, weights, real)) + sigmoid_cross_entropy(0.0, mlp_d_with(d, weights, fake)))
        grads = torch.autograd.grad(loss, weights, create_graph=conv.second_order_unroll)
        m = [mi * od.beta1 + gi * od.one_minus_b1 for mi, gi in zip(m, grads)]
        v = [vi * od.beta2 + (gi * gi) * od.one_minus_b2 for vi, gi in zip(v, grads)]
        c1, c2 = 1 - acc1, 1 - acc2
        weights = [w + (mi / c1) / (torch.sqrt(torch.clamp(vi / c2, min=1e-30)) + od.epsilon) * (-od.lr)
                   for w, mi, vi in zip(weights, m, v)]
        acc1, acc2 = acc1 * od.beta1, acc2 * od.beta2
    # Without create_graph the gradients carry no graph: the weights depend on fake only through nothing.
    return weights if conv.second_order_unroll else [w.detach() for w in weights]


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-12)


def loss_gaps(ours, torch_steps, start):
    """Per loss: the largest |ours - torch| / |torch| over the steps, and where."""
    worst = {}
    for key in torch_steps[0]:
        diffs = [rel(ours[start + i][key], t[key]) for i, t in enumerate(torch_steps)]
        i = int(np.argmax(diffs))
        worst[key] = {"maxRelative": diffs[i], "step": start + i}
    return worst


def weight_gaps(trace, stage, g, d):
    """Per group (trained weights, batch-norm statistics), the worst tensor by ||ours - torch|| / ||torch||
    (relativeNorm), and the worst max|ours - torch| / max|torch| (maxRelative: a single element Adam
    moved the other way shows here)."""
    gaps = {}
    for which, model in (("generator", g), ("discriminator", d)):
        ours = export(model)
        for name, entry in trace.weights(stage, which).items():
            theirs = trace.tensor(f"{stage}/{which}/{name}").to(torch.float64)
            mine = ours[name].to(torch.float64)
            where = f"{stage}/{which}/{name}"
            norm = (mine - theirs).norm().item() / max(mine.norm().item(), 1e-30)
            worst = (mine - theirs).abs().max().item() / max(mine.abs().max().item(), 1e-30)
            group = gaps.setdefault("weights" if entry.get("trainable", True) else "batchNormStatistics",
                                    {"relativeNorm": -1.0, "maxRelative": -1.0})
            if norm > group["relativeNorm"]:
                group.update(relativeNorm=norm, normWhere=where)
            if worst > group["maxRelative"]:
                group.update(maxRelative=worst, maxWhere=where)
    return gaps


def merge_gaps(parts):
    """The worst of several windows' gaps, per group and measure."""
    out = {}
    for part in parts:
        for group, gap in part.items():
            o = out.setdefault(group, {"relativeNorm": -1.0, "maxRelative": -1.0})
            for measure, where in (("relativeNorm", "normWhere"), ("maxRelative", "maxWhere")):
                if measure in gap and where in gap and gap[measure] > o[measure]:
                    o[measure], o[where] = gap[measure], gap[where]
    return out


def merge_losses(parts):
    out = {}
    for part in parts:
        for key, gap in part.items():
            if key not in out or gap["maxRelative"] > out[key]["maxRelative"]:
                out[key] = gap
    return out


def check(trace, conv, adam, mode, max_windows):
    """The windows and/or free-running replay compared with the trace."""
    ours = trace.index["metrics"]
    states = trace.index["states"]
    out = {}
    windows = list(zip(states[:-1], states[1:]))
    if mode == "windows" or (mode == "both" and len(windows) > 1):
        losses, weights, torch_losses = [], [], []
        for start, end in windows[:max_windows]:
            _, g, d, steps = replay(trace, conv, adam, start, end)
            losses.append(loss_gaps(ours, steps, start))
            weights.append(weight_gaps(trace, f"state{end}", g, d))
            torch_losses.extend(steps)
        per_loss = merge_losses(losses)
        out["windows"] = {"maxRelative": max(w["maxRelative"] for w in per_loss.values()), "perLoss": per_loss,
                          "weights": merge_gaps(weights), "torchLosses": torch_losses}
    if mode in ("free", "both"):
        _, g, d, steps = replay(trace, conv, adam, 0, trace.steps)
        per_loss = loss_gaps(ours, steps, 0)
        out["free"] = {"maxRelative": max(w["maxRelative"] for w in per_loss.values()), "perLoss": per_loss,
                       "weights": weight_gaps(trace, f"state{trace.steps}", g, d), "torchLosses": steps}
    out["maxRelative"] = max(out[k]["maxRelative"] for k in ("windows", "free") if k in out)
    return out


def breaks(text):
    names = text.split(",")
    unknown = [n for n in names if n not in BREAKS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown convention {', '.join(unknown)} (one of {', '.join(BREAKS)})")
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trace")
    parser.add_argument("--mode", choices=("windows", "free", "both"), default="both",
                        help="windows: replay from each recorded state to the next; free: from the initial weights to the end")
    parser.add_argument("--max-windows", type=int, help="replay only the first N windows")
    parser.add_argument("--adam", choices=("tfjs", "torch"), default="tfjs")
    parser.add_argument("--break", dest="broken", type=breaks,
                        help="replay once per named convention broken on purpose (comma-separated), instead of the faithful replay")
    parser.add_argument("--tolerance", type=float)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--float64", action="store_true", help="replay in float64 (float32's own rounding, measured against it)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64 if args.float64 else torch.float32)
    trace = Trace(args.trace)
    check_supported(trace.config)
    result = {
        "model": which_model(trace.config), "steps": trace.steps, "states": trace.index["states"], "backend": trace.index["backend"],
        "adam": args.adam, "torch": torch.__version__, "threads": args.threads, "dtype": "float64" if args.float64 else "float32",
    }
    if args.broken:
        result["broken"] = {name: check(trace, Conventions(name), args.adam, args.mode, args.max_windows) for name in args.broken}
    else:
        result.update(check(trace, Conventions(None), args.adam, args.mode, args.max_windows))
    print(json.dumps(result))
    if args.tolerance is not None and not args.broken and result["maxRelative"] >= args.tolerance:
        sys.exit(1)


if __name__ == "__main__":
    main()
