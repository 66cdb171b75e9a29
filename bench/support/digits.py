# scikit-learn's bundled handwritten digits (1,797 images, 8×8, 16 grey levels; no download), written
# to stdout as one line of JSON: {"images": [[64 values 0..16], ...], "labels": [...]}.
import json

from sklearn.datasets import load_digits

d = load_digits()
print(json.dumps({"images": d.images.reshape(len(d.images), 64).astype(int).tolist(), "labels": d.target.tolist()}))
