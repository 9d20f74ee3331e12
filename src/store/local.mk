# The incident archive. The SQL migrations in schema/ are installed for reference and
# compiled into the library as C string literals (src/store/schema_sql.c, generated below
# with sed only), so the program never needs the installed files.
libgopm_a_SOURCES += \
	src/store/store.c src/store/store.h \
	src/store/goroutines.c \
	src/store/query.c \
	src/store/artifact.c src/store/maintain.c \
	src/store/internal.h \
	src/store/signature.c src/store/signature.h \
	src/store/cluster.c src/store/cluster.h \
	src/store/workflow.c src/store/workflow.h \
	src/store/tui_queries.c src/store/tui_queries.h
nodist_libgopm_a_SOURCES = src/store/schema_sql.c
CLEANFILES = src/store/schema_sql.c

gpm_schema_files = schema/001_init.sql schema/002_signatures.sql \
	schema/003_workflow.sql schema/004_cluster_stats.sql \
	schema/005_reports.sql schema/006_tui_lists.sql \
	schema/007_identity_kind.sql schema/008_report_shown_groups.sql \
	schema/009_threads.sql \
	schema/010_goroutine_indexes.sql \
	schema/011_heap_paths.sql \
	schema/012_goroutine_runs.sql
# In order: a migration runs once, after those listed before it.
schemadir = $(pkgdatadir)/schema
dist_schema_DATA = $(gpm_schema_files)

# Each NNN_name.sql becomes one string; the table lists (version, name, sql) in order.
src/store/schema_sql.c: $(gpm_schema_files) $(srcdir)/src/store/local.mk
	$(AM_V_GEN)mkdir -p src/store && { \
	  echo '/* Generated from the schema/ SQL files by src/store/local.mk: do not edit. */'; \
	  echo '#include "store/internal.h"'; \
	  for f in $(gpm_schema_files); do \
	    b=`basename $$f .sql`; v=`expr "$$b" : '0*\([0-9][0-9]*\)_'`; \
	    echo "static const char sql_$$v[] ="; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/	/\\t/g' -e 's/^/	"/' -e 's/$$/\\n"/' \
	      $(srcdir)/$$f; \
	    echo ';'; \
	  done; \
	  echo 'const struct gpm_store_migration gpm_store_migrations[] = {'; \
	  for f in $(gpm_schema_files); do \
	    b=`basename $$f .sql`; v=`expr "$$b" : '0*\([0-9][0-9]*\)_'`; \
	    echo "	{$$v, \"$$b\", sql_$$v},"; \
	  done; \
	  echo '};'; \
	  echo 'const unsigned gpm_store_nmigrations = sizeof(gpm_store_migrations) / sizeof(gpm_store_migrations[0]);'; \
	} > $@.tmp && mv $@.tmp $@
libgopm_a_SOURCES += src/store/heap.c src/store/heap.h
libgopm_a_SOURCES += src/store/report.c src/store/report.h
