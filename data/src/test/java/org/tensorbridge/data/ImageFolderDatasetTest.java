package org.tensorbridge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.core.Scope;
import org.tensorbridge.testkit.Python;

/** Image folders decoded as PIL decodes them (committed fixtures, PIL asked in the test run). */
class ImageFolderDatasetTest {
    private static final Path IMAGES = Path.of("src", "test", "resources", "images");

    private static float[][] batchOf(ImageFolderDataset data, int workers) {
        try (Scope scope = Scope.open(); DataLoader loader = DataLoader.builder(data).batchSize((int) data.size())
                .workers(workers).build()) {
            for (Batch batch : loader.epoch(0)) {
                float[] labels = new float[(int) batch.size()];
                long[] y = batch.get("label").toLongArray();
                for (int i = 0; i < y.length; i++) {
                    labels[i] = y[i];
                }
                return new float[][] {batch.get("image").toFloatArray(), labels};
            }
        }
        throw new AssertionError("no batch");
    }

    @Test
    void pixelsAndLabelsMatchPil() throws Exception {
        double[] expected = Python.parseDoubles(Python.debian().run("""
                import sys, os, numpy as np
                from PIL import Image
                root = sys.argv[1]
                values, labels = [], []
                for label, cls in enumerate(sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))):
                    for name in sorted(os.listdir(os.path.join(root, cls))):
                        a = np.asarray(Image.open(os.path.join(root, cls, name)).convert('RGB'), dtype=np.float32) / 255
                        values.append(((a - 0.5) / 0.25).transpose(2, 0, 1).ravel())
                        labels.append(label)
                print(' '.join(repr(float(v)) for v in np.concatenate(values + [np.array(labels, np.float32)])))
                """, IMAGES.toAbsolutePath().toString()));
        var options = new ImageFolderDataset.Options(0, 0, false, 0, new float[] {0.5f, 0.5f, 0.5f},
                new float[] {0.25f, 0.25f, 0.25f}, 0);
        ImageFolderDataset data = ImageFolderDataset.open(IMAGES, options);
        assertEquals(List.of("cat", "dog"), data.classes());
        assertEquals("[image: float32[3, 6, 8], label: int64[]]", data.fields().toString());
        float[][] batch = batchOf(data, 2);
        int pixels = batch[0].length;
        int jpegFrom = 6 * 3 * 6 * 8;  // the last image is a JPEG: ImageIO's decoder may differ by a step or two
        for (int i = 0; i < pixels; i++) {
            double tolerance = i >= jpegFrom && !TurboJpeg.available() ? 2.5 / 255 / 0.25 : 1e-5;
            assertEquals(expected[i], batch[0][i], tolerance, "value " + i);
        }
        for (int i = 0; i < batch[1].length; i++) {
            assertEquals(expected[pixels + i], batch[1][i], "label " + i);
        }
    }

    @Test
    void randomCropsAndFlipsRepeatForTheSameSeedAndEpoch() throws Exception {
        var options = new ImageFolderDataset.Options(12, 5, true, 0.5, new float[] {0, 0, 0}, new float[] {1, 1, 1}, 99);
        ImageFolderDataset data = ImageFolderDataset.open(IMAGES, options);
        assertEquals("[image: float32[3, 5, 5], label: int64[]]", data.fields().toString());
        float[] first = batchOf(data, 0)[0];
        assertArrayEquals(first, batchOf(data, 2)[0], "the same seed and epoch give the same crops and flips");
        var other = new ImageFolderDataset.Options(12, 5, true, 0.5, new float[] {0, 0, 0}, new float[] {1, 1, 1}, 100);
        assertFalse(java.util.Arrays.equals(first, batchOf(ImageFolderDataset.open(IMAGES, other), 2)[0]));
    }

    @Test
    void badFoldersAndImagesAreNamed(@TempDir Path dir) throws Exception {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> ImageFolderDataset.open(dir, ImageFolderDataset.Options.plain()));
        assertTrue(empty.getMessage().contains("no images"), empty.getMessage());
        Files.createDirectories(dir.resolve("a"));
        Files.copy(IMAGES.resolve("cat/0.png"), dir.resolve("a/0.png"));
        Files.writeString(dir.resolve("a/1.png"), "not an image");
        ImageFolderDataset data = ImageFolderDataset.open(dir, ImageFolderDataset.Options.plain());
        DataLoaderException e = assertThrows(DataLoaderException.class, () -> batchOf(data, 0));
        assertTrue(e.getMessage().contains("sample 1") && e.getMessage().contains("1.png")
                && e.getMessage().contains("cannot decode"), e.getMessage());
    }
}
