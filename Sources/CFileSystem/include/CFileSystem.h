#ifndef SLUICE_CFILESYSTEM_H
#define SLUICE_CFILESYSTEM_H

/* statfs(2) for `sluice doctor`: Swift's Glibc module does not export <sys/vfs.h>. */

/* The f_type magic number of the file system holding `path` (0x6969 NFS, 0xFF534D42 CIFS, …) in `type`;
   returns 0, or -1 with errno set. */
int sluice_statfs_type(const char *path, unsigned long long *type);

#endif
