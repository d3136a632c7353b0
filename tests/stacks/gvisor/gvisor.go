package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/link/fdbased"
	"gvisor.dev/gvisor/pkg/tcpip/link/rawfile"
	"gvisor.dev/gvisor/pkg/tcpip/link/tun"
	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
)

// gvisorVersion is set at build time (-ldflags -X) to the Debian package's version.
var gvisorVersion = "unknown"

const nic tcpip.NICID = 1

// gvisorStack is gVisor's netstack on a tap device: Ethernet frames in and out, ARP answered by
// netstack itself, one IPv4 address, TCP with the library's defaults (Reno, RACK, 1 MB buffers,
// 200 ms minimum RTO) and SACK as runsc turns it on.
type gvisorStack struct {
	s *stack.Stack
}

func newGvisorStack(tap, cidr string, sack bool) (*gvisorStack, error) {
	ip, subnet, err := net.ParseCIDR(cidr)
	if err != nil || ip.To4() == nil {
		return nil, fmt.Errorf("-addr %q: want A.B.C.D/N", cidr)
	}
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol, arp.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol},
	})
	fd, err := tun.OpenTAP(tap)
	if err != nil {
		return nil, fmt.Errorf("open tap %s: %v", tap, err)
	}
	waitForCarrier(tap)
	mtu, err := rawfile.GetMTU(tap)
	if err != nil {
		return nil, fmt.Errorf("MTU of %s: %v", tap, err)
	}
	// A MAC of our own, locally administered, derived from the address so that two runs agree.
	a := ip.To4()
	mac := tcpip.LinkAddress([]byte{0x02, 0x67, a[0], a[1], a[2], a[3]})
	link, err := fdbased.New(&fdbased.Options{FDs: []int{fd}, MTU: mtu, EthernetHeader: true, Address: mac})
	if err != nil {
		return nil, fmt.Errorf("fdbased: %v", err)
	}
	if e := s.CreateNIC(nic, link); e != nil {
		return nil, fmt.Errorf("CreateNIC: %v", e)
	}
	address := tcpip.ProtocolAddress{
		Protocol:          ipv4.ProtocolNumber,
		AddressWithPrefix: tcpip.AddressWithPrefix{Address: tcpip.Address(a), PrefixLen: prefixLength(subnet)},
	}
	if e := s.AddProtocolAddress(nic, address, stack.AddressProperties{}); e != nil {
		return nil, fmt.Errorf("AddProtocolAddress: %v", e)
	}
	sn, e := tcpip.NewSubnet(tcpip.Address(subnet.IP.To4()), tcpip.AddressMask(subnet.Mask))
	if e != nil {
		return nil, fmt.Errorf("subnet: %v", e)
	}
	s.SetRouteTable([]tcpip.Route{{Destination: sn, NIC: nic}})
	if sack {
		opt := tcpip.TCPSACKEnabled(true)
		if e := s.SetTransportProtocolOption(tcp.ProtocolNumber, &opt); e != nil {
			return nil, fmt.Errorf("SACK: %v", e)
		}
	}
	return &gvisorStack{s: s}, nil
}

// waitForCarrier waits until the kernel has taken the tap up: opening it turns its carrier on,
// but the kernel activates the device's queue a moment later (linkwatch), and a frame it sends
// before that is lost. Our first frame is an ARP request whose answer would be lost, and the
// retry comes a second later, with our SYN and its retransmission queued behind it.
func waitForCarrier(tap string) {
	for i := 0; i < 100; i++ {
		state, _ := os.ReadFile("/sys/class/net/" + tap + "/operstate")
		if strings.TrimSpace(string(state)) == "up" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
}

func prefixLength(n *net.IPNet) int {
	ones, _ := n.Mask.Size()
	return ones
}

func (g *gvisorStack) Listen(port int) (net.Listener, error) {
	return gonet.ListenTCP(g.s, tcpip.FullAddress{NIC: nic, Port: uint16(port)}, ipv4.ProtocolNumber)
}

func (g *gvisorStack) Dial(host string, port int) (net.Conn, error) {
	ip := net.ParseIP(host).To4()
	if ip == nil {
		return nil, fmt.Errorf("not an IPv4 address: %q", host)
	}
	type result struct {
		c   net.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := gonet.DialTCP(g.s, tcpip.FullAddress{NIC: nic, Addr: tcpip.Address(ip), Port: uint16(port)}, ipv4.ProtocolNumber)
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		return r.c, r.err
	case <-time.After(10 * time.Second):
		return nil, fmt.Errorf("connect to %s:%s: no answer within 10 s", host, strconv.Itoa(port))
	}
}

func (g *gvisorStack) Linger() time.Duration { return 2 * time.Second }

func (g *gvisorStack) Describe() string {
	return "gVisor netstack " + strings.TrimSpace(gvisorVersion)
}
