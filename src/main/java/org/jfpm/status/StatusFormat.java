package org.jfpm.status;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The status page's formats and how a query string chooses one, as php-fpm
 * does (sapi/fpm/fpm/fpm_status.c, fpm_status_handle_request): each {@code $_GET} key that is a prefix of a keyword
 * selects it ({@code ?j} is JSON, {@code ?f} is full), html before xml before
 * json before openmetrics before text. Keys are read as PHP registers them:
 * URL-decoded, cut at {@code [}, with {@code .} and space turned into
 * {@code _}, empty names dropped.
 */
public enum StatusFormat {
    TEXT("Content-type: text/plain;charset=UTF-8"),
    HTML("Content-type: text/html;charset=UTF-8"),
    XML("Content-type: text/xml;charset=UTF-8"),
    JSON("Content-Type: application/json"),
    OPENMETRICS("Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8");

    private final String contentType;

    StatusFormat(String contentType) {
        this.contentType = contentType;
    }

    /** The content-type header line php-fpm sends for this format (spelling and case its own). */
    public String contentType() {
        return contentType;
    }

    /** A status request: its format and whether {@code full} was asked. */
    public record Choice(StatusFormat format, boolean full) {
    }

    public static Choice choose(String queryString) {
        List<String> keys = keys(queryString);
        StatusFormat format = TEXT;
        if (has(keys, "html")) {
            format = HTML;
        } else if (has(keys, "xml")) {
            format = XML;
        } else if (has(keys, "json")) {
            format = JSON;
        } else if (has(keys, "openmetrics")) {
            format = OPENMETRICS;
        }
        return new Choice(format, has(keys, "full"));
    }

    private static boolean has(List<String> keys, String keyword) {
        for (String key : keys) {
            if (keyword.startsWith(key)) {
                return true;
            }
        }
        return false;
    }

    /** The variable names PHP would register in $_GET for this query string. */
    static List<String> keys(String query) {
        List<String> keys = new ArrayList<>();
        if (query == null || query.isEmpty()) {
            return keys;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String raw = eq < 0 ? pair : pair.substring(0, eq);
            String name;
            try {
                name = URLDecoder.decode(raw, StandardCharsets.ISO_8859_1);
            } catch (IllegalArgumentException e) {
                name = raw; // PHP keeps a malformed %-escape as it is
            }
            name = name.stripLeading();
            int bracket = name.indexOf('[');
            if (bracket > 0) {
                name = name.substring(0, bracket);
            }
            name = name.replace('.', '_').replace(' ', '_');
            if (!name.isEmpty()) {
                keys.add(name);
            }
        }
        return keys;
    }
}
