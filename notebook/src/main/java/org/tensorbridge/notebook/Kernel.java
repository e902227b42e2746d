package org.tensorbridge.notebook;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The tensorbridge Jupyter kernel: Java cells, run by JShell in a VM that has the library, native access and the
 * notebook imports, over the Jupyter messaging protocol (5.3) on ZeroMQ.
 *
 * <p>Every message on the shell and control channels must carry the HMAC-SHA256 signature made with the connection
 * file's key; unsigned, wrongly signed and replayed messages are dropped (and logged) before anything in them is
 * read. Each socket belongs to one thread: shell (requests, in order), control (interrupt, shutdown, also while a
 * cell runs) and heartbeat; IOPub is shared under a lock. A {@code shutdown_request} ends the kernel: the JShell VM,
 * the sockets and the threads.
 */
public final class Kernel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Kernel.class.getName());
    private static final int POLL_MILLIS = 100;
    private static final int LINGER_MILLIS = 1000;

    private final String session = UUID.randomUUID().toString();
    private final ZContext context = new ZContext();
    private final MessageCodec codec;
    private final IoPub ioPub;
    private final OutputForwarder stdout;
    private final OutputForwarder stderr;
    private final JShellEvaluator evaluator;
    private final ZMQ.Socket stdin;
    private final List<Thread> threads;
    private final CountDownLatch shutdown = new CountDownLatch(1);
    private volatile boolean running = true;
    private int executionCount;

    private Kernel(ConnectionInfo connection, List<Path> classPath) {
        codec = new MessageCodec(new MessageSigner(connection.key()));
        try {
            ZMQ.Socket shell = bind(SocketType.ROUTER, connection, connection.shellPort());
            ZMQ.Socket control = bind(SocketType.ROUTER, connection, connection.controlPort());
            stdin = bind(SocketType.ROUTER, connection, connection.stdinPort());
            ZMQ.Socket heartbeat = bind(SocketType.REP, connection, connection.hbPort());
            ioPub = new IoPub(bind(SocketType.PUB, connection, connection.iopubPort()), codec, session);
            stdout = new OutputForwarder("stdout", ioPub);
            stderr = new OutputForwarder("stderr", ioPub);
            evaluator = new JShellEvaluator(classPath, Imports.notebook(),
                    new PrintStream(stdout, true, StandardCharsets.UTF_8),
                    new PrintStream(stderr, true, StandardCharsets.UTF_8));
            threads = List.of(
                    Thread.ofPlatform().name("kernel-shell").unstarted(() -> serve(shell, "shell")),
                    Thread.ofPlatform().name("kernel-control").unstarted(() -> serve(control, "control")),
                    Thread.ofPlatform().name("kernel-heartbeat").unstarted(() -> heartbeat(heartbeat)));
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /** Binds the five sockets of {@code connection}, starts the JShell VM and starts serving. */
    public static Kernel start(ConnectionInfo connection, List<Path> classPath) {
        Kernel kernel = new Kernel(connection, classPath);
        kernel.threads.forEach(Thread::start);
        kernel.ioPub.status("starting", null);
        return kernel;
    }

    /** Jupyter starts the kernel as {@code java ... org.tensorbridge.notebook.Kernel <connection file>}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -cp ... org.tensorbridge.notebook.Kernel <connection file>"
                    + " (Jupyter passes it; install the kernel with: tensorbridge notebook --install)");
            System.exit(2);
        }
        try (Kernel kernel = start(ConnectionInfo.read(Path.of(args[0])), ClassPath.ofRunningApplication())) {
            kernel.awaitShutdown(Long.MAX_VALUE, TimeUnit.DAYS);
        }
        System.exit(0);
    }

    /** Waits for a shutdown_request; true when one came. */
    public boolean awaitShutdown(long timeout, TimeUnit unit) throws InterruptedException {
        return shutdown.await(timeout, unit);
    }

    /** Stops serving and frees everything: threads, sockets, the JShell VM. Idempotent. */
    @Override
    public void close() {
        running = false;
        shutdown.countDown();
        evaluator.stop();
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        evaluator.close();
        ioPub.close();
        stdin.close();
        context.close();
    }

    private ZMQ.Socket bind(SocketType type, ConnectionInfo connection, int port) {
        ZMQ.Socket socket = context.createSocket(type);
        socket.setLinger(LINGER_MILLIS);
        socket.setReceiveTimeOut(POLL_MILLIS);
        String address = connection.address(port);
        try {
            socket.bind(address);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the kernel cannot bind " + address + " (" + e.getMessage()
                    + "): is another kernel using the port? Let Jupyter choose ports (a fresh connection file)", e);
        }
        return socket;
    }

    private void serve(ZMQ.Socket socket, String channel) {
        try {
            while (running) {
                List<byte[]> frames = Sockets.receive(socket);
                if (frames == null) {
                    continue;
                }
                Message request;
                try {
                    request = codec.decode(frames);
                } catch (RefusedMessageException e) {
                    LOG.log(System.Logger.Level.WARNING, "refused a message on the " + channel + " channel: "
                            + e.getMessage());
                    continue;
                }
                ioPub.status("busy", request);
                try {
                    handle(socket, channel, request);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "failed to handle " + request.type() + " on " + channel, e);
                } finally {
                    ioPub.status("idle", request);
                }
            }
        } finally {
            socket.close();
        }
    }

    private void handle(ZMQ.Socket socket, String channel, Message request) {
        boolean control = channel.equals("control");
        switch (request.type()) {
            case "kernel_info_request" -> reply(socket, request, "kernel_info_reply", kernelInfo());
            case "shutdown_request" -> {
                JsonObject content = ok();
                content.addProperty("restart", bool(request.content(), "restart", false));
                reply(socket, request, "shutdown_reply", content);
                running = false;
                shutdown.countDown();
            }
            case "interrupt_request" -> {
                evaluator.stop();
                reply(socket, request, "interrupt_reply", ok());
            }
            case "execute_request" -> {
                if (control) {
                    LOG.log(System.Logger.Level.WARNING, "execute_request on the control channel ignored");
                } else {
                    execute(socket, request);
                }
            }
            case "is_complete_request" -> {
                JsonObject content = new JsonObject();
                content.addProperty("status", evaluator.completeness(string(request.content(), "code")));
                if (content.get("status").getAsString().equals("incomplete")) {
                    content.addProperty("indent", "");
                }
                reply(socket, request, "is_complete_reply", content);
            }
            case "complete_request" -> {
                String code = string(request.content(), "code");
                int cursor = Math.min(code.length(), request.content().get("cursor_pos").getAsInt());
                JShellEvaluator.Completions completions = evaluator.complete(code, cursor);
                JsonObject content = ok();
                content.add("matches", IoPub.strings(completions.matches()));
                content.addProperty("cursor_start", completions.start());
                content.addProperty("cursor_end", cursor);
                content.add("metadata", new JsonObject());
                reply(socket, request, "complete_reply", content);
            }
            case "inspect_request" -> {
                JsonObject content = ok();
                content.addProperty("found", false);
                content.add("data", new JsonObject());
                content.add("metadata", new JsonObject());
                reply(socket, request, "inspect_reply", content);
            }
            case "history_request" -> {
                JsonObject content = ok();
                content.add("history", new JsonArray());
                reply(socket, request, "history_reply", content);
            }
            case "comm_info_request" -> {
                JsonObject content = ok();
                content.add("comms", new JsonObject());
                reply(socket, request, "comm_info_reply", content);
            }
            default -> LOG.log(System.Logger.Level.WARNING, "unsupported message type '" + request.type() + "' on "
                    + channel + ": ignored");
        }
    }

    private void execute(ZMQ.Socket socket, Message request) {
        JsonObject content = request.content();
        String code = string(content, "code");
        boolean silent = bool(content, "silent", false);
        if (!silent && bool(content, "store_history", true)) {
            executionCount++;
        }
        int count = executionCount;
        if (!silent) {
            ioPub.executeInput(request, code, count);
        }
        ioPub.runningFor(request);
        CellOutcome outcome = evaluator.evaluate(code, () -> {
            stdout.drain();
            stderr.drain();
        });
        stdout.drain();
        stderr.drain();
        JsonObject reply;
        switch (outcome) {
            case CellOutcome.Completed completed -> {
                if (completed.result() != null && !silent) {
                    ioPub.executeResult(request, count, completed.result());
                }
                reply = ok();
                reply.add("user_expressions", new JsonObject());
                reply.add("payload", new JsonArray());
            }
            case CellOutcome.Failed failed -> {
                ioPub.error(request, failed.ename(), failed.evalue(), failed.traceback());
                reply = errorContent(failed.ename(), failed.evalue(), failed.traceback());
                reply.addProperty("status", "error");
            }
        }
        reply.addProperty("execution_count", count);
        reply(socket, request, "execute_reply", reply);
    }

    private JsonObject kernelInfo() {
        JsonObject language = new JsonObject();
        language.addProperty("name", "java");
        language.addProperty("version", Runtime.version().toString());
        language.addProperty("mimetype", "text/x-java-source");
        language.addProperty("file_extension", ".jshell");
        language.addProperty("pygments_lexer", "java");
        language.addProperty("codemirror_mode", "text/x-java");
        JsonObject info = ok();
        info.addProperty("protocol_version", Message.PROTOCOL_VERSION);
        info.addProperty("implementation", "tensorbridge");
        info.addProperty("implementation_version", "0.1.0");
        info.add("language_info", language);
        info.addProperty("banner", "tensorbridge: Java " + Runtime.version().feature()
                + " (JShell) with NDArray, Tensor, Bridge, nn, optim imported; display(x) shows images inline");
        info.add("help_links", new JsonArray());
        return info;
    }

    private void heartbeat(ZMQ.Socket socket) {
        try {
            while (running) {
                byte[] ping = socket.recv(0);
                if (ping != null) {
                    socket.send(ping, 0);
                }
            }
        } finally {
            socket.close();
        }
    }

    private void reply(ZMQ.Socket socket, Message request, String type, JsonObject content) {
        Sockets.send(socket, codec.encode(Message.reply(request, session, type, content)));
    }

    static JsonObject errorContent(String ename, String evalue, List<String> traceback) {
        JsonObject content = new JsonObject();
        content.addProperty("ename", ename);
        content.addProperty("evalue", evalue);
        content.add("traceback", IoPub.strings(traceback));
        return content;
    }

    private static JsonObject ok() {
        JsonObject content = new JsonObject();
        content.addProperty("status", "ok");
        return content;
    }

    private static String string(JsonObject content, String name) {
        JsonElement value = content.get(name);
        return value == null || value.isJsonNull() ? "" : value.getAsString();
    }

    private static boolean bool(JsonObject content, String name, boolean fallback) {
        JsonElement value = content.get(name);
        return value == null || value.isJsonNull() ? fallback : value.getAsBoolean();
    }
}
