package io.riffle.fault;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Which child node opened a loopback connection, from Linux's {@code /proc}: the socket table gives the
 * inode of the socket bound to the client's port, and the node whose {@code /proc/<pid>/fd} links to that
 * inode owns it. Every connection between nodes is loopback, so its source address cannot tell the nodes
 * apart; this lets a {@link LoopbackProxy} cut both directions of a partition.
 */
final class SocketOwners {
    private final Supplier<Map<Integer, Long>> pidsByNode;

    /** @param pidsByNode the live pid of each node index, asked at every lookup (nodes restart) */
    SocketOwners(Supplier<Map<Integer, Long>> pidsByNode) {
        this.pidsByNode = pidsByNode;
    }

    /** The node that holds the connection from {@code clientPort} to {@code serverPort}, if a node does. */
    OptionalInt nodeOf(int clientPort, int serverPort) {
        long inode = inode(clientPort, serverPort);
        if (inode < 0) {
            return OptionalInt.empty();
        }
        String link = "socket:[" + inode + "]";
        for (Map.Entry<Integer, Long> node : pidsByNode.get().entrySet()) {
            if (holds(node.getValue(), link)) {
                return OptionalInt.of(node.getKey());
            }
        }
        return OptionalInt.empty();
    }

    /** The inode of the socket whose local port is {@code local} and remote port {@code remote}, or -1. */
    private static long inode(int local, int remote) {
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    // "  sl  local_address rem_address   st tx_queue:rx_queue ... uid timeout inode"
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[1].contains(":") && port(f[1]) == local && port(f[2]) == remote) {
                        return Long.parseLong(f[9]);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // no IPv6 table, or a line being rewritten: the other table or the next lookup decides
            }
        }
        return -1;
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
    }

    private static boolean holds(long pid, String link) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    if (link.equals(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed while we looked
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return false;
    }
}
