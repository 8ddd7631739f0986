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

functional.h5: a tiny Keras functional model (class_name "Functional") on 4 numbers, not images.

mobilenet_v2_like.h5, resnet_like.h5, vgg_like.h5 / .expected.json: functional models (a graph of layers, each
with its inbound_nodes; input_layers / output_layers) made of the building blocks of keras.applications'
MobileNetV2, ResNet50 and VGG16 at a small width, on 32x32x3 images in [-1, 1], saved as Keras saves them:
class_name "Functional" (tf.keras >= 2.4) or "Model" (earlier; resnet_like, which was also compiled, so it
carries a training_config), layer names as keras.applications gives them. The expected probabilities come
from a numpy forward pass along the same graph (class Functional).

applications.py writes full-size keras.applications models with this builder and these blocks.

concatenate.h5: a functional model with Concatenate, a layer the trainer does not take.

weights_only.h5: what model.save_weights() writes, weights without a model.
"""
import json

import h5py
import numpy as np

KERAS_VERSION = b"2.4.0"
BACKEND = b"tensorflow"
rng = np.random.default_rng(20261130)


def conv(name, filters, padding="valid", size=3, strides=1, activation="relu", use_bias=True):
    config = {"name": name, "trainable": True, "dtype": "float32", "filters": filters, "kernel_size": [size, size],
              "strides": [strides, strides], "padding": padding, "data_format": "channels_last",
              "dilation_rate": [1, 1], "groups": 1, "activation": activation, "use_bias": use_bias,
              "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
              "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
              "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
              "bias_constraint": None}
    return {"class_name": "Conv2D", "config": config}


def pool(name, size=2):
    return {"class_name": "MaxPooling2D", "config": {"name": name, "trainable": True, "dtype": "float32",
                                                     "pool_size": [size, size], "padding": "valid",
                                                     "strides": [2, 2], "data_format": "channels_last"}}


def dense(name, units, activation):
    return {"class_name": "Dense", "config": {
        "name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation,
        "use_bias": True, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}}


def batch_norm(name, epsilon=0.001, momentum=0.99):
    zeros = {"class_name": "Zeros", "config": {}}
    ones = {"class_name": "Ones", "config": {}}
    return {"class_name": "BatchNormalization", "config": {
        "name": name, "trainable": True, "dtype": "float32", "axis": [3], "momentum": momentum, "epsilon": epsilon,
        "center": True, "scale": True, "beta_initializer": zeros, "gamma_initializer": ones,
        "moving_mean_initializer": zeros, "moving_variance_initializer": ones, "beta_regularizer": None,
        "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}}


def input_layer():
    return {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 28, 28, 1], "dtype": "float32",
                                                   "sparse": False, "ragged": False, "name": "conv2d_input"}}


def write(path, model_config, weights, compiled=True):
    """weights: (layer name, [(weight name, array)]) in layer order, as Keras' save_weights_to_hdf5_group.
    compiled: whether model.compile() ran before model.save(), which adds the training_config attribute."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["backend"] = BACKEND
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        if compiled:
            f.attrs["training_config"] = json.dumps({
                "loss": "categorical_crossentropy", "metrics": ["accuracy"], "weighted_metrics": None,
                "loss_weights": None, "optimizer_config": {"class_name": "Adam", "config": {
                    "name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999,
                    "epsilon": 1e-07, "amsgrad": False}}}).encode("utf8")
        write_weights(f.create_group("model_weights"), weights)


def write_weights(group, weights):
    group.attrs["keras_version"] = KERAS_VERSION
    group.attrs["backend"] = BACKEND
    group.attrs["layer_names"] = np.array([name.encode("utf8") for name, _ in weights])
    for name, arrays in weights:
        layer = group.create_group(name)
        names = [f"{name}/{weight}:0".encode("utf8") for weight, _ in arrays]
        layer.attrs["weight_names"] = np.array(names, dtype="S" + str(max([len(n) for n in names], default=1)))
        for weight, value in arrays:
            layer.create_dataset(f"{name}/{weight}:0", data=value.astype(np.float32))


def weights_only():
    """What model.save_weights('x.h5') writes: the weights at the file's root, no model_config."""
    with h5py.File("weights_only.h5", "w") as f:
        write_weights(f, [("dense", [("kernel", np.zeros((4, 2))), ("bias", np.zeros(2))])])


class RandomWeights:
    """The fixtures' seeded weights: Glorot-uniform kernels (Keras' default), and biases and batch-normalisation
    parameters drawn around their initial values so that a bias or statistic the import drops shows."""

    def __init__(self, generator):
        self.rng = generator

    def kernel(self, shape, fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return self.rng.uniform(-limit, limit, size=shape).astype(np.float32)

    def bias(self, units):
        return self.rng.uniform(-0.1, 0.1, units).astype(np.float32)

    def batch_norm(self, channels):
        """gamma, beta, moving mean, moving variance"""
        return [self.rng.uniform(low, high, channels).astype(np.float32)
                for low, high in ((0.5, 1.5), (-0.2, 0.2), (-0.2, 0.2), (0.5, 1.5))]


FIXTURE_WEIGHTS = RandomWeights(rng)


def glorot(shape, fan_in, fan_out):
    return FIXTURE_WEIGHTS.kernel(shape, fan_in, fan_out)


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
        json.dump({"input_shape": list(images.shape[1:]), "images_hwc": images.reshape(len(images), -1).tolist(),
                   "probabilities": probabilities.tolist()}, f)


def softmax(logits):
    e = np.exp(logits - logits.max())
    return e / e.sum()


def conv2d_valid_relu(x, kernel, bias):
    return np.maximum(convolve(x, kernel, bias), 0)


def convolve(x, kernel, bias, strides=1, padding="valid"):
    """Keras' Conv2D on one H, W, C map: cross-correlation."""
    return sliding(x, kernel.shape[0], strides, padding,
                   lambda windows: np.tensordot(windows, kernel, axes=3)) + bias


def depthwise(x, kernel, strides=1, padding="valid"):
    """Keras' DepthwiseConv2D (depth multiplier 1, no bias): each channel convolved with its own kernel."""
    return sliding(x, kernel.shape[0], strides, padding,
                   lambda windows: (windows * kernel[:, :, :, 0]).sum(axis=(2, 3)))


def max_pool(x, size=2):
    return sliding(x, size, 2, "valid", lambda windows: windows.max(axis=(2, 3)))


def sliding(x, size, strides, padding, maths):
    """maths of the size x size windows of the H, W, C map x, an array (rows, columns, size, size, C) of them by
    window position; 'same' padding as TensorFlow pads (the odd pixel at the bottom and right)."""
    if padding == "same":
        total = max((-(-x.shape[0] // strides) - 1) * strides + size - x.shape[0], 0)
        x = np.pad(x, ((total // 2, total - total // 2), (total // 2, total - total // 2), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(x, (size, size), axis=(0, 1))[::strides, ::strides]
    return maths(windows.transpose(0, 1, 3, 4, 2))


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


class Functional:
    """A Keras functional model being built: each layer's config with its inbound node (the layers it is called
    on), its weights, and its maths in numpy, so the forward pass follows the graph the file describes."""

    def __init__(self, name, shape, weights=FIXTURE_WEIGHTS):
        self.name = name
        self.random = weights
        self.shapes = {"input_1": tuple(shape)}
        self.layers = [{"class_name": "InputLayer", "config": {
            "batch_input_shape": [None, *shape], "dtype": "float32", "sparse": False, "ragged": False,
            "name": "input_1"}, "name": "input_1", "inbound_nodes": []}]
        self.weights = [("input_1", [])]
        self.maths = []

    def __call__(self, layer, inputs, maths, weights=()):
        """Calls layer on inputs (layer names); maths computes its output from theirs. Returns its name."""
        name = layer["config"]["name"]
        self.layers.append(dict(layer, name=name, inbound_nodes=[[[i, 0, 0, {}] for i in inputs]]))
        self.weights.append((name, list(weights)))
        self.maths.append((name, inputs, maths))
        self.shapes[name] = maths(*[np.zeros(self.shapes[i]) for i in inputs]).shape
        return name

    def save(self, path, class_name, compiled):
        config = {"name": self.name, "layers": self.layers, "input_layers": [["input_1", 0, 0]],
                  "output_layers": [[self.maths[-1][0], 0, 0]]}
        write(path, {"class_name": class_name, "config": config}, self.weights, compiled)

    def forward(self, image):
        return self.outputs(image)[self.maths[-1][0]]

    def outputs(self, image):
        values = {"input_1": image.astype(np.float64)}
        for name, inputs, maths in self.maths:
            values[name] = maths(*[values[i] for i in inputs])
        return values

    def conv(self, x, name, filters, size=1, strides=1, padding="same", use_bias=True, scale=1,
             activation="linear"):
        kernel = self.random.kernel((size, size, self.channels(x), filters), size * size * self.channels(x),
                                    filters) * scale
        bias = self.random.bias(filters) if use_bias else np.zeros(filters)
        weights = [("kernel", kernel), ("bias", bias)] if use_bias else [("kernel", kernel)]
        return self(conv(name, filters, padding, size, strides, activation, use_bias), [x],
                    lambda v: ACTIVATIONS[activation](convolve(v, kernel, bias, strides, padding)), weights)

    def depthwise(self, x, name, strides=1, padding="same"):
        kernel = self.random.kernel((3, 3, self.channels(x), 1), 9, 9)
        config = {"name": name, "trainable": True, "dtype": "float32", "kernel_size": [3, 3],
                  "strides": [strides, strides], "padding": padding, "data_format": "channels_last",
                  "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": False,
                  "bias_initializer": {"class_name": "Zeros", "config": {}}, "bias_regularizer": None,
                  "activity_regularizer": None, "bias_constraint": None, "depth_multiplier": 1,
                  "depthwise_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                  "depthwise_regularizer": None, "depthwise_constraint": None}
        return self({"class_name": "DepthwiseConv2D", "config": config}, [x],
                    lambda v: depthwise(v, kernel, strides, padding), [("depthwise_kernel", kernel)])

    def batch_norm(self, x, name, epsilon, momentum=0.999):
        gamma, beta, mean, variance = self.random.batch_norm(self.channels(x))
        return self(batch_norm(name, epsilon, momentum), [x],
                    lambda v: (v - mean) / np.sqrt(variance + np.float32(epsilon)) * gamma + beta,
                    [("gamma", gamma), ("beta", beta), ("moving_mean", mean), ("moving_variance", variance)])

    def relu6(self, x, name):
        return self(simple_layer("ReLU", name, max_value=6.0, negative_slope=0.0, threshold=0.0), [x],
                    lambda v: np.clip(v, 0, 6))

    def relu(self, x, name):
        return self(simple_layer("Activation", name, activation="relu"), [x], lambda v: np.maximum(v, 0))

    def zero_padding(self, x, name, top_left, bottom_right):
        padding = ((top_left, bottom_right), (top_left, bottom_right))
        return self(simple_layer("ZeroPadding2D", name, padding=padding, data_format="channels_last"), [x],
                    lambda v: np.pad(v, (*padding, (0, 0))))

    def add(self, x, y, name):
        return self(simple_layer("Add", name), [x, y], lambda a, b: a + b)

    def max_pool(self, x, name, size=3):
        return self(pool(name, size), [x], lambda v: max_pool(v, size))

    def global_average(self, x, name):
        return self(simple_layer("GlobalAveragePooling2D", name, data_format="channels_last"), [x],
                    lambda v: v.mean(axis=(0, 1)))

    def dense(self, x, name, units, activation, scale=1):
        """scale: of the kernel; the fixtures' softmax classifiers take 4, for probabilities far enough apart."""
        kernel = self.random.kernel((self.channels(x), units), self.channels(x), units) * scale
        bias = self.random.bias(units)
        return self(dense(name, units, activation), [x], lambda v: ACTIVATIONS[activation](v @ kernel + bias),
                    [("kernel", kernel), ("bias", bias)])

    def flatten(self, x, name):
        return self(simple_layer("Flatten", name, data_format="channels_last"), [x], lambda v: v.reshape(-1))

    def channels(self, x):
        """The size of the last axis of layer x's output (channels, or features after Flatten)."""
        return self.shapes[x][-1]


ACTIVATIONS = {"linear": lambda z: z, "relu": lambda z: np.maximum(z, 0), "softmax": lambda z: softmax(z)}


def simple_layer(class_name, name, **config):
    return {"class_name": class_name, "config": {"name": name, "trainable": True, "dtype": "float32", **config}}


def mobilenet_v2():
    """The building blocks of keras.applications.MobileNetV2 (tf.keras 2.4) at a small width: a 'same'-padded
    stride-2 stem, an inverted residual block that halves the map through ZeroPadding2D(((0, 1), (0, 1))) and a
    'valid' stride-2 depthwise convolution, one with the Add skip connection, ReLU(6.), no biases before BN."""
    model = Functional("mobilenetv2_0.10_32", (32, 32, 3))
    x = model.conv("input_1", "Conv1", 8, 3, strides=2, use_bias=False, scale=4)  # large enough for ReLU6 to clip
    x = model.relu6(model.batch_norm(x, "bn_Conv1", 0.001), "Conv1_relu")
    x = model.relu6(model.batch_norm(model.depthwise(x, "expanded_conv_depthwise"),
                                     "expanded_conv_depthwise_BN", 0.001), "expanded_conv_depthwise_relu")
    x = model.batch_norm(model.conv(x, "expanded_conv_project", 8, use_bias=False), "expanded_conv_project_BN",
                         0.001)
    x = inverted_residual(model, x, 1, 12, strides=2, expansion=3)
    x = inverted_residual(model, x, 2, 12, strides=1, expansion=3)  # with the Add: as many channels out as in
    x = model.relu6(model.batch_norm(model.conv(x, "Conv_1", 32, use_bias=False), "Conv_1_bn", 0.001),
                    "out_relu")
    model.dense(model.global_average(x, "global_average_pooling2d"), "predictions", 5, "softmax", scale=4)
    return model


def inverted_residual(model, inputs, block, filters, strides, expansion):
    """keras.applications.mobilenet_v2._inverted_res_block for block > 0 (block 0 has no expansion): a stride-2
    depthwise convolution is 'valid' after imagenet_utils.correct_pad's ZeroPadding2D, which pads one more pixel
    at the bottom and right of an even map."""
    prefix = f"block_{block}_"
    x = model.relu6(model.batch_norm(model.conv(inputs, prefix + "expand", expansion * model.channels(inputs),
                                                use_bias=False), prefix + "expand_BN", 0.001), prefix + "expand_relu")
    if strides == 2:
        odd = model.shapes[x][0] % 2
        x = model.depthwise(model.zero_padding(x, prefix + "pad", odd, 1), prefix + "depthwise", 2, "valid")
    else:
        x = model.depthwise(x, prefix + "depthwise")
    x = model.relu6(model.batch_norm(x, prefix + "depthwise_BN", 0.001), prefix + "depthwise_relu")
    x = model.batch_norm(model.conv(x, prefix + "project", filters, use_bias=False), prefix + "project_BN", 0.001)
    if strides == 1 and model.channels(inputs) == filters:
        return model.add(inputs, x, prefix + "add")
    return x


def resnet():
    """The building blocks of keras.applications.ResNet50 at a small width: the padded 7x7 stride-2 stem, padded
    3x3 stride-2 max pooling, bottleneck blocks with a projection shortcut (stride 1 and 2) or the identity."""
    model = Functional("resnet_32", (32, 32, 3))
    x = resnet_stem(model, 8, momentum=0.999)
    x = bottleneck(model, x, "conv2_block1", 4, 1, projection=True, momentum=0.999)
    x = bottleneck(model, x, "conv2_block2", 4, 1, projection=False, momentum=0.999)
    x = bottleneck(model, x, "conv3_block1", 8, 2, projection=True, momentum=0.999)
    model.dense(model.global_average(x, "avg_pool"), "predictions", 5, "softmax", scale=4)
    return model


def resnet_stem(model, filters, momentum):
    """keras.applications.resnet.ResNet up to its stacks (momentum: its BatchNormalization's, Keras' 0.99)."""
    x = model.zero_padding("input_1", "conv1_pad", 3, 3)
    x = model.relu(model.batch_norm(model.conv(x, "conv1_conv", filters, 7, 2, "valid"), "conv1_bn", 1.001e-5,
                                    momentum), "conv1_relu")
    return model.max_pool(model.zero_padding(x, "pool1_pad", 1, 1), "pool1_pool")


def bottleneck(model, x, name, filters, strides, projection, momentum):
    """keras.applications.resnet.block1; projection: its conv_shortcut."""
    def normalised(conv, suffix):
        return model.batch_norm(conv, name + suffix, 1.001e-5, momentum)

    shortcut = x
    if projection:
        shortcut = normalised(model.conv(x, name + "_0_conv", 4 * filters, 1, strides, "valid"), "_0_bn")
    x = model.relu(normalised(model.conv(x, name + "_1_conv", filters, 1, strides, "valid"), "_1_bn"),
                   name + "_1_relu")
    x = model.relu(normalised(model.conv(x, name + "_2_conv", filters, 3), "_2_bn"), name + "_2_relu")
    x = normalised(model.conv(x, name + "_3_conv", 4 * filters, 1, 1, "valid"), "_3_bn")
    return model.relu(model.add(shortcut, x, name + "_add"), name + "_out")


def vgg():
    """The building blocks of keras.applications.VGG16: 'same' 3x3 convolutions with ReLU inside, 2x2 max
    pooling, Flatten (H, W, C order) and Dense layers."""
    model = Functional("vgg_32", (32, 32, 3))
    x = model.conv("input_1", "block1_conv1", 8, 3, activation="relu")
    x = model.max_pool(model.conv(x, "block1_conv2", 8, 3, activation="relu"), "block1_pool", 2)
    x = model.max_pool(model.conv(x, "block2_conv1", 16, 3, activation="relu"), "block2_pool", 2)
    x = model.dense(model.flatten(x, "flatten"), "fc1", 16, "relu")
    model.dense(x, "predictions", 5, "softmax", scale=4)
    return model


def concatenating():
    """A functional model with a layer the trainer does not take: Concatenate (as DenseNet and Inception use)."""
    model = Functional("concatenating", (32, 32, 3))
    x = model.conv("input_1", "conv_a", 4, 3)
    y = model.conv("input_1", "conv_b", 4, 3)
    x = model(simple_layer("Concatenate", "concatenate", axis=-1), [x, y], lambda a, b: np.concatenate([a, b], -1))
    model.dense(model.global_average(x, "avg_pool"), "predictions", 5, "softmax", scale=4)
    return model


def functional_fixture(name, model, class_name, compiled):
    """name.h5 and name.expected.json for two seeded images in [-1, 1] (keras.applications' preprocessing)."""
    model.save(name + ".h5", class_name, compiled)
    images = rng.uniform(-1, 1, size=(2, 32, 32, 3)).astype(np.float32)
    write_expected(name + ".expected.json", images, np.stack([model.forward(image) for image in images]))


if __name__ == "__main__":
    small_cnn()
    functional()
    bn_gap_cnn()
    functional_fixture("mobilenet_v2_like", mobilenet_v2(), "Functional", compiled=False)
    functional_fixture("resnet_like", resnet(), "Model", compiled=True)
    functional_fixture("vgg_like", vgg(), "Functional", compiled=False)
    concatenating().save("concatenate.h5", "Functional", compiled=False)
    weights_only()
