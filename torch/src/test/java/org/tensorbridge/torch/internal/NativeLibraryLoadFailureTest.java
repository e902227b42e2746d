package org.tensorbridge.torch.internal;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shim that cannot load says which library the dynamic loader could not find, and the fix. The library is
 * real: a shared object compiled here that needs another one, which is then deleted (what happens to a CUDA
 * shim whose CUDA runtime libraries are missing, or a shim whose libtorch was uninstalled).
 */
class NativeLibraryLoadFailureTest {

    private static void compile(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(System.getenv().getOrDefault("CXX", "g++")));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS) && process.exitValue() == 0, command + ":\n" + out);
    }

    @Test
    void missingDependencyIsNamedWithTheFix(@TempDir Path dir) throws Exception {
        assumeTrue(canRun("g++"), "no C++ compiler (g++) to build the test libraries; scripts/setup.sh installs it");
        Files.writeString(dir.resolve("gone.cpp"), "extern \"C\" int tb_gone(void) { return 1; }\n");
        Files.writeString(dir.resolve("needs.cpp"), "extern \"C\" int tb_gone(void);\nextern \"C\" int tb_needs(void) { return tb_gone(); }\n");
        compile(dir, "-shared", "-fPIC", "-o", "libtb_gone_dependency.so.7", "-Wl,-soname,libtb_gone_dependency.so.7", "gone.cpp");
        compile(dir, "-shared", "-fPIC", "-o", "libtensorbridge.so", "needs.cpp", "-L.", "-l:libtb_gone_dependency.so.7");
        Files.writeString(dir.resolve("libtensorbridge.properties"),
                "libtorch.source=test\nlibtorch.version=9.9.9\ncuda=no\n");
        Files.delete(dir.resolve("libtb_gone_dependency.so.7"));

        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLibrary.open(dir.resolve("libtensorbridge.so")));
        String message = e.getMessage();
        assertTrue(message.contains("Missing library: libtb_gone_dependency.so.7"), message);
        assertTrue(message.contains("Fix:") && message.contains("LD_LIBRARY_PATH"), message);
        assertTrue(message.contains("libtorch 9.9.9"), "says what the shim was built against: " + message);
    }

    @Test
    void missingCudaRuntimeSaysHowToGetIt() {
        String message = NativeLibrary.loadFailure(Path.of("/x/libtensorbridge.so"),
                "libcudart.so.13: cannot open shared object file: No such file or directory");
        assertTrue(message.contains("Missing library: libcudart.so.13"), message);
        assertTrue(message.contains("CUDA runtime") && message.contains("TB_CUDA=0"), message);
    }

    @Test
    void aLoadableLibraryHasNoLoaderError() {
        assertNull(NativeLibrary.dlopenError(Native.library().path()), "the shim in use loads");
    }

    private static boolean canRun(String executable) {
        try {
            Process p = new ProcessBuilder(executable, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
