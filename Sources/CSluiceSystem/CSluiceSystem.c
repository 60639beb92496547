#include "CSluiceSystem.h"

#if defined(__linux__)
#include <sys/vfs.h>

int sluice_statfs_type(const char *path, unsigned long long *type) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
    /* f_type is a signed word; some kernels report 32-bit magic numbers sign-extended. Callers mask. */
    *type = (unsigned long long)(unsigned long)info.f_type;
    return 0;
}
#else
#include <errno.h>

int sluice_statfs_type(const char *path, unsigned long long *type) {
    (void)path;
    (void)type;
    errno = ENOSYS;
    return -1;
}
#endif

#if defined(__GLIBC__)
#include <malloc.h>

int sluice_release_free_memory(void) {
    return malloc_trim(0);
}
#else
int sluice_release_free_memory(void) {
    return 0;
}
#endif
