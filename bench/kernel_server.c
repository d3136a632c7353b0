/*
 * The kernel's TCP as a server, for the benchmark's baseline: listen, then accept and close,
 * forever. The kernel completes each handshake itself; this loop only keeps the accept queue
 * from filling up.   kernel_server PORT
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int listener = socket(AF_INET, SOCK_STREAM, 0), yes = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    if (bind(listener, (struct sockaddr *) &address, sizeof address) || listen(listener, 4096)) {
        perror("kernel_server");
        return 1;
    }
    printf("listening %s\n", argv[1]);
    fflush(stdout);
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd >= 0) close(fd);
    }
}
