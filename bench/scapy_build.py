"""The cost of building one SYN with scapy, both checksums included: the same packet as
BuildBench.java (198.18.0.2:40000 -> 198.18.0.1:5000, DF, TTL 64, id 1, seq 1000, window 65535,
MSS 1460). bytes() is what computes the lengths and checksums. Prints build_ns=..."""
import sys
import timeit

from scapy.layers.inet import IP, TCP

number = int(sys.argv[1]) if len(sys.argv) > 1 else 2000


def build():
    return bytes(IP(src="198.18.0.2", dst="198.18.0.1", id=1, ttl=64, flags="DF")
                 / TCP(sport=40000, dport=5000, seq=1000, flags="S", window=65535, options=[("MSS", 1460)]))


packet = build()
assert len(packet) == 44, len(packet)
times = timeit.repeat(build, number=number, repeat=5)
print("build_ns=%.1f (best of 5 rounds of %d)" % (min(times) / number * 1e9, number))
print("packet=" + packet.hex())
