import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which IPv4 destinations are not one host: multicast (224.0.0.0/4), the limited broadcast
 * 255.255.255.255, "this network" 0.0.0.0/8, and the directed broadcast address of each local
 * interface's subnet (198.18.0.255 on a /24). RFC 9293 3.9.1.1 (MUST-46): "A TCP implementation
 * MUST reject as an error a local OPEN call for an invalid remote IP address (e.g., a broadcast or
 * multicast address)"; 3.9.2.3 (MUST-57): "A TCP implementation MUST silently discard an incoming
 * SYN segment that is addressed to a broadcast or multicast address."
 *
 * The subnets' broadcast addresses (each address's "brd", and the all-ones host of its prefix,
 * which the kernel's local routing table marks broadcast either way) are read once at start with java.net.NetworkInterface, which
 * asks the kernel the way getifaddrs(3) and `ip addr` do (the interface list and each address's
 * broadcast, SIOCGIFBRDADDR): no native code of ours and no `ip` process to parse. An address
 * added to an interface while the program runs is not seen (the kernel's own TCP sees it).
 */
final class LocalAddresses {
    private final Map<Integer, String> broadcasts; // broadcast address -> interface name

    LocalAddresses(Map<Integer, String> broadcasts) {
        this.broadcasts = Collections.unmodifiableMap(new LinkedHashMap<>(broadcasts));
    }

    /** The broadcast addresses of this host's interfaces, as the kernel says now (none if it will not say). */
    static LocalAddresses read() {
        Map<Integer, String> found = new LinkedHashMap<>();
        try {
            List<NetworkInterface> all = Collections.list(NetworkInterface.getNetworkInterfaces());
            for (NetworkInterface nif : all) {
                for (InterfaceAddress a : new ArrayList<>(nif.getInterfaceAddresses())) {
                    if (!(a.getAddress() instanceof Inet4Address)) continue;
                    if (a.getBroadcast() != null) found.put(Packets.parseAddress(a.getBroadcast().getHostAddress()), nif.getName());
                    // The kernel adds a broadcast route for the subnet's all-ones address even when
                    // the address was added without one (`ip addr add 198.18.0.1/24`, no "brd +").
                    int prefix = a.getNetworkPrefixLength();
                    if (prefix > 0 && prefix < 31) {
                        int host = Packets.parseAddress(a.getAddress().getHostAddress());
                        found.put(host | (-1 >>> prefix), nif.getName());
                    }
                }
            }
        } catch (SocketException e) {
            // no interface list: the fixed ranges below still hold
        }
        return new LocalAddresses(found);
    }

    /**
     * Why the address is not one host's, or null. IPv6 has no broadcast (RFC 4291 2.7): multicast
     * is ff00::/8, and :: is no host's address.
     */
    String notUnicast(IpAddress address) {
        if (!address.isV6()) return notUnicast(address.v4());
        if (address.isMulticastOrBroadcast()) return "an IPv6 multicast address (ff00::/8)";
        if (address.isAny()) return "the unspecified address ::";
        return null;
    }

    /** Why the address is not one host's ("multicast (224.0.0.0/4)"), or null for a unicast address. */
    String notUnicast(int address) {
        if ((address >>> 28) == 0xe) return "a multicast address (224.0.0.0/4)";
        if (address == 0xffffffff) return "the limited broadcast address";
        if ((address >>> 24) == 0) return "in 0.0.0.0/8 (\"this network\")";
        if ((address >>> 28) == 0xf) return "in the reserved 240.0.0.0/4";
        String nif = broadcasts.get(address);
        if (nif != null) return "the broadcast address of " + nif + "'s subnet";
        return null;
    }
}
