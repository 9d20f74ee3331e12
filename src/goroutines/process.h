/*
 * The dumped-process layer moved to src/process/process.h; this name stays for files of
 * other branches that still include it (tests/fuzz/core_patch.h), until they are merged.
 */
#include "process/process.h"
