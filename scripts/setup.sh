#!/usr/bin/env bash
# Installs what tensorbridge needs on a Debian/Ubuntu machine, once: libtorch (libtorch-dev), Debian's
# NumPy and PyTorch for the cross-checks (python3-numpy, python3-torch), a C++ compiler, and Jupyter's
# nbconvert/nbclient/jupyter_client (the notebook tests run the example notebook headless through the kernel).
# Java 25 is expected at /usr/lib/jvm/temurin-25-jdk-amd64 (or $JAVA_HOME) and Maven on PATH.
set -euo pipefail
packages=(libtorch-dev libgloo-dev python3-numpy python3-torch python3-pil g++ libturbojpeg0 dataset-fashion-mnist
          jupyter-nbconvert python3-nbclient jupyter-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "tensorbridge setup: installing ${missing[*]}"
  sudo=
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
source "$(dirname "${BASH_SOURCE[0]}")/java-env.sh"
command -v mvn >/dev/null || { echo "tensorbridge setup: Maven (mvn) not found: apt-get install maven" >&2; exit 1; }
