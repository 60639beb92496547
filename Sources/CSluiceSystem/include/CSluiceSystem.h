#ifndef SLUICE_CSLUICESYSTEM_H
#define SLUICE_CSLUICESYSTEM_H

/* C library calls that Swift's Glibc module does not export. */

/* statfs(2) for `sluice doctor`: the f_type magic number of the file system holding `path` (0x6969 NFS,
   0xFF534D42 CIFS, …) in `type`; returns 0, or -1 with errno set. */
int sluice_statfs_type(const char *path, unsigned long long *type);

/* malloc_trim(0) where glibc has it: hands the free pages of every malloc arena back to the kernel. Returns 1 when
   memory was released, 0 when there was none to release or the C library has no such call. */
int sluice_release_free_memory(void);

#endif
