package org.tensorbridge.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** This process's TCP sockets, read from Linux's /proc (the kernel's own account, as `ss -tnp` prints it). */
final class TcpSockets {
    /** A socket: its local address as /proc prints it (hex), its local port, whether it listens, and its inode. */
    record Socket(String address, int port, boolean listening, long inode) {
        boolean isLoopback() {
            return address.equals("0100007F") || address.equals("00000000000000000000000001000000")
                    || address.equals("0000000000000000FFFF00000100007F");
        }

        boolean isWildcard() {
            return address.chars().allMatch(c -> c == '0');
        }
    }

    private TcpSockets() {
    }

    /** Every TCP socket that one of this process's file descriptors refers to. */
    static List<Socket> ofThisProcess() throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException e) {
                    // closed between listing and reading: not ours any more
                }
            }
        }
        List<Socket> out = new ArrayList<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                long inode = Long.parseLong(f[9]);
                if (inode != 0 && inodes.contains(inode)) {
                    String[] local = f[1].split(":");
                    out.add(new Socket(local[0], Integer.parseInt(local[1], 16), f[3].equals("0A"), inode));
                }
            }
        }
        return out;
    }

    /** The sockets of this process that were not in {@code before}. */
    static List<Socket> newSince(List<Socket> before) throws IOException {
        List<Socket> now = new ArrayList<>(ofThisProcess());
        now.removeAll(before);
        return now;
    }
}
