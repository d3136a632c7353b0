import java.util.Map;

/** Which destinations are not one host (RFC 9293 MUST-46 and MUST-57): LocalAddresses.notUnicast. */
final class LocalAddressesTest {
    public static void main(String[] args) {
        Check.suite("LocalAddresses");
        LocalAddresses local = new LocalAddresses(Map.of(Packets.parseAddress("198.18.0.255"), "eth0"));

        Check.test("multicast, limited broadcast, 0.0.0.0/8, 240/4 and a local subnet's broadcast are not one host", () -> {
            Check.equal("a multicast address (224.0.0.0/4)", local.notUnicast(Packets.parseAddress("224.0.0.1")), "224.0.0.1");
            Check.isTrue(local.notUnicast(Packets.parseAddress("239.255.255.250")) != null, "239.255.255.250");
            Check.equal("the limited broadcast address", local.notUnicast(0xffffffff), "255.255.255.255");
            Check.isTrue(local.notUnicast(0) != null, "0.0.0.0");
            Check.isTrue(local.notUnicast(Packets.parseAddress("240.0.0.1")) != null, "240.0.0.1");
            Check.equal("the broadcast address of eth0's subnet", local.notUnicast(Packets.parseAddress("198.18.0.255")), "198.18.0.255");
        });

        Check.test("unicast addresses pass, the broadcast address of a subnet that is not ours too", () -> {
            for (String a : new String[] {"198.18.0.1", "198.18.0.254", "198.18.1.255", "223.255.255.255", "10.0.0.1"}) {
                Check.equal(null, local.notUnicast(Packets.parseAddress(a)), a);
            }
        });

        Check.test("read() finds this host's interfaces' broadcast addresses without failing", () -> {
            LocalAddresses.read().notUnicast(Packets.parseAddress("198.18.0.1"));
        });
        Check.finish();
    }
}
