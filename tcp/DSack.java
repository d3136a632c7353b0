/**
 * Recognises a D-SACK (RFC 2883) in an ACK's SACK option: the receiver telling that it got some
 * data twice. RFC 2883 section 4: "the first block of the SACK option should be a D-SACK block
 * specifying the sequence numbers for the duplicate segment that triggers the acknowledgement. If
 * the duplicate segment is part of a larger block of non-contiguous data in the receiver's data
 * queue, then the following SACK block should be used to specify this larger block."
 *
 * So the sender reads the first block as a D-SACK when it lies below the cumulative ACK (data
 * already acknowledged arrived again), or when the second block contains it (data already SACKed
 * arrived again), as Linux's tcp_check_dsack does. Pure functions, no state.
 */
final class DSack {
    private DSack() {}

    /** The duplicate data the receiver reported: [left, right). */
    record Block(int left, int right) {
        int length() { return right - left; }
        @Override public String toString() { return "[" + Seq.str(left) + "," + Seq.str(right) + ")"; }
    }

    /**
     * The D-SACK block of an ACK, or null when its first block is an ordinary SACK block.
     * @param segAck the ACK's acknowledgment number
     * @param sack   its SACK option
     */
    static Block find(int segAck, Packets.Sack sack) {
        if (sack == null || sack.blocks() == 0) return null;
        return sack.blocks() > 1
                ? find(segAck, sack.left(0), sack.right(0), true, sack.left(1), sack.right(1))
                : find(segAck, sack.left(0), sack.right(0), false, 0, 0);
    }

    /**
     * The same on bare numbers: the first block [left0, right0), and the second [left1, right1)
     * when there is one.
     */
    static Block find(int segAck, int left0, int right0, boolean second, int left1, int right1) {
        if (!Seq.lt(left0, right0)) return null;                  // empty or reversed: not a block
        if (Seq.lt(left0, segAck)) return new Block(left0, right0); // below the cumulative ACK
        if (second && Seq.le(left1, left0) && Seq.le(right0, right1)) return new Block(left0, right0); // inside the second
        return null;
    }
}
