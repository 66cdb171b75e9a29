"""Baselines for bench/quality.ts: what a practitioner gets from a few lines of scikit-learn or PyTorch.

Usage: python3 bench/quality_baselines.py <data_dir> [--only logreg,svc,torchCnn] [--epochs N]
<data_dir> holds train_x.npy / test_x.npy (uint8, N x H x W x C, the exact pixels Percept was given,
JPEG images already decoded) and train_y.npy / test_y.npy (class indices). Every model is fitted on
all of train_x and scored on test_x:
  logreg    scikit-learn LogisticRegression(max_iter=1000) on pixels scaled to [0, 1]
  svc       scikit-learn SVC() (RBF kernel, C=1, gamma='scale') on pixels scaled to [0, 1]; a bigger
            kernel cache than the default only makes it faster, the model is the same
  torchCnn  PyTorch, one thread, seeded: conv 3x3 32 -> max-pool -> conv 3x3 64 -> max-pool ->
            dense 128 -> dropout 0.5 -> classes, inputs standardised with the training set's
            mean and std; Adam with a one-cycle learning-rate schedule (peak 3e-3), batch 64, no
            augmentation, 40 epochs on 1,000 images or fewer down to 15 on 60,000 (--epochs to override)
Run it with one BLAS thread (OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1), as bench/quality.ts does.
Progress goes to stderr; the last stdout line is one JSON object:
{"logreg": {"accuracy", "trainSeconds", "predictSeconds"}, "svc": {...}, "torchCnn": {..., "epochs"},
 "versions": {...}}; a model that could not run gives {"error": "..."} in its place.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np


def log(line):
    print(line, file=sys.stderr, flush=True)


def load(data_dir):
    d = {name: np.load(os.path.join(data_dir, f"{name}.npy")) for name in ("train_x", "train_y", "test_x", "test_y")}
    for part in ("train", "test"):
        if d[f"{part}_x"].ndim != 4 or len(d[f"{part}_x"]) != len(d[f"{part}_y"]):
            raise ValueError(f"{part}_x must be N x H x W x C with one label per image")
    return d


def flat01(x):
    return x.reshape(len(x), -1).astype(np.float32) / 255.0


def sklearn_model(name, d):
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    model = LogisticRegression(max_iter=1000) if name == "logreg" else SVC(cache_size=1000)
    x_train, x_test = flat01(d["train_x"]), flat01(d["test_x"])
    t0 = time.perf_counter()
    model.fit(x_train, d["train_y"])
    t1 = time.perf_counter()
    predicted = model.predict(x_test)
    t2 = time.perf_counter()
    out = {"accuracy": float(np.mean(predicted == d["test_y"])), "trainSeconds": t1 - t0, "predictSeconds": t2 - t1}
    if name == "logreg":
        out["iterations"] = int(np.max(model.n_iter_))
    else:
        out["supportVectors"] = int(model.support_.shape[0])
    return out


def default_epochs(n):
    """40 epochs on 1,000 images or fewer, 30 on 5,000, 15 on 60,000 (fewer passes over more data)."""
    return int(min(40, max(15, round(40 - 14 * math.log10(max(n, 1000) / 1000)))))


def torch_cnn(d, epochs=None, seed=0):
    import torch
    import torch.nn as nn

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    classes = int(max(d["train_y"].max(), d["test_y"].max())) + 1
    _, h, w, c = d["train_x"].shape

    def tensor(x):  # NHWC uint8 -> NCHW float in [0, 1]
        return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).float().div_(255.0)

    x_train, x_test = tensor(d["train_x"]), tensor(d["test_x"])
    mean = x_train.mean(dim=(0, 2, 3), keepdim=True)
    std = x_train.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    y_train = torch.from_numpy(d["train_y"].astype(np.int64))
    y_test = torch.from_numpy(d["test_y"].astype(np.int64))

    model = nn.Sequential(
        nn.Conv2d(c, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * (h // 4) * (w // 4), 128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, classes),
    )
    n, batch = len(x_train), 64
    epochs = epochs or default_epochs(n)
    steps_per_epoch = math.ceil(n / batch)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, epochs=epochs, steps_per_epoch=steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(seed)

    t0 = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n, generator=shuffle)
        total = 0.0
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
            schedule.step()
            total += loss.item() * len(idx)
        if epoch == 0 or (epoch + 1) % 5 == 0 or epoch + 1 == epochs:
            log(f"    torchCnn epoch {epoch + 1}/{epochs}: loss {total / n:.4f}, {time.perf_counter() - t0:.1f} s")
    t1 = time.perf_counter()
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(x_test[i:i + 1000]).argmax(1) for i in range(0, len(x_test), 1000)])
    t2 = time.perf_counter()
    return {"accuracy": float((predicted == y_test).float().mean()), "trainSeconds": t1 - t0, "predictSeconds": t2 - t1,
            "epochs": epochs, "threads": torch.get_num_threads()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir")
    parser.add_argument("--only", default="logreg,svc,torchCnn", help="comma-separated: logreg, svc, torchCnn")
    parser.add_argument("--epochs", type=int, default=None, help="torchCnn epochs (default: by data size)")
    args = parser.parse_args()
    d = load(args.data_dir)
    log(f"  baselines: {len(d['train_x'])} training and {len(d['test_x'])} test images, "
        f"{'x'.join(map(str, d['train_x'].shape[1:]))}")
    versions = {"python": sys.version.split()[0], "numpy": np.__version__}
    result = {}
    for name in [s.strip() for s in args.only.split(",") if s.strip()]:
        try:
            if name in ("logreg", "svc"):
                import sklearn
                versions["sklearn"] = sklearn.__version__
                result[name] = sklearn_model(name, d)
            elif name == "torchCnn":
                import torch
                versions["torch"] = torch.__version__
                result[name] = torch_cnn(d, args.epochs)
            else:
                raise ValueError(f"unknown baseline {name}")
            r = result[name]
            log(f"  {name}: accuracy {r['accuracy']:.4f}, trained in {r['trainSeconds']:.1f} s, "
                f"predicted in {r['predictSeconds']:.1f} s")
        except Exception as e:  # noqa: BLE001 - one failed baseline should not lose the others
            result[name] = {"error": f"{type(e).__name__}: {e}"}
            log(f"  {name}: failed: {result[name]['error']}")
    result["versions"] = versions
    print(json.dumps(result))


if __name__ == "__main__":
    main()
