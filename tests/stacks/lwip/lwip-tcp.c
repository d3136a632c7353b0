/*
 * lwip-tcp: a TCP peer for the conformance runner and the transfer tests on lwIP 2.1 (Debian's
 * liblwip-dev), over a tap device, with the same command line as tests/stacks/gvisor/netstack.go:
 *
 *   lwip-tcp -tap NAME -addr A.B.C.D/N MODE ARGS...
 *
 *   servers ECHO NO_ECHO CLOSE   three listeners like TcpServer, --no-echo, --close-after-reply
 *   client HOST PORT MESSAGE     connect, send MESSAGE, read as many bytes back, close
 *   sink PORT FILE / source PORT FILE / upload HOST PORT FILE / download HOST PORT FILE
 *
 * Debian builds liblwip for the Hurd's user-space TCP/IP server, and its options are fixed in the
 * shared library (/usr/include/lwip/lwipopts.h): NO_SYS 0 (lwIP runs its own "tcpip" thread),
 * LWIP_TCPIP_CORE_LOCKING 1, memory from glibc's malloc (MEM_LIBC_MALLOC, MEMP_MEM_MALLOC: no
 * fixed pools to run out of), TCP_MSS 1460, TCP_WND 65535 with window scaling (shift 1),
 * TCP_SND_BUF 65535. A program must build against that same lwipopts.h, and with NO_SYS 0 it must
 * not call the raw API from its own threads without the core lock, so this program uses only the
 * thread-safe sockets API (lwip_socket, lwip_accept, lwip_recv, lwip_send) and touches the netif
 * under LOCK_TCPIP_CORE().
 *
 * It does not use the library's own tap driver (tapif_init): in Debian's build (2.1.3+dfsg1-2)
 * the PBUF_POOL elements are 616 bytes (memp_PBUF_POOL.size: a pool sized for the default
 * TCP_MSS of 536), while pbuf_alloc fills up to 1536 bytes of each element (its
 * PBUF_POOL_BUFSIZE for TCP_MSS 1460). tapif receives every frame into a PBUF_POOL pbuf, so the
 * first full-sized frame writes 920 bytes past the block: valgrind shows the invalid write in
 * pbuf_take under tapif's thread, and without valgrind glibc aborts with "malloc(): corrupted top
 * size". Small frames fit, which is why a handshake and an echo work and 100 kB does not. Our
 * driver (tap_*) below takes each frame into a PBUF_RAM pbuf of its exact size instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/tcpip.h"
#include "lwip/netif.h"
#include "lwip/sockets.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

static struct netif tap_netif;

static void fail(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    fprintf(stderr, "lwip-tcp: ");
    vfprintf(stderr, format, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ the tap device */

static int tap_fd = -1;

/* lwIP hands us a whole Ethernet frame (a pbuf chain): one write() to the tap. */
static err_t tap_output(struct netif *netif, struct pbuf *p) {
    (void) netif;
    char frame[1514];
    if (p->tot_len > sizeof frame) return ERR_BUF;
    u16_t length = pbuf_copy_partial(p, frame, p->tot_len, 0);
    if (write(tap_fd, frame, length) != length) return ERR_IF;
    return ERR_OK;
}

/* Reads frames from the tap and gives each to lwIP's thread (tcpip_input queues it there). */
static void *tap_reader(void *arg) {
    struct netif *netif = arg;
    char frame[65536];
    for (;;) {
        ssize_t n = read(tap_fd, frame, sizeof frame);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("read from the tap: %s", strerror(errno));
        if (n < 14 || n > 1514) continue; /* not an Ethernet frame of our MTU */
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t) n, PBUF_RAM);
        if (p == NULL) continue; /* out of memory: the frame is lost, as on a wire */
        pbuf_take(p, frame, (u16_t) n);
        if (netif->input(p, netif) != ERR_OK) pbuf_free(p);
    }
    return NULL;
}

static err_t tap_init(struct netif *netif) {
    static const u8_t mac[6] = {0x02, 0x4c, 0x77, 0x49, 0x50, 0x01}; /* locally administered */
    memcpy(netif->hwaddr, mac, sizeof mac);
    netif->hwaddr_len = sizeof mac;
    netif->mtu = 1500;
    netif->name[0] = 't';
    netif->name[1] = 'p';
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    netif->output = etharp_output;
    netif->linkoutput = tap_output;
    return ERR_OK;
}

static void tap_open(const char *name) {
    struct ifreq ifr;
    tap_fd = open("/dev/net/tun", O_RDWR);
    if (tap_fd < 0) fail("/dev/net/tun: %s", strerror(errno));
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(tap_fd, TUNSETIFF, &ifr) < 0) fail("tap %s: %s", name, strerror(errno));
    /* Opening the tap turns its carrier on, but the kernel activates the device's queue a moment
     * later (linkwatch): a frame it sends before that, such as the answer to our first ARP
     * request, is lost, and lwIP asks again only a second later. Wait for "up". */
    char path[64], state[16] = "";
    snprintf(path, sizeof path, "/sys/class/net/%s/operstate", name);
    for (int i = 0; i < 100 && strncmp(state, "up", 2) != 0; i++) {
        FILE *f = fopen(path, "r");
        if (f != NULL) { if (fgets(state, sizeof state, f) == NULL) state[0] = 0; fclose(f); }
        if (strncmp(state, "up", 2) != 0) usleep(10000);
    }
    usleep(20000);
}

static void tcpip_ready(void *arg) { sem_post((sem_t *) arg); }

/* lwIP's thread, then our tap as its only interface. */
static void start_lwip(const char *tap, const char *cidr) {
    char address[32];
    int prefix;
    if (sscanf(cidr, "%31[0-9.]/%d", address, &prefix) != 2 || prefix < 1 || prefix > 32)
        fail("-addr %s: want A.B.C.D/N", cidr);
    ip4_addr_t ip, mask, gw;
    if (!ip4addr_aton(address, &ip)) fail("-addr %s: not an address", cidr);
    ip4_addr_set_u32(&mask, lwip_htonl(0xffffffffu << (32 - prefix)));
    ip4_addr_set_zero(&gw);
    tap_open(tap);

    sem_t ready;
    sem_init(&ready, 0, 0);
    tcpip_init(tcpip_ready, &ready);
    sem_wait(&ready);

    LOCK_TCPIP_CORE();
    if (netif_add(&tap_netif, &ip, &mask, &gw, NULL, tap_init, tcpip_input) == NULL) fail("netif_add failed");
    netif_set_default(&tap_netif);
    netif_set_up(&tap_netif);
    netif_set_link_up(&tap_netif);
    UNLOCK_TCPIP_CORE();
    pthread_t reader;
    pthread_create(&reader, NULL, tap_reader, &tap_netif);
}

static struct sockaddr_in socket_address(const char *host, int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = lwip_htons(port);
    if (host != NULL && !inet_aton(host, &a.sin_addr)) fail("not an IPv4 address: %s", host);
    return a;
}

static int listen_on(int port) {
    int s = lwip_socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) fail("socket: %s", strerror(errno));
    int one = 1;
    lwip_setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = socket_address(NULL, port);
    if (lwip_bind(s, (struct sockaddr *) &a, sizeof a) < 0) fail("bind %d: %s", port, strerror(errno));
    if (lwip_listen(s, 16) < 0) fail("listen %d: %s", port, strerror(errno));
    return s;
}

static int connect_to(const char *host, int port) {
    int s = lwip_socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) fail("socket: %s", strerror(errno));
    struct sockaddr_in a = socket_address(host, port);
    if (lwip_connect(s, (struct sockaddr *) &a, sizeof a) < 0) {
        printf("error: connect %s:%d: %s\n", host, port, strerror(errno));
        fflush(stdout);
        exit(1);
    }
    return s;
}

/* ------------------------------------------------------------------ the conformance servers */

struct conversation { int socket; const char *mode; };

/* As KernelTarget.serve: echo what arrives, or read and drop it, or echo the first read and
 * close; close when the peer closes. */
static void *serve(void *arg) {
    struct conversation *c = arg;
    char mine[65536];
    printf("%s: accepted\n", c->mode);
    fflush(stdout);
    for (;;) {
        int n = lwip_recv(c->socket, mine, sizeof mine, 0);
        if (n <= 0) break;
        if (strcmp(c->mode, "no-echo") != 0 && lwip_send(c->socket, mine, n, 0) < 0) break;
        if (strcmp(c->mode, "close") == 0) break;
    }
    printf("%s: closing\n", c->mode);
    fflush(stdout);
    lwip_close(c->socket);
    free(c);
    return NULL;
}

struct listener { int socket; const char *mode; };

static void *accept_loop(void *arg) {
    struct listener *l = arg;
    for (;;) {
        int s = lwip_accept(l->socket, NULL, NULL);
        if (s < 0) { printf("%s: accept: %s\n", l->mode, strerror(errno)); return NULL; }
        struct conversation *c = malloc(sizeof *c);
        c->socket = s;
        c->mode = l->mode;
        pthread_t t;
        pthread_create(&t, NULL, serve, c);
        pthread_detach(t);
    }
}

static void servers(int ports[3]) {
    static const char *modes[3] = {"echo", "no-echo", "close"};
    static struct listener listeners[3];
    for (int i = 0; i < 3; i++) {
        listeners[i].socket = listen_on(ports[i]);
        listeners[i].mode = modes[i];
        pthread_t t;
        pthread_create(&t, NULL, accept_loop, &listeners[i]);
    }
    printf("listening\n");
    fflush(stdout);
    for (;;) pause();
}

static void client(const char *host, int port, const char *message) {
    int s = connect_to(host, port);
    int timeout_ms = 10000;
    lwip_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
    size_t length = strlen(message);
    if (lwip_send(s, message, length, 0) < 0) { printf("error: send: %s\n", strerror(errno)); exit(1); }
    char back[1024];
    size_t got = 0;
    while (got < length && got < sizeof back) {
        int n = lwip_recv(s, back + got, length - got, 0);
        if (n <= 0) { printf("error: receive: %s\n", n == 0 ? "closed" : strerror(errno)); exit(1); }
        got += n;
    }
    printf("reply: %.*s\n", (int) got, back);
    fflush(stdout);
    lwip_close(s);
    sleep(1); /* let lwIP's thread finish the close (our FIN, the peer's) before the process ends */
}

/* ------------------------------------------------------------------ transfers */

/* Sends FILE (then a half-close) or writes what arrives to FILE, reads to the peer's FIN, closes,
 * and prints the line our programs print, timed from the handshake to the last byte moved. */
static void transfer(int s, int sending, const char *file) {
    static char buf[65536];
    double start = now_seconds(), last = start;
    long long sent = 0, received = 0;
    FILE *f = fopen(file, sending ? "rb" : "wb");
    if (f == NULL) fail("%s: %s", file, strerror(errno));
    if (sending) {
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
            for (size_t off = 0; off < n; ) {
                int w = lwip_send(s, buf + off, n - off, 0);
                if (w < 0) fail("send: %s (after %lld bytes)", strerror(errno), sent);
                off += w;
                sent += w;
            }
        }
        last = now_seconds();
    }
    lwip_shutdown(s, SHUT_WR);
    for (;;) {
        int n = lwip_recv(s, buf, sizeof buf, 0);
        if (n == 0) break;
        if (n < 0) fail("receive: %s (after %lld bytes)", strerror(errno), received);
        if (!sending && fwrite(buf, 1, n, f) != (size_t) n) fail("%s: %s", file, strerror(errno));
        received += n;
        last = now_seconds();
    }
    fclose(f);
    lwip_close(s);
    double seconds = last - start < 0.001 ? 0.001 : last - start;
    printf("Sent %lld bytes, received %lld bytes in %.3f s (%.1f MB/s)\n", sent, received, seconds,
           (sent + received) / 1e6 / seconds);
    fflush(stdout);
    sleep(1); /* the last ACKs and FIN go from lwIP's thread */
}

static int number(const char *s) {
    char *end;
    long n = strtol(s, &end, 10);
    if (*s == 0 || *end != 0 || n < 0 || n > 65535) fail("not a port: %s", s);
    return (int) n;
}

int main(int argc, char **argv) {
    const char *tap = NULL, *addr = NULL;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "-tap") == 0) tap = argv[i + 1];
        else if (strcmp(argv[i], "-addr") == 0) addr = argv[i + 1];
        else fail("unknown option %s", argv[i]);
    }
    if (tap == NULL || addr == NULL || i >= argc) fail("usage: lwip-tcp -tap NAME -addr A/N MODE ARGS...");
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *mode = argv[i];
    int n = argc - i - 1;
    char **args = argv + i + 1;
    printf("stack: lwIP %s\n", LWIP_VERSION_STRING);
    start_lwip(tap, addr);
    if (strcmp(mode, "servers") == 0 && n == 3) {
        int ports[3] = {number(args[0]), number(args[1]), number(args[2])};
        servers(ports);
    } else if (strcmp(mode, "client") == 0 && n == 3) {
        client(args[0], number(args[1]), args[2]);
    } else if ((strcmp(mode, "sink") == 0 || strcmp(mode, "source") == 0) && n == 2) {
        int l = listen_on(number(args[0]));
        printf("listening\n");
        int s = lwip_accept(l, NULL, NULL);
        if (s < 0) fail("accept: %s", strerror(errno));
        transfer(s, strcmp(mode, "source") == 0, args[1]);
    } else if ((strcmp(mode, "upload") == 0 || strcmp(mode, "download") == 0) && n == 3) {
        transfer(connect_to(args[0], number(args[1])), strcmp(mode, "upload") == 0, args[2]);
    } else {
        fail("unknown mode or wrong arguments: %s", mode);
    }
    return 0;
}
