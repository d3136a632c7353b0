/** One end of a connection: an IPv4 address and a port. Printed as "198.18.0.1:5000". */
record Endpoint(int address, int port) {
    @Override public String toString() {
        return Packets.address(address) + ":" + port;
    }
}
