/*
 * The kernel's TCP moving bulk data, for the benchmark's throughput baseline (C, so that no
 * interpreter slows the kernel's side down). Buffers are the kernel's defaults (autotuned).
 *
 *   kernel_stream sink PORT         listen; for each connection in turn: read to end of stream,
 *                                   close, print "received= seconds= mb_per_s=", timed from
 *                                   accept() to the last byte read (the transfer, as the receiver
 *                                   sees it; our TcpServer --discard times the same span)
 *   kernel_stream send HOST PORT N  connect, send N bytes, half-close, read to end of stream;
 *                                   print "sent= seconds= mb_per_s=" (timed from connect() to the
 *                                   peer's FIN; the sink's figure is the one to compare)
 * MB/s are 10^6 bytes a second. KERNEL_CC=NAME in the environment sets the sending socket's
 * congestion control (TCP_CONGESTION: cubic, reno, bbr), whatever the host's default is: root may
 * pick any algorithm the kernel has, even one missing from tcp_allowed_congestion_control.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int sink(int port) {
    int listener = socket(AF_INET, SOCK_STREAM, 0), yes = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (bind(listener, (struct sockaddr *) &address, sizeof address) || listen(listener, 16)) {
        perror("kernel_stream sink");
        return 1;
    }
    printf("listening %d\n", port);
    fflush(stdout);
    char *buffer = malloc(CHUNK);
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) continue;
        double t0 = now_s(), last = t0;
        long received = 0;
        for (;;) {
            ssize_t n = read(fd, buffer, CHUNK);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            received += n;
            last = now_s();
        }
        close(fd);
        double seconds = last > t0 ? last - t0 : 1e-6;
        printf("received=%ld seconds=%.4f mb_per_s=%.1f\n", received, seconds, received / 1e6 / seconds);
        fflush(stdout);
    }
}

static int send_bytes(const char *host, int port, long total) {
    struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, host, &server.sin_addr) != 1) return 2;
    char *buffer = malloc(CHUNK);
    for (int i = 0; i < CHUNK; i++) buffer[i] = (char) (i % 251);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    const char *cc = getenv("KERNEL_CC");
    if (cc && *cc && setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, strlen(cc))) {
        perror("kernel_stream send: TCP_CONGESTION");
        return 1;
    }
    double t0 = now_s();
    if (connect(fd, (struct sockaddr *) &server, sizeof server)) {
        perror("kernel_stream send: connect");
        return 1;
    }
    long sent = 0;
    while (sent < total) {
        long want = total - sent < CHUNK ? total - sent : CHUNK;
        ssize_t n = write(fd, buffer, want);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { perror("kernel_stream send: write"); return 1; }
        sent += n;
    }
    shutdown(fd, SHUT_WR);
    while (read(fd, buffer, CHUNK) > 0) { }
    double seconds = now_s() - t0;
    close(fd);
    printf("sent=%ld seconds=%.4f mb_per_s=%.1f\n", sent, seconds, sent / 1e6 / seconds);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "sink") == 0) return sink(atoi(argv[2]));
    if (argc == 5 && strcmp(argv[1], "send") == 0) return send_bytes(argv[2], atoi(argv[3]), atol(argv[4]));
    fprintf(stderr, "usage: kernel_stream sink PORT | kernel_stream send HOST PORT BYTES\n");
    return 2;
}
