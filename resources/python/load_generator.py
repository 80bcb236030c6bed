"""Run a GAN Workbench generator export in PyTorch.

The export folder holds model.json (the Keras-style topology TensorFlow.js wrote), weights.npz
(every weight as a NumPy array, keyed `layer/param`) and generator.json (the inputs in order and
the output's range). This file rebuilds the network from model.json as a torch.nn.Module and
loads the weights; tensors stay channels-last (N, H, W, C) like the original, so outputs compare
one to one with TensorFlow.js.

    import torch
    from load_generator import load_generator
    g = load_generator("path/to/export")          # torch.nn.Module, eval mode
    z = torch.randn(16, 100)
    images = g(z)                                  # add labels for conditional models: g(z, labels)
    pixels = ((images + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)

From the shell: python3 load_generator.py DIR --inputs inputs.json --out outputs.json
(inputs.json: {"inputs": [[...z rows...], [...label rows...]]} in generator.json's input order).
Needs torch and numpy (Debian: python3-torch python3-numpy).
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F


def _tf_same_padding(size, kernel, stride):
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _activation(name, x):
    if name in (None, "linear"):
        return x
    if name == "relu":
        return torch.relu(x)
    if name == "tanh":
        return torch.tanh(x)
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "softmax":
        return torch.softmax(x, dim=-1)
    raise ValueError(f"unsupported activation: {name}")


def _pair(v):
    return tuple(v) if isinstance(v, (list, tuple)) else (v, v)


class _Layer:
    """One Keras layer: its class, config and weights, applied to channels-last tensors."""

    def __init__(self, spec, weights):
        self.kind = spec["class_name"]
        self.config = spec["config"]
        self.name = spec["name"] if "name" in spec else self.config["name"]
        self.w = {k.split("/", 1)[1]: torch.from_numpy(v) for k, v in weights.items() if k.split("/", 1)[0] == self.name}

    def conv2d(self, x):
        c = self.config
        (kh, kw), (sh, sw) = _pair(c["kernel_size"]), _pair(c["strides"])
        x = x.permute(0, 3, 1, 2)  # NHWC -> NCHW
        if c["padding"] == "same":
            top, bottom = _tf_same_padding(x.shape[2], kh, sh)
            left, right = _tf_same_padding(x.shape[3], kw, sw)
            x = F.pad(x, (left, right, top, bottom))
        weight = self.w["kernel"].permute(3, 2, 0, 1)  # [kh, kw, in, out] -> [out, in, kh, kw]
        y = F.conv2d(x, weight, self.w.get("bias"), stride=(sh, sw))
        return _activation(c.get("activation"), y.permute(0, 2, 3, 1))

    def conv2d_transpose(self, x):
        c = self.config
        (kh, kw), (sh, sw) = _pair(c["kernel_size"]), _pair(c["strides"])
        h, w = x.shape[1], x.shape[2]
        weight = self.w["kernel"].permute(3, 2, 0, 1)  # [kh, kw, out, in] -> [in, out, kh, kw]
        y = F.conv_transpose2d(x.permute(0, 3, 1, 2), weight, None, stride=(sh, sw))
        # TensorFlow's output size, then the same crop its 'same' padding makes.
        if c["padding"] == "same":
            out_h, out_w = h * sh, w * sw
        else:
            out_h, out_w = (h - 1) * sh + max(kh, sh), (w - 1) * sw + max(kw, sw)
        y = F.pad(y, (0, max(out_w - y.shape[3], 0), 0, max(out_h - y.shape[2], 0)))
        top = max((h - 1) * sh + kh - out_h, 0) // 2 if c["padding"] == "same" else 0
        left = max((w - 1) * sw + kw - out_w, 0) // 2 if c["padding"] == "same" else 0
        y = y[:, :, top:top + out_h, left:left + out_w]
        if "bias" in self.w:
            y = y + self.w["bias"].view(1, -1, 1, 1)
        return _activation(c.get("activation"), y.permute(0, 2, 3, 1))

    def __call__(self, inputs):
        c, k = self.config, self.kind
        x = inputs[0]
        if k == "Dense":
            y = x @ self.w["kernel"]
            return _activation(c.get("activation"), y + self.w["bias"] if "bias" in self.w else y)
        if k == "Conv2D":
            return self.conv2d(x)
        if k == "Conv2DTranspose":
            return self.conv2d_transpose(x)
        if k == "LeakyReLU":
            return F.leaky_relu(x, c.get("alpha", 0.3))
        if k == "Activation":
            return _activation(c["activation"], x)
        if k == "Dropout":
            return x  # inference
        if k == "Reshape":
            return x.reshape(x.shape[0], *c["target_shape"])
        if k == "Flatten":
            return x.reshape(x.shape[0], -1)
        if k == "UpSampling2D":
            if c.get("interpolation", "nearest") != "nearest":
                raise ValueError("only nearest up-sampling is supported")
            sh, sw = _pair(c["size"])
            return x.repeat_interleave(sh, dim=1).repeat_interleave(sw, dim=2)
        if k in ("MaxPooling2D", "AveragePooling2D"):
            pool = F.max_pool2d if k == "MaxPooling2D" else F.avg_pool2d
            size = _pair(c["pool_size"])
            return pool(x.permute(0, 3, 1, 2), size, _pair(c.get("strides") or size)).permute(0, 2, 3, 1)
        if k == "ZeroPadding2D":
            (top, bottom), (left, right) = c["padding"]
            return F.pad(x, (0, 0, left, right, top, bottom))
        if k == "BatchNormalization":
            y = (x - self.w["moving_mean"]) / torch.sqrt(self.w["moving_variance"] + c.get("epsilon", 1e-3))
            if "gamma" in self.w:
                y = y * self.w["gamma"]
            return y + self.w["beta"] if "beta" in self.w else y
        if k == "LayerNormalization":
            mean = x.mean(dim=-1, keepdim=True)
            var = x.var(dim=-1, unbiased=False, keepdim=True)
            y = (x - mean) / torch.sqrt(var + c.get("epsilon", 1e-3))
            if "gamma" in self.w:
                y = y * self.w["gamma"]
            return y + self.w["beta"] if "beta" in self.w else y
        if k == "Embedding":
            return self.w["embeddings"][x.long()]
        if k == "Concatenate":
            return torch.cat(inputs, dim=c.get("axis", -1))
        if k == "Multiply":
            y = inputs[0]
            for other in inputs[1:]:
                y = y * other
            return y
        if k == "Add":
            return sum(inputs[1:], inputs[0])
        raise ValueError(f"unsupported layer {k} ({self.name})")


class Generator(torch.nn.Module):
    """The export's functional graph, evaluated layer by layer in topological order."""

    def __init__(self, topology, weights):
        super().__init__()
        config = topology["config"]
        self.layers = [_Layer(spec, weights) for spec in config["layers"]]
        self.inbound = {l["name"]: [n[0] for n in l["inbound_nodes"][0]] if l["inbound_nodes"] else [] for l in config["layers"]}
        self.input_names = [i[0] for i in config["input_layers"]]
        self.output_names = [o[0] for o in config["output_layers"]]

    @torch.no_grad()
    def forward(self, *inputs):
        if len(inputs) != len(self.input_names):
            raise ValueError(f"the generator takes {len(self.input_names)} inputs ({', '.join(self.input_names)}), got {len(inputs)}")
        values = {name: torch.as_tensor(x, dtype=torch.float32) for name, x in zip(self.input_names, inputs)}
        for layer in self.layers:
            if layer.kind != "InputLayer":
                values[layer.name] = layer([values[n] for n in self.inbound[layer.name]])
        outputs = [values[n] for n in self.output_names]
        return outputs[0] if len(outputs) == 1 else outputs


def load_generator(export_dir):
    with open(os.path.join(export_dir, "model.json")) as f:
        topology = json.load(f)["modelTopology"]
    topology = topology.get("model_config", topology)
    with np.load(os.path.join(export_dir, "weights.npz")) as npz:
        weights = {k: npz[k] for k in npz.files}
    return Generator(topology, weights).eval()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Run an exported GAN Workbench generator on given inputs.")
    parser.add_argument("export_dir")
    parser.add_argument("--inputs", required=True, help='JSON: {"inputs": [array per generator input]}')
    parser.add_argument("--out", required=True, help="JSON file for the outputs")
    args = parser.parse_args()
    generator = load_generator(args.export_dir)
    with open(args.inputs) as f:
        inputs = [np.asarray(x, dtype=np.float32) for x in json.load(f)["inputs"]]
    result = generator(*inputs)
    with open(args.out, "w") as f:
        json.dump({"shape": list(result.shape), "values": result.flatten().tolist()}, f)
