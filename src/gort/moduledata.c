/*
 * Decoding runtime.moduledata by layout family. The first 32 words are the same in Go
 * 1.16-1.27 (runtime/symtab.go: pcHeader, six slices into the pclntab, findfunctab,
 * minpc, maxpc, then text..enoptrbss); after that, fields were inserted: rodata and gofunc
 * (1.18), covctrs/ecovctrs (1.20), epclntab (1.26), typedesclen, itaboffset and itabsize
 * (1.27, which dropped typelinks and itablinks). The pclntab magic narrows the family; among
 * the 1.20+ families the words themselves decide (typedesclen is a length, not an address;
 * epclntab is an address where 1.20-1.25 have textsectmap's length), and every candidate must
 * pass the same validation (ordered bounds, ftab inside the pclntab, minpc/maxpc inside
 * the text) before it is accepted.
 */
#include <string.h>

#include "gort/moduledata.h"

#define MAX_WORDS 52

/* Word indices of one layout family; -1: absent. */
struct family {
	enum gpm_moduledata_layout layout;
	int covctrs, end, types, typedesclen, etypes, itaboffset, rodata, gofunc, epclntab,
	    textsectmap, typelinks, itablinks;
	int nwords;
};

static const struct family families[] = {
    {GPM_MODULEDATA_116, -1, 32, 35, -1, 36, -1, -1, -1, -1, 37, 40, 43, 46},
    {GPM_MODULEDATA_118, -1, 32, 35, -1, 36, -1, 37, 38, -1, 39, 42, 45, 48},
    {GPM_MODULEDATA_120, 32, 34, 37, -1, 38, -1, 39, 40, -1, 41, 44, 47, 50},
    {GPM_MODULEDATA_126, 32, 34, 37, -1, 38, -1, 39, 40, 41, 42, 45, 48, 51},
    {GPM_MODULEDATA_127, 32, 34, 37, 38, 39, 40, 42, 43, 44, 45, -1, -1, 48},
};

const char *gpm_moduledata_layout_name(enum gpm_moduledata_layout layout)
{
	switch (layout) {
	case GPM_MODULEDATA_116:
		return "go1.16-1.17";
	case GPM_MODULEDATA_118:
		return "go1.18-1.19";
	case GPM_MODULEDATA_120:
		return "go1.20-1.25";
	case GPM_MODULEDATA_126:
		return "go1.26";
	case GPM_MODULEDATA_127:
		return "go1.27+";
	}
	return "?";
}

static bool ordered(uint64_t a, uint64_t b)
{
	return a <= b;
}

static bool is_length(const struct family *fam, int i)
{
	if (i >= 1 && i <= 18 && i % 3 != 1)
		return true; // len and cap of the six pclntab slices
	int slices[] = {fam->textsectmap, fam->typelinks, fam->itablinks};
	for (size_t k = 0; k < 3; k++) {
		if (slices[k] >= 0 && (i == slices[k] + 1 || i == slices[k] + 2))
			return true;
	}
	return i == fam->typedesclen || i == fam->itaboffset || i == fam->itaboffset + 1;
}

static bool try_family(const struct family *fam, const uint64_t *raw, uint64_t adjust,
                       uint64_t pclntab_addr, uint64_t pclntab_size, struct gpm_moduledata *md)
{
	uint64_t w[MAX_WORDS];
	for (int i = 0; i < MAX_WORDS; i++)
		w[i] = raw[i] && !is_length(fam, i) ? raw[i] + adjust : raw[i];
	struct gpm_moduledata m = {0};
	m.layout = fam->layout;
	m.pcheader = w[0];
	m.ftab = w[16];
	m.nftab = w[17];
	m.minpc = w[20];
	m.maxpc = w[21];
	m.text = w[22];
	m.etext = w[23];
	m.noptrdata = w[24];
	m.enoptrdata = w[25];
	m.data = w[26];
	m.edata = w[27];
	m.bss = w[28];
	m.ebss = w[29];
	m.noptrbss = w[30];
	m.enoptrbss = w[31];
	m.end = w[fam->end];
	m.gcdata = w[fam->end + 1];
	m.gcbss = w[fam->end + 2];
	m.types = w[fam->types];
	m.etypes = w[fam->etypes];
	if (fam->typedesclen >= 0)
		m.typedesclen = w[fam->typedesclen];
	if (fam->itaboffset >= 0) {
		m.itaboffset = w[fam->itaboffset];
		m.itabsize = w[fam->itaboffset + 1];
	}
	if (fam->rodata >= 0)
		m.rodata = w[fam->rodata];
	if (fam->gofunc >= 0)
		m.gofunc = w[fam->gofunc];
	if (fam->epclntab >= 0)
		m.epclntab = w[fam->epclntab];
	if (fam->typelinks >= 0) {
		m.typelinks = w[fam->typelinks];
		m.ntypelinks = w[fam->typelinks + 1];
	}
	if (fam->itablinks >= 0) {
		m.itablinks = w[fam->itablinks];
		m.nitablinks = w[fam->itablinks + 1];
	}
	if (m.pcheader != pclntab_addr || m.nftab == 0 || w[18] < w[17])
		return false;
	uint64_t pend = pclntab_addr + pclntab_size;
	if (m.ftab < pclntab_addr || m.ftab >= pend)
		return false;
	if (!(m.text < m.etext && ordered(m.text, m.minpc) && ordered(m.minpc, m.maxpc) &&
	      ordered(m.maxpc, m.etext)))
		return false;
	if (!ordered(m.noptrdata, m.enoptrdata) || !ordered(m.data, m.edata) ||
	    !ordered(m.bss, m.ebss) || !ordered(m.noptrbss, m.enoptrbss))
		return false;
	if (!(m.types < m.etypes) || m.etypes - m.types > (1ull << 32))
		return false;
	if (fam->typedesclen >= 0 && m.typedesclen > m.etypes - m.types)
		return false;
	if (fam->epclntab >= 0 && (m.epclntab < pclntab_addr || m.epclntab > pend + 4096))
		return false;
	// textsectmap is a short slice (one entry per text section): len == cap, small.
	uint64_t tl = w[fam->textsectmap + 1], tc = w[fam->textsectmap + 2];
	if (tl > 4096 || tc < tl)
		return false;
	if (fam->typelinks >= 0 &&
	    (m.ntypelinks > (1u << 24) || w[fam->typelinks + 2] < m.ntypelinks))
		return false;
	*md = m;
	return true;
}

struct gpm_error *gpm_moduledata_decode(gpm_moduledata_read_fn *read, void *ctx, uint64_t addr,
                                        unsigned ptr_size, enum gpm_pclntab_format format,
                                        uint64_t pclntab_addr, uint64_t pclntab_size,
                                        uint64_t adjust, struct gpm_moduledata *out)
{
	if (ptr_size != 4 && ptr_size != 8)
		return gpm_error_create(GPM_ERR_USAGE, "moduledata: pointer size %u", ptr_size);
	uint8_t buf[MAX_WORDS * 8];
	if (!read(ctx, addr, buf, (size_t)MAX_WORDS * ptr_size))
		return gpm_error_fault(addr, (uint64_t)MAX_WORDS * ptr_size);
	uint64_t w[MAX_WORDS];
	for (size_t i = 0; i < MAX_WORDS; i++) {
		uint64_t v = 0;
		for (unsigned k = 0; k < ptr_size; k++)
			v |= (uint64_t)buf[i * ptr_size + k] << (8 * k);
		w[i] = v;
	}
	static const enum gpm_moduledata_layout f116[] = {GPM_MODULEDATA_116};
	static const enum gpm_moduledata_layout f118[] = {GPM_MODULEDATA_118};
	static const enum gpm_moduledata_layout f120[] = {GPM_MODULEDATA_127, GPM_MODULEDATA_126,
	                                                  GPM_MODULEDATA_120};
	const enum gpm_moduledata_layout *cand = f120;
	size_t ncand = 3;
	if (format == GPM_PCLNTAB_116)
		cand = f116, ncand = 1;
	else if (format == GPM_PCLNTAB_118)
		cand = f118, ncand = 1;
	for (size_t i = 0; i < ncand; i++) {
		struct gpm_moduledata m;
		if (try_family(&families[cand[i]], w, adjust, pclntab_addr, pclntab_size, &m)) {
			m.addr = addr;
			*out = m;
			return NULL;
		}
	}
	return gpm_error_create(GPM_ERR_FORMAT, "moduledata at 0x%llx: fields fail validation",
	                        (unsigned long long)addr);
}
