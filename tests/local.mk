# Unit tests (Check), CLI golden tests and fuzz-corpus replay.
if HAVE_CHECK
check_PROGRAMS += tests/runner
TESTS += tests/runner
endif
tests_runner_SOURCES = tests/main.c tests/check_gopm.h tests/suites.def $(check_test_sources)
tests_runner_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/tests
tests_runner_LDADD = $(GPM_LIBS) $(CHECK_LIBS)

# The CLI tests' reference for the archive's identity (tests/cli/expect.sh).
check_PROGRAMS += tests/xxh128sum
tests_xxh128sum_SOURCES = tests/xxh128sum.c
tests_xxh128sum_LDADD = $(XXHASH_LIBS)

check_test_sources += \
	tests/base/test_base.c \
	tests/model/test_model.c \
	tests/goroutines/test_oracle.c

# GOPM is the real binary behind tests/cli/gopm-record, which keeps every --json document
# in GOPM_JSON_DIR for tests/cli/json-schema.sh.
TESTS_ENVIRONMENT = top_srcdir=$(abs_top_srcdir) top_builddir=$(abs_top_builddir) \
	GOPM=$(abs_top_srcdir)/tests/cli/gopm-record GOPM_BIN=$(abs_top_builddir)/gopm \
	GOPM_JSON_DIR=$(abs_top_builddir)/tests/cli/json-out NO_COLOR=1 \
	XDG_CACHE_HOME=$(abs_top_builddir)/tests/cache \
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
EXTRA_DIST += tests/fuzz/corpus tests/cli tests/browser

# Fuzz harnesses: each tests/fuzz/NAME.c defines LLVMFuzzerTestOneInput. `make check`
# replays tests/fuzz/corpus/NAME/ through tests/fuzz/replay-NAME under the normal build;
# `./configure CC=clang --enable-fuzzers` also builds real libFuzzer binaries fuzz-NAME.
# To add one: append NAME to FUZZ_NAMES and copy the two stanzas below.
FUZZ_REPLAY_SRC = tests/fuzz/replay.c
FUZZ_CORE_PATCH_SRC = tests/fuzz/core_patch.c tests/fuzz/core_patch.h
FUZZ_LDADD = $(GPM_LIBS)
check_test_sources += tests/elf/test_elf.c
check_test_sources += tests/core/test_core.c tests/core/core_builder.h
check_test_sources += tests/gort/test_gort.c

check_PROGRAMS += tests/fuzz/replay-core_notes tests/fuzz/replay-elf
TESTS += tests/fuzz/replay-core_notes tests/fuzz/replay-elf
tests_fuzz_replay_core_notes_SOURCES = tests/fuzz/core_notes.c $(FUZZ_REPLAY_SRC)
tests_fuzz_replay_core_notes_LDADD = $(FUZZ_LDADD)
tests_fuzz_replay_elf_SOURCES = tests/fuzz/elf.c $(FUZZ_REPLAY_SRC)
tests_fuzz_replay_elf_LDADD = $(FUZZ_LDADD)
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-core_notes tests/fuzz/fuzz-elf
tests_fuzz_fuzz_core_notes_SOURCES = tests/fuzz/core_notes.c
tests_fuzz_fuzz_core_notes_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_core_notes_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_core_notes_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_elf_SOURCES = tests/fuzz/elf.c
tests_fuzz_fuzz_elf_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_elf_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_elf_LDADD = $(FUZZ_LDADD)
endif

# gort fuzz harnesses
check_PROGRAMS += tests/fuzz/replay-pclntab tests/fuzz/replay-buildinfo tests/fuzz/replay-typedesc
TESTS += tests/fuzz/replay-pclntab tests/fuzz/replay-buildinfo tests/fuzz/replay-typedesc
tests_fuzz_replay_pclntab_SOURCES = tests/fuzz/pclntab.c $(FUZZ_REPLAY_SRC)
tests_fuzz_replay_pclntab_LDADD = $(FUZZ_LDADD)
tests_fuzz_replay_buildinfo_SOURCES = tests/fuzz/buildinfo.c $(FUZZ_REPLAY_SRC)
tests_fuzz_replay_buildinfo_LDADD = $(FUZZ_LDADD)
tests_fuzz_replay_typedesc_SOURCES = tests/fuzz/typedesc.c $(FUZZ_REPLAY_SRC)
tests_fuzz_replay_typedesc_LDADD = $(FUZZ_LDADD)
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-pclntab tests/fuzz/fuzz-buildinfo tests/fuzz/fuzz-typedesc
tests_fuzz_fuzz_pclntab_SOURCES = tests/fuzz/pclntab.c
tests_fuzz_fuzz_pclntab_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_pclntab_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_pclntab_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_buildinfo_SOURCES = tests/fuzz/buildinfo.c
tests_fuzz_fuzz_buildinfo_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_buildinfo_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_buildinfo_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_typedesc_SOURCES = tests/fuzz/typedesc.c
tests_fuzz_fuzz_typedesc_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_typedesc_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_typedesc_LDADD = $(FUZZ_LDADD)
endif

# dump reader tests, printer tests and fuzz harness
check_test_sources += tests/dump/test_dump.c tests/dump/test_pasted.c tests/model/test_traceback.c
check_test_sources += tests/dump/test_race.c tests/dump/test_profile.c tests/dump/test_deadlock.c
check_PROGRAMS += tests/fuzz/replay-goroutine_profile
TESTS += tests/fuzz/replay-goroutine_profile
tests_fuzz_replay_goroutine_profile_SOURCES = tests/fuzz/goroutine_profile.c $(FUZZ_REPLAY_SRC)
tests_fuzz_replay_goroutine_profile_LDADD = $(FUZZ_LDADD)
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-goroutine_profile
tests_fuzz_fuzz_goroutine_profile_SOURCES = tests/fuzz/goroutine_profile.c
tests_fuzz_fuzz_goroutine_profile_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_goroutine_profile_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_goroutine_profile_LDADD = $(FUZZ_LDADD)
endif

# the input layer: decompressors, apport reports, cut streams
check_PROGRAMS += tests/fuzz/replay-source
TESTS += tests/fuzz/replay-source
tests_fuzz_replay_source_SOURCES = tests/fuzz/source.c $(FUZZ_REPLAY_SRC)
tests_fuzz_replay_source_LDADD = $(FUZZ_LDADD)
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-source
tests_fuzz_fuzz_source_SOURCES = tests/fuzz/source.c
tests_fuzz_fuzz_source_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_source_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_source_LDADD = $(FUZZ_LDADD)
endif

check_PROGRAMS += tests/fuzz/replay-dump_text
TESTS += tests/fuzz/replay-dump_text
tests_fuzz_replay_dump_text_SOURCES = tests/fuzz/dump_text.c $(FUZZ_REPLAY_SRC)
tests_fuzz_replay_dump_text_LDADD = $(FUZZ_LDADD)
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-dump_text
tests_fuzz_fuzz_dump_text_SOURCES = tests/fuzz/dump_text.c
tests_fuzz_fuzz_dump_text_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_dump_text_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dump_text_LDADD = $(FUZZ_LDADD)
endif

# goroutine decoding from corrupted cores
check_PROGRAMS += tests/fuzz/replay-goroutines
TESTS += tests/fuzz/replay-goroutines
tests_fuzz_replay_goroutines_SOURCES = tests/fuzz/goroutines.c $(FUZZ_CORE_PATCH_SRC) $(FUZZ_REPLAY_SRC)
tests_fuzz_replay_goroutines_LDADD = $(FUZZ_LDADD)
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-goroutines
tests_fuzz_fuzz_goroutines_SOURCES = tests/fuzz/goroutines.c $(FUZZ_CORE_PATCH_SRC)
tests_fuzz_fuzz_goroutines_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_goroutines_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_goroutines_LDADD = $(FUZZ_LDADD)
endif

# CLI tests on core inputs: exit statuses, one-line errors, hostile cores
TESTS += tests/cli/core.sh
# finding a core's executable: search directories, .build-id tree, none found, ingest
TESTS += tests/cli/exe_lookup.sh
# the executable fetched from a local debuginfod server; one that never answers
TESTS += tests/cli/debuginfod.sh
# the user's config file: exe-path, overrides, bad lines named
TESTS += tests/cli/config.sh
# a sparse core's archive identity is the tree hash of its bytes
TESTS += tests/cli/hash-sparse.sh
# the cache of big inputs' identities: used, refreshed, off
TESTS += tests/cli/hash-cache.sh
# an archive of schema 6 (whole-file SHA-256 identities): its files still recognised
TESTS += tests/cli/identity-migrate.sh
# an archive of schema 11 (a row per goroutine): migrated to runs, read the same
TESTS += tests/cli/goroutine-runs-migrate.sh
# live snapshots (gcore): goroutines with wait reasons, reported as snapshots
TESTS += tests/cli/gcore.sh
# arm64 cores (qemu): commands and bad inputs
TESTS += tests/cli/arm64.sh
# cgo programs: a fault in C as the headline, a program hanging in C, C frames named
TESTS += tests/cli/cgo.sh
# native stacks: threads in C with their frames by CFI, separate debug files, bad CFI/stacks
TESTS += tests/cli/native.sh
# native stacks on arm64 (qemu cores, no NT_FILE): link_map, frame records, debug files
TESTS += tests/cli/native-arm64.sh

# CLI tests of the input layer: stdin, "--", xz and lz4, bombs, FIFOs, sparse and empty files
TESTS += tests/cli/source.sh
check_test_sources += tests/store/test_store.c

# CLI golden tests: the real gopm on committed dumps, and bad inputs (exit statuses)
TESTS += tests/cli/dump.sh

# findings on the scenario corpus (core and text)
check_test_sources += tests/analysis/test_analysis.c tests/analysis/test_diff.c \
	tests/analysis/test_argwords.c
TESTS += tests/cli/archive.sh tests/cli/archive-scenario.sh tests/cli/archive-regression.sh
# many people at one archive: two writers, readers during creation, a locked archive (exit 75)
TESTS += tests/cli/archive-concurrent.sh
# resign under an unchanged algorithm changes no signature of ~190 stored dumps
TESTS += tests/cli/resign.sh
# cores damaged at test time: allgs repeating one g, overlapping PT_LOADs (warning, exit 1)
TESTS += tests/cli/damaged-core.sh
# every kind of damage a core meets (cut, compressed, zeroed, notes, headers, other builds of
# its executable) on two fixtures, classified against the pristine core's output
TESTS += tests/cli/core-sweep.sh

# gopm tui: scripted screens compared as text, and end-to-end runs under tmux (skip without it)
TESTS += tests/tui/run.sh tests/tui/tmux.sh tests/tui/topframe.sh tests/tui/keyset.sh \
	tests/tui/goid-search.sh tests/tui/keyset-lists.sh
EXTRA_DIST += tests/tui

# gopm analyze: exit statuses, --json validity (json-valid), storing into the archive
check_PROGRAMS += tests/cli/json-valid
tests_cli_json_valid_SOURCES = tests/cli/json-valid.c
TESTS += tests/cli/analyze.sh
TESTS += tests/cli/diff.sh
TESTS += tests/cli/report.sh
TESTS += tests/cli/pprof-export.sh
# findings: the rule table against doc/findings.md and doc/gopm.1; field-shaped dumps
TESTS += tests/cli/findings.sh
TESTS += tests/cli/leak-refs.sh
# rules that read more of a core: select cases, timers, the scheduler, mutexes in objects;
# PIE text dumps with --exe (testdata/corerules)
TESTS += tests/cli/corerules.sh
# runtime.allp found by content in stripped cores: at the twin's symbol, same timers and Ps
TESTS += tests/cli/stripped-allp.sh

# race detector reports: gopm analyze and goroutines on them, re-indented too
TESTS += tests/cli/race.sh

# heap: the walk from cores, heap dumps and pprof profiles; fuzz harnesses for the two readers
check_test_sources += tests/heap/test_heap.c
check_test_sources += tests/ingest/test_ingest.c
check_PROGRAMS += tests/fuzz/replay-heapdump tests/fuzz/replay-pprof
TESTS += tests/fuzz/replay-heapdump tests/fuzz/replay-pprof
tests_fuzz_replay_heapdump_SOURCES = tests/fuzz/heapdump.c $(FUZZ_REPLAY_SRC)
tests_fuzz_replay_heapdump_LDADD = $(FUZZ_LDADD)
tests_fuzz_replay_pprof_SOURCES = tests/fuzz/pprof.c $(FUZZ_REPLAY_SRC)
tests_fuzz_replay_pprof_LDADD = $(FUZZ_LDADD)
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-heapdump tests/fuzz/fuzz-pprof
tests_fuzz_fuzz_heapdump_SOURCES = tests/fuzz/heapdump.c
tests_fuzz_fuzz_heapdump_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_heapdump_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_heapdump_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_pprof_SOURCES = tests/fuzz/pprof.c
tests_fuzz_fuzz_pprof_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_pprof_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_pprof_LDADD = $(FUZZ_LDADD)
endif
TESTS += tests/cli/heap.sh
# the typed heap of out-of-memory cores without allocation headers
TESTS += tests/cli/heap-typed.sh
TESTS += tests/cli/heap-defer.sh
# links from findings to gopm print, run as printed
TESTS += tests/cli/links.sh
# gopm print against the fixture programs' own %#v
TESTS += tests/cli/print.sh

# the heap (walk, object graph, retention, type propagation) of corrupted cores
check_PROGRAMS += tests/fuzz/replay-heap
TESTS += tests/fuzz/replay-heap
tests_fuzz_replay_heap_SOURCES = tests/fuzz/heap.c $(FUZZ_CORE_PATCH_SRC) $(FUZZ_REPLAY_SRC)
tests_fuzz_replay_heap_LDADD = $(FUZZ_LDADD)
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-heap
tests_fuzz_fuzz_heap_SOURCES = tests/fuzz/heap.c $(FUZZ_CORE_PATCH_SRC)
tests_fuzz_fuzz_heap_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_heap_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_heap_LDADD = $(FUZZ_LDADD)
endif

# The command line: option tables against --help, completions and doc/gopm.1; "--" and "-"
TESTS += tests/cli/options.sh
# every command's standard output on a full disk (/dev/full): a message and exit 3
TESTS += tests/cli/output.sh
# every documented exit status from a real cause
TESTS += tests/cli/exit.sh
# show --json of stored incidents against analyze --json of their inputs
TESTS += tests/cli/show-json.sh
# show --format text|markdown|html of stored incidents against analyze --format of their inputs
TESTS += tests/cli/show-report.sh
# the threads in C of native cores stored (schema 9) and shown as analyze shows them
TESTS += tests/cli/show-threads.sh
# every --json document of the tests above against doc/gopm.schema.json: after them all
TESTS += tests/cli/json-schema.sh
# (A rule of our own for this log replaces automake's, so it repeats automake's recipe.)
tests/cli/json-schema.sh.log: tests/cli/json-schema.sh tests/cli/core.sh.log tests/cli/exe_lookup.sh.log \
	tests/cli/gcore.sh.log tests/cli/arm64.sh.log tests/cli/cgo.sh.log tests/cli/native.sh.log tests/cli/native-arm64.sh.log \
	tests/cli/source.sh.log \
	tests/cli/dump.sh.log tests/cli/archive.sh.log tests/cli/analyze.sh.log \
	tests/cli/findings.sh.log tests/cli/race.sh.log tests/cli/heap.sh.log tests/cli/print.sh.log \
	tests/cli/options.sh.log tests/cli/show-json.sh.log tests/cli/show-threads.sh.log tests/cli/diff.sh.log \
	tests/cli/report.sh.log tests/cli/pprof-export.sh.log tests/cli/archive-scenario.sh.log \
	tests/cli/archive-regression.sh.log
	@p='tests/cli/json-schema.sh'; \
	b='tests/cli/json-schema.sh'; \
	$(am__check_pre) $(LOG_DRIVER) --test-name "$$f" \
	--log-file $$b.log --trs-file $$b.trs \
	$(am__common_driver_flags) $(AM_LOG_DRIVER_FLAGS) $(LOG_DRIVER_FLAGS) -- $(LOG_COMPILE) \
	"$$tst" $(AM_TESTS_FD_REDIRECT)
clean-local: clean-json-out
clean-json-out:
	rm -rf tests/cli/json-out tests/cache
.PHONY: clean-json-out
# The HTML reports in a headless chromium (not part of make check: CI runs it where a
# browser is installed; it skips with a message where none is).
check-browser: gopm$(EXEEXT)
	GOPM=$(abs_top_builddir)/gopm$(EXEEXT) top_srcdir=$(abs_top_srcdir) \
	    $(SHELL) $(top_srcdir)/tests/browser/check.sh; st=$$?; \
	    if [ $$st -eq 77 ]; then exit 0; fi; exit $$st
.PHONY: check-browser
