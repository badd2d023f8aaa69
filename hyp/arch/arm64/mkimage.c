// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host build tool: finish the struct ls_image_hdr at the start of the flat
 * image (include/lockstep/boot.h).
 *
 *   mkimage IMAGE.bin ENTRY_OFFSET MEM_SIZE VERSION
 *
 * Fills image_size (the file size), mem_size (ENTRY/MEM_SIZE from the ELF
 * symbols, given by mk/hyp.mk), entry_offset, version and, last, the CRC-32
 * (IEEE 802.3, the zlib polynomial) of bytes [hdr_size, image_size). Refuses
 * an image whose header is not the one head.S emits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/boot.h>

static uint32_t crc32_ieee(const unsigned char *p, size_t len)
{
	uint32_t crc = ~0u;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct ls_image_hdr h;
	uint64_t entry, mem, version;
	unsigned char *buf = NULL;
	long len = 0;
	FILE *f;
	int ret = 1;

	if (argc != 5 || parse_u64(argv[2], &entry) || parse_u64(argv[3], &mem) ||
	    parse_u64(argv[4], &version)) {
		fprintf(stderr, "usage: %s IMAGE.bin ENTRY_OFFSET MEM_SIZE VERSION\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "r+b");
	if (!f) {
		fprintf(stderr, "mkimage: %s: cannot open\n", argv[1]);
		return 1;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < (long)sizeof(h) || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "mkimage: %s: cannot read (or shorter than the header)\n", argv[1]);
		goto out;
	}
	buf = malloc((size_t)len);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "mkimage: %s: read failed\n", argv[1]);
		goto out;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != LS_IMAGE_MAGIC || h.hdr_version != LS_IMAGE_HDR_VERSION ||
	    h.hdr_size != sizeof(h)) {
		fprintf(stderr, "mkimage: %s: no Lockstep header at offset 0\n", argv[1]);
		goto out;
	}
	if (mem < (uint64_t)len || mem % 4096 || entry >= (uint64_t)len || entry % 4) {
		fprintf(stderr, "mkimage: bad sizes: file %ld, mem_size %#llx, entry %#llx\n", len,
			(unsigned long long)mem, (unsigned long long)entry);
		goto out;
	}
	h.image_size = (uint64_t)len;
	h.mem_size = mem;
	h.entry_offset = entry;
	h.version = version;
	h.crc32 = crc32_ieee(buf + h.hdr_size, (size_t)len - h.hdr_size);
	memcpy(buf, &h, sizeof(h));
	if (fseek(f, 0, SEEK_SET) || fwrite(buf, 1, sizeof(h), f) != sizeof(h)) {
		fprintf(stderr, "mkimage: %s: write failed\n", argv[1]);
		goto out;
	}
	printf("mkimage: %s: %ld bytes, mem %llu KiB, entry %#llx, crc32 %08x\n", argv[1], len,
	       (unsigned long long)(mem >> 10), (unsigned long long)entry, h.crc32);
	ret = 0;
out:
	free(buf);
	if (fclose(f) && !ret) {
		fprintf(stderr, "mkimage: %s: write failed\n", argv[1]);
		ret = 1;
	}
	return ret;
}
