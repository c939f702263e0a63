#define _GNU_SOURCE
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include "CLinux.h"

int atpd_accept_nonblocking(int fd) {
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int atpd_set_timer_slack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0);
}
