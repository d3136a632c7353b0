/*
 * The kernel's TCP as a client, at its leanest, for the benchmark's baseline. Shaped like our
 * BenchClient: one thread keeps IN_FLIGHT connections opening at once (non-blocking connect(2)
 * and epoll), each timed from connect() to the kernel reporting it writable (established), then
 * closed with a RST (SO_LINGER 0), as our client does. The socket is made before the clock starts.
 *
 *   kernel_client HOST PORT HANDSHAKES IN_FLIGHT [WARMUP]
 * prints: handshakes= failed= seconds= rate= median_us= p99_us=   (as BenchClient.java)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in server;

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    long x = *(const long *) a, y = *(const long *) b;
    return (x > y) - (x < y);
}

static double percentile(const long *sorted, long n, double p) {
    if (n == 0) return 0;
    long i = (long) (p / 100 * n + 0.999999) - 1;
    if (i < 0) i = 0;
    if (i >= n) i = n - 1;
    return sorted[i] / 1000.0;
}

/* Starts one connection; its start time is kept by file descriptor. */
static int start_one(int epoll, long *started_at, long *failed) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) { perror("socket"); exit(1); }
    struct linger reset = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    struct epoll_event ev = {.events = EPOLLOUT, .data.fd = fd};
    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev);
    started_at[fd] = now_ns();
    if (connect(fd, (struct sockaddr *) &server, sizeof server) != 0 && errno != EINPROGRESS) {
        (*failed)++;
        close(fd);
        return 0;
    }
    return 1;
}

static void run(long handshakes, int in_flight, int print) {
    long *latencies = calloc(handshakes, sizeof *latencies);
    long *started_at = calloc(1 << 20, sizeof *started_at);
    int epoll = epoll_create1(0);
    long started = 0, done = 0, failed = 0, open = 0;
    struct epoll_event events[256];
    long t0 = now_ns();
    while (done + failed < handshakes) {
        while (open < in_flight && started < handshakes) {
            started++;
            open += start_one(epoll, started_at, &failed);
        }
        int n = epoll_wait(epoll, events, 256, 1000);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            long end = now_ns();
            int error = 0;
            socklen_t length = sizeof error;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
            if (error == 0) latencies[done++] = end - started_at[fd];
            else failed++;
            close(fd);
            open--;
        }
    }
    double seconds = (now_ns() - t0) / 1e9;
    qsort(latencies, done, sizeof *latencies, by_value);
    if (print) {
        printf("handshakes=%ld failed=%ld seconds=%.3f rate=%.0f median_us=%.1f p99_us=%.1f\n", done, failed,
               seconds, done / seconds, percentile(latencies, done, 50), percentile(latencies, done, 99));
    }
    close(epoll);
    free(latencies);
    free(started_at);
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: kernel_client HOST PORT HANDSHAKES IN_FLIGHT [WARMUP]\n");
        return 2;
    }
    server.sin_family = AF_INET;
    server.sin_port = htons(atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) return 2;
    if (argc > 5 && atol(argv[5]) > 0) run(atol(argv[5]), atoi(argv[4]), 0);
    run(atol(argv[3]), atoi(argv[4]), 1);
    return 0;
}
