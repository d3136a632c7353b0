#!/usr/bin/env python3
"""The kernel's TCP as a peer for data tests (python's sockets, so the kernel does all of TCP).

  kernel_stream.py sink PORT                  accept one connection, read to EOF, print "BYTES SHA256"
  kernel_stream.py send HOST PORT FILE        connect, send FILE, half-close, read to EOF, print "BYTES SHA256" of
                                              what came back
  kernel_stream.py pause-reader PORT SECONDS  accept one, stop reading for SECONDS, then read to EOF; print
                                              "BYTES SHA256", then how long the reading took"
  kernel_stream.py flood HOST PORT SECONDS    connect, send without ever reading for SECONDS, then close
Every mode prints "listening PORT" on stderr once a server socket listens.
"""
import hashlib, socket, sys, time

def listen(port):
    # KSTREAM_IPV6=1: on :: (IPv6, and IPv4 too, as Linux's dual-stack sockets take both)
    import os
    v6 = os.environ.get("KSTREAM_IPV6") == "1"
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if v6 else "0.0.0.0", port))
    s.listen(1)
    print("listening", port, file=sys.stderr, flush=True)
    c, _ = s.accept()
    return c

def read_to_end(c):
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(1 << 20)
        if not b:
            return n, h.hexdigest()
        n += len(b)
        h.update(b)

mode = sys.argv[1]
if mode == "sink":
    c = listen(int(sys.argv[2]))
    print(*read_to_end(c), flush=True)
elif mode == "send":
    c = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=120)
    with open(sys.argv[4], "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            c.sendall(b)
    c.shutdown(socket.SHUT_WR)
    print(*read_to_end(c), flush=True)
elif mode == "pause-reader":
    c = listen(int(sys.argv[2]))
    time.sleep(float(sys.argv[3]))
    start = time.monotonic()
    result = read_to_end(c)
    print(*result, flush=True)
    print("drained after the pause in %d ms" % ((time.monotonic() - start) * 1000), flush=True)
elif mode == "flood":
    c = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=10)
    c.setblocking(False)
    end, sent, chunk = time.time() + float(sys.argv[4]), 0, b"x" * 65536
    while time.time() < end:
        try:
            sent += c.send(chunk)
        except BlockingIOError:
            time.sleep(0.01)
    print("sent", sent, flush=True)
    c.close()
else:
    sys.exit("unknown mode " + mode)
