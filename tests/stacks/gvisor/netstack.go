// netstack: a TCP peer for the conformance runner and the transfer tests, on gVisor's netstack
// (gvisor.dev/gvisor/pkg/tcpip, a user-space TCP) over a tap device, or on the Linux kernel's TCP
// through Go's net package. The applications are the same either way: only the stack changes.
//
//	netstack -stack gvisor -tap NAME -addr A.B.C.D/N MODE ARGS...
//	netstack -stack kernel MODE ARGS...
//
// Modes (tests/stacks/README.md has the table for every stack):
//
//	servers ECHO NO_ECHO CLOSE   three listeners like TcpServer, TcpServer --no-echo and
//	                             TcpServer --close-after-reply; prints "listening"
//	client HOST PORT MESSAGE     connect, send MESSAGE, read as many bytes back, close
//	sink PORT FILE               accept one connection, write what arrives to FILE until the
//	                             peer's FIN, then close
//	source PORT FILE             accept one connection, send FILE, close (FIN), read to the peer's FIN
//	upload HOST PORT FILE        connect, send FILE, half-close, read to the peer's FIN
//	download HOST PORT FILE      connect, half-close, write what arrives to FILE until the peer's FIN
//
// Every transfer ends with a line in the words of our own programs:
// "Sent N bytes, received N bytes in T s (R MB/s)", timed from the handshake to the last byte
// moved, as stack/StreamApp.java times ours.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// A Stack opens connections and listeners; gvisorStack and kernelStack are the two.
type Stack interface {
	Listen(port int) (net.Listener, error)
	Dial(host string, port int) (net.Conn, error)
	Describe() string
	// Linger is how long the process must live after its last close: a user-space stack dies
	// with its process, so its FIN and last ACKs need time to go.
	Linger() time.Duration
}

// halfCloser is the half-close both stacks' connections offer (*net.TCPConn, *gonet.TCPConn).
type halfCloser interface{ CloseWrite() error }

func main() {
	which := flag.String("stack", "kernel", "gvisor or kernel")
	tap := flag.String("tap", "", "gvisor: the tap device to open (made by the caller)")
	addr := flag.String("addr", "", "gvisor: our address and prefix, e.g. 198.18.2.2/24")
	sack := flag.Bool("sack", true, "gvisor: offer SACK (runsc's default; the library's is off)")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		fail("usage: netstack [-stack gvisor -tap NAME -addr A/N | -stack kernel] MODE ARGS...")
	}
	var s Stack
	switch *which {
	case "kernel":
		s = kernelStack{}
	case "gvisor":
		g, err := newGvisorStack(*tap, *addr, *sack)
		if err != nil {
			fail("gvisor: %v", err)
		}
		s = g
	default:
		fail("unknown stack %q", *which)
	}
	fmt.Printf("stack: %s\n", s.Describe())
	switch args[0] {
	case "servers":
		need(args, 4)
		for i, mode := range []string{"echo", "no-echo", "close"} {
			l, err := s.Listen(number(args[i+1]))
			if err != nil {
				fail("listen %s: %v", args[i+1], err)
			}
			go acceptLoop(l, mode)
		}
		fmt.Println("listening")
		select {} // until killed
	case "client":
		need(args, 4)
		client(s, args[1], number(args[2]), args[3])
	case "sink", "source":
		need(args, 3)
		l, err := s.Listen(number(args[1]))
		if err != nil {
			fail("listen: %v", err)
		}
		fmt.Println("listening")
		c, err := l.Accept()
		if err != nil {
			fail("accept: %v", err)
		}
		transfer(c, args[0] == "source", args[2])
		time.Sleep(s.Linger())
	case "upload", "download":
		need(args, 4)
		c, err := s.Dial(args[1], number(args[2]))
		if err != nil {
			fail("connect: %v", err)
		}
		transfer(c, args[0] == "upload", args[3])
		time.Sleep(s.Linger())
	default:
		fail("unknown mode %q", args[0])
	}
}

func acceptLoop(l net.Listener, mode string) {
	for {
		c, err := l.Accept()
		if err != nil {
			fmt.Printf("%s: accept: %v\n", mode, err)
			return
		}
		go serve(c, mode)
	}
}

// serve behaves as KernelTarget.serve: echo what arrives, or read and drop it, or echo the first
// read and close; close when the peer closes.
func serve(c net.Conn, mode string) {
	defer c.Close()
	fmt.Printf("%s: accepted %s\n", mode, c.RemoteAddr())
	buf := make([]byte, 65536)
	for {
		n, err := c.Read(buf)
		if n > 0 && mode != "no-echo" {
			if _, werr := c.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil || mode == "close" {
			break
		}
	}
	fmt.Printf("%s: closing %s\n", mode, c.RemoteAddr())
}

func client(s Stack, host string, port int, message string) {
	c, err := s.Dial(host, port)
	if err != nil {
		fmt.Printf("error: %v\n", err)
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(message)); err != nil {
		fmt.Printf("error: %v\n", err)
		return
	}
	back := make([]byte, len(message))
	if _, err := io.ReadFull(c, back); err != nil {
		fmt.Printf("error: %v\n", err)
		return
	}
	fmt.Printf("reply: %s\n", back)
	c.Close()
	time.Sleep(s.Linger())
}

// transfer sends FILE (then a half-close) or writes what arrives to FILE, reads to the peer's FIN,
// closes, and prints the line our programs print.
func transfer(c net.Conn, sending bool, file string) {
	start := time.Now()
	last := start
	var sent, received int64
	if sending {
		f, err := os.Open(file)
		if err != nil {
			fail("%v", err)
		}
		sent, err = io.Copy(c, f)
		f.Close()
		if err != nil {
			fail("send: %v (after %d bytes)", err, sent)
		}
		last = time.Now()
		c.(halfCloser).CloseWrite()
	} else {
		c.(halfCloser).CloseWrite() // as nc -N with nothing to say; the peer's data still comes
	}
	out := io.Discard
	if !sending {
		f, err := os.Create(file)
		if err != nil {
			fail("%v", err)
		}
		defer f.Close()
		out = f
	}
	buf := make([]byte, 1<<16)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := out.Write(buf[:n]); werr != nil {
				fail("%v", werr)
			}
			received += int64(n)
			last = time.Now()
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			fail("receive: %v (after %d bytes)", err, received)
		}
	}
	c.Close()
	seconds := last.Sub(start).Seconds()
	if seconds < 0.001 {
		seconds = 0.001
	}
	fmt.Printf("Sent %d bytes, received %d bytes in %.3f s (%.1f MB/s)\n", sent, received, seconds,
		float64(sent+received)/1e6/seconds)
}

// kernelStack is Linux's TCP through Go's net package.
type kernelStack struct{}

func (kernelStack) Listen(port int) (net.Listener, error) {
	return net.Listen("tcp4", ":"+strconv.Itoa(port))
}

func (kernelStack) Dial(host string, port int) (net.Conn, error) {
	return net.DialTimeout("tcp4", net.JoinHostPort(host, strconv.Itoa(port)), 10*time.Second)
}

func (kernelStack) Linger() time.Duration { return 0 }

func (kernelStack) Describe() string {
	release, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return "Linux " + strings.TrimSpace(string(release))
}

func number(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fail("not a number: %q", s)
	}
	return n
}

func need(args []string, n int) {
	if len(args) != n {
		fail("%s takes %d arguments", args[0], n-1)
	}
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "netstack: "+format+"\n", a...)
	os.Exit(1)
}
