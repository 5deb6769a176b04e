#ifndef CSYSTEM_H
#define CSYSTEM_H

#include <sys/types.h>

/// Starts `path` (an absolute or relative path, never searched in PATH) as a child that:
/// - leads a new process group;
/// - has every signal at its default disposition and an empty signal mask;
/// - gets SIGKILL when the proxy dies, however it dies (PR_SET_PDEATHSIG);
/// - has `stdin_fd`, `stdout_fd`, `stderr_fd` as 0, 1, 2 and no other descriptor;
/// - runs in `cwd`.
/// Returns 0 and the pid, or an errno: from fork, or from the child's chdir/exec, which the
/// child reports through a close-on-exec pipe before it exits (the parent reaps it then).
int ccp_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
              int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid_out);

/// Makes the proxy the reaper of its descendants' orphans (PR_SET_CHILD_SUBREAPER), so a
/// process that left a CLI's group is re-parented to the proxy, not to init. 0 or an errno.
int ccp_become_subreaper(void);

/// pipe2 with O_CLOEXEC | O_NONBLOCK on the parent's end only: `fds[0]` read, `fds[1]` write.
/// `nonblocking_end` is 0 or 1 (the end the proxy keeps), or -1 for neither. 0 or an errno.
int ccp_pipe(int fds[2], int nonblocking_end);

/// Raises the soft RLIMIT_NOFILE to the hard limit. Writes both (after the change) and
/// returns 0, or an errno.
int ccp_raise_nofile(long *soft, long *hard);

/// Tells the kernel the proxy's own code pages are not needed now (madvise MADV_DONTNEED on the
/// executable's read-only, executable mappings: they are never written, so each page comes back
/// from the file on its next use). Called once start-up is over: argument parsing and the
/// runtime's first conformance lookups touch code and metadata all over the static binary that
/// the serving loop never runs again. Returns how many bytes were released, or -errno.
long ccp_release_startup_code(void);

/* The git revision the binary was built from: scripts/build-release.sh passes
 * -Xcc -DCCP_REVISION="…"; other builds say "unknown". */
const char *ccp_revision(void);

#endif
