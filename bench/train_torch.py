"""PyTorch reference for bench/train.ts: the same network on the same kind of data, one thread.

Usage: python3 bench/train_torch.py <batches> <batch_size> [warmup_batches] < architecture.json
The architecture is Percept's JSON (server/ml/architecture.ts): inputShape [h, w, c], classes,
layers with kind conv2d / separableConv2d / maxPool / batchNorm / dropout / flatten /
globalAveragePooling / dense. Convolutions and pools use TensorFlow 'same' padding, as build.ts.
Prints one JSON line: {"imagesPerSec": ..., "torch": "<version>", "threads": 1} or {"error": ...}.
"""
import json
import math
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:  # noqa: BLE001 - any import failure means "no torch here"
    print(json.dumps({"error": f"torch unavailable: {e}"}))
    sys.exit(0)


class SamePad(nn.Module):
    """TensorFlow 'same' padding (extra row/column at the bottom/right), as tfjs pads."""

    def __init__(self, k, s, value=0.0):
        super().__init__()
        self.k, self.s, self.value = k, s, value

    def forward(self, x):
        h, w = x.shape[-2:]
        ph = max((math.ceil(h / self.s) - 1) * self.s + self.k - h, 0)
        pw = max((math.ceil(w / self.s) - 1) * self.s + self.k - w, 0)
        if ph == 0 and pw == 0:
            return x
        return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2), value=self.value)


def same_out(n, s):
    return math.ceil(n / s)


def build(arch):
    h, w, ch = arch["inputShape"]
    layers, flat = [], None
    for spec in arch["layers"]:
        kind = spec["kind"]
        if kind == "conv2d":
            k, s = spec["kernelSize"], spec["strides"]
            if s == 1 and k % 2 == 1:  # symmetric: let the conv pad, as a PyTorch user would
                layers += [nn.Conv2d(ch, spec["filters"], k, 1, k // 2), nn.ReLU()]
            else:
                layers += [SamePad(k, s), nn.Conv2d(ch, spec["filters"], k, s), nn.ReLU()]
            ch, h, w = spec["filters"], same_out(h, s), same_out(w, s)
        elif kind == "separableConv2d":
            k, s = spec["kernelSize"], spec["strides"]
            pad = [nn.Identity(), k // 2] if s == 1 and k % 2 == 1 else [SamePad(k, s), 0]
            layers += [pad[0], nn.Conv2d(ch, ch, k, s, pad[1], groups=ch, bias=False),
                       nn.Conv2d(ch, spec["filters"], 1), nn.ReLU()]
            ch, h, w = spec["filters"], same_out(h, s), same_out(w, s)
        elif kind == "maxPool":
            p, s = spec["poolSize"], spec["strides"]
            layers += [SamePad(p, s, -math.inf), nn.MaxPool2d(p, s)]
            h, w = same_out(h, s), same_out(w, s)
        elif kind == "batchNorm":
            layers.append(nn.BatchNorm2d(ch, eps=1e-3, momentum=0.01) if flat is None
                          else nn.BatchNorm1d(flat, eps=1e-3, momentum=0.01))
        elif kind == "dropout":
            layers.append(nn.Dropout(spec["rate"]))
        elif kind == "flatten":
            # tfjs flattens NHWC; the order does not change the cost.
            layers.append(nn.Flatten())
            flat = ch * h * w
        elif kind == "globalAveragePooling":
            layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
            flat = ch
        elif kind == "dense":
            if flat is None:
                layers.append(nn.Flatten())
                flat = ch * h * w
            layers.append(nn.Linear(flat, spec["units"]))
            flat = spec["units"]
            # The softmax of the last layer is folded into CrossEntropyLoss below.
            if spec["activation"] == "relu":
                layers.append(nn.ReLU())
        else:
            raise ValueError(f"layer kind {kind} not mirrored in the PyTorch bench")
    return nn.Sequential(*layers)


def main():
    batches = int(sys.argv[1])
    batch = int(sys.argv[2])
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    arch = json.loads(sys.stdin.read())
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = build(arch)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    h, w, c = arch["inputShape"]
    n = (batches + warmup) * batch
    x = torch.rand(n, c, h, w)
    y = torch.randint(0, arch["classes"], (n,))

    def step(i):
        xb, yb = x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss.item()

    model.train()
    for i in range(warmup):
        step(batches + i)
    # Median step time, as bench/train.ts does: robust to other processes' bursts.
    times = []
    for i in range(batches):
        t0 = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"imagesPerSec": batch / statistics.median(times), "torch": torch.__version__,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
