package org.tensorbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tensorbridge.notebook.ClassPath;

/** {@code tensorbridge shell}: the jshell command it runs, fed a session on stdin as a user would type it. */
class ShellCommandTest {
    @Test
    void aJShellSessionRunsTheSeedWorkflow() throws Exception {
        Path startup = ShellCommand.writeStartup();
        try {
            List<String> command = ShellCommand.command(startup, ClassPath.ofRunningApplication(), List.of());
            assertTrue(command.contains("-R--enable-native-access=ALL-UNNAMED"), command.toString());
            Process jshell = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (OutputStream stdin = jshell.getOutputStream()) {
                stdin.write("""
                        NDArray images = new NDRandom(0).integers(0, 256, 2, 3, 4, 4).astype(DType.UINT8);
                        Tensor shared = Bridge.fromArray(images);
                        shared.get(0, 0, 0).fill_(7);
                        System.out.println("shared memory: " + images.getLong(0, 0, 0, 0));
                        Tensor x = Bridge.fromArray(images.astype(DType.FLOAT32).div(255.0)).flatten(1, -1);
                        Module layer = new Linear(48, 10);
                        System.out.println("logits shape: " + Arrays.toString(layer.forward(x).shape()));
                        /exit
                        """.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(jshell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(jshell.waitFor(120, TimeUnit.SECONDS), output);
            assertEquals(0, jshell.exitValue(), output);
            assertTrue(output.contains("shared memory: 7"), output);
            assertTrue(output.contains("logits shape: [2, 10]"), output);
            assertFalse(output.contains("Error:") || output.contains("Exception"), output);
            assertFalse(output.contains("restricted method"), "native access is granted: " + output);
        } finally {
            Files.deleteIfExists(startup);
        }
    }

    @Test
    void helpDescribesTheCommand() {
        Cli help = Cli.run("shell", "--help");
        assertEquals(0, help.exit(), help.all());
        assertTrue(help.out().contains("Usage: tensorbridge shell"), help.all());
    }
}
