package org.jfpm.cli;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfpm.fastcgi.FcgiCall;
import org.jfpm.front.ListenAddress;

/**
 * One GET to a pool through a listen address, as a web server would send it (the
 * commands' way to ask a pool its ping or status page): the answer's CGI head and body.
 */
final class PoolCall {
    private PoolCall() {}

    /** Thrown with a one-line reason when the address is wrong, nobody answers, or not in time. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message, null, false, false);
        }
    }

    /** The answer's body: what follows the CGI head's blank line (all of it when there is none). */
    static String get(String listen, String path, String query, long timeoutNanos) throws Failed {
        ListenAddress address;
        try {
            address = ListenAddress.parse(listen);
        } catch (ListenAddress.InvalidAddress e) {
            throw new Failed("listen = " + listen + ": " + e.getMessage());
        }
        SocketAddress target = address.isUnix() ? UnixDomainSocketAddress.of(address.path())
                : new InetSocketAddress(address.host() == null ? "127.0.0.1" : address.host(), address.port());
        Map<String, String> params = new LinkedHashMap<>();
        params.put("GATEWAY_INTERFACE", "CGI/1.1");
        params.put("REQUEST_METHOD", "GET");
        params.put("SCRIPT_NAME", path);
        params.put("SCRIPT_FILENAME", path);
        params.put("REQUEST_URI", query.isEmpty() ? path : path + "?" + query);
        params.put("QUERY_STRING", query);
        params.put("SERVER_PROTOCOL", "HTTP/1.1");
        params.put("REMOTE_ADDR", "127.0.0.1");
        StandardProtocolFamily family = address.isUnix() ? StandardProtocolFamily.UNIX
                : ((InetSocketAddress) target).getAddress() instanceof Inet6Address
                        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        try (SocketChannel ch = SocketChannel.open(family)) {
            ch.connect(target);
            String answer = new String(FcgiCall.stdout(ch, params, false, timeoutNanos), StandardCharsets.UTF_8);
            int blank = answer.indexOf("\r\n\r\n");
            return blank < 0 ? answer : answer.substring(blank + 4);
        } catch (FcgiCall.Timeout e) {
            throw new Failed(path + " at " + listen + ": " + e.getMessage());
        } catch (IOException e) {
            throw new Failed("cannot ask " + listen + ": " + e.getMessage());
        }
    }
}
