package org.tensorbridge.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example notebook, executed headless by Jupyter's own nbconvert/nbclient (real jupyter_client, which checks
 * the kernel's signatures) through the tensorbridge kernel, with its outputs checked.
 */
class NotebookExecutionTest {
    static final Path DEMO = Path.of("..", "notebooks", "zero-copy-demo.ipynb");

    @Test
    void theDemoNotebookRunsHeadlessWithTheExpectedOutputs(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(NotebookRunner.nbconvertAvailable(),
                "jupyter nbconvert is not installed: apt-get install " + NotebookRunner.APT_PACKAGES);
        Path executed = dir.resolve("executed.ipynb");
        NotebookRunner.Result result = NotebookRunner.execute(DEMO, executed, ClassPath.ofRunningApplication(),
                Duration.ofMinutes(5));
        assertEquals(0, result.exitCode(), result.log());
        checkDemoOutputs(executed);
    }

    /** What the demo must show: both directions of sharing, a tensor's text, a falling loss, a PNG plot. */
    static void checkDemoOutputs(Path executed) throws Exception {
        List<JsonObject> outputs = outputs(executed);
        String text = texts(outputs);
        assertTrue(text.contains("array sees the tensor's write: 7"), text);
        assertTrue(text.contains("tensor sees the array's write: 42"), text);
        assertTrue(text.contains("tensor([[  0,   1,   2],") && text.contains("100]])"), text);
        assertFalse(text.contains("PrintStream@"), "printf's stream is not shown as a result: " + text);
        Matcher loss = Pattern.compile("loss: first (\\d+\\.\\d+), last (\\d+\\.\\d+)").matcher(text);
        assertTrue(loss.find(), text);
        assertTrue(Double.parseDouble(loss.group(2)) < Double.parseDouble(loss.group(1)) / 10,
                "the loss falls by more than 10x: " + loss.group());
        List<JsonObject> images = outputs.stream().filter(o -> o.get("output_type").getAsString().equals("display_data")
                && o.getAsJsonObject("data").has("image/png")).toList();
        assertEquals(1, images.size(), "one plot: " + outputs);
        BufferedImage plot = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(
                images.getFirst().getAsJsonObject("data").get("image/png").getAsString().replaceAll("\\s", ""))));
        assertNotNull(plot, "the plot is a PNG");
        assertTrue(plot.getWidth() >= 400 && plot.getHeight() >= 300, plot.getWidth() + "x" + plot.getHeight());
        assertTrue(outputs.stream().noneMatch(o -> o.get("output_type").getAsString().equals("error")),
                "no cell failed: " + outputs);
    }

    static List<JsonObject> outputs(Path notebook) throws Exception {
        JsonObject json = JsonParser.parseString(Files.readString(notebook)).getAsJsonObject();
        List<JsonObject> outputs = new ArrayList<>();
        for (JsonElement cell : json.getAsJsonArray("cells")) {
            JsonArray cellOutputs = cell.getAsJsonObject().getAsJsonArray("outputs");
            if (cellOutputs != null) {
                cellOutputs.forEach(o -> outputs.add(o.getAsJsonObject()));
            }
        }
        return outputs;
    }

    private static String texts(List<JsonObject> outputs) {
        StringBuilder text = new StringBuilder();
        for (JsonObject output : outputs) {
            JsonElement value = output.has("text") ? output.get("text")
                    : output.has("data") ? output.getAsJsonObject("data").get("text/plain") : null;
            if (value != null && value.isJsonArray()) {
                value.getAsJsonArray().forEach(line -> text.append(line.getAsString()));
            } else if (value != null) {
                text.append(value.getAsString());
            }
            text.append('\n');
        }
        return text.toString();
    }
}
