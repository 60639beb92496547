#include <sqlite3.h>

/* sqlite3_config is variadic, which Swift cannot call: one fixed-argument wrapper per setting Sluice uses. */

/* SQLITE_CONFIG_MEMSTATUS: off, SQLite stops counting allocations, which otherwise takes a process-wide
   mutex around every malloc and free it makes. Must run before the first connection opens. */
static inline int sluice_sqlite3_config_memstatus(int enabled) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, enabled);
}
