#!/usr/bin/env bash
# Builds the tensorbridge native shim against the libtorch found on this machine.
# Maven calls it (torch module, generate-resources); it also runs alone, e.g. on a GPU machine:
#   torch/native/build.sh [OUTPUT_DIR]        (default: torch/target/native)
#
# libtorch is looked for, in order (like tch-rs):
#   1. $LIBTORCH               a folder with include/ and lib/ (an unpacked libtorch zip)
#   2. $PYTHON (or python3, then /usr/bin/python3): the torch package's include/ and lib/
#   3. Debian/Ubuntu's libtorch-dev (/usr/include/torch, /usr/lib/<multiarch>/libtorch.so)
# CUDA support is compiled in when that libtorch has libtorch_cuda.so and CUDA headers are found
# ($CUDA_HOME/include, nvcc's, or /usr/local/cuda/include). TB_CUDA=0 forces a CPU-only shim. Distributed support
# (c10d, Gloo) needs libgloo-dev's headers (TB_DIST=0 leaves it out); NCCL is added to a CUDA shim when nccl.h is found.
# Output: libtensorbridge.so (rpath to libtorch, so running needs no environment variables) and
# libtensorbridge.properties describing what it was built against. Unchanged inputs skip the compile.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/../target/native}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tried=()

have_libtorch() { # include_dir lib_dir
  [[ -f $1/torch/csrc/api/include/torch/version.h || -f $1/torch/version.h ]] && [[ -e $2/libtorch.so ]]
}

torch_include= torch_lib= source=
if [[ -n ${LIBTORCH:-} ]]; then
  if have_libtorch "$LIBTORCH/include" "$LIBTORCH/lib"; then
    torch_include=$LIBTORCH/include torch_lib=$LIBTORCH/lib source="LIBTORCH=$LIBTORCH"
  else
    tried+=("\$LIBTORCH=$LIBTORCH: no include/torch or lib/libtorch.so there -> point LIBTORCH at an unpacked libtorch (it has include/ and lib/)")
  fi
else
  tried+=("\$LIBTORCH: not set -> export LIBTORCH=/path/to/libtorch (an unpacked libtorch zip from pytorch.org)")
fi

if [[ -z $torch_include ]]; then
  for py in ${PYTHON:-} python3 /usr/bin/python3; do
    command -v "$py" >/dev/null 2>&1 || continue
    # From / so that this repository's torch/ folder cannot pass for the torch package.
    dir=$(cd / && "$py" -c 'import torch, os; print(os.path.dirname(torch.__file__))' 2>/dev/null) || {
      tried+=("$py: cannot import torch -> pip install torch, or set PYTHON to an interpreter that has it"); continue; }
    if have_libtorch "$dir/include" "$dir/lib"; then
      torch_include=$dir/include torch_lib=$dir/lib source="python torch ($py: $dir)"
      abi=$(cd / && "$py" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))' 2>/dev/null || echo 1)
      break
    fi
    tried+=("$py: torch at $dir has no include/ and lib/libtorch.so (a distribution build) -> see the next option")
  done
fi

if [[ -z $torch_include ]]; then
  multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
  for libdir in /usr/lib/$multiarch /usr/lib /usr/lib64; do
    if have_libtorch /usr/include "$libdir"; then
      torch_include=/usr/include torch_lib=$libdir source="system libtorch-dev ($libdir)"
      break
    fi
  done
  [[ -n $torch_include ]] || tried+=("system: no /usr/include/torch with libtorch.so -> sudo apt-get install libtorch-dev")
fi

if [[ -z $torch_include ]]; then
  {
    echo "tensorbridge: no libtorch found. Tried:"
    for t in "${tried[@]}"; do echo "  - $t"; done
  } >&2
  exit 2
fi

cxx=${CXX:-g++}
# libtorch 2.12+ headers need C++20; C++20 also compiles against 1.13 and 2.x, so use it wherever the
# compiler has it (TB_CXX_STD overrides).
cxx_std=${TB_CXX_STD:-}
if [[ -z $cxx_std ]]; then
  if echo 'int main() { return 0; }' | "$cxx" -std=c++20 -x c++ -fsyntax-only - >/dev/null 2>&1; then
    cxx_std=c++20
  else
    cxx_std=c++17
  fi
fi
# c10's CUDA headers (2.x) use std::hardware_destructive_interference_size, on which g++ 12+ warns at every use.
interference_flag() {
  echo 'int main() { return 0; }' | "$cxx" -Werror -Wno-interference-size -x c++ -fsyntax-only - >/dev/null 2>&1 &&
    echo -Wno-interference-size || true
}
flags=(-std=$cxx_std -O2 -fPIC -shared -Wall -Wno-unused-parameter -Wno-deprecated-declarations $(interference_flag) "-D_GLIBCXX_USE_CXX11_ABI=${TB_CXX11_ABI:-${abi:-1}}"
       -I"$torch_include" -I"$torch_include/torch/csrc/api/include")
libs=(-L"$torch_lib" -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10)
cuda=no cuda_reason=
# pip's CUDA torch keeps the CUDA runtime and cuBLAS/cuSPARSE/cuDNN/... (headers and libraries) beside it in
# site-packages/nvidia/*/ (nvidia/cu13/ from CUDA 13 on); an unpacked wheel pointed at by LIBTORCH has them
# at the same relative place.
site=$(cd "$torch_lib/../.." 2>/dev/null && pwd || true)
nvidia_includes=()
for dir in "$site"/nvidia/*/include; do [[ -d $dir ]] && nvidia_includes+=("$dir"); done
if [[ ${TB_CUDA:-1} == 0 ]]; then
  cuda_reason="TB_CUDA=0 asked for a CPU-only shim"
elif [[ ! -e $torch_lib/libtorch_cuda.so ]]; then
  cuda_reason="the libtorch at $torch_lib has no libtorch_cuda.so (a CPU-only build)"
else
  cuda_include=
  for dir in ${CUDA_HOME:+$CUDA_HOME/include} \
             $(command -v nvcc >/dev/null 2>&1 && echo "$(dirname "$(dirname "$(command -v nvcc)")")/include") \
             /usr/local/cuda/include "${nvidia_includes[@]}"; do
    [[ -f $dir/cuda_runtime_api.h ]] && { cuda_include=$dir; break; }
  done
  if [[ -n $cuda_include ]]; then
    cuda=yes
    flags+=(-DTB_WITH_CUDA -I"$cuda_include")
    for dir in "${nvidia_includes[@]}"; do [[ $dir != "$cuda_include" ]] && flags+=(-I"$dir"); done
    libs+=(-ltorch_cuda -lc10_cuda)
    # The shim calls the CUDA runtime (events, memory info): link the libcudart that libtorch_cuda uses.
    cudart=$(ldd "$torch_lib/libtorch_cuda.so" 2>/dev/null | awk '/libcudart/ {print $3; exit}')
    [[ -n $cudart && -f $cudart ]] || cudart=$(ls "$(dirname "$cuda_include")"/lib64/libcudart.so 2>/dev/null || true)
    if [[ -n $cudart ]]; then
      libs+=("$cudart" -Wl,-rpath,"$(dirname "$cudart")")
    else
      echo "tensorbridge: libcudart not found next to libtorch_cuda or the CUDA toolkit; linking without -z defs" >&2
      no_defs=1
    fi
  else
    cuda_reason="libtorch_cuda.so is there but no CUDA headers (cuda_runtime_api.h) were found in \$CUDA_HOME/include, nvcc's, /usr/local/cuda/include or pip's nvidia/*/include"
    echo "tensorbridge: $torch_lib has CUDA but no CUDA headers were found (set CUDA_HOME to a CUDA toolkit, or pip install nvidia-cuda-runtime); building CPU-only" >&2
  fi
fi
# Distributed (c10d, issue #15): process groups need libtorch's c10d headers and a backend: Gloo (CPU tensors) needs
# Gloo's headers (Debian's libtorch-dev does not pull in libgloo-dev; pip's torch ships no gloo/ header folder, so the
# system's is used), NCCL (CUDA tensors) a CUDA shim whose libtorch has ProcessGroupNCCL and nccl.h (pip's
# nvidia/nccl wheel, the CUDA toolkit's or the system's include folder). TB_DIST=0 / TB_GLOO=0 / TB_NCCL=0 leave
# them out.
dist=no dist_reason= gloo=no gloo_reason= nccl=no nccl_reason=
if [[ ${TB_DIST:-1} == 0 ]]; then
  dist_reason="TB_DIST=0 asked for a shim without distributed support"
  gloo_reason=$dist_reason nccl_reason=$dist_reason
elif [[ ! -f $torch_include/torch/csrc/distributed/c10d/ProcessGroup.hpp ]]; then
  dist_reason="the libtorch at $torch_include has no c10d headers (built without distributed support)"
  gloo_reason=$dist_reason nccl_reason=$dist_reason
else
  if [[ ${TB_GLOO:-1} == 0 ]]; then
    gloo_reason="TB_GLOO=0 asked for a shim without Gloo"
  elif [[ -f $torch_include/gloo/algorithm.h || -f /usr/include/gloo/algorithm.h ]] &&
     [[ -f $torch_include/torch/csrc/distributed/c10d/ProcessGroupGloo.hpp ]]; then
    gloo=yes
    flags+=(-DTB_WITH_GLOO -DUSE_C10D_GLOO)
  else
    gloo_reason="no Gloo headers (gloo/algorithm.h) -> apt-get install libgloo-dev"
    echo "tensorbridge: building without Gloo: $gloo_reason" >&2
  fi
  if [[ ${TB_NCCL:-1} == 0 ]]; then
    nccl_reason="TB_NCCL=0 asked for a shim without NCCL"
  elif [[ $cuda != yes ]]; then
    nccl_reason="a CPU-only shim: $cuda_reason"
  elif [[ ! -f $torch_include/torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp ]]; then
    nccl_reason="the libtorch at $torch_include has no ProcessGroupNCCL.hpp (built without NCCL)"
  else
    nccl_include=
    for dir in "${nvidia_includes[@]}" "$cuda_include" /usr/include; do
      [[ -f $dir/nccl.h ]] && { nccl_include=$dir; break; }
    done
    if [[ -n $nccl_include ]]; then
      nccl=yes
      flags+=(-DTB_WITH_NCCL -DUSE_C10D_NCCL -I"$nccl_include")
    else
      nccl_reason="no nccl.h in pip's nvidia/*/include, the CUDA headers or /usr/include -> pip install nvidia-nccl-cu12 (or cu13), or apt-get install libnccl-dev"
      echo "tensorbridge: building without NCCL: $nccl_reason" >&2
    fi
  fi
  if [[ $gloo == yes || $nccl == yes ]]; then
    dist=yes
    flags+=(-DTB_WITH_C10D -DUSE_DISTRIBUTED)
  else
    dist_reason="no backend: Gloo: $gloo_reason; NCCL: $nccl_reason"
    echo "tensorbridge: building without distributed support: $dist_reason" >&2
  fi
fi
libs+=(-Wl,-rpath,"$torch_lib")
# -z defs turns an ABI mismatch into a link error instead of a crash at load time.
[[ -n ${no_defs:-} ]] || libs+=(-Wl,-z,defs)

# Skip the compile when the sources, the compiler line and the libtorch are unchanged.
stamp=$( { cat "$here/tensorbridge.cpp" "$here/tensorbridge.h" "$here/tensorbridge_store.hpp" "${BASH_SOURCE[0]}"; echo "$cxx ${flags[*]} ${libs[*]}";
           stat -c '%s %Y' "$torch_lib/libtorch_cpu.so"; } | sha256sum | cut -d' ' -f1)
if [[ -f $out/libtensorbridge.so && -f $out/libtensorbridge.stamp && $(cat "$out/libtensorbridge.stamp") == "$stamp" ]]; then
  echo "tensorbridge: native shim up to date ($out/libtensorbridge.so)"
  exit 0
fi

echo "tensorbridge: building native shim against $source (CUDA: $cuda, distributed: $dist, Gloo: $gloo, NCCL: $nccl, -std=$cxx_std)"
start=$(date +%s)
"$cxx" "${flags[@]}" "$here/tensorbridge.cpp" -o "$out/libtensorbridge.so.tmp" "${libs[@]}"
mv "$out/libtensorbridge.so.tmp" "$out/libtensorbridge.so"
# The version macros live in torch/csrc/api/include/torch/version.h up to 2.x's early releases and in
# torch/headeronly/version.h later (the old header includes it).
version=
for version_h in "$torch_include/torch/csrc/api/include/torch/version.h" "$torch_include/torch/headeronly/version.h" \
                 "$torch_include/torch/version.h"; do
  [[ -f $version_h ]] || continue
  version=$(for part in MAJOR MINOR PATCH; do sed -n "s/^#define TORCH_VERSION_$part \([0-9]*\).*/\1/p" "$version_h" | head -1; done | paste -sd.)
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] && break
  version=
done
cat > "$out/libtensorbridge.properties" <<EOF
libtorch.source=$source
libtorch.lib=$torch_lib
libtorch.version=$version
cuda=$cuda
cuda.reason=$cuda_reason
cxx.std=$cxx_std
distributed=$dist
distributed.reason=$dist_reason
gloo=$gloo
gloo.reason=$gloo_reason
nccl=$nccl
nccl.reason=$nccl_reason
EOF
echo "$stamp" > "$out/libtensorbridge.stamp"
echo "tensorbridge: built $out/libtensorbridge.so in $(( $(date +%s) - start )) s"
