#!/usr/bin/python3
"""Writes the Keras fixtures the Keras-import tests read, without Keras or TensorFlow.

    apt-get install python3-h5py python3-numpy    # Debian 12: h5py 3.7, numpy 1.24
    cd src/test/resources/keras && /usr/bin/python3 make_fixtures.py

small_cnn.h5: a Sequential conv net on 28x28x1 images in the file layout Keras 2 (tf.keras 2.4)
writes with model.save('small_cnn.h5'): root attributes keras_version, backend, model_config
(and training_config), weights under model_weights/<layer>/<layer>/kernel:0 and bias:0 with
layer_names / weight_names attributes, kernels in Keras order ([kh, kw, in, out] for Conv2D,
[in, out] for Dense), channels_last. The weights are seeded random numbers (not trained): the
test checks that the import reproduces this network's maths, not that it recognises digits.

small_cnn.expected.json: two seeded input images and the class probabilities this script's own
numpy forward pass (the Keras maths: valid cross-correlation, ReLU, 2x2 max pooling, flatten in
H, W, C order, dense, softmax; dropout is the identity at inference) computes for them.

bn_gap_cnn.h5 / .expected.json: the same for a net with 'same' padding, BatchNormalization (inference:
moving statistics, epsilon 0.001) and GlobalAveragePooling2D instead of Flatten.

functional.h5: a tiny Keras functional model (class_name "Functional"), which the trainer refuses.
"""
import json

import h5py
import numpy as np

KERAS_VERSION = b"2.4.0"
BACKEND = b"tensorflow"
rng = np.random.default_rng(20261130)


def conv(name, filters, padding="valid"):
    config = {"name": name, "trainable": True, "dtype": "float32", "filters": filters, "kernel_size": [3, 3],
              "strides": [1, 1], "padding": padding, "data_format": "channels_last", "dilation_rate": [1, 1],
              "groups": 1, "activation": "relu", "use_bias": True,
              "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
              "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
              "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
              "bias_constraint": None}
    return {"class_name": "Conv2D", "config": config}


def pool(name):
    return {"class_name": "MaxPooling2D", "config": {"name": name, "trainable": True, "dtype": "float32",
                                                     "pool_size": [2, 2], "padding": "valid", "strides": [2, 2],
                                                     "data_format": "channels_last"}}


def dense(name, units, activation):
    return {"class_name": "Dense", "config": {
        "name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation,
        "use_bias": True, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}}


def batch_norm(name):
    zeros = {"class_name": "Zeros", "config": {}}
    ones = {"class_name": "Ones", "config": {}}
    return {"class_name": "BatchNormalization", "config": {
        "name": name, "trainable": True, "dtype": "float32", "axis": [3], "momentum": 0.99, "epsilon": 0.001,
        "center": True, "scale": True, "beta_initializer": zeros, "gamma_initializer": ones,
        "moving_mean_initializer": zeros, "moving_variance_initializer": ones, "beta_regularizer": None,
        "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}}


def input_layer():
    return {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 28, 28, 1], "dtype": "float32",
                                                   "sparse": False, "ragged": False, "name": "conv2d_input"}}


def write(path, model_config, weights):
    """weights: (layer name, [(weight name, array)]) in layer order, as Keras' save_weights_to_hdf5_group."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["backend"] = BACKEND
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        f.attrs["training_config"] = json.dumps({
            "loss": "categorical_crossentropy", "metrics": ["accuracy"], "weighted_metrics": None,
            "loss_weights": None, "optimizer_config": {"class_name": "Adam", "config": {
                "name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999,
                "epsilon": 1e-07, "amsgrad": False}}}).encode("utf8")
        group = f.create_group("model_weights")
        group.attrs["keras_version"] = KERAS_VERSION
        group.attrs["backend"] = BACKEND
        group.attrs["layer_names"] = np.array([name.encode("utf8") for name, _ in weights])
        for name, arrays in weights:
            layer = group.create_group(name)
            names = [f"{name}/{weight}:0".encode("utf8") for weight, _ in arrays]
            layer.attrs["weight_names"] = np.array(names, dtype="S" + str(max([len(n) for n in names], default=1)))
            for weight, value in arrays:
                layer.create_dataset(f"{name}/{weight}:0", data=value.astype(np.float32))


def glorot(shape, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


def small_cnn():
    k1 = glorot((3, 3, 1, 4), 9, 36)
    b1 = rng.uniform(-0.1, 0.1, 4).astype(np.float32)
    k2 = glorot((3, 3, 4, 8), 36, 72)
    b2 = rng.uniform(-0.1, 0.1, 8).astype(np.float32)
    k3 = glorot((5 * 5 * 8, 16), 200, 16)
    b3 = rng.uniform(-0.1, 0.1, 16).astype(np.float32)
    k4 = glorot((16, 10), 16, 10)
    b4 = rng.uniform(-0.1, 0.1, 10).astype(np.float32)
    layers = [
        input_layer(),
        conv("conv2d", 4), pool("max_pooling2d"), conv("conv2d_1", 8), pool("max_pooling2d_1"),
        {"class_name": "Flatten", "config": {"name": "flatten", "trainable": True, "dtype": "float32",
                                             "data_format": "channels_last"}},
        dense("dense", 16, "relu"),
        {"class_name": "Dropout", "config": {"name": "dropout", "trainable": True, "dtype": "float32",
                                             "rate": 0.5, "noise_shape": None, "seed": None}},
        dense("dense_1", 10, "softmax"),
    ]
    model_config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
    write("small_cnn.h5", model_config, [
        ("conv2d", [("kernel", k1), ("bias", b1)]), ("max_pooling2d", []),
        ("conv2d_1", [("kernel", k2), ("bias", b2)]), ("max_pooling2d_1", []), ("flatten", []),
        ("dense", [("kernel", k3), ("bias", b3)]), ("dropout", []), ("dense_1", [("kernel", k4), ("bias", b4)])])

    images = rng.uniform(0, 1, size=(2, 28, 28, 1)).astype(np.float32)
    expected = np.stack([forward(image, k1, b1, k2, b2, k3, b3, k4, b4) for image in images])
    write_expected("small_cnn.expected.json", images, expected)


def bn_gap_cnn():
    k1 = glorot((3, 3, 1, 4), 9, 36)
    b1 = rng.uniform(-0.1, 0.1, 4).astype(np.float32)
    gamma = rng.uniform(0.5, 1.5, 4).astype(np.float32)
    beta = rng.uniform(-0.2, 0.2, 4).astype(np.float32)
    mean = rng.uniform(0, 0.3, 4).astype(np.float32)
    variance = rng.uniform(0.05, 0.2, 4).astype(np.float32)
    k2 = glorot((3, 3, 4, 8), 36, 72)
    b2 = rng.uniform(-0.1, 0.1, 8).astype(np.float32)
    k3 = glorot((8, 10), 8, 10) * 4
    b3 = rng.uniform(-0.1, 0.1, 10).astype(np.float32)
    layers = [
        input_layer(), conv("conv2d", 4, "same"), batch_norm("batch_normalization"), pool("max_pooling2d"),
        conv("conv2d_1", 8),
        {"class_name": "GlobalAveragePooling2D", "config": {"name": "global_average_pooling2d", "trainable": True,
                                                            "dtype": "float32", "data_format": "channels_last"}},
        dense("dense", 10, "softmax"),
    ]
    model_config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
    write("bn_gap_cnn.h5", model_config, [
        ("conv2d", [("kernel", k1), ("bias", b1)]),
        ("batch_normalization", [("gamma", gamma), ("beta", beta), ("moving_mean", mean),
                                 ("moving_variance", variance)]),
        ("max_pooling2d", []), ("conv2d_1", [("kernel", k2), ("bias", b2)]), ("global_average_pooling2d", []),
        ("dense", [("kernel", k3), ("bias", b3)])])

    images = rng.uniform(0, 1, size=(2, 28, 28, 1)).astype(np.float32)
    expected = []
    for image in images:
        x = conv2d_valid_relu(np.pad(image.astype(np.float64), ((1, 1), (1, 1), (0, 0))), k1, b1)
        x = (x - mean) / np.sqrt(variance + 0.001) * gamma + beta
        x = conv2d_valid_relu(max_pool(x), k2, b2).mean(axis=(0, 1))
        expected.append(softmax(x @ k3 + b3))
    write_expected("bn_gap_cnn.expected.json", images, np.stack(expected))


def write_expected(path, images, probabilities):
    with open(path, "w") as f:
        json.dump({"input_shape": [28, 28, 1], "images_hwc": images.reshape(len(images), -1).tolist(),
                   "probabilities": probabilities.tolist()}, f)


def softmax(logits):
    e = np.exp(logits - logits.max())
    return e / e.sum()


def conv2d_valid_relu(x, kernel, bias):
    h, w, _ = x.shape
    kh, kw, _, out = kernel.shape
    y = np.zeros((h - kh + 1, w - kw + 1, out), dtype=np.float64)
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            y[i, j] = np.tensordot(x[i:i + kh, j:j + kw, :], kernel, axes=([0, 1, 2], [0, 1, 2]))
    return np.maximum(y + bias, 0)


def max_pool(x):
    h, w, c = x.shape
    h, w = h // 2, w // 2
    return x[:2 * h, :2 * w].reshape(h, 2, w, 2, c).max(axis=(1, 3))


def forward(image, k1, b1, k2, b2, k3, b3, k4, b4):
    x = max_pool(conv2d_valid_relu(image.astype(np.float64), k1, b1))
    x = max_pool(conv2d_valid_relu(x, k2, b2))
    x = np.maximum(x.reshape(-1) @ k3 + b3, 0)
    return softmax(x @ k4 + b4)


def functional():
    model_config = {"class_name": "Functional", "config": {
        "name": "model", "layers": [
            {"class_name": "InputLayer", "name": "input_1", "config": {
                "batch_input_shape": [None, 4], "dtype": "float32", "sparse": False, "ragged": False,
                "name": "input_1"}, "inbound_nodes": []},
            dict(dense("dense", 2, "softmax"), name="dense", inbound_nodes=[[["input_1", 0, 0, {}]]])],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}}
    write("functional.h5", model_config, [("input_1", []), ("dense", [("kernel", glorot((4, 2), 4, 2)),
                                                                      ("bias", np.zeros(2))])])


if __name__ == "__main__":
    small_cnn()
    functional()
    bn_gap_cnn()
