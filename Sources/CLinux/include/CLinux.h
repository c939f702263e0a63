// Linux interfaces that Glibc's Swift module map leaves out: epoll, eventfd, accept4.
#ifndef ATPD_CLINUX_H
#define ATPD_CLINUX_H
#include <sys/epoll.h>
#include <sys/eventfd.h>

/// accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC): a new connection, non-blocking and
/// close-on-exec, or -1 with errno set.
int atpd_accept_nonblocking(int fd);
#endif
