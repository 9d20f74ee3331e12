/*
 * Clustering signatures across incidents (cluster.h). Points are distinct signatures, not
 * incidents: a thousand crashes with one signature are one point, so a flood of one bug
 * cannot drag its neighbours in. On ingest a new signature joins the nearest cluster by
 * average linkage; `gopm resign` re-clusters everything with the batch algorithm.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/u64map.h"
#include "model/frameclass.h"
#include "store/cluster.h"
#include "store/internal.h"

enum { MAX_COMPARE = 64, MAX_BATCH = 800 };

struct seq {
	const char *s[MAX_COMPARE];
	size_t n[MAX_COMPARE];
	unsigned len;
};

static void split(const char *frames, struct seq *q)
{
	q->len = 0;
	if (!frames || !*frames)
		return;
	const char *p = frames;
	while (q->len < MAX_COMPARE) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		q->s[q->len] = p;
		q->n[q->len++] = n;
		if (!e)
			break;
		p = e + 1;
	}
}

static bool same(const struct seq *a, unsigned i, const struct seq *b, unsigned j)
{
	return a->n[i] == b->n[j] && !memcmp(a->s[i], b->s[j], a->n[i]);
}

// In-app frames (the program's own: package main) count twice as much as the standard
// library's and dependencies' (doc/signatures.md). The name is normalised already, so the
// classifier sees a plain "pkg.Func".
static double weight(const struct seq *q, unsigned i)
{
	char name[256];
	size_t n = q->n[i] < sizeof(name) ? q->n[i] : sizeof(name) - 1;
	memcpy(name, q->s[i], n);
	name[n] = 0;
	return gpm_frame_classify(name, NULL) == GPM_FRAME_CLASS_MAIN ? 1.0 : 0.5;
}

double gpm_cluster_distance(const char *frames_a, const char *frames_b)
{
	struct seq a, b;
	split(frames_a, &a);
	split(frames_b, &b);
	double wa[MAX_COMPARE], wb[MAX_COMPARE], la = 0, lb = 0;
	for (unsigned i = 0; i < a.len; i++)
		la += wa[i] = weight(&a, i);
	for (unsigned j = 0; j < b.len; j++)
		lb += wb[j] = weight(&b, j);
	double m = la > lb ? la : lb;
	if (m <= 0)
		return 0;
	// Weighted Levenshtein: deleting or inserting a frame costs its weight, replacing
	// one frame by another the larger of the two.
	double prev[MAX_COMPARE + 1], cur[MAX_COMPARE + 1];
	prev[0] = 0;
	for (unsigned j = 1; j <= b.len; j++)
		prev[j] = prev[j - 1] + wb[j - 1];
	for (unsigned i = 1; i <= a.len; i++) {
		cur[0] = prev[0] + wa[i - 1];
		for (unsigned j = 1; j <= b.len; j++) {
			double sw = wa[i - 1] > wb[j - 1] ? wa[i - 1] : wb[j - 1];
			double sub = prev[j - 1] + (same(&a, i - 1, &b, j - 1) ? 0 : sw);
			double del = prev[j] + wa[i - 1], ins = cur[j - 1] + wb[j - 1];
			double v = sub < del ? sub : del;
			cur[j] = v < ins ? v : ins;
		}
		memcpy(prev, cur, (b.len + 1) * sizeof(prev[0]));
	}
	double d = prev[b.len] / m;
	return d > 1 ? 1 : d;
}

static struct gpm_error *step_done(struct gpm_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? NULL : gpm_store_sqlite_error(st, rc, what);
}

static struct gpm_error *prepare(struct gpm_store *st, const char *sql, sqlite3_stmt **s)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
	return rc == SQLITE_OK ? NULL : gpm_store_sqlite_error(st, rc, "prepare");
}

// A cluster id no cluster and no event ever had: ids are never reused, so the history of
// a cluster merged away by resign cannot attach itself to a newer one.
static struct gpm_error *fresh_id(struct gpm_store *st, int64_t *id)
{
	sqlite3_stmt *s;
	struct gpm_error *err =
	    prepare(st,
	            "SELECT max(coalesce((SELECT max(id) FROM clusters), 0), coalesce((SELECT "
	            "max(cluster_id) FROM cluster_events), 0)) + 1",
	            &s);
	if (err)
		return err;
	int rc = sqlite3_step(s);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? NULL : gpm_store_sqlite_error(st, rc, "cluster id");
}

// Inserts cluster *id (0: a fresh one, written back) or, when it exists, gives it to the
// algorithm and kind (a cluster kept across resign keeps its workflow columns).
static struct gpm_error *new_cluster(struct gpm_store *st, int algorithm, const char *kind,
                                     int64_t *id)
{
	struct gpm_error *err = *id ? NULL : fresh_id(st, id);
	sqlite3_stmt *s;
	if (err || (err = prepare(st,
	                          "INSERT INTO clusters (id, algorithm, kind, created) VALUES "
	                          "(?4, ?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET algorithm = "
	                          "excluded.algorithm, kind = excluded.kind",
	                          &s)))
		return err;
	sqlite3_bind_int(s, 1, algorithm);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (int64_t)time(NULL));
	sqlite3_bind_int64(s, 4, *id);
	err = step_done(st, s, "cluster insert");
	sqlite3_finalize(s);
	return err;
}

static struct gpm_error *set_cluster(struct gpm_store *st, int64_t sig, int64_t cluster,
                                     double distance)
{
	sqlite3_stmt *s;
	struct gpm_error *err =
	    prepare(st, "UPDATE signatures SET cluster_id = ?2, distance = ?3 WHERE id = ?1", &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, sig);
	sqlite3_bind_int64(s, 2, cluster);
	sqlite3_bind_double(s, 3, distance);
	err = step_done(st, s, "signature update");
	sqlite3_finalize(s);
	return err;
}

struct acc {
	int64_t cluster;
	double sum;
	unsigned n;
};

static int cmp_acc(const void *a, const void *b)
{
	const struct acc *x = a, *y = b;
	return (x->cluster > y->cluster) - (x->cluster < y->cluster);
}

struct gpm_error *gpm_cluster_assign(struct gpm_store *st, int64_t signature_id)
{
	sqlite3_stmt *s;
	struct gpm_error *err =
	    prepare(st, "SELECT algorithm, kind, frames FROM signatures WHERE id = ?1", &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, signature_id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return gpm_error_create(GPM_ERR_NOT_FOUND, "signature %lld",
		                        (long long)signature_id);
	}
	int algorithm = sqlite3_column_int(s, 0);
	char *kind = strdup((const char *)sqlite3_column_text(s, 1));
	char *frames = strdup((const char *)sqlite3_column_text(s, 2));
	sqlite3_finalize(s);
	struct acc *acc = NULL;
	size_t nacc = 0, cap = 0;
	if (!kind || !frames) {
		err = &gpm_error_nomem;
		goto out;
	}
	if ((err = prepare(st,
	                   "SELECT cluster_id, frames FROM signatures WHERE algorithm = ?1 AND "
	                   "kind = ?2 AND cluster_id IS NOT NULL AND id <> ?3 ORDER BY cluster_id",
	                   &s)))
		goto out;
	sqlite3_bind_int(s, 1, algorithm);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, signature_id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t c = sqlite3_column_int64(s, 0);
		double d = gpm_cluster_distance(frames, (const char *)sqlite3_column_text(s, 1));
		if (!nacc || acc[nacc - 1].cluster != c) {
			if (nacc == cap) {
				size_t ncap = cap ? 2 * cap : 64;
				struct acc *n = realloc(acc, ncap * sizeof(*acc));
				if (!n) {
					err = &gpm_error_nomem;
					break;
				}
				acc = n;
				cap = ncap;
			}
			acc[nacc++] = (struct acc){c, 0, 0};
		}
		acc[nacc - 1].sum += d;
		acc[nacc - 1].n++;
	}
	if (!err && rc != SQLITE_DONE)
		err = gpm_store_sqlite_error(st, rc, "cluster candidates");
	sqlite3_finalize(s);
	if (err)
		goto out;
	if (nacc)
		qsort(acc, nacc, sizeof(*acc), cmp_acc);
	int64_t best = 0;
	double best_d = 2;
	for (size_t i = 0; i < nacc; i++) {
		double d = acc[i].sum / acc[i].n;
		if (d < best_d) {
			best_d = d;
			best = acc[i].cluster;
		}
	}
	if (!best || best_d > GPM_CLUSTER_THRESHOLD) {
		best_d = 0;
		best = 0;
		if ((err = new_cluster(st, algorithm, kind, &best)))
			goto out;
	}
	err = set_cluster(st, signature_id, best, best_d);
out:
	free(acc);
	free(kind);
	free(frames);
	return err;
}

struct point {
	int64_t id;
	char *kind, *frames;
	int cluster; /* index of the representative point */
};

// Average-linkage agglomeration of points [lo, hi) (one kind), Lance-Williams updates on
// a full distance matrix. Ties go to the lowest pair of indices.
static struct gpm_error *agglomerate(struct point *p, size_t lo, size_t hi)
{
	size_t n = hi - lo;
	if (n > MAX_BATCH) {
		// Too many for the cubic algorithm: the online rule, in id order.
		for (size_t i = lo; i < hi; i++) {
			p[i].cluster = (int)i;
			double best_d = 2;
			for (size_t j = lo; j < i; j++) {
				if (p[j].cluster != (int)j)
					continue;
				double sum = 0;
				unsigned cnt = 0;
				for (size_t k = lo; k < i; k++)
					if (p[k].cluster == (int)j) {
						sum +=
						    gpm_cluster_distance(p[i].frames, p[k].frames);
						cnt++;
					}
				if (cnt && sum / cnt < best_d &&
				    sum / cnt <= GPM_CLUSTER_THRESHOLD) {
					best_d = sum / cnt;
					p[i].cluster = (int)j;
				}
			}
		}
		return NULL;
	}
	double *d = malloc(n * n * sizeof(*d));
	unsigned *size = malloc(n * sizeof(*size));
	if (!d || !size) {
		free(d);
		free(size);
		return &gpm_error_nomem;
	}
	for (size_t i = 0; i < n; i++) {
		size[i] = 1;
		p[lo + i].cluster = (int)(lo + i);
		for (size_t j = i; j < n; j++)
			d[i * n + j] = d[j * n + i] =
			    i == j ? 0 : gpm_cluster_distance(p[lo + i].frames, p[lo + j].frames);
	}
	for (;;) {
		size_t bi = 0, bj = 0;
		double best = 2;
		for (size_t i = 0; i < n; i++) {
			if (!size[i])
				continue;
			for (size_t j = i + 1; j < n; j++)
				if (size[j] && d[i * n + j] < best) {
					best = d[i * n + j];
					bi = i;
					bj = j;
				}
		}
		if (best > GPM_CLUSTER_THRESHOLD)
			break;
		// Merge bj into bi.
		for (size_t k = 0; k < n; k++) {
			if (!size[k] || k == bi || k == bj)
				continue;
			double v = (size[bi] * d[bi * n + k] + size[bj] * d[bj * n + k]) /
			           (size[bi] + size[bj]);
			d[bi * n + k] = d[k * n + bi] = v;
		}
		size[bi] += size[bj];
		size[bj] = 0;
		for (size_t k = lo; k < hi; k++)
			if (p[k].cluster == (int)(lo + bj))
				p[k].cluster = (int)(lo + bi);
	}
	free(d);
	free(size);
	return NULL;
}

static int cmp_point(const void *a, const void *b)
{
	const struct point *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

struct overlap {
	size_t rep;    /* representative point of the new cluster */
	int64_t prior; /* the cluster its incidents were in */
	int64_t count; /* how many of them */
};

static int cmp_overlap(const void *a, const void *b)
{
	const struct overlap *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->prior != y->prior)
		return x->prior < y->prior ? -1 : 1;
	return (x->rep > y->rep) - (x->rep < y->rep);
}

static int cmp_pair(const void *a, const void *b)
{
	const struct overlap *x = a, *y = b;
	if (x->rep != y->rep)
		return x->rep < y->rep ? -1 : 1;
	return (x->prior > y->prior) - (x->prior < y->prior);
}

static int cmp_point_id_sort(const void *a, const void *b)
{
	const struct point *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_point_id(const void *key, const void *elem)
{
	int64_t k = *(const int64_t *)key, e = ((const struct point *)elem)->id;
	return (k > e) - (k < e);
}

/*
 * Gives each new cluster (ids[rep]) the id of the prior cluster most of its incidents were
 * in (temp.prior_cluster, taken by gpm_cluster_remember), largest overlaps first, each
 * prior id used once; ties go to the lowest prior id. p is sorted by kind then id; the
 * lookup below needs it by id, so it searches a copy of the ids.
 */
static struct gpm_error *keep_ids(struct gpm_store *st, int algorithm, struct point *p, size_t n,
                                  int64_t *ids)
{
	if (!n)
		return NULL;
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(
	    st,
	    "SELECT x.signature_id, pc.cluster_id, count(*) FROM incident_signatures x JOIN "
	    "temp.prior_cluster pc ON pc.incident_id = x.incident_id WHERE x.algorithm = ?1 AND "
	    "pc.cluster_id IS NOT NULL GROUP BY 1, 2",
	    &s);
	if (err) {
		// No prior clustering was remembered: every cluster is new.
		gpm_error_destroy(err);
		return NULL;
	}
	sqlite3_bind_int(s, 1, algorithm);
	struct point *byid = malloc((n + 1) * sizeof(*byid));
	struct overlap *ov = NULL;
	size_t nov = 0, cap = 0;
	if (!byid) {
		sqlite3_finalize(s);
		return &gpm_error_nomem;
	}
	memcpy(byid, p, n * sizeof(*p));
	for (size_t i = 0; i < n; i++)
		byid[i].cluster = (int)i; // index into p
	qsort(byid, n, sizeof(*byid), cmp_point_id_sort);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t sig = sqlite3_column_int64(s, 0);
		struct point *pt = bsearch(&sig, byid, n, sizeof(*byid), cmp_point_id);
		if (!pt)
			continue;
		if (nov == cap) {
			size_t nc = cap ? 2 * cap : 64;
			struct overlap *o = realloc(ov, nc * sizeof(*ov));
			if (!o) {
				err = &gpm_error_nomem;
				break;
			}
			ov = o;
			cap = nc;
		}
		ov[nov++] =
		    (struct overlap){(size_t)p[pt->cluster].cluster, sqlite3_column_int64(s, 1),
		                     sqlite3_column_int64(s, 2)};
	}
	if (!err && rc != SQLITE_DONE)
		err = gpm_store_sqlite_error(st, rc, "prior clusters");
	sqlite3_finalize(s);
	// Sum the rows of one (new cluster, prior cluster) pair, then take the largest first.
	if (!err && nov) {
		qsort(ov, nov, sizeof(*ov), cmp_pair);
		size_t m = 0;
		for (size_t k = 0; k < nov; k++) {
			if (m && ov[m - 1].rep == ov[k].rep && ov[m - 1].prior == ov[k].prior)
				ov[m - 1].count += ov[k].count;
			else
				ov[m++] = ov[k];
		}
		nov = m;
		qsort(ov, nov, sizeof(*ov), cmp_overlap);
		struct gpm_u64map used = {0};
		for (size_t k = 0; k < nov && !err; k++) {
			uint32_t v;
			if (ids[ov[k].rep] || ov[k].prior <= 0 ||
			    gpm_u64map_get(&used, (uint64_t)ov[k].prior, &v))
				continue;
			if (!gpm_u64map_put(&used, (uint64_t)ov[k].prior, 1))
				err = &gpm_error_nomem;
			else
				ids[ov[k].rep] = ov[k].prior;
		}
		gpm_u64map_free(&used);
	}
	free(ov);
	free(byid);
	return err;
}

struct gpm_error *gpm_cluster_remember(struct gpm_store *st)
{
	return gpm_store_exec(
	    st, "CREATE TEMP TABLE IF NOT EXISTS prior_cluster (incident_id INTEGER PRIMARY KEY, "
	        "cluster_id INTEGER); DELETE FROM temp.prior_cluster; INSERT INTO "
	        "temp.prior_cluster SELECT x.incident_id, s.cluster_id FROM incident_signatures x "
	        "JOIN signatures s ON s.id = x.signature_id WHERE x.algorithm = (SELECT "
	        "max(y.algorithm) FROM incident_signatures y WHERE y.incident_id = x.incident_id)");
}

struct gpm_error *gpm_cluster_moves(struct gpm_store *st, int algorithm,
                                    struct gpm_store_table *out)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(
	    st,
	    "SELECT x.incident_id AS incident, pc.cluster_id AS \"from\", s.cluster_id AS \"to\" "
	    "FROM incident_signatures x JOIN signatures s ON s.id = x.signature_id LEFT JOIN "
	    "temp.prior_cluster pc ON pc.incident_id = x.incident_id WHERE x.algorithm = ?1 AND "
	    "pc.cluster_id IS NOT s.cluster_id ORDER BY x.incident_id",
	    &s);
	if (err)
		return err;
	sqlite3_bind_int(s, 1, algorithm);
	err = gpm_store_table_fill(st, s, -1, out);
	sqlite3_finalize(s);
	return err;
}

struct gpm_error *gpm_cluster_rebuild(struct gpm_store *st, int algorithm)
{
	sqlite3_stmt *s;
	struct gpm_error *err =
	    prepare(st, "SELECT id, kind, frames FROM signatures WHERE algorithm = ?1", &s);
	if (err)
		return err;
	sqlite3_bind_int(s, 1, algorithm);
	struct point *p = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct point *np = realloc(p, ncap * sizeof(*p));
			if (!np) {
				err = &gpm_error_nomem;
				break;
			}
			p = np;
			cap = ncap;
		}
		p[n].id = sqlite3_column_int64(s, 0);
		p[n].kind = strdup((const char *)sqlite3_column_text(s, 1));
		p[n].frames = strdup((const char *)sqlite3_column_text(s, 2));
		n++;
		if (!p[n - 1].kind || !p[n - 1].frames) {
			err = &gpm_error_nomem;
			break;
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = gpm_store_sqlite_error(st, rc, "signatures");
	sqlite3_finalize(s);
	if (!err) {
		if (n)
			qsort(p, n, sizeof(*p), cmp_point);
		for (size_t lo = 0; lo < n && !err;) {
			size_t hi = lo + 1;
			while (hi < n && !strcmp(p[hi].kind, p[lo].kind))
				hi++;
			err = agglomerate(p, lo, hi);
			lo = hi;
		}
	}
	if (!err &&
	    !(err = prepare(st, "UPDATE signatures SET cluster_id = NULL WHERE algorithm = ?1",
	                    &s))) {
		sqlite3_bind_int(s, 1, algorithm);
		err = step_done(st, s, "cluster reset");
		sqlite3_finalize(s);
	}
	int64_t *ids = err ? NULL : calloc(n + 1, sizeof(*ids));
	if (!err && !ids)
		err = &gpm_error_nomem;
	if (!err)
		err = keep_ids(st, algorithm, p, n, ids);
	// Representatives first (in order), so new cluster ids follow the oldest signature.
	for (size_t i = 0; i < n && !err; i++) {
		size_t r = (size_t)p[i].cluster;
		if (r == i || !ids[r])
			err = new_cluster(st, algorithm, p[r].kind, &ids[r]);
		if (!err) {
			double dsum = 0;
			unsigned cnt = 0;
			for (size_t k = 0; k < n; k++)
				if (k != i && p[k].cluster == p[i].cluster) {
					dsum += gpm_cluster_distance(p[i].frames, p[k].frames);
					cnt++;
				}
			err = set_cluster(st, p[i].id, ids[r], cnt ? dsum / cnt : 0);
		}
	}
	free(ids);
	for (size_t i = 0; i < n; i++) {
		free(p[i].kind);
		free(p[i].frames);
	}
	free(p);
	return err;
}
