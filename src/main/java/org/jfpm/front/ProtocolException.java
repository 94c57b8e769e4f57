package org.jfpm.front;

/** A FastCGI peer broke the protocol; the message says how, for the log line that closes it. */
final class ProtocolException extends Exception {
    ProtocolException(String message) {
        super(message, null, false, false);
    }
}
