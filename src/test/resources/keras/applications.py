#!/usr/bin/python3
"""Writes keras.applications' MobileNetV2 and ResNet50 as model.save('x.h5') (tf.keras 2.4) gives them, with seeded
random weights instead of the ImageNet ones, without Keras: make_fixtures.py's Functional builder at full size.

    /usr/bin/python3 applications.py OUT_DIR [--classes N] [--size 224] [--expected]

mobilenet_v2.h5: MobileNetV2(alpha=1.0, input_shape=(size, size, 3), include_top=False, pooling='avg') followed by
Dense(N, activation='softmax', name='predictions'), which is what MobileNetV2(weights=None, classes=N) builds:
the layer graph, names and configs of tf.keras 2.4's keras/applications/mobilenet_v2.py ('same'-padded stride-2
Conv1, expanded_conv_ then block_1_ ... block_16_, ZeroPadding2D block_N_pad before each stride-2 depthwise
convolution, Conv_1, out_relu, global_average_pooling2d). 2,257,984 parameters without the Dense.

resnet50.h5: ResNet50(include_top=False, pooling='avg', input_shape=(size, size, 3)) followed by the same Dense, as
ResNet50(weights=None, classes=N) builds it from keras/applications/resnet.py (conv1_pad ... pool1_pool,
conv2_block1_0_conv ... conv5_block3_out, avg_pool). 23,587,712 parameters without the Dense.

--expected: also NAME.expected.json (as make_fixtures.py writes them) with two seeded images in [-1, 1] and the
probabilities a numpy forward pass along the same graph computes for them.
"""
import argparse
import os

import numpy as np

import make_fixtures as keras

SEED = 20261204


class HeWeights(keras.RandomWeights):
    """He-normal kernels (the variance a ReLU network keeps layer to layer), moving statistics near Keras' initial
    0 and 1, gammas of 0.5 to 1 (ResNet's skip connections add up the variance of the blocks: with gammas around 1
    the logits are in the hundreds), the classifier Glorot-uniform: finite activations, and probabilities neither
    one-hot nor uniform."""

    def kernel(self, shape, fan_in, fan_out):
        if len(shape) == 2:  # the Dense classifier
            return super().kernel(shape, fan_in, fan_out)
        return self.rng.normal(0, np.sqrt(2.0 / fan_in), size=shape).astype(np.float32)

    def bias(self, units):
        return self.rng.normal(0, 0.01, units).astype(np.float32)

    def batch_norm(self, channels):
        """gamma, beta, moving mean, moving variance"""
        return [self.rng.uniform(low, high, channels).astype(np.float32)
                for low, high in ((0.5, 1.0), (-0.1, 0.1), (-0.1, 0.1), (0.8, 1.2))]


def mobilenet_v2(size, classes, weights):
    model = keras.Functional(f"mobilenetv2_1.00_{size if size in (96, 128, 160, 192, 224) else 224}",
                             (size, size, 3), weights)
    x = model.conv("input_1", "Conv1", 32, 3, strides=2, use_bias=False)
    x = model.relu6(model.batch_norm(x, "bn_Conv1", 0.001), "Conv1_relu")
    x = model.relu6(model.batch_norm(model.depthwise(x, "expanded_conv_depthwise"),
                                     "expanded_conv_depthwise_BN", 0.001), "expanded_conv_depthwise_relu")
    x = model.batch_norm(model.conv(x, "expanded_conv_project", 16, use_bias=False), "expanded_conv_project_BN",
                         0.001)
    block = 1
    for filters, strides, repeats in ((24, 2, 2), (32, 2, 3), (64, 2, 4), (96, 1, 3), (160, 2, 3), (320, 1, 1)):
        for repeat in range(repeats):
            x = keras.inverted_residual(model, x, block, filters, strides if repeat == 0 else 1, expansion=6)
            block += 1
    x = model.relu6(model.batch_norm(model.conv(x, "Conv_1", 1280, use_bias=False), "Conv_1_bn", 0.001),
                    "out_relu")
    model.dense(model.global_average(x, "global_average_pooling2d"), "predictions", classes, "softmax")
    return model


def resnet50(size, classes, weights):
    model = keras.Functional("resnet50", (size, size, 3), weights)
    x = keras.resnet_stem(model, 64, momentum=0.99)
    for stack, filters, blocks, strides in (("conv2", 64, 3, 1), ("conv3", 128, 4, 2), ("conv4", 256, 6, 2),
                                            ("conv5", 512, 3, 2)):
        for block in range(1, blocks + 1):
            first = block == 1
            x = keras.bottleneck(model, x, f"{stack}_block{block}", filters, strides if first else 1,
                                 projection=first, momentum=0.99)
    model.dense(model.global_average(x, "avg_pool"), "predictions", classes, "softmax")
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--expected", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    rng = np.random.default_rng(SEED)
    for name, build in (("mobilenet_v2", mobilenet_v2), ("resnet50", resnet50)):
        model = build(args.size, args.classes, HeWeights(rng))
        path = os.path.join(args.out_dir, name)
        model.save(path + ".h5", "Functional", compiled=False)
        if args.expected:
            images = rng.uniform(-1, 1, size=(2, args.size, args.size, 3)).astype(np.float32)
            keras.write_expected(path + ".expected.json", images, np.stack([model.forward(i) for i in images]))


if __name__ == "__main__":
    main()
