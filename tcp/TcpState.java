/** The connection states of RFC 9293 section 3.3.2, as the RFC names them. */
enum TcpState {
    CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED,
    FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT;

    private final String rfcName = name().replace('_', '-');

    /** "SYN-SENT", as written in the RFC and in our logs. */
    String rfcName() {
        return rfcName;
    }

    /** RFC 9293 section 3.5.2: LISTEN, SYN-SENT and SYN-RECEIVED are the non-synchronized states. */
    boolean isSynchronized() {
        return ordinal() >= ESTABLISHED.ordinal();
    }
}
