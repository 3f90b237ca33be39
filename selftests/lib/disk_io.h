/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-owned DMA through the guest's virtio-blk disk, for the tests that
 * unload and reload an IOMMU driver under a device the kernel itself uses
 * (vtd_kernel_dev.c, virtio_kernel_dev.c). Header only: every program is
 * one .c file. The including program defines _GNU_SOURCE (for O_DIRECT)
 * before its first include.
 *
 * Every block holds a pattern derived from its number and a generation, so
 * a read-back shows whether the data went where it was meant to. Blocks
 * 0..BG_FIRST-1 are for the test's own steps, BG_FIRST.. for the background
 * child.
 */
#ifndef XIOMMU_SELFTESTS_DISK_IO_H
#define XIOMMU_SELFTESTS_DISK_IO_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define DISK		"/dev/vda"
#define BLK		4096
#define BG_FIRST	64	/* background I/O: blocks 64..127 */
#define BG_BLOCKS	64

/* Block @blk, generation @gen: the bytes it should hold. */
static inline void disk_fill_block(uint8_t *buf, unsigned int blk,
				   unsigned int gen)
{
	unsigned int i;

	for (i = 0; i < BLK; i++)
		buf[i] = (uint8_t)(i ^ (blk * 13) ^ (gen * 101));
}

/*
 * Write (or read back and compare) one block with O_DIRECT, so the disk
 * DMAs straight to or from @buf (BLK bytes, BLK aligned).
 * Return: 0, -EIO on a failed or short transfer, -EILSEQ on a mismatch.
 */
static inline int disk_block_io(int fd, uint8_t *buf, unsigned int blk,
				unsigned int gen, bool write)
{
	uint8_t want[BLK];

	disk_fill_block(want, blk, gen);
	if (write) {
		memcpy(buf, want, BLK);
		return pwrite(fd, buf, BLK, (off_t)blk * BLK) == BLK ? 0 : -EIO;
	}
	memset(buf, 0, BLK);
	if (pread(fd, buf, BLK, (off_t)blk * BLK) != BLK)
		return -EIO;
	return memcmp(buf, want, BLK) ? -EILSEQ : 0;
}

/*
 * Step @n: write block @n, then read blocks 0..@n back.
 * Return: 0, -ENOMEM, or the first disk_block_io() error.
 */
static inline int disk_step(int fd, unsigned int n)
{
	static uint8_t *buf;
	unsigned int i;
	int ret;

	if (!buf && posix_memalign((void **)&buf, BLK, BLK))
		return -ENOMEM;
	ret = disk_block_io(fd, buf, n, 1, true);
	for (i = 0; !ret && i <= n; i++)
		ret = disk_block_io(fd, buf, i, 1, false);
	return ret;
}

/* Rounds of background I/O completed (shared memory, set up by the test). */
static volatile uint64_t *bg_rounds;

/*
 * Child after fork(): rewrite and verify the background blocks, counting
 * rounds in *bg_rounds, until killed. Dies with its parent and keeps no
 * pipe of the test runner open. Exits 2 (setup), 3 (write) or 4 (verify)
 * on failure.
 */
static inline void disk_background_io(void)
{
	unsigned int gen, i;
	uint8_t *buf;
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(STDOUT_FILENO);
	close(STDERR_FILENO);
	fd = open(DISK, O_RDWR | O_DIRECT);
	if (fd < 0 || posix_memalign((void **)&buf, BLK, BLK))
		_exit(2);
	for (gen = 1;; gen++) {
		for (i = 0; i < BG_BLOCKS; i++)
			if (disk_block_io(fd, buf, BG_FIRST + i, gen, true))
				_exit(3);
		for (i = 0; i < BG_BLOCKS; i++)
			if (disk_block_io(fd, buf, BG_FIRST + i, gen, false))
				_exit(4);
		(*bg_rounds)++;
	}
}

/*
 * insmod /xiommu/ko/@name.ko with the arguments scripts/vm loaded it with
 * (its /xiommu/modules list). Return: 0, -errno if the list is missing, or
 * -EIO if insmod failed.
 */
static inline int xiommu_module_load(const char *name)
{
	char line[512], cmd[768];
	size_t n = strlen(name);
	const char *args = "";
	FILE *f;
	int ret;

	f = fopen("/xiommu/modules", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, name, n) && (line[n] == ' ' || !line[n])) {
			args = line + n;
			break;
		}
	}
	snprintf(cmd, sizeof(cmd), "insmod /xiommu/ko/%s.ko%s", name, args);
	fclose(f);
	ret = system(cmd);
	return ret ? -EIO : 0;
}

/* rmmod @name. Return: 0 or -EIO. */
static inline int xiommu_module_unload(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rmmod %s", name);
	return system(cmd) ? -EIO : 0;
}

#endif /* XIOMMU_SELFTESTS_DISK_IO_H */
