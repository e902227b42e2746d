package org.tensorbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.core.LeakCheck;
import org.tensorbridge.torch.Tensor;

/** The README's walkthrough, taken from README.md itself, compiles and runs, and leaves nothing open. */
class ReadmeExampleTest {
    private static final Pattern BLOCK = Pattern.compile("```java\\n(// Walkthrough\\.java\\n.*?)```", Pattern.DOTALL);

    private static final Pattern HELLO = Pattern.compile("```java\\n(import [^`]*?public class Hello .*?)```", Pattern.DOTALL);

    @Test
    void theDependencySectionsExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
        Matcher block = HELLO.matcher(Files.readString(Path.of("..", "README.md")));
        assertTrue(block.find(), "README.md has the ```java block with public class Hello");
        Path source = dir.resolve("Hello.java");
        Files.writeString(source, block.group(1));
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, diagnostics, diagnostics, "-classpath",
                System.getProperty("java.class.path"), "-d", dir.toString(), source.toString());
        assertEquals(0, compiled, "the README example compiles:\n" + diagnostics.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(output, true, StandardCharsets.UTF_8));
            loader.loadClass("Hello").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(stdout);
        }
        String printed = output.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("tensor([[ 7., 10.],") && printed.contains("[15., 22.]])"), printed);
    }

    @Test
    void theWalkthroughCompilesAndRuns(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher block = BLOCK.matcher(readme);
        assertTrue(block.find(), "README.md has a ```java block starting with // Walkthrough.java");
        Path source = dir.resolve("Walkthrough.java");
        Files.writeString(source, block.group(1));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled = javac.run(null, diagnostics, diagnostics, "-classpath", System.getProperty("java.class.path"),
                "-d", dir.toString(), source.toString());
        assertEquals(0, compiled, "the README example compiles:\n" + diagnostics.toString(StandardCharsets.UTF_8));

        LeakCheck.collectGarbage();
        long unclosedBefore = Tensor.unclosedCount();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(output, true, StandardCharsets.UTF_8));
            loader.loadClass("Walkthrough").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(stdout);
        }
        String printed = output.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("shared memory: 7"), printed);
        assertTrue(printed.contains("refused: ") && printed.contains("negative"), printed);
        List<Double> losses = Pattern.compile("loss (\\d+\\.\\d+)").matcher(printed).results()
                .map(m -> Double.parseDouble(m.group(1))).toList();
        assertEquals(5, losses.size(), printed);
        assertTrue(losses.getLast() < losses.getFirst(), "the loss goes down: " + losses);
        LeakCheck.collectGarbage();
        assertEquals(unclosedBefore, Tensor.unclosedCount(), "the example leaves no tensor to the GC");
        LeakCheck.assertNoLeaks();
    }
}
