/*
 * Goroutines stored per group (schema 12). A group's goroutines are rows of
 * goroutine_runs: up to GPM_STORE_RUN_MAX members each, in id order (the dump's order),
 * packed in one blob. Storing a 100,000-goroutine dump is then a few hundred rows instead
 * of 100,000 rows with two index entries and three foreign-key checks each.
 *
 * A member is encoded against the member before it in the run (the first against id 0,
 * goid 0, status 0, flags 0 and NULL state, stack and creator), so the usual member of a
 * group (same state, stack and creator as its neighbour) takes a few bytes:
 *
 *   uvarint  id - previous id (>= 1)
 *   uvarint  zig-zag of goid - previous goid (two's complement, wrapping)
 *   byte     what follows (enum member_bits)
 *   [zig-zag status] [zig-zag flags] [uvarint state length + 1, bytes; 0 = NULL]
 *   [zig-zag wait_minutes] [zig-zag stack_id] [zig-zag created_by]
 *
 * Every column of schema 1's goroutines row is kept, NULLs included. The same columns are
 * read back through the eponymous virtual table `goroutines` registered on every
 * connection the store opens, so `gopm sql`, show, search, gc and the report read the
 * goroutines as they did; equality on incident_id and group_ordinal and ranges of id and
 * goid select runs by their key (goroutine_runs' primary key, first_id/last_id,
 * min_goid/max_goid) instead of reading every run.
 */
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/pbwrite.h"
#include "base/strbuf.h"
#include "store/internal.h"

enum member_bits {
	M_STATUS = 1 << 0,
	M_FLAGS = 1 << 1,
	M_STATE = 1 << 2,
	M_WAIT = 1 << 3,       // wait_minutes not NULL (always written when set)
	M_STACK = 1 << 4,      // stack_id differs from the previous member's
	M_CREATOR = 1 << 5,    // created_by differs
	M_STACK_NULL = 1 << 6, // with M_STACK: NULL
	M_CREATOR_NULL = 1 << 7,
};

static uint64_t zig(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void gpm_store_run_init(struct gpm_store_run *r)
{
	memset(r, 0, sizeof(*r));
}

void gpm_store_run_deinit(struct gpm_store_run *r)
{
	gpm_strbuf_deinit(&r->blob);
	memset(r, 0, sizeof(*r));
}

void gpm_store_run_reset(struct gpm_store_run *r)
{
	gpm_strbuf_reset(&r->blob);
	struct gpm_strbuf keep = r->blob;
	memset(r, 0, sizeof(*r));
	r->blob = keep;
}

void gpm_store_run_add(struct gpm_store_run *r, const struct gpm_store_member *m)
{
	struct gpm_strbuf *sb = &r->blob;
	const struct gpm_store_member *p = &r->prev;
	if (!r->count) {
		r->first_id = m->id;
		r->min_goid = r->max_goid = m->goid;
	}
	r->last_id = m->id;
	if (m->goid < r->min_goid)
		r->min_goid = m->goid;
	if (m->goid > r->max_goid)
		r->max_goid = m->goid;
	unsigned bits = 0;
	if (m->status != p->status)
		bits |= M_STATUS;
	if (m->flags != p->flags)
		bits |= M_FLAGS;
	if (m->state_len != p->state_len || (m->state == NULL) != (p->state == NULL) ||
	    (m->state_len && memcmp(m->state, p->state, m->state_len)))
		bits |= M_STATE;
	if (m->has_wait)
		bits |= M_WAIT;
	if (m->has_stack != p->has_stack || (m->has_stack && m->stack_id != p->stack_id))
		bits |= M_STACK | (m->has_stack ? 0 : M_STACK_NULL);
	if (m->has_creator != p->has_creator || (m->has_creator && m->creator != p->creator))
		bits |= M_CREATOR | (m->has_creator ? 0 : M_CREATOR_NULL);
	gpm_pb_varint(sb, (uint64_t)(m->id - p->id));
	gpm_pb_varint(sb, zig((int64_t)((uint64_t)m->goid - (uint64_t)p->goid)));
	char b = (char)bits;
	gpm_strbuf_append(sb, &b, 1);
	if (bits & M_STATUS)
		gpm_pb_varint(sb, zig(m->status));
	if (bits & M_FLAGS)
		gpm_pb_varint(sb, zig(m->flags));
	if (bits & M_STATE) {
		gpm_pb_varint(sb, m->state ? (uint64_t)m->state_len + 1 : 0);
		if (m->state)
			gpm_strbuf_append(sb, m->state, m->state_len);
	}
	if (bits & M_WAIT)
		gpm_pb_varint(sb, zig(m->wait_minutes));
	if ((bits & (M_STACK | M_STACK_NULL)) == M_STACK)
		gpm_pb_varint(sb, zig(m->stack_id));
	if ((bits & (M_CREATOR | M_CREATOR_NULL)) == M_CREATOR)
		gpm_pb_varint(sb, zig(m->creator));
	r->prev = *m;
	r->count++;
}

/* Decodes the member after prev (the run's previous member, zeroed for the first) from c
 * into prev; false when the blob is cut or malformed. state points into the blob. */
static bool member_next(struct gpm_cursor *c, struct gpm_store_member *m)
{
	uint64_t u, d;
	int64_t v;
	if (!gpm_cursor_uvarint(c, &d) || !d || !gpm_cursor_uvarint(c, &u) ||
	    gpm_cursor_left(c) < 1)
		return false;
	m->id += (int64_t)d;
	m->goid = (int64_t)((uint64_t)m->goid + (uint64_t)((int64_t)(u >> 1) ^ -(int64_t)(u & 1)));
	unsigned bits = c->data[c->pos++];
	if (bits & M_STATUS) {
		if (!gpm_cursor_zigzag(c, &v))
			return false;
		m->status = v;
	}
	if (bits & M_FLAGS) {
		if (!gpm_cursor_zigzag(c, &v))
			return false;
		m->flags = v;
	}
	if (bits & M_STATE) {
		if (!gpm_cursor_uvarint(c, &u) || u - (u > 0) > gpm_cursor_left(c))
			return false;
		m->state = u ? (const char *)c->data + c->pos : NULL;
		m->state_len = u ? (size_t)u - 1 : 0;
		c->pos += m->state_len;
	}
	m->has_wait = bits & M_WAIT;
	if (m->has_wait && !gpm_cursor_zigzag(c, &m->wait_minutes))
		return false;
	if (bits & M_STACK) {
		m->has_stack = !(bits & M_STACK_NULL);
		if (m->has_stack && !gpm_cursor_zigzag(c, &m->stack_id))
			return false;
	}
	if (bits & M_CREATOR) {
		m->has_creator = !(bits & M_CREATOR_NULL);
		if (m->has_creator && !gpm_cursor_zigzag(c, &m->creator))
			return false;
	}
	return true;
}

/*
 * gpm_goroutines_pack(id, goid, status, state, wait_minutes, flags, stack_id, created_by):
 * an aggregate that packs goroutine rows into a run's blob, in id order whatever order
 * they come in; schema 12 converts the old rows with it.
 */
struct pack_row {
	struct gpm_store_member m;
	char *state;
};

struct pack {
	struct pack_row *v;
	size_t len, cap;
	bool oom;
};

static int64_t int_or_null(sqlite3_value *v, bool *has)
{
	*has = sqlite3_value_type(v) != SQLITE_NULL;
	return *has ? sqlite3_value_int64(v) : 0;
}

static void pack_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct pack *p = sqlite3_aggregate_context(ctx, sizeof(*p));
	if (!p || p->oom)
		return;
	if (p->len == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct pack_row *v = realloc(p->v, cap * sizeof(*v));
		if (!v) {
			p->oom = true;
			return;
		}
		p->v = v, p->cap = cap;
	}
	struct pack_row *r = &p->v[p->len];
	memset(r, 0, sizeof(*r));
	bool has;
	r->m.id = sqlite3_value_int64(argv[0]);
	r->m.goid = sqlite3_value_int64(argv[1]);
	r->m.status = sqlite3_value_int64(argv[2]);
	if (sqlite3_value_type(argv[3]) != SQLITE_NULL) {
		const unsigned char *s = sqlite3_value_text(argv[3]);
		int n = sqlite3_value_bytes(argv[3]);
		if (!s || !(r->state = malloc((size_t)n + 1))) {
			p->oom = true;
			return;
		}
		memcpy(r->state, s, (size_t)n);
		r->state[n] = 0;
		r->m.state = r->state;
		r->m.state_len = (size_t)n;
	}
	r->m.wait_minutes = int_or_null(argv[4], &has);
	r->m.has_wait = has;
	r->m.flags = sqlite3_value_int64(argv[5]);
	r->m.stack_id = int_or_null(argv[6], &has);
	r->m.has_stack = has;
	r->m.creator = int_or_null(argv[7], &has);
	r->m.has_creator = has;
	p->len++;
}

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct pack_row *)a)->m.id, y = ((const struct pack_row *)b)->m.id;
	return (x > y) - (x < y);
}

static void pack_final(sqlite3_context *ctx)
{
	struct pack *p = sqlite3_aggregate_context(ctx, 0);
	if (!p) {
		sqlite3_result_null(ctx);
		return;
	}
	struct gpm_store_run run;
	gpm_store_run_init(&run);
	if (!p->oom) {
		qsort(p->v, p->len, sizeof(*p->v), by_id);
		for (size_t i = 0; i < p->len; i++)
			gpm_store_run_add(&run, &p->v[i].m);
	}
	if (p->oom || run.blob.oom)
		sqlite3_result_error_nomem(ctx);
	else
		sqlite3_result_blob(ctx, run.blob.buf ? run.blob.buf : "", (int)run.blob.len,
		                    SQLITE_TRANSIENT);
	for (size_t i = 0; i < p->len; i++)
		free(p->v[i].state);
	free(p->v);
	gpm_store_run_deinit(&run);
}

/*
 * The virtual table. Columns in schema 1's order; the rowid is the id.
 */
enum col {
	COL_ID,
	COL_INCIDENT,
	COL_GOID,
	COL_STATUS,
	COL_STATE,
	COL_WAIT,
	COL_FLAGS,
	COL_STACK,
	COL_CREATOR,
	COL_GROUP,
};

// idxNum bits: which constraints xFilter gets, in this order, and the scan's direction.
enum plan {
	P_INCIDENT = 1 << 0,
	P_GROUP = 1 << 1,
	P_ID_LO = 1 << 2,
	P_ID_HI = 1 << 3,
	P_GOID_LO = 1 << 4,
	P_GOID_HI = 1 << 5,
	P_DESC = 1 << 6,
	P_ID_LO_OPEN = 1 << 7, // id > lo rather than >=
	P_ID_HI_OPEN = 1 << 8,
	P_ID_EQ = 1 << 9, // the id bound is an equality: lo and hi
	P_GOID_EQ = 1 << 10,
};

struct gvtab {
	sqlite3_vtab base;
	sqlite3 *db;
};

struct gcursor {
	sqlite3_vtab_cursor base;
	sqlite3_stmt *runs;
	bool desc, eof;
	int64_t id_lo, id_hi, goid_lo, goid_hi;
	int64_t incident, group; // of the current run
	bool group_null;
	void *blob; // the current run's blob, copied
	struct gpm_store_member *m;
	size_t n, cap, at;
};

static int gconnect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out,
                    char **errmsg)
{
	(void)aux, (void)argc, (void)argv, (void)errmsg;
	int rc = sqlite3_declare_vtab(
	    db, "CREATE TABLE x (id INTEGER PRIMARY KEY, incident_id INTEGER, goid INTEGER, "
	        "status INTEGER, state TEXT, wait_minutes INTEGER, flags INTEGER, stack_id "
	        "INTEGER, created_by INTEGER, group_ordinal INTEGER)");
	if (rc != SQLITE_OK)
		return rc;
	struct gvtab *t = sqlite3_malloc(sizeof(*t));
	if (!t)
		return SQLITE_NOMEM;
	memset(t, 0, sizeof(*t));
	t->db = db;
	sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
	*out = &t->base;
	return SQLITE_OK;
}

static int gdisconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

static int gbest(sqlite3_vtab *vt, sqlite3_index_info *ii)
{
	(void)vt;
	int which[9] = {-1, -1, -1, -1, -1, -1, -1, -1, -1};
	int plan = 0;
	for (int i = 0; i < ii->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &ii->aConstraint[i];
		if (!c->usable)
			continue;
		int op = c->op;
		bool eq = op == SQLITE_INDEX_CONSTRAINT_EQ;
		bool lo = op == SQLITE_INDEX_CONSTRAINT_GT || op == SQLITE_INDEX_CONSTRAINT_GE;
		bool hi = op == SQLITE_INDEX_CONSTRAINT_LT || op == SQLITE_INDEX_CONSTRAINT_LE;
		int bit = -1;
		if (c->iColumn == COL_INCIDENT && eq)
			bit = 0;
		else if (c->iColumn == COL_GROUP && eq)
			bit = 1;
		else if ((c->iColumn == COL_ID || c->iColumn == -1) && (lo || eq) && which[2] < 0)
			bit = 2;
		else if ((c->iColumn == COL_ID || c->iColumn == -1) && (hi || eq) && which[3] < 0)
			bit = 3;
		else if (c->iColumn == COL_GOID && (lo || eq) && which[4] < 0)
			bit = 4;
		else if (c->iColumn == COL_GOID && (hi || eq) && which[5] < 0)
			bit = 5;
		if (bit < 0 || which[bit] >= 0)
			continue;
		which[bit] = i;
		plan |= 1 << bit;
		if (bit == 2 && op == SQLITE_INDEX_CONSTRAINT_GT)
			plan |= P_ID_LO_OPEN;
		if (bit == 3 && op == SQLITE_INDEX_CONSTRAINT_LT)
			plan |= P_ID_HI_OPEN;
		if (bit == 2 && eq)
			plan |= P_ID_EQ;
		if (bit == 4 && eq)
			plan |= P_GOID_EQ;
	}
	int argv = 1;
	for (int bit = 0; bit < 6; bit++) {
		if (which[bit] < 0)
			continue;
		ii->aConstraintUsage[which[bit]].argvIndex = argv++;
		// Equality on incident and group is exact; ranges are checked again by SQLite.
		ii->aConstraintUsage[which[bit]].omit = bit < 2;
	}
	// Rows come in (incident, group, id) order, either direction.
	bool fixed = (plan & (P_INCIDENT | P_GROUP)) == (P_INCIDENT | P_GROUP);
	if (ii->nOrderBy == 1 &&
	    (ii->aOrderBy[0].iColumn == COL_ID || ii->aOrderBy[0].iColumn == -1) && fixed) {
		ii->orderByConsumed = 1;
		if (ii->aOrderBy[0].desc)
			plan |= P_DESC;
	}
	double cost = 1e9;
	if (plan & P_INCIDENT)
		cost = 1e5;
	if (fixed)
		cost = 1e3;
	if (plan & (P_ID_LO | P_ID_HI | P_GOID_LO | P_GOID_HI))
		cost /= 4;
	ii->estimatedCost = cost;
	ii->estimatedRows = (sqlite3_int64)cost;
	ii->idxNum = plan;
	return SQLITE_OK;
}

static int gopen(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	(void)vt;
	struct gcursor *c = sqlite3_malloc(sizeof(*c));
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	*out = &c->base;
	return SQLITE_OK;
}

static int gclose(sqlite3_vtab_cursor *cur)
{
	struct gcursor *c = (struct gcursor *)cur;
	sqlite3_finalize(c->runs);
	free(c->blob);
	free(c->m);
	sqlite3_free(c);
	return SQLITE_OK;
}

static bool member_wanted(const struct gcursor *c, const struct gpm_store_member *m)
{
	return m->id >= c->id_lo && m->id <= c->id_hi && m->goid >= c->goid_lo &&
	       m->goid <= c->goid_hi;
}

// Decodes the run the statement is on; SQLITE_CORRUPT when its blob is malformed.
static int load_run(struct gcursor *c)
{
	c->incident = sqlite3_column_int64(c->runs, 0);
	c->group = sqlite3_column_int64(c->runs, 1);
	c->group_null = c->group < 0;
	int64_t count = sqlite3_column_int64(c->runs, 2);
	const void *b = sqlite3_column_blob(c->runs, 3);
	size_t len = (size_t)sqlite3_column_bytes(c->runs, 3);
	if (count < 0 || count > GPM_STORE_RUN_MAX * 16)
		return SQLITE_CORRUPT_VTAB;
	if ((size_t)count > c->cap) {
		struct gpm_store_member *m = realloc(c->m, (size_t)count * sizeof(*m));
		if (!m)
			return SQLITE_NOMEM;
		c->m = m, c->cap = (size_t)count;
	}
	free(c->blob);
	c->blob = malloc(len ? len : 1);
	if (!c->blob)
		return SQLITE_NOMEM;
	if (len)
		memcpy(c->blob, b, len);
	struct gpm_cursor cur;
	gpm_cursor_init(&cur, c->blob, len);
	struct gpm_store_member prev = {0};
	for (int64_t i = 0; i < count; i++) {
		if (!member_next(&cur, &prev))
			return SQLITE_CORRUPT_VTAB;
		c->m[i] = prev;
	}
	c->n = (size_t)count;
	return SQLITE_OK;
}

// Moves to the next wanted member (from c->at, in the scan's direction), loading runs.
static int seek(struct gcursor *c, bool step_first)
{
	for (;;) {
		if (c->n) {
			if (step_first) {
				if (c->desc ? c->at == 0 : c->at + 1 >= c->n) {
					c->n = 0;
					continue;
				}
				c->at += c->desc ? (size_t)-1 : 1;
			}
			step_first = true;
			if (member_wanted(c, &c->m[c->at]))
				return SQLITE_OK;
			continue;
		}
		int rc = sqlite3_step(c->runs);
		if (rc == SQLITE_DONE) {
			c->eof = true;
			return SQLITE_OK;
		}
		if (rc != SQLITE_ROW)
			return rc;
		if ((rc = load_run(c)) != SQLITE_OK)
			return rc;
		if (!c->n)
			continue;
		c->at = c->desc ? c->n - 1 : 0;
		step_first = false;
	}
}

static int gfilter(sqlite3_vtab_cursor *cur, int plan, const char *idx, int argc,
                   sqlite3_value **argv)
{
	(void)idx, (void)argc;
	struct gcursor *c = (struct gcursor *)cur;
	struct gvtab *t = (struct gvtab *)cur->pVtab;
	sqlite3_finalize(c->runs);
	c->runs = NULL;
	c->n = 0;
	c->eof = false;
	c->desc = plan & P_DESC;
	c->id_lo = c->goid_lo = INT64_MIN;
	c->id_hi = c->goid_hi = INT64_MAX;
	// The key index holds everything but the blob: runs are chosen from it, and only a
	// chosen run's blob is read.
	char sql[512] = "SELECT incident_id, group_ordinal, count, members FROM goroutine_runs "
	                "WHERE 1";
	int a = 0;
	sqlite3_value *incident = NULL, *group = NULL;
	if (plan & P_INCIDENT) {
		incident = argv[a++];
		strcat(sql, " AND incident_id = ?1");
	}
	if (plan & P_GROUP) {
		group = argv[a++];
		strcat(sql, " AND group_ordinal = ?2");
	}
	// A NULL or non-integer bound matches nothing (as a comparison with it would).
	bool none = false;
	int64_t *bounds[4] = {&c->id_lo, &c->id_hi, &c->goid_lo, &c->goid_hi};
	for (int b = 0; b < 4; b++) {
		if (!(plan & (P_ID_LO << b)))
			continue;
		sqlite3_value *v = argv[a++];
		int type = sqlite3_value_numeric_type(v);
		if (type == SQLITE_INTEGER)
			*bounds[b] = sqlite3_value_int64(v);
		else if (type == SQLITE_FLOAT) {
			double d = sqlite3_value_double(v);
			// Widen to the integers that the comparison SQLite checks again admits.
			*bounds[b] = d >= 9.2e18    ? INT64_MAX
			             : d <= -9.2e18 ? INT64_MIN
			             : b % 2        ? (int64_t)d + (d > 0)
			                            : (int64_t)d - (d < 0);
		} else
			none = true;
	}
	if (plan & P_ID_EQ)
		c->id_hi = c->id_lo;
	if (plan & P_GOID_EQ)
		c->goid_hi = c->goid_lo;
	if ((plan & P_ID_LO_OPEN) && c->id_lo < INT64_MAX)
		c->id_lo++;
	if ((plan & P_ID_HI_OPEN) && c->id_hi > INT64_MIN)
		c->id_hi--;
	if (plan & P_ID_LO)
		strcat(sql, " AND last_id >= ?3");
	if (plan & (P_ID_HI | P_ID_EQ))
		strcat(sql, " AND first_id <= ?4");
	if (plan & P_GOID_LO)
		strcat(sql, " AND max_goid >= ?5");
	if (plan & (P_GOID_HI | P_GOID_EQ))
		strcat(sql, " AND min_goid <= ?6");
	strcat(sql, c->desc ? " ORDER BY incident_id DESC, group_ordinal DESC, first_id DESC"
	                    : " ORDER BY incident_id, group_ordinal, first_id");
	// Goroutines in no group are stored under group -1 and read as NULL.
	if (group && sqlite3_value_numeric_type(group) == SQLITE_INTEGER &&
	    sqlite3_value_int64(group) < 0)
		none = true;
	if (none || (group && sqlite3_value_type(group) == SQLITE_NULL) ||
	    (incident && sqlite3_value_type(incident) == SQLITE_NULL)) {
		c->eof = true;
		return SQLITE_OK;
	}
	int rc = sqlite3_prepare_v2(t->db, sql, -1, &c->runs, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_free(t->base.zErrMsg);
		t->base.zErrMsg = sqlite3_mprintf("goroutines: %s", sqlite3_errmsg(t->db));
		return rc;
	}
	if (incident)
		sqlite3_bind_value(c->runs, 1, incident);
	if (group)
		sqlite3_bind_value(c->runs, 2, group);
	sqlite3_bind_int64(c->runs, 3, c->id_lo);
	sqlite3_bind_int64(c->runs, 4, c->id_hi);
	sqlite3_bind_int64(c->runs, 5, c->goid_lo);
	sqlite3_bind_int64(c->runs, 6, c->goid_hi);
	return seek(c, false);
}

static int gnext(sqlite3_vtab_cursor *cur)
{
	return seek((struct gcursor *)cur, true);
}

static int geof(sqlite3_vtab_cursor *cur)
{
	return ((struct gcursor *)cur)->eof;
}

static int gcolumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	struct gcursor *c = (struct gcursor *)cur;
	const struct gpm_store_member *m = &c->m[c->at];
	switch (col) {
	case COL_ID:
		sqlite3_result_int64(ctx, m->id);
		break;
	case COL_INCIDENT:
		sqlite3_result_int64(ctx, c->incident);
		break;
	case COL_GOID:
		sqlite3_result_int64(ctx, m->goid);
		break;
	case COL_STATUS:
		sqlite3_result_int64(ctx, m->status);
		break;
	case COL_STATE:
		if (m->state)
			sqlite3_result_text(ctx, m->state, (int)m->state_len, SQLITE_TRANSIENT);
		break;
	case COL_WAIT:
		if (m->has_wait)
			sqlite3_result_int64(ctx, m->wait_minutes);
		break;
	case COL_FLAGS:
		sqlite3_result_int64(ctx, m->flags);
		break;
	case COL_STACK:
		if (m->has_stack)
			sqlite3_result_int64(ctx, m->stack_id);
		break;
	case COL_CREATOR:
		if (m->has_creator)
			sqlite3_result_int64(ctx, m->creator);
		break;
	case COL_GROUP:
		if (!c->group_null)
			sqlite3_result_int64(ctx, c->group);
		break;
	default:
		break;
	}
	return SQLITE_OK;
}

static int growid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	struct gcursor *c = (struct gcursor *)cur;
	*rowid = c->m[c->at].id;
	return SQLITE_OK;
}

static const sqlite3_module goroutines_module = {
    .iVersion = 0,
    .xCreate = NULL, // eponymous only: no CREATE VIRTUAL TABLE
    .xConnect = gconnect,
    .xBestIndex = gbest,
    .xDisconnect = gdisconnect,
    .xDestroy = gdisconnect,
    .xOpen = gopen,
    .xClose = gclose,
    .xFilter = gfilter,
    .xNext = gnext,
    .xEof = geof,
    .xColumn = gcolumn,
    .xRowid = growid,
};

int gpm_store_goroutines_register(sqlite3 *db)
{
	int rc =
	    sqlite3_create_function(db, "gpm_goroutines_pack", 8, SQLITE_UTF8 | SQLITE_INNOCUOUS,
	                            NULL, NULL, pack_step, pack_final);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "goroutines", &goroutines_module, NULL);
	return rc;
}
