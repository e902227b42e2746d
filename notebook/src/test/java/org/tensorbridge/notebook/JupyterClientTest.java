package org.tensorbridge.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.testkit.Python;

/**
 * The reference client, Python's jupyter_client, against the kernel: with the connection file's key it is
 * answered (and accepts the kernel's signatures); with another key, or none, its requests are dropped unrun.
 */
class JupyterClientTest {
    private static final String SCRIPT = """
            import queue, sys
            from jupyter_client import BlockingKernelClient

            def client(key=None):
                kc = BlockingKernelClient()
                kc.load_connection_file(sys.argv[1])
                if key is not None:
                    kc.session.key = key
                kc.start_channels()
                return kc

            def result(kc, msg_id):
                while True:
                    m = kc.get_iopub_msg(timeout=120)
                    if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_result":
                        return m["content"]["data"]["text/plain"]

            good = client()
            good.wait_for_ready(timeout=120)
            msg_id = good.execute("6 * 7")
            reply = good.get_shell_msg(timeout=120)
            print("good", reply["content"]["status"], reply["parent_header"]["msg_id"] == msg_id, result(good, msg_id))
            for name, key in (("wrong-key", b"not-the-key"), ("unsigned", b"")):
                other = client(key)
                other.execute('System.out.println("%s ran")' % name)
                try:
                    other.get_shell_msg(timeout=3)
                    print(name, "answered")
                except queue.Empty:
                    print(name, "refused")
                other.stop_channels()
            msg_id = good.execute("1")
            reply = good.get_shell_msg(timeout=120)
            print("count", reply["content"]["execution_count"])
            good.stop_channels()
            """;

    @Test
    void jupyterClientIsAnsweredOnlyWithTheKey(@TempDir Path dir) throws Exception {
        Process probe = new ProcessBuilder(Python.debian().executable(), "-c", "import jupyter_client")
                .redirectErrorStream(true).start();
        probe.getInputStream().readAllBytes();
        Assumptions.assumeTrue(probe.waitFor() == 0,
                "no jupyter_client for /usr/bin/python3: apt-get install jupyter-client");
        ConnectionInfo connection = KernelClient.freeConnection(UUID.randomUUID().toString());
        Path file = dir.resolve("kernel.json");
        Files.writeString(file, connection.toJson().toString());
        try (Kernel kernel = Kernel.start(connection, ClassPath.ofRunningApplication())) {
            List<String> lines = Python.debian().run(SCRIPT, file.toString()).lines().toList();
            assertEquals(List.of("good ok True 42", "wrong-key refused", "unsigned refused", "count 2"), lines);
        }
    }
}
