package io.riffle.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The partition's proxy over real loopback sockets, with this JVM standing in for "node 0" (so
 * {@link SocketOwners} finds this process's sockets) in front of an echo server standing for node 1.
 */
class LoopbackProxyTest {
    private final Set<Integer> isolated = ConcurrentHashMap.newKeySet();
    private ServerSocket echo;
    private LoopbackProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread e = new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException ignored) {
                            // the peer went away
                        }
                    });
                    e.setDaemon(true);
                    e.start();
                } catch (IOException ignored) {
                    // closed
                }
            }
        });
        t.setDaemon(true);
        t.start();
        SocketOwners owners = new SocketOwners(() -> Map.of(0, ProcessHandle.current().pid()));
        proxy = new LoopbackProxy("test", 1, echo.getLocalPort(), owners,
                (source, node) -> isolated.contains(source) || isolated.contains(node));
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void forwardsUntilCutDropsSilentlyWhileCutAndClosesTheBrokenLinkOnHeal() throws Exception {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "one")).isEqualTo("one");
            isolated.add(0); // this JVM, found as the connection's owner
            assertThatThrownBy(() -> roundTrip(s, "lost")).as("dropped, not reset").isInstanceOf(SocketTimeoutException.class);
            heal();
            assertThat(closed(s)).as("a link that lost bytes is closed on heal").isTrue();
        }
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "two")).isEqualTo("two");
        }
    }

    @Test
    void aConnectionMadeDuringACutHangsUntilTheHealAndOthersPass() throws Exception {
        isolated.add(2);
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "between 0 and 1")).as("node 2's cut leaves 0 to 1 alone").isEqualTo("between 0 and 1");
        }
        isolated.add(1);
        try (Socket s = connect()) {
            assertThatThrownBy(() -> roundTrip(s, "hello")).isInstanceOf(SocketTimeoutException.class);
            heal();
            assertThat(closed(s)).isTrue();
        }
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "again")).isEqualTo("again");
        }
    }

    private void heal() {
        isolated.clear();
        proxy.closeBrokenLinks();
    }

    /** Whether the proxy closed {@code s}: end of stream or a reset within the read timeout. */
    private static boolean closed(Socket s) {
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout(1_000);
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes());
        byte[] buf = new byte[text.length()];
        InputStream in = s.getInputStream();
        int n = 0;
        while (n < buf.length) {
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                throw new IOException("closed");
            }
            n += r;
        }
        return new String(buf);
    }
}
