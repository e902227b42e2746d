package org.tensorbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.notebook.NotebookRunner;

/** {@code tensorbridge notebook}: the kernelspec Jupyter finds, and the example notebook run headless. */
class NotebookCommandTest {
    private Cli last;

    /** {@code tensorbridge notebook ARGS}, through the whole command line. */
    private int run(String... args) {
        String[] line = new String[args.length + 1];
        line[0] = "notebook";
        System.arraycopy(args, 0, line, 1, args.length);
        last = Cli.run(line);
        return last.exit();
    }

    @Test
    void installWritesAKernelspecJupyterLists(@TempDir Path dataDir) throws Exception {
        assertEquals(0, run("--install", "--data-dir", dataDir.toString()), last.err());
        Path json = dataDir.resolve("kernels/tensorbridge/kernel.json");
        JsonObject spec = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        JsonArray argv = spec.getAsJsonArray("argv");
        assertTrue(Files.isExecutable(Path.of(argv.get(0).getAsString())), argv.toString());
        assertEquals("org.tensorbridge.notebook.Kernel", argv.get(argv.size() - 2).getAsString());
        assertEquals("{connection_file}", argv.get(argv.size() - 1).getAsString());
        assertEquals("message", spec.get("interrupt_mode").getAsString());
        assertTrue(last.out().contains(dataDir.resolve("kernels/tensorbridge").toString()), last.out());

        Path jupyter = NotebookRunner.onPath("jupyter");
        Assumptions.assumeTrue(jupyter != null, "jupyter is not installed: apt-get install jupyter-client");
        ProcessBuilder list = new ProcessBuilder(jupyter.toString(), "kernelspec", "list", "--json");
        list.environment().put("JUPYTER_PATH", dataDir.toString());
        Process process = list.redirectError(ProcessBuilder.Redirect.DISCARD).start(); // warnings on stderr
        String listed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        JsonObject kernel = JsonParser.parseString(listed).getAsJsonObject().getAsJsonObject("kernelspecs")
                .getAsJsonObject("tensorbridge");
        assertNotNull(kernel, "Jupyter finds the kernel: " + listed);
        assertEquals("Java (tensorbridge)", kernel.getAsJsonObject("spec").get("display_name").getAsString());
    }

    @Test
    void executeRunsTheDemoNotebookHeadless(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(NotebookRunner.nbconvertAvailable(),
                "jupyter nbconvert is not installed: apt-get install " + NotebookRunner.APT_PACKAGES);
        Path output = dir.resolve("demo.ipynb");
        int exit = run("--execute", Path.of("..", "notebooks", "zero-copy-demo.ipynb").toString(), "--output",
                output.toString());
        assertEquals(0, exit, last.err());
        String text = Files.readString(output);
        assertTrue(text.contains("array sees the tensor's write: 7"), text);
        assertTrue(text.contains("tensor sees the array's write: 42"), text);
        JsonObject plot = null;
        for (JsonElement cell : JsonParser.parseString(text).getAsJsonObject().getAsJsonArray("cells")) {
            JsonArray outputs = cell.getAsJsonObject().getAsJsonArray("outputs");
            for (JsonElement o : outputs == null ? new JsonArray() : outputs) {
                if (o.getAsJsonObject().get("output_type").getAsString().equals("display_data")) {
                    plot = o.getAsJsonObject().getAsJsonObject("data");
                }
            }
        }
        assertNotNull(plot, "the notebook shows a plot");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(
                Base64.getDecoder().decode(plot.get("image/png").getAsString().replaceAll("\\s", ""))));
        assertNotNull(image, "the plot decodes as PNG");
    }

    @Test
    void badInputIsRefusedWithTheFix(@TempDir Path dir) {
        assertEquals(2, run("--execute", dir.resolve("missing.ipynb").toString()));
        assertTrue(last.err().contains("no notebook at"), last.err());
        assertEquals(2, run("--install", "--execute", "x.ipynb"));
    }

    @Test
    void withoutJupyterNotebookItSaysWhatToInstall(@TempDir Path dataDir) {
        Assumptions.assumeTrue(NotebookRunner.onPath("jupyter-notebook") == null,
                "Jupyter Notebook is installed here: starting it would wait for the browser");
        assertEquals(1, run("--data-dir", dataDir.toString()));
        assertTrue(last.err().contains("apt-get install jupyter-notebook"), last.err());
        assertTrue(Files.exists(dataDir.resolve("kernels/tensorbridge/kernel.json")), "the kernel is installed first");
    }
}
