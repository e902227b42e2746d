#!/usr/bin/env bash
# Runs the README's test command (./test.sh) on a fresh Debian 13 (trixie) root made with debootstrap, from a
# Debian/Ubuntu host (root, network to a Debian mirror and Maven Central). The environment inside is clean
# (env -i): no UCX_* or other variable is set by hand. Usage, from the repository root:
#   sudo scripts/debian13-chroot-test.sh [ROOT_DIR]        (default /srv/trixie-tensorbridge; reused if present)
# What it does: debootstrap --variant=minbase trixie, the host's extra CA certificates (a TLS-inspecting proxy),
# Java 25 copied from the host, Maven through apt, then this repository's HEAD (git archive) into /root/tb, and
# ./test.sh there, which installs libtorch-dev, python3-torch, python3-numpy and g++ itself.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${1:-/srv/trixie-tensorbridge}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
jdk=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[[ $(id -u) -eq 0 ]] || { echo "run as root (debootstrap and chroot need it)" >&2; exit 1; }
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
if [[ ! -x $target/usr/bin/apt-get ]]; then
  echo "== debootstrap trixie into $target"
  debootstrap --variant=minbase trixie "$target" "$mirror"
fi
mounted=()
cleanup() { for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" 2>/dev/null || true; done; }
trap cleanup EXIT
for m in proc dev dev/pts sys; do
  mountpoint -q "$target/$m" || { mount --bind "/$m" "$target/$m"; mounted+=("$target/$m"); }
done
cp /etc/resolv.conf "$target/etc/"
mkdir -p "$target/usr/local/share/ca-certificates"  # minbase has no ca-certificates yet: cp needs the folder
cp /usr/local/share/ca-certificates/*.crt "$target/usr/local/share/ca-certificates/" 2>/dev/null || true
mkdir -p "$target/usr/lib/jvm"
[[ -x $target/usr/lib/jvm/$(basename "$jdk")/bin/java ]] || cp -a "$jdk" "$target/usr/lib/jvm/"
in_root() { chroot "$target" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  TERM=dumb LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
if ! in_root sh -c 'command -v mvn' >/dev/null; then
  echo "== apt-get install maven"
  in_root apt-get update -qq
  in_root apt-get install -y -qq --no-install-recommends maven ca-certificates ca-certificates-java >/dev/null
fi
in_root update-ca-certificates >/dev/null
# Java reads /etc/ssl/certs/java/cacerts; ca-certificates-java's hook needs a Java of its own to add the host's extra
# certificates there, so import them with the copied JDK's keytool.
for crt in "$target"/usr/local/share/ca-certificates/*.crt; do
  [[ -f $crt ]] || continue
  alias=host-$(basename "$crt" .crt)
  in_root "/usr/lib/jvm/$(basename "$jdk")/bin/keytool" -list -cacerts -storepass changeit -alias "$alias" >/dev/null 2>&1 ||
    in_root "/usr/lib/jvm/$(basename "$jdk")/bin/keytool" -importcert -noprompt -cacerts -storepass changeit \
      -alias "$alias" -file "/usr/local/share/ca-certificates/$(basename "$crt")" >/dev/null
done
rm -rf "$target/root/tb" && mkdir -p "$target/root/tb"
git -C "$repo" archive HEAD | tar -xf - -C "$target/root/tb"
echo "== Debian $(cat "$target/etc/debian_version"): ./test.sh (commit $(git -C "$repo" rev-parse --short HEAD))"
start=$(date +%s)
set +e
in_root bash -c 'cd /root/tb && env | grep "^UCX_" ; ./test.sh'
rc=$?
echo "== ./test.sh on Debian $(cat "$target/etc/debian_version"): exit $rc after $(( $(date +%s) - start )) s"
exit $rc
