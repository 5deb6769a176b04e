// System calls Swift cannot make directly (prctl and pipe2 are hidden or variadic), and the
// one place the proxy forks. posix_spawn cannot ask the kernel to kill the child when the
// parent dies (PR_SET_PDEATHSIG must be set in the child, between fork and exec), so this is a
// fork/exec that does only async-signal-safe system calls in the child, as posix_spawn does.
#define _GNU_SOURCE
#include "CSystem.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report_and_exit(int fd, int code) {
    int value = code;
    ssize_t ignored = write(fd, &value, sizeof value);
    (void)ignored;
    _exit(127);
}

/// Closes every descriptor from `first` up, but `keep`.
static void close_from(int first, int keep) {
#ifdef SYS_close_range
    if (keep < first) {
        if (syscall(SYS_close_range, (unsigned)first, ~0u, 0) == 0) return;
    } else {
        if (keep > first) syscall(SYS_close_range, (unsigned)first, (unsigned)(keep - 1), 0);
        if (syscall(SYS_close_range, (unsigned)(keep + 1), ~0u, 0) == 0) return;
    }
#endif
    struct rlimit limit;
    long top = 65536;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && (long)limit.rlim_cur < top)
        top = (long)limit.rlim_cur;
    for (long fd = first; fd < top; fd++)
        if (fd != keep) close((int)fd);
}

int ccp_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
              int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid_out) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return errno;
    pid_t parent = getpid();
    sigset_t all, previous;
    sigfillset(&all);
    // No signal handler of the proxy may run in the child between fork and exec.
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t pid = fork();
    if (pid == 0) {
        close(report[0]);
        struct sigaction defaults = {0};
        defaults.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; sig++) {
            if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &defaults, NULL);
        }
        if (setpgid(0, 0) != 0) report_and_exit(report[1], errno);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) report_and_exit(report[1], errno);
        // The proxy may have died between fork and prctl: then nobody would ever kill us.
        if (getppid() != parent) _exit(127);
        // Move the pipe ends above 2 first, so no dup2 below overwrites another source.
        int sources[3] = {stdin_fd, stdout_fd, stderr_fd};
        for (int i = 0; i < 3; i++) {
            int moved = fcntl(sources[i], F_DUPFD_CLOEXEC, 3);
            if (moved < 0) report_and_exit(report[1], errno);
            sources[i] = moved;
        }
        for (int i = 0; i < 3; i++) {
            if (dup2(sources[i], i) < 0) report_and_exit(report[1], errno);
        }
        // Sockets, listeners and other CLIs' pipes never reach a child, close-on-exec or not.
        close_from(3, report[1]);
        if (cwd && chdir(cwd) != 0) report_and_exit(report[1], errno);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, envp);
        report_and_exit(report[1], errno);
    }
    int fork_error = pid < 0 ? errno : 0;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        return fork_error;
    }
    int child_error = 0;
    ssize_t got;
    do {
        got = read(report[0], &child_error, sizeof child_error);
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof child_error) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        return child_error ? child_error : ECHILD;
    }
    *pid_out = pid;
    return 0;
}

int ccp_become_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0 ? 0 : errno;
}

int ccp_pipe(int fds[2], int nonblocking_end) {
    if (pipe2(fds, O_CLOEXEC) != 0) return errno;
    if (nonblocking_end == 0 || nonblocking_end == 1) {
        int fd = fds[nonblocking_end];
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
            /* A blocking end would stall the event loop: no pipe rather than that one. */
            int error = errno;
            close(fds[0]);
            close(fds[1]);
            return error;
        }
    }
    return 0;
}

int ccp_raise_nofile(long *soft, long *hard) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return errno;
    int error = 0;
    if (limit.rlim_cur < limit.rlim_max) {
        rlim_t wanted = limit.rlim_max;
        limit.rlim_cur = wanted;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) error = errno;
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    *soft = limit.rlim_cur == RLIM_INFINITY ? -1 : (long)limit.rlim_cur;
    *hard = limit.rlim_max == RLIM_INFINITY ? -1 : (long)limit.rlim_max;
    return error;
}
