package org.tensorbridge.notebook;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Jupyter connection file: where the kernel's five sockets bind and the key that signs every message.
 *
 * @param transport {@code tcp} or {@code ipc}
 * @param key the HMAC key; empty means messages are not signed (only for trusted, local set-ups)
 */
public record ConnectionInfo(String transport, String ip, int shellPort, int iopubPort, int stdinPort,
        int controlPort, int hbPort, String signatureScheme, String key) {

    public ConnectionInfo {
        if (!transport.equals("tcp") && !transport.equals("ipc")) {
            throw new IllegalArgumentException("connection file: transport '" + transport
                    + "' is not supported: use \"tcp\" or \"ipc\"");
        }
        if (!key.isEmpty() && !signatureScheme.equals("hmac-sha256")) {
            throw new IllegalArgumentException("connection file: signature_scheme '" + signatureScheme
                    + "' is not supported: use \"hmac-sha256\" (Jupyter's default)");
        }
    }

    /** Reads a connection file as Jupyter writes it ({@code kernel-<id>.json}). */
    public static ConnectionInfo read(Path file) throws IOException {
        JsonObject json;
        try {
            JsonElement parsed = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) {
                throw new IllegalArgumentException("connection file " + file + " holds no JSON object");
            }
            json = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("connection file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        return new ConnectionInfo(string(json, "transport", "tcp", file), string(json, "ip", "127.0.0.1", file),
                port(json, "shell_port", file), port(json, "iopub_port", file), port(json, "stdin_port", file),
                port(json, "control_port", file), port(json, "hb_port", file),
                string(json, "signature_scheme", "hmac-sha256", file), string(json, "key", "", file));
    }

    /** The ZeroMQ address of a port: {@code tcp://ip:port}, or {@code ipc://ip-port} as Jupyter names ipc files. */
    public String address(int port) {
        return transport.equals("tcp") ? "tcp://" + ip + ":" + port : "ipc://" + ip + "-" + port;
    }

    /** This connection as a connection file's JSON (what clients read to reach the kernel). */
    public JsonObject toJson() {
        JsonObject json = new JsonObject();
        json.addProperty("transport", transport);
        json.addProperty("ip", ip);
        json.addProperty("shell_port", shellPort);
        json.addProperty("iopub_port", iopubPort);
        json.addProperty("stdin_port", stdinPort);
        json.addProperty("control_port", controlPort);
        json.addProperty("hb_port", hbPort);
        json.addProperty("signature_scheme", signatureScheme);
        json.addProperty("key", key);
        return json;
    }

    private static String string(JsonObject json, String name, String fallback, Path file) {
        JsonElement value = json.get(name);
        if (value == null || value.isJsonNull()) {
            return fallback;
        }
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("connection file " + file + ": \"" + name + "\" must be a string");
        }
        return value.getAsString();
    }

    private static int port(JsonObject json, String name, Path file) {
        JsonElement value = json.get(name);
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("connection file " + file + " lacks the port \"" + name
                    + "\" (a number): write it as Jupyter does, or let jupyter_client start the kernel");
        }
        int port = value.getAsInt();
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("connection file " + file + ": \"" + name + "\" = " + port
                    + " is not a port (1..65535)");
        }
        return port;
    }
}
