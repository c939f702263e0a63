// Linux interfaces that Glibc's Swift module map leaves out: epoll, eventfd, accept4, prctl,
// pthread_setname_np.
#ifndef ATPD_CLINUX_H
#define ATPD_CLINUX_H
#include <sys/epoll.h>
#include <sys/eventfd.h>

/// accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC): a new connection, non-blocking and
/// close-on-exec, or -1 with errno set.
int atpd_accept_nonblocking(int fd);

/// prctl(PR_SET_TIMERSLACK, nanoseconds) for the calling thread: how late the kernel may wake it
/// from a timed wait (default 50 µs). 0 on success, else -1 with errno set.
int atpd_set_timer_slack(unsigned long nanoseconds);
/// pthread_setname_np(pthread_self(), name): names the calling thread (at most 15 bytes are kept;
/// a longer name is cut). 0 on success, else an error number.
int atpd_set_thread_name(const char *name);
#endif
