package org.jfpm.fastcgi;

/**
 * The constants of the FastCGI 1.0 specification (section 8, "Types and
 * constants"). Offsets describe the fixed 8-byte record header of section 3.3:
 * version, type, requestId (2 bytes, big endian), contentLength (2), paddingLength, reserved.
 */
public final class Fcgi {
    private Fcgi() {}

    public static final int VERSION_1 = 1;
    public static final int HEADER_LEN = 8;
    /** A record body is at most 65535 bytes plus 255 of padding (section 3.3). */
    public static final int MAX_CONTENT = 0xFFFF;
    public static final int MAX_RECORD = HEADER_LEN + MAX_CONTENT + 0xFF;
    /** Request id 0 is reserved for management records (section 3.3). */
    public static final int NULL_REQUEST_ID = 0;

    // record types (section 8)
    public static final int BEGIN_REQUEST = 1;
    public static final int ABORT_REQUEST = 2;
    public static final int END_REQUEST = 3;
    public static final int PARAMS = 4;
    public static final int STDIN = 5;
    public static final int STDOUT = 6;
    public static final int STDERR = 7;
    public static final int DATA = 8;
    public static final int GET_VALUES = 9;
    public static final int GET_VALUES_RESULT = 10;
    public static final int UNKNOWN_TYPE = 11;

    // header field offsets
    public static final int OFF_VERSION = 0;
    public static final int OFF_TYPE = 1;
    public static final int OFF_REQUEST_ID = 2;
    public static final int OFF_CONTENT_LENGTH = 4;
    public static final int OFF_PADDING_LENGTH = 6;

    // FCGI_BeginRequestBody (section 5.1): role (2 bytes), flags, 5 reserved
    public static final int BEGIN_BODY_LEN = 8;
    public static final int OFF_BEGIN_ROLE = HEADER_LEN;
    public static final int OFF_BEGIN_FLAGS = HEADER_LEN + 2;
    public static final int KEEP_CONN = 1;
    public static final int RESPONDER = 1;
    public static final int AUTHORIZER = 2;
    public static final int FILTER = 3;

    // FCGI_EndRequestBody (section 5.5): appStatus (4 bytes), protocolStatus, 3 reserved
    public static final int END_BODY_LEN = 8;
    public static final int REQUEST_COMPLETE = 0;
    public static final int CANT_MPX_CONN = 1;
    public static final int OVERLOADED = 2;
    public static final int UNKNOWN_ROLE = 3;

    // names a FCGI_GET_VALUES may ask for (section 4.1)
    public static final String MAX_CONNS = "FCGI_MAX_CONNS";
    public static final String MAX_REQS = "FCGI_MAX_REQS";
    public static final String MPXS_CONNS = "FCGI_MPXS_CONNS";

    public static String typeName(int type) {
        return switch (type) {
            case BEGIN_REQUEST -> "BEGIN_REQUEST";
            case ABORT_REQUEST -> "ABORT_REQUEST";
            case END_REQUEST -> "END_REQUEST";
            case PARAMS -> "PARAMS";
            case STDIN -> "STDIN";
            case STDOUT -> "STDOUT";
            case STDERR -> "STDERR";
            case DATA -> "DATA";
            case GET_VALUES -> "GET_VALUES";
            case GET_VALUES_RESULT -> "GET_VALUES_RESULT";
            case UNKNOWN_TYPE -> "UNKNOWN_TYPE";
            default -> "type " + type;
        };
    }
}
