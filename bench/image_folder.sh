#!/usr/bin/env bash
# Image folders: decode + resize to 224 + centre crop + normalise, 2 workers, against torchvision's ImageFolder
# + DataLoader on the same JPEG files (made here with PIL: 512 photos-like 320x240 images in 4 classes).
# Goal: at least 2x. Needs Debian's python3-torchvision.
# Usage: bench/image_folder.sh [rounds]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
images=$out/image_folder
if [[ ! -d $images ]]; then
  /usr/bin/python3 - "$images" <<'PY'
import os, sys
import numpy as np
from PIL import Image
rng = np.random.default_rng(0)
for c in range(4):
    os.makedirs(os.path.join(sys.argv[1], f"class{c}"), exist_ok=True)
    for i in range(128):
        # smooth gradients plus noise: compresses like a photo, unlike pure noise
        y, x = np.mgrid[0:240, 0:320]
        base = np.stack([(x + 40 * c) % 256, (y * 2 + i) % 256, (x + y) % 256], axis=-1).astype(np.float32)
        image = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
        Image.fromarray(image).save(os.path.join(sys.argv[1], f"class{c}", f"{i}.jpg"), quality=90)
PY
fi
run_java org.tensorbridge.bench.ImageFolderBench "$images" "$@" | tee "$out/image_folder.java.txt"
/usr/bin/python3 "$root/bench/image_folder_bench.py" "$images" "$@" | tee "$out/image_folder.py.txt"
python3 "$root/bench/compare.py" "$out/image_folder.java.txt" "$out/image_folder.py.txt"
