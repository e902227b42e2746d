#!/usr/bin/env bash
# Installs what tensorbridge needs on a Debian/Ubuntu machine, once: libtorch (libtorch-dev), Debian's
# NumPy and PyTorch for the cross-checks (python3-numpy, python3-torch), a C++ compiler, and Jupyter's
# nbconvert/nbclient/jupyter_client (the notebook tests run the example notebook headless through the kernel).
# Java 25 is expected at /usr/lib/jvm/temurin-25-jdk-amd64 (or $JAVA_HOME) and Maven on PATH. Says what it does
# while it does it (scripts/progress.sh); silent when everything is already there.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/progress.sh"
packages=(libtorch-dev libgloo-dev python3-numpy python3-torch python3-pil g++ libturbojpeg0 dataset-fashion-mnist
          jupyter-nbconvert python3-nbclient jupyter-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "tensorbridge setup: missing ${missing[*]}" >&2
  sudo=
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  tb_step "updating apt's package lists (apt-get update)" $sudo apt-get update -qq
  tb_step "installing ${missing[*]} (apt-get install; libtorch-dev and python3-torch are large, a few minutes)" \
    env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
source "$here/java-env.sh"
command -v mvn >/dev/null || { echo "tensorbridge setup: Maven (mvn) not found: apt-get install maven" >&2; exit 1; }
