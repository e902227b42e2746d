package org.tensorbridge.bench;

import java.nio.file.Path;
import org.tensorbridge.data.Batch;
import org.tensorbridge.data.DataLoader;
import org.tensorbridge.data.ImageFolderDataset;

/**
 * An image-folder epoch: decode (JPEG), resize the shorter side to 224, centre-crop 224, normalise, batch 64,
 * two workers. bench/image_folder_bench.py times torchvision's ImageFolder + DataLoader on the same files;
 * bench/image_folder.sh makes the files and runs both.
 */
public final class ImageFolderBench {
    private ImageFolderBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        var options = new ImageFolderDataset.Options(224, 224, false, 0, new float[] {0.485f, 0.456f, 0.406f},
                new float[] {0.229f, 0.224f, 0.225f}, 0);
        ImageFolderDataset data = ImageFolderDataset.open(root, options);
        try (DataLoader loader = DataLoader.builder(data).batchSize(64).shuffle(0).workers(2).build()) {
            long[] epoch = {0};
            double seconds = Timer.medianSeconds(rounds, 1, () -> {
                for (Batch batch : loader.epoch(epoch[0]++)) {
                    batch.close();
                }
            });
            Timer.report("image_folder_epoch", seconds);
            System.out.printf("# %d images: %.0f images/s%n", data.size(), data.size() / seconds);
        }
    }
}
