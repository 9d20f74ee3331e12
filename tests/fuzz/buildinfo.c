/*
 * Fuzz harness for the build-info parser: the input is a .go.buildinfo section mapped at
 * 0x1000 (so the old pointer form reads its string headers from the input too), then the
 * same bytes as module-info text and as read-only data for the version scan.
 */
#include <stdint.h>
#include <string.h>

#include "gort/buildinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct blob {
	const uint8_t *data;
	size_t size;
};

static bool rd(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct blob *b = ctx;
	if (addr < 0x1000 || addr - 0x1000 > b->size || b->size - (addr - 0x1000) < len)
		return false;
	memcpy(buf, b->data + (addr - 0x1000), len);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blob b = {data, size};
	struct gpm_buildinfo bi = {0};
	struct gpm_error *err = gpm_buildinfo_parse(data, size, rd, &b, &bi);
	volatile size_t sink = 0;
	if (!err) {
		sink += bi.ndeps + bi.nsettings;
		if (gpm_buildinfo_setting(&bi, "GOARCH"))
			sink++;
		struct gpm_go_version v;
		if (gpm_go_version_parse(bi.go_version, &v))
			sink += v.minor;
		gpm_buildinfo_deinit(&bi);
	}
	gpm_error_destroy(err);
	struct gpm_buildinfo bi2 = {0};
	err = gpm_buildinfo_parse_modinfo(&bi2, (const char *)data, size);
	gpm_error_destroy(err);
	gpm_buildinfo_deinit(&bi2);
	char ver[32];
	if (gpm_go_version_scan(data, size, ver, sizeof(ver)))
		sink += strlen(ver);
	(void)sink;
	return 0;
}
