package org.tensorbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench runs a named script with its arguments and passes its output and failure through. The real scripts
 * build with Maven, so this test gives TB_HOME a bench/ of its own; CommandLineTest lists the real ones.
 */
class BenchCommandTest {
    @Test
    void runsOneNamedBenchmarkWithItsArgumentsAndPassesFailuresOn(@TempDir Path home) throws Exception {
        Path bench = Files.createDirectories(home.resolve("bench"));
        Files.writeString(bench.resolve("common.sh"), "# shared\n");
        Files.writeString(bench.resolve("tiny.sh"), """
                #!/usr/bin/env bash
                # A tiny benchmark. It prints a ratio.
                echo "args: $*"
                echo "benchmark  tensorbridge  python  python/java"
                echo "tiny       1.00 us       2.00 us 2.00x"
                """);
        Files.writeString(bench.resolve("broken.sh"), "#!/usr/bin/env bash\n# Fails.\necho half a table\nexit 5\n");
        Map<String, String> env = Map.of("TB_HOME", home.toString());
        Cli list = Cli.run(env, home, "bench", "--list");
        assertEquals("broken           Fails.\ntiny             A tiny benchmark.\n", list.out(), list.all());
        Cli tiny = Cli.run(env, home, "bench", "tiny", "3", "100");
        assertEquals(0, tiny.exit(), tiny.all());
        assertTrue(tiny.out().startsWith("args: 3 100\n") && tiny.out().contains("2.00x"), tiny.all());
        Cli broken = Cli.run(env, home, "bench", "broken.sh");
        assertEquals(1, broken.exit(), broken.all());
        assertTrue(broken.out().contains("half a table") && broken.err().contains("broken.sh exited with 5"), broken.all());
    }
}
