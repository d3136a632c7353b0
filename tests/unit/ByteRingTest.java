/**
 * ByteRing: copies into and out of a circular array, split in two at the end.
 *
 * Run from the project directory:
 *   ./test.sh unit ByteRing   (no root needed)
 */
final class ByteRingTest {
    private ByteRingTest() {}

    public static void main(String[] args) {
        Check.suite("ByteRing");

        Check.test("a run that reaches the end of the array continues at index 0", () -> {
            byte[] ring = new byte[8];
            ByteRing.copyIn(ring, 6, new byte[] {1, 2, 3, 4, 5}, 0, 5);
            Check.bytes(new byte[] {3, 4, 5, 0, 0, 0, 1, 2}, ring, "ring");
            byte[] out = new byte[7];
            ByteRing.copyOut(ring, 6, out, 1, 5);
            Check.bytes(new byte[] {0, 1, 2, 3, 4, 5, 0}, out, "copied out");
        });

        Check.test("a run that fits before the end is one copy; the whole ring can be copied", () -> {
            byte[] ring = new byte[4];
            ByteRing.copyIn(ring, 0, new byte[] {9, 8, 7, 6}, 0, 4);
            byte[] out = new byte[4];
            ByteRing.copyOut(ring, 2, out, 0, 4);
            Check.bytes(new byte[] {7, 6, 9, 8}, out, "from the middle, all of it");
        });

        Check.test("advance wraps modulo the ring size", () -> {
            byte[] ring = new byte[10];
            Check.equal(3, ByteRing.advance(ring, 7, 6), "7 + 6 in 10");
            Check.equal(0, ByteRing.advance(ring, 9, 1), "9 + 1 in 10");
            Check.equal(9, ByteRing.advance(ring, 9, 0), "9 + 0");
        });

        Check.test("more than the ring holds is refused", () -> {
            Check.throwsA(IndexOutOfBoundsException.class,
                    () -> ByteRing.copyIn(new byte[4], 0, new byte[5], 0, 5), "5 bytes into 4");
            Check.throwsA(IndexOutOfBoundsException.class,
                    () -> ByteRing.copyOut(new byte[4], 4, new byte[1], 0, 1), "position past the end");
        });

        Check.finish();
    }
}
