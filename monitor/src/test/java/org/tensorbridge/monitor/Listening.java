package org.tensorbridge.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The kernel's view of listening TCP sockets ({@code /proc/net/tcp}, {@code tcp6}): what is really bound. */
final class Listening {
    static final List<String> LOOPBACK = List.of("0100007F", "0000000000000000FFFF00000100007F",
            "00000000000000000000000001000000");
    static final List<String> WILDCARD = List.of("00000000", "00000000000000000000000000000000");

    private Listening() {
    }

    /** The local addresses (hex, as the kernel prints them) of the sockets listening on {@code port}. */
    static List<String> addresses(int port) throws IOException {
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        List<String> found = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(1, lines.size())) {  // the first is the header
                String[] f = line.trim().split("\\s+");
                String[] local = f[1].split(":");
                if (local[1].equals(hexPort) && f[3].equals("0A")) {  // 0A: LISTEN
                    found.add(local[0]);
                }
            }
        }
        return found;
    }
}
