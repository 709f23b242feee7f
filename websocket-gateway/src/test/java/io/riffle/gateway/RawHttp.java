package io.riffle.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a bare socket, for requests no well-behaved client sends (conflicting framing headers,
 * dribbled headers). Test helper: every read is bounded by a socket timeout.
 */
final class RawHttp {
    private RawHttp() {
    }

    /**
     * One answer as read off the wire.
     *
     * @param closed whether the server closed the connection after answering
     */
    record Reply(int status, Map<String, String> headers, String body, boolean closed) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A GET of {@code path}; {@code close} asks the server to close the connection after answering. */
    static String get(String path, boolean close) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
    }

    /** Sends {@code request} as is on a new connection and reads one answer (Content-Length framed). */
    static Reply exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return read(socket);
        }
    }

    /** Reads one answer from {@code socket}, then whether the server closes the connection. */
    static Reply read(Socket socket) throws IOException {
        Reply r = readAnswer(socket);
        return r.status() < 0 ? r : new Reply(r.status(), r.headers(), r.body(), closesSoon(socket));
    }

    /** Reads one answer and leaves the connection as it is; status -1 if it closed without one. */
    static Reply readAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        if (head == null) {
            return new Reply(-1, Map.of(), "", true);
        }
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Reply(status, headers, new String(body, StandardCharsets.UTF_8), false);
    }

    /** Whether the peer closes the connection within the socket's timeout (no more bytes, then end of stream). */
    static boolean closesSoon(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b;
            try {
                b = in.read();
            } catch (IOException reset) {
                b = -1;
            }
            if (b == -1) {
                return head.size() == 0 ? null : head.toString(StandardCharsets.ISO_8859_1);
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String s = head.toString(StandardCharsets.ISO_8859_1);
        return s.substring(0, s.length() - 4);
    }
}
