#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <limits.h>

#include "CSystem.h"

long ccp_release_startup_code(void) {
    char exe[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (length < 0) return -errno;
    exe[length] = 0;
    FILE *maps = fopen("/proc/self/maps", "re");
    if (maps == NULL) return -errno;
    char line[PATH_MAX + 128];
    long released = 0;
    int failure = 0;
    while (fgets(line, sizeof line, maps) != NULL) {
        unsigned long start, end;
        char perms[5];
        int path_at = 0;
        if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &start, &end, perms, &path_at) < 3 || path_at == 0) continue;
        char *path = line + path_at;
        path[strcspn(path, "\n")] = 0;
        // Only code: read and execute, never write, private, of this executable.
        if (strcmp(perms, "r-xp") != 0 || strcmp(path, exe) != 0) continue;
        if (madvise((void *)start, end - start, MADV_DONTNEED) != 0) { failure = errno; break; }
        released += (long)(end - start);
    }
    if (fclose(maps) != 0 && failure == 0) failure = errno;
    return failure != 0 ? -failure : released;
}
