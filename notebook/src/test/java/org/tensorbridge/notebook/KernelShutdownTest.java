package org.tensorbridge.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tensorbridge.notebook.KernelClient.Received;
import org.tensorbridge.notebook.KernelClient.Signature;

/** A shutdown_request ends the kernel and frees what it held: the JShell VM, its threads, its ports. */
class KernelShutdownTest {
    @Test
    void shutdownRequestFreesTheVmThreadsAndPorts() throws Exception {
        // An empty key: Jupyter's unsigned mode, where messages carry no signature and all are accepted.
        ConnectionInfo connection = KernelClient.freeConnection("");
        List<ProcessHandle> before = ProcessHandle.current().children().toList();
        Kernel kernel = Kernel.start(connection, ClassPath.ofRunningApplication());
        List<ProcessHandle> vms = ProcessHandle.current().children().filter(p -> !before.contains(p)).toList();
        assertEquals(1, vms.size(), "the kernel runs cells in one child VM: " + vms);
        try (KernelClient client = new KernelClient(connection)) {
            client.waitForReady();
            assertEquals("ok", client.execute("var x = 2 + 3;").reply().content().get("status").getAsString());

            JsonObject content = new JsonObject();
            content.addProperty("restart", false);
            String id = client.send(client.control, "shutdown_request", content, Signature.NONE);
            Received reply = client.reply(client.control, id);
            assertEquals("shutdown_reply", reply.type());
            assertEquals("ok", reply.content().get("status").getAsString());
            assertTrue(kernel.awaitShutdown(60, TimeUnit.SECONDS));
        }
        kernel.close();

        vms.getFirst().onExit().get(60, TimeUnit.SECONDS);
        assertFalse(vms.getFirst().isAlive(), "the JShell VM has ended");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("kernel-")),
                "the kernel's threads have ended");
        for (int port : new int[] {connection.shellPort(), connection.iopubPort(), connection.stdinPort(),
                connection.controlPort(), connection.hbPort()}) {
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(connection.ip()))) {
                assertEquals(port, socket.getLocalPort(), "port " + port + " is free again");
            }
        }
        kernel.close(); // idempotent
    }
}
