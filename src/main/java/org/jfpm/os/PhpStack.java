package org.jfpm.os;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The PHP backtrace of a running php-cgi worker, read from {@code /proc/<pid>/mem}
 * the way php-fpm's fpm_php_trace.c reads it with ptrace: from
 * {@code executor_globals.current_execute_data} along {@code prev_execute_data}.
 *
 * <p>Struct offsets are those of PHP 8.2, non-ZTS, x86_64 (verified on Debian's
 * php-cgi8.2 8.2.36 with a probe reading a worker stopped in
 * {@code outer() -> inner() -> sleep()}). They are trusted only for a binary that
 * is named php-cgi8.2, is an ELF64 x86_64 PIE and exports {@code executor_globals}
 * as an object of 1800 bytes; that check is made once per binary (path, size,
 * mtime). For anything else {@link #trace} says why there is no backtrace.
 *
 * <p>The worker keeps running while it is read, so a frame may change under the
 * reader: a pointer that does not validate gives {@code ???()}; a read that fails
 * ends the dump with {@code +++ dump failed}, as in php-fpm.
 */
public final class PhpStack {
    // zend_executor_globals
    static final long EG_SIZE = 1800;
    static final long EG_CURRENT_EXECUTE_DATA = 488;
    // zend_execute_data
    static final long ED_OPLINE = 0;
    static final long ED_FUNC = 24;
    static final long ED_THIS_TYPE_INFO = 40; // This.u1.type_info, holds the call info
    static final long ED_PREV = 48;
    // zend_function / zend_op_array
    static final long FN_TYPE = 0;
    static final long FN_NAME = 8;
    static final long OP_ARRAY_FILENAME = 152;
    // zend_string
    static final long ZS_LEN = 16;
    static final long ZS_VAL = 24;
    // zend_op
    static final long OP_LINENO = 24;

    static final int ZEND_USER_FUNCTION = 2;
    static final int ZEND_EVAL_CODE = 4;
    static final int ZEND_CALL_CODE = 1 << 16;
    static final int ZEND_CALL_TOP = 1 << 17;
    static final int ZEND_CALL_KIND_MASK = ZEND_CALL_CODE | ZEND_CALL_TOP;
    static final int ZEND_CALL_TOP_CODE = ZEND_CALL_CODE | ZEND_CALL_TOP;
    static final int ZEND_CALL_NESTED_CODE = ZEND_CALL_CODE;

    /** fpm_php_trace.c reads names and file names into a 1024-byte buffer. */
    static final int BUF_SIZE = 1024;
    /** A hard cap on frames when request_slowlog_trace_depth is 0 (unlimited). */
    static final int MAX_FRAMES = 100_000;

    private static final Pattern PHP82_CGI = Pattern.compile("php-cgi8\\.2");
    private static final String SYMBOL = "executor_globals";

    /** The layout check per binary: symbol value, or the reason it is not trusted. */
    private record Layout(long egOffset, String untrusted) {}

    private record BinaryKey(Path path, long size, long mtime) {}

    private static final ConcurrentHashMap<BinaryKey, Layout> LAYOUTS = new ConcurrentHashMap<>();

    private PhpStack() {}

    /** Thrown when the worker's memory could not be read: php-fpm's {@code +++ dump failed}. */
    static final class ReadFailed extends Exception {
        ReadFailed(String message) {
            super(message);
        }
    }

    /**
     * The backtrace lines of worker {@code pid} (each ending in a newline): frames,
     * possibly followed by {@code +++ dump failed}; or one line
     * {@code +++ backtrace not available: <why>} when the layout is not trusted or
     * the memory cannot be opened.
     *
     * @param depth request_slowlog_trace_depth; 0 or less = no limit
     */
    public static String trace(long pid, int depth) {
        Path exe;
        try {
            exe = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe"));
        } catch (IOException | UnsupportedOperationException e) {
            return notAvailable("cannot read /proc/" + pid + "/exe: " + e.getMessage());
        }
        String exeName = exe.toString();
        if (exeName.endsWith(" (deleted)")) {
            return notAvailable("the worker's binary " + exeName + " was replaced since it started");
        }
        Layout layout = layout(exe);
        if (layout.untrusted() != null) {
            return notAvailable(layout.untrusted());
        }
        long base;
        try {
            base = loadAddress(pid, exeName);
        } catch (IOException e) {
            return notAvailable("cannot read /proc/" + pid + "/maps: " + e.getMessage());
        }
        if (base < 0) {
            return notAvailable("no mapping of " + exeName + " in /proc/" + pid + "/maps");
        }
        StringBuilder out = new StringBuilder();
        try (FileChannel mem = FileChannel.open(Path.of("/proc/" + pid + "/mem"), StandardOpenOption.READ)) {
            try {
                dump(new Memory(mem), base + layout.egOffset(), depth, out);
            } catch (ReadFailed | IOException e) {
                out.append("+++ dump failed\n");
            }
        } catch (IOException e) {
            return notAvailable("cannot open /proc/" + pid + "/mem: " + e.getMessage());
        }
        return out.toString();
    }

    private static String notAvailable(String why) {
        return "+++ backtrace not available: " + why + "\n";
    }

    /** fpm_php_trace_dump(), from the frame walk on. */
    static void dump(Memory m, long eg, int depth, StringBuilder out) throws ReadFailed, IOException {
        long executeData = m.u64(eg + EG_CURRENT_EXECUTE_DATA);
        int limit = depth;
        int frames = 0;
        Set<Long> seen = new HashSet<>();
        while (executeData != 0) {
            if (!validPtr(executeData) || !seen.add(executeData) || ++frames > MAX_FRAMES) {
                throw new ReadFailed("bad frame chain at 0x" + Long.toHexString(executeData));
            }
            long function = m.u64(executeData + ED_FUNC);
            String name;
            if (validPtr(function)) {
                long functionName = m.u64(function + FN_NAME);
                if (functionName == 0) {
                    int kind = m.u32(executeData + ED_THIS_TYPE_INFO) & ZEND_CALL_KIND_MASK;
                    if (kind == ZEND_CALL_TOP_CODE) {
                        return;
                    }
                    name = kind == ZEND_CALL_NESTED_CODE ? "[INCLUDE_OR_EVAL]" : "???";
                } else {
                    name = validPtr(functionName) ? zendString(m, functionName) : null;
                    if (name == null) {
                        name = "???";
                    }
                }
            } else {
                name = "???";
            }
            out.append(String.format("[0x%016x] ", executeData)).append(name).append("()");

            String file = "";
            long lineno = 0;
            long prev = m.u64(executeData + ED_PREV);
            executeData = prev;
            int inner = 0;
            while (prev != 0 && validPtr(prev) && ++inner <= MAX_FRAMES) {
                long fn = m.u64(prev + ED_FUNC);
                if (!validPtr(fn)) {
                    break;
                }
                int type = m.u8(fn + FN_TYPE);
                if (type == ZEND_USER_FUNCTION || type == ZEND_EVAL_CODE) { // ZEND_USER_CODE()
                    long fileName = m.u64(fn + OP_ARRAY_FILENAME);
                    String f = validPtr(fileName) ? m.strz(fileName + ZS_VAL, BUF_SIZE) : null;
                    file = f == null ? "" : f;
                    long opline = m.u64(prev + ED_OPLINE);
                    if (validPtr(opline)) {
                        lineno = m.u32(opline + OP_LINENO) & 0xFFFFFFFFL;
                    }
                    break;
                }
                prev = m.u64(prev + ED_PREV);
            }
            out.append(' ').append(file.isEmpty() ? "unknown" : file).append(':').append(lineno).append('\n');
            if (--limit == 0) {
                break;
            }
        }
    }

    /** fpm_php_trace.c's valid_ptr(): non-null and 8-aligned. */
    static boolean validPtr(long p) {
        return p != 0 && (p & 7) == 0;
    }

    /** A zend_string's value as php-fpm prints it (at most 1023 bytes); null when it does not validate. */
    private static String zendString(Memory m, long zs) throws IOException {
        long len = m.u64(zs + ZS_LEN);
        if (len <= 0 || len > (1 << 20)) {
            return null;
        }
        byte[] b = m.bytes(zs + ZS_VAL, (int) Math.min(len, BUF_SIZE - 1));
        for (byte x : b) {
            if (x == 0) {
                return null;
            }
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The start of the first mapping of {@code exe} at file offset 0; -1 when none. */
    static long loadAddress(long pid, String exe) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/maps"), StandardCharsets.ISO_8859_1);
        for (String line : lines) {
            String[] f = line.split("\\s+", 6);
            if (f.length == 6 && f[5].equals(exe) && Long.parseLong(f[2], 16) == 0) {
                return Long.parseUnsignedLong(f[0].substring(0, f[0].indexOf('-')), 16);
            }
        }
        return -1;
    }

    /** The layout check of one binary, cached by path, size and mtime. */
    static Layout layout(Path exe) {
        BinaryKey key;
        try {
            BasicFileAttributes a = Files.readAttributes(exe, BasicFileAttributes.class);
            key = new BinaryKey(exe, a.size(), a.lastModifiedTime().toMillis());
        } catch (IOException e) {
            return new Layout(0, "cannot read " + exe + ": " + e.getMessage());
        }
        return LAYOUTS.computeIfAbsent(key, k -> check(k.path()));
    }

    /** Null when {@code exe} has the layout this class knows, else why not. */
    public static String untrustedReason(Path exe) {
        return layout(exe).untrusted();
    }

    private static Layout check(Path exe) {
        String name = exe.getFileName() == null ? "" : exe.getFileName().toString();
        if (!PHP82_CGI.matcher(name).matches()) {
            return new Layout(0, exe + " is not php-cgi8.2; jfpm knows the memory layout of PHP 8.2 only");
        }
        try (FileChannel ch = FileChannel.open(exe, StandardOpenOption.READ)) {
            long[] sym = Elf.dynamicSymbol(ch, SYMBOL);
            if (sym == null) {
                return new Layout(0, exe + " does not export " + SYMBOL + " (not a non-ZTS x86_64 PIE build)");
            }
            if (sym[1] != EG_SIZE) {
                return new Layout(0, exe + ": " + SYMBOL + " is " + sym[1] + " bytes, not " + EG_SIZE
                        + "; unknown memory layout");
            }
            return new Layout(sym[0], null);
        } catch (IOException e) {
            return new Layout(0, "cannot read " + exe + ": " + e.getMessage());
        }
    }

    /** Positioned reads of another process's memory. */
    static final class Memory {
        private final FileChannel ch;

        Memory(FileChannel ch) {
            this.ch = ch;
        }

        byte[] bytes(long address, int n) throws IOException {
            if (address < 0 || address + n < 0) {
                throw new IOException("address out of range");
            }
            ByteBuffer b = ByteBuffer.allocate(n);
            while (b.hasRemaining()) {
                int r = ch.read(b, address + b.position());
                if (r <= 0) {
                    throw new IOException("short read at 0x" + Long.toHexString(address));
                }
            }
            return b.array();
        }

        long u64(long address) throws IOException {
            return ByteBuffer.wrap(bytes(address, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }

        int u32(long address) throws IOException {
            return ByteBuffer.wrap(bytes(address, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
        }

        int u8(long address) throws IOException {
            return bytes(address, 1)[0] & 0xFF;
        }

        /** fpm_trace_get_strz(): bytes up to NUL, at most {@code max - 1}; null when no NUL within 64 KiB. */
        String strz(long address, int max) throws IOException {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < max - 1; i += 8) {
                byte[] b = bytes(address + i, 8);
                for (byte x : b) {
                    if (x == 0 || s.length() == max - 1) {
                        return s.toString();
                    }
                    s.append((char) (x & 0xFF));
                }
            }
            return s.toString();
        }
    }

    /** Just enough ELF64 to find a dynamic symbol. */
    static final class Elf {
        private Elf() {}

        /** {value, size} of the dynamic symbol {@code name}, or null; null too for anything but an x86_64 ELF64 LE PIE. */
        static long[] dynamicSymbol(FileChannel ch, String name) throws IOException {
            ByteBuffer h = read(ch, 0, 64);
            if (h.getInt(0) != 0x464c457f || h.get(4) != 2 || h.get(5) != 1) {
                return null; // not ELF, not 64-bit, not little-endian
            }
            if (h.getShort(0x10) != 3 || h.getShort(0x12) != 62) {
                return null; // not ET_DYN, not x86_64
            }
            long shoff = h.getLong(0x28);
            int shentsize = h.getShort(0x3A) & 0xFFFF;
            int shnum = h.getShort(0x3C) & 0xFFFF;
            if (shoff <= 0 || shentsize < 64 || shnum == 0 || shnum > 4096) {
                return null;
            }
            ByteBuffer sh = read(ch, shoff, shentsize * shnum);
            byte[] want = name.getBytes(StandardCharsets.ISO_8859_1);
            for (int i = 0; i < shnum; i++) {
                int s = i * shentsize;
                if (sh.getInt(s + 4) != 11) { // SHT_DYNSYM
                    continue;
                }
                long off = sh.getLong(s + 24);
                long size = sh.getLong(s + 32);
                int link = sh.getInt(s + 40);
                long entsize = sh.getLong(s + 56);
                if (link < 0 || link >= shnum || entsize < 24 || size > (64 << 20)) {
                    return null;
                }
                long strOff = sh.getLong(link * shentsize + 24);
                long strSize = sh.getLong(link * shentsize + 32);
                if (strSize > (64 << 20)) {
                    return null;
                }
                ByteBuffer syms = read(ch, off, (int) size);
                ByteBuffer strs = read(ch, strOff, (int) strSize);
                for (long e = 0; e + 24 <= size; e += entsize) {
                    int st = (int) e;
                    int nameOff = syms.getInt(st);
                    if (nameOff < 0 || nameOff + want.length >= strSize || (syms.get(st + 4) & 0xF) != 1) {
                        continue; // not STT_OBJECT
                    }
                    boolean match = strs.get(nameOff + want.length) == 0;
                    for (int k = 0; match && k < want.length; k++) {
                        match = strs.get(nameOff + k) == want[k];
                    }
                    if (match && syms.getShort(st + 6) != 0) { // defined here
                        return new long[] {syms.getLong(st + 8), syms.getLong(st + 16)};
                    }
                }
            }
            return null;
        }

        private static ByteBuffer read(FileChannel ch, long pos, int n) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                if (ch.read(b, pos + b.position()) <= 0) {
                    throw new IOException("truncated ELF file");
                }
            }
            return b.flip();
        }
    }
}
