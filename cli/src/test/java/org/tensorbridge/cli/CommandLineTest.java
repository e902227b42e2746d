package org.tensorbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.torch.Torch;

/** Help, version, exit codes, completion and bench --list of the whole command line. */
class CommandLineTest {
    private static final List<String> COMMANDS = List.of("doctor", "demo", "train", "inspect", "convert", "bench", "run",
            "shell", "notebook", "completion");

    @Test
    void helpListsEveryCommandAndTheExitCodes() {
        Cli help = Cli.run("--help");
        assertEquals(0, help.exit(), help.all());
        assertTrue(help.out().startsWith("Usage: tensorbridge"), help.all());
        for (String command : COMMANDS) {
            assertTrue(help.out().contains("\n  " + command + " "), command + " listed:\n" + help.out());
        }
        assertTrue(help.out().contains("2  usage error") && help.out().contains("3  environment problem"), help.out());
    }

    @Test
    void everyCommandHasHelpAndVersion() {
        for (String command : COMMANDS) {
            Cli help = Cli.run(command, "--help");
            assertEquals(0, help.exit(), help.all());
            assertTrue(help.out().startsWith("Usage: tensorbridge " + command), help.all());
            assertTrue(help.out().contains("Exit codes:"), "the footer is inherited: " + help.out());
            Cli version = Cli.run(command, "--version");
            assertEquals(0, version.exit(), version.all());
            assertTrue(version.out().contains("tensorbridge "), version.all());
        }
    }

    @Test
    void versionNamesTheBuildAndTheLibtorch() {
        Cli version = Cli.run("--version");
        assertEquals(0, version.exit(), version.all());
        assertTrue(version.out().contains("tensorbridge " + VersionProvider.projectVersion()), version.out());
        assertFalse(VersionProvider.projectVersion().contains("${"), "the version is filtered in by Maven");
        assertTrue(VersionProvider.projectVersion().matches("\\d+\\.\\d+.*"), VersionProvider.projectVersion());
        assertTrue(version.out().contains("libtorch " + Torch.version()), version.out());
    }

    @Test
    void usageErrorsExitWith2AndSayWhatWasWrong() {
        Cli none = Cli.run();
        assertEquals(2, none.exit(), none.all());
        assertTrue(none.err().contains("no command given"), none.all());

        Cli unknown = Cli.run("frobnicate");
        assertEquals(2, unknown.exit(), unknown.all());
        assertTrue(unknown.err().contains("'frobnicate'") && unknown.err().contains("Usage: tensorbridge"), unknown.all());

        Cli badFlag = Cli.run("train", "--bogus");
        assertEquals(2, badFlag.exit(), badFlag.all());
        assertTrue(badFlag.err().contains("--bogus"), badFlag.all());

        Cli badValue = Cli.run("train", "--epochs", "many");
        assertEquals(2, badValue.exit(), badValue.all());
        assertTrue(badValue.err().contains("'many'"), badValue.all());

        Cli fromEnvironment = Cli.run(Map.of("TB_EPOCHS", "many"), Path.of("").toAbsolutePath(), "train");
        assertEquals(2, fromEnvironment.exit(), fromEnvironment.all());
        assertTrue(fromEnvironment.err().contains("environment TB_EPOCHS") && fromEnvironment.err().contains("'many'"),
                fromEnvironment.all());

        Cli fp16OnCpu = Cli.run("train", "--device", "cpu", "--amp", "fp16");
        assertEquals(2, fp16OnCpu.exit(), fp16OnCpu.all());
        assertTrue(fp16OnCpu.err().contains("use --amp bf16 or off"), fp16OnCpu.all());

        Cli badModel = Cli.run("train", "--device", "cpu", "--model", "resnet");
        assertEquals(2, badModel.exit(), badModel.all());
        assertTrue(badModel.err().contains("mlp and cnn"), badModel.all());
        assertFalse(Files.exists(Path.of("runs")), "a usage error starts nothing: no run directory");

        assertEquals(2, Cli.run("train", "--device", "cpu", "--metrics-port", "http").exit());
        Cli badPort = Cli.run(Map.of("TB_METRICS_PORT", "http"), Path.of("").toAbsolutePath(), "train", "--device", "cpu");
        assertEquals(2, badPort.exit(), badPort.all());
        assertTrue(badPort.err().contains("a port number (0: any free port) or off"), badPort.all());

        assertEquals(2, Cli.run("inspect").exit(), "inspect needs a file");
        assertEquals(2, Cli.run("convert", "only-one.npz").exit(), "convert needs two files");
    }

    @Test
    void missingThingsOfTheMachineExitWith3(@TempDir Path dir) {
        Cli noData = Cli.run(Map.of(), dir, "train", "--device", "cpu", "--dataset", dir.resolve("none.npz").toString());
        assertEquals(3, noData.exit(), noData.all());
        assertTrue(noData.err().contains("no such file"), noData.all());

        Cli emptyDir = Cli.run(Map.of(), dir, "train", "--device", "cpu", "--dataset", dir.toString());
        assertEquals(3, emptyDir.exit(), emptyDir.all());
        assertTrue(emptyDir.err().contains("train-images-idx3-ubyte"), emptyDir.all());

        assumeFalse(Torch.cudaAvailable(), "this machine has CUDA");
        Cli cuda = Cli.run(Map.of(), dir, "train", "--device", "cuda", "--out", dir.resolve("run").toString());
        assertEquals(3, cuda.exit(), cuda.all());
        assertTrue(cuda.err().contains("CUDA is not usable here") && cuda.err().contains("doctor"), cuda.all());
        assertFalse(Files.exists(dir.resolve("run")), "nothing was started");
    }

    @Test
    void completionIsABashScriptThatCompletesCommandsAndOptions(@TempDir Path dir) throws Exception {
        Cli completion = Cli.run("completion");
        assertEquals(0, completion.exit(), completion.all());
        Path script = dir.resolve("tensorbridge-completion.bash");
        Files.writeString(script, completion.out());
        // bash itself loads the script and asks it to complete "tensorbridge tr" and "tensorbridge train --max".
        Path check = dir.resolve("check.bash");
        Files.writeString(check, """
                source "$1"
                COMP_WORDS=(tensorbridge tr); COMP_CWORD=1; COMP_LINE="tensorbridge tr"; COMP_POINT=${#COMP_LINE}
                _complete_tensorbridge tensorbridge tr tensorbridge 2>/dev/null; echo "commands: ${COMPREPLY[*]}"
                COMP_WORDS=(tensorbridge train --max); COMP_CWORD=2; COMP_LINE="tensorbridge train --max"; COMP_POINT=${#COMP_LINE}
                _complete_tensorbridge tensorbridge --max train 2>/dev/null; echo "options: ${COMPREPLY[*]}"
                complete -p tensorbridge
                """);
        Process bash = new ProcessBuilder("bash", check.toString(), script.toString()).redirectErrorStream(true).start();
        String printed = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, bash.waitFor(), printed);
        assertTrue(printed.contains("commands: train"), printed);
        assertTrue(printed.contains("options: --max-steps"), printed);
        assertTrue(printed.contains("-F _complete_tensorbridge tensorbridge"), "registered for the command: " + printed);
    }

    @Test
    void benchListsTheScriptsAndRefusesUnknownNames() {
        Cli list = Cli.run("bench", "--list");
        assertEquals(0, list.exit(), list.all());
        for (String name : List.of("scope", "ndarray", "train", "loader", "torch_calls")) {
            assertTrue(list.out().contains("\n" + name + " ") || list.out().startsWith(name + " "), name + ":\n" + list.out());
        }
        assertTrue(list.out().contains("Scopes cost"), "each with its script's own summary:\n" + list.out());
        assertFalse(list.out().contains("common"), list.out());
        Cli unknown = Cli.run("bench", "nosuch");
        assertEquals(2, unknown.exit(), unknown.all());
        assertTrue(unknown.err().contains("no benchmark 'nosuch'") && unknown.err().contains("scope"), unknown.all());
        assertEquals(2, Cli.run("bench").exit());
    }
}
