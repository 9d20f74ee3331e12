/*
 * xxh128sum FILE: XXH3-128 of FILE's bytes as `xxhsum -H2` prints it (canonical, 32 hex
 * digits), straight from libxxhash with plain reads: the CLI tests' reference for the
 * archive's identity (tests/cli/expect.sh) where Debian's xxhash package is not installed.
 * The unit tests pin this library's digests to xxhsum's.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <xxhash.h>

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 16];
	int fd = argc == 2 ? open(argv[1], O_RDONLY) : -1;
	XXH3_state_t *s = XXH3_createState();
	if (fd < 0 || !s || XXH3_128bits_reset(s) != XXH_OK) {
		fprintf(stderr, "usage: xxh128sum FILE\n");
		return 2;
	}
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		XXH3_128bits_update(s, buf, (size_t)n);
	if (n < 0) {
		perror(argv[1]);
		return 1;
	}
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(s));
	for (size_t i = 0; i < sizeof(c.digest); i++)
		printf("%02x", c.digest[i]);
	printf("\n");
	XXH3_freeState(s);
	close(fd);
	return 0;
}
