#!/usr/bin/python3
"""Slow and hostile FastCGI peers against one TCP listen address, for bench/peers.sh.

    slowpeers.py HOST PORT CONNECTIONS SECONDS

Opens CONNECTIONS connections that each send a request head one byte every half second
(slowloris: jfpm closes them when its head timeout passes, php-fpm's workers wait), and
every second a handful of hostile ones: a record with a bad version, a PARAMS length
past the end of its record, a record of an unknown type, half a header then a close.
Stops after SECONDS; prints how many connections it opened."""
import socket
import struct
import sys
import time


def record(kind, rid, content, version=1):
    return struct.pack(">BBHHBB", version, kind, rid, len(content), 0, 0) + content


def pair(name, value):
    return bytes([len(name), len(value)]) + name + value


host, port, count, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
params = pair(b"SCRIPT_FILENAME", b"/nonexistent/x.php") + pair(b"REQUEST_METHOD", b"GET") + pair(b"HTTP_X", b"y" * 120)
head = record(1, 1, struct.pack(">HB5x", 1, 1)) + record(4, 1, params) + record(4, 1, b"") + record(5, 1, b"")
hostile = [
    record(1, 1, struct.pack(">HB5x", 1, 0), version=9),
    record(1, 1, struct.pack(">HB5x", 1, 0)) + record(4, 1, b"\x7f\x7fSHORT"),
    record(1, 1, struct.pack(">HB5x", 1, 0)) + record(77, 1, b"??"),
    b"\x01\x01\x00",
]
opened = 0
slow = []
for _ in range(count):
    try:
        s = socket.create_connection((host, port), timeout=5)
        s.send(head[:9])
        slow.append(s)
        opened += 1
    except OSError:
        pass
end = time.time() + seconds
pos = 9
next_hostile = 0.0
while time.time() < end:
    if pos < len(head) - 1:
        for s in slow:
            try:
                s.send(head[pos:pos + 1])
            except OSError:
                pass
        pos += 1
    if time.time() >= next_hostile:
        for payload in hostile:
            try:
                h = socket.create_connection((host, port), timeout=5)
                h.send(payload)
                h.close()
                opened += 1
            except OSError:
                pass
        next_hostile = time.time() + 1
    time.sleep(0.5)
for s in slow:
    s.close()
print(opened)
