import CSluiceSystem

/// Hands the C library's free heap pages back to the kernel.
///
/// glibc's allocator keeps memory a process has freed: pages inside its arenas stay resident until the top of an
/// arena is free, which in a daemon with many threads (the pool's, NIO's, the warehouse's) is rare. A large WS1
/// download's batches are freed when it ends, but the pages would stay with the daemon until the next download.
/// `malloc_trim(0)` returns every free page of every arena; the daemon calls it whenever its last run in flight has
/// ended. In the soak (small downloads) it gave back about 0.3 MiB at a time; it costs well under a millisecond.
enum FreeMemory {
    static func release() {
        _ = sluice_release_free_memory()
    }
}
