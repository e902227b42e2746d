package org.tensorbridge.notebook;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What the JShell VM writes to its standard output or error, forwarded as {@code stream} messages: whole lines as
 * they arrive (a long cell shows its progress), the rest when the kernel {@link #drain()}s after each snippet.
 * {@link Display}'s marker lines become {@code display_data} instead.
 */
final class OutputForwarder extends OutputStream {
    private final String name;
    private final IoPub ioPub;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    OutputForwarder(String name, IoPub ioPub) {
        this.name = name;
        this.ioPub = ioPub;
    }

    @Override
    public synchronized void write(int b) {
        pending.write(b);
        if (b == '\n') {
            forwardLines();
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        pending.write(bytes, offset, length);
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] == '\n') {
                forwardLines();
                return;
            }
        }
    }

    /** Forwards everything written so far, a partial last line included. */
    synchronized void drain() {
        forward(pending.size());
    }

    private void forwardLines() {
        byte[] bytes = pending.toByteArray();
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        forward(end);
    }

    /** Forwards the first {@code length} pending bytes (whole UTF-8 sequences: they end at a newline or a drain). */
    private void forward(int length) {
        if (length == 0) {
            return;
        }
        byte[] bytes = pending.toByteArray();
        pending.reset();
        pending.write(bytes, length, bytes.length - length);
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        int from = 0;
        int marker;
        while ((marker = text.indexOf(Display.MARKER_START, from)) >= 0) {
            int end = text.indexOf(Display.MARKER_END, marker);
            if (end < 0) {
                break;
            }
            stream(text.substring(from, marker));
            display(text.substring(marker + Display.MARKER_START.length(), end));
            from = end + 1;
            if (from < text.length() && text.charAt(from) == '\n') {
                from++;
            }
        }
        stream(text.substring(from));
    }

    private void stream(String text) {
        if (!text.isEmpty()) {
            ioPub.stream(name, text);
        }
    }

    /** A marker's body: {@code png=<base64 or nothing> text=<base64 UTF-8>}. */
    private void display(String body) {
        String png = null;
        String text = "";
        for (String field : body.split(" ")) {
            if (field.startsWith("png=") && field.length() > 4) {
                png = field.substring(4);
            } else if (field.startsWith("text=")) {
                text = new String(Base64.getDecoder().decode(field.substring(5)), StandardCharsets.UTF_8);
            }
        }
        ioPub.display(png, text);
    }
}
