"""torchvision's ImageFolder + DataLoader for ImageFolderBench's epoch: decode, Resize(224), CenterCrop(224),
ToTensor, Normalize, batch 64, two workers (Debian's python3-torchvision)."""
import sys
import time

import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from benchlib import report


def main():
    root, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    prepare = transforms.Compose([transforms.Resize(224), transforms.CenterCrop(224), transforms.ToTensor(),
                                  transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    data = datasets.ImageFolder(root, transform=prepare)
    loader = DataLoader(data, batch_size=64, shuffle=True, num_workers=2, persistent_workers=True)

    def epoch():
        for _ in loader:
            pass
    epoch()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - start)
    times.sort()
    seconds = times[len(times) // 2]
    print(f"# torchvision {len(data)} images: {len(data) / seconds:.0f} images/s", flush=True)
    report("image_folder_epoch", seconds)


if __name__ == "__main__":
    main()
