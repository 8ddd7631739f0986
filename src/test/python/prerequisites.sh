#!/usr/bin/env bash
# The tests that compare Svertka with PyTorch and Pillow need Debian's python3-torch, python3-torchvision and
# python3-pil, the Keras fixture scripts numpy and h5py. `./mvnw verify` runs this before the tests: it
# installs them when missing (as root, or with password-less sudo) and otherwise says what to install.
set -euo pipefail
packages="python3-torch python3-torchvision python3-pil python3-numpy python3-h5py"
if /usr/bin/python3 -c "import torch, torchvision, PIL, numpy, h5py" 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  sudo=""
elif sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "The tests need Debian's $packages: run  sudo apt-get install $packages" >&2
  exit 1
fi
echo "Installing $packages for the PyTorch comparison tests (apt-get)" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $packages >/dev/null
