/** One end of a connection: an IP address and a port. Printed as "198.18.0.1:5000" or "[2001:db8::1]:5000". */
record Endpoint(IpAddress address, int port) {
    @Override public String toString() {
        return address.withPort(port);
    }
}
