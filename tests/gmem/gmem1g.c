// SPDX-License-Identifier: GPL-2.0-only
/*
 * gmem1g: a 1 GiB guest_memfd backed by one 1 GiB physical chunk (docs/gmem.md "1 GiB
 * backing"), part of gmemtest (#included by gmemtest.c, whose helpers it uses).
 *
 * Once the guest runs, a second memslot binds a 1 GiB guest_memfd at GPA 4 GiB (1 GiB aligned,
 * as its PA), populated with zeros: the VM's stage 2 maps it with one level-1 block. The guest (tests/guest/gmem.c, command BASE 4)
 * fills page 5 of it and MEM_SHAREs that page only (one exit: the bounded way to get the
 * guest's consent; the whole GiB would be 262144 exits); the VMM converts that 4 KiB to shared
 * and back, and the counts of every view say which tables were split and merged back.
 */

#define GIG	     (1ULL << 30)
#define GIG_GPA	     (4ULL << 30)
#define GIG_PAGE     5ULL
#define GIG_NCHECKS  13
#define GIG_MAX_MORE 4 /* 1 GiB guest_memfds asked for after the first, until ENOMEM */

/* The debugfs run (lockstep/vms) that holds @gpa: its first GPA, PA and length; 0 if none. */
static int gig_run(unsigned long long gpa, unsigned long long *g0, unsigned long long *pa,
		   unsigned long long *n)
{
	static char buf[16384];
	long len = read_file("/sys/kernel/debug/lockstep/vms", buf, sizeof(buf) - 1);
	const char *p = buf;

	if (len <= 0)
		return 0;
	buf[len] = 0;
	while (*p) {
		const char *q = p;

		if (!memcmp(q, "pages gpa ", 10)) {
			q += 10;
			if (!hexword(&q, g0) && !memcmp(q, " pa ", 4)) {
				q += 4;
				if (!hexword(&q, pa) && !memcmp(q, " n ", 3)) {
					q += 3;
					if (!hexword(&q, n) && gpa >= *g0 && gpa < *g0 + *n * PAGE)
						return 1;
				}
			}
		}
		while (*p && *p != '\n')
			p++;
		if (*p)
			p++;
	}
	return 0;
}

static long gig_setattr(int gfd, unsigned long long off, unsigned long long attr)
{
	struct lockstep_memory_attributes2 a;

	memset(&a, 0, sizeof(a));
	a.offset = off;
	a.size = PAGE;
	a.attributes = attr;
	a.flags = PRESERVE;
	return xioctl(gfd, LOCKSTEP_SET_MEMORY_ATTRIBUTES2, (unsigned long)&a);
}

static long gig_create(int vmfd, unsigned long long size, unsigned long long flags)
{
	struct lockstep_create_guest_memfd gm;

	memset(&gm, 0, sizeof(gm));
	gm.size = size;
	gm.flags = flags;
	return xioctl(vmfd, LOCKSTEP_CREATE_GUEST_MEMFD, (unsigned long)&gm);
}

static void gig_tests(const char *image)
{
	static unsigned char img[64 * 1024] __attribute__((aligned(4096)));
	unsigned long long img_size, g0, pa = 0, npg = 0, vt0, vt1, vt2, vt3, t0, t1;
	unsigned long long ht1, hl1, ht2, hl2, ht3, hl3, it1, il1, it2, il2, it3, il3;
	struct lockstep_userspace_memory_region2 r;
	struct lockstep_global_stats gs0, gs1;
	volatile unsigned long long *map = 0;
	struct lockstep_vm_stats st;
	int gfd = -1, more[GIG_MAX_MORE], i, nmore = 0;
	struct vm v;
	long n, rc, r2 = 0;

	for (i = 0; i < GIG_MAX_MORE; i++)
		more[i] = -1;
	n = read_file(image, img, sizeof(img));
	if (n <= 0 || vm_create(&v, LOCKSTEP_GMEM_FLAG_VMM_CONVERTS)) {
		out("# gmem1g: VM setup failed: %s\n", errname(n));
		vm_close(&v);
		return;
	}
	/* Sizes and flags first: a 1 GiB-only guest_memfd is whole GiBs. */
	rc = gig_create(v.fd, GIG + PAGE, LOCKSTEP_GMEM_FLAG_HUGE_1G);
	r2 = gig_create(v.fd, 2ULL << 20, LOCKSTEP_GMEM_FLAG_HUGE_1G);
	verdict(rc == -22 && r2 == -22,
		"gmem1g: HUGE_1G with a size not a multiple of 1 GiB (1 GiB + 4 KiB, 2 MiB): EINVAL",
		rc);

	/*
	 * The guest runs first: memory given after the first run is not measured (hashing 1 GiB
	 * at EL2 under TCG takes minutes), the VMM's lazy population of a big slot.
	 */
	img_size = ((unsigned long long)n + PAGE - 1) & ~(PAGE - 1);
	rc = vm_start(&v, img, img_size);
	if (!rc)
		rc = vm_until_cmd(&v);
	if (rc) {
		out("# gmem1g: the guest did not start: %ld\n", rc);
		goto out;
	}
	/* No HUGE_1G: a guest_memfd of 1 GiB takes a 1 GiB chunk when the host has one. */
	t0 = now_ns();
	gfd = (int)gig_create(v.fd, GIG, LOCKSTEP_GMEM_FLAG_VMM_CONVERTS);
	t1 = now_ns();
	memset(&r, 0, sizeof(r));
	r.slot = 1;
	r.flags = LOCKSTEP_MEM_GUEST_MEMFD;
	r.guest_phys_addr = GIG_GPA;
	r.memory_size = GIG;
	r.guest_memfd = (unsigned int)gfd;
	rc = gfd < 0 ? gfd : xioctl(v.fd, LOCKSTEP_SET_USER_MEMORY_REGION2, (unsigned long)&r);
	out("# gmem1g: 1 GiB guest_memfd created in %llu ms: %s\n", (t1 - t0) / 1000000,
	    errname(gfd < 0 ? gfd : 0));
	vt0 = vm_tables(&v);
	t0 = now_ns();
	if (!rc)
		rc = populate(&v, GIG_GPA, 0, GIG);
	t1 = now_ns();
	vt1 = vm_tables(&v);
	vm_stats(&v, &st);
	out("# gmem1g: POPULATE_ZERO of 1 GiB: %s in %llu ms; VM stage 2 %llu -> %llu table pages\n",
	    errname(rc), (t1 - t0) / 1000000, vt0, vt1);
	if (!rc && gig_run(GIG_GPA, &g0, &pa, &npg))
		out("# gmem1g: GPA 0x%llx: run of %llu pages at PA 0x%llx\n", g0, npg, pa);
	verdict(!rc && g0 == GIG_GPA && npg == GIG / PAGE && pa && !(pa & (GIG - 1)),
		"gmem1g: a 1 GiB guest_memfd (no HUGE_1G) is one physically contiguous, 1 GiB-aligned "
		"chunk, donated whole to the running VM",
		rc);
	verdict(!rc && vt1 == vt0 && st.hyp[LS_VM_STAT_PAGES] >= GIG / PAGE,
		"gmem1g: the VM's stage 2 maps the GiB with one level-1 block (no table page more "
		"after populating it)",
		(long)(vt1 - vt0));
	if (rc || !pa)
		goto out;
	map = (volatile unsigned long long *)sys(NR_MMAP, 0, GIG, PROT_READ_ | PROT_WRITE_,
						 MAP_SHARED_, gfd, 0);
	if ((long)map < 0 && (long)map > -4096)
		map = 0;

	rc = gcmd(&v, OP_BASE, GIG_GPA >> 30, 0);
	if (!rc)
		rc = gcmd(&v, OP_FILL, GIG_PAGE, 1);
	if (!rc)
		rc = gcmd(&v, OP_SHARE, GIG_PAGE, 1);
	verdict(rc == 0 && v.share_exits == 1,
		"gmem1g: the guest fills page 5 of the GiB and offers it (one MEM_SHARE exit)", rc);

	/* 4 KiB inside the 1 GiB block: private -> shared. */
	vt1 = vm_tables(&v);
	host_view(pa + GIG_PAGE * PAGE, &ht1, &hl1);
	view_at(LS_VIEW_HOST_IOMMU(0), pa + GIG_PAGE * PAGE, &it1, &il1);
	gstats(&gs0);
	t0 = now_ns();
	rc = gig_setattr(gfd, GIG_PAGE * PAGE, 0);
	t1 = now_ns();
	gstats(&gs1);
	vt2 = vm_tables(&v);
	host_view(pa + GIG_PAGE * PAGE, &ht2, &hl2);
	view_at(LS_VIEW_HOST_IOMMU(0), pa + GIG_PAGE * PAGE, &it2, &il2);
	out("# gmem1g: page 5 to shared: %s in %llu us, %llu hypercalls; VM %llu -> %llu, host %llu "
	    "(level %llu) -> %llu (level %llu), IOMMU 0 %llu (level %llu) -> %llu (level %llu)\n",
	    errname(rc), (t1 - t0) / 1000, gs1.convert_hvcs - gs0.convert_hvcs, vt1, vt2, ht1, hl1,
	    ht2, hl2, it1, il1, it2, il2);
	verdict(rc == 0 && gs1.convert_hvcs == gs0.convert_hvcs + 1,
		"gmem1g: 4 KiB inside the 1 GiB block to shared in one hypercall", rc);
	verdict(vt2 == vt1 + 2,
		"gmem1g: the VM's stage 2 splits the 1 GiB block down to the page: +2 table pages "
		"(level 2, level 3)",
		(long)(vt2 - vt1));
	verdict(hl1 == 0 && hl2 == 3 && ht2 == ht1 + 2,
		"gmem1g: the host's stage 2 maps the page at level 3 inside the 1 GiB hole: +2 table "
		"pages",
		(long)(ht2 - ht1));
	verdict(il1 == 0 && il2 == 3 && it2 == it1 + 2,
		"gmem1g: host IOMMU view 0 maps the page at level 3: +2 table pages",
		(long)(it2 - it1));
	verdict(map && map[GIG_PAGE * 512] == pattern(GIG_PAGE, 0) &&
			map[GIG_PAGE * 512 + 511] == pattern(GIG_PAGE, 511),
		"gmem1g: the VMM reads the guest's data in the shared page through mmap", 0);

	/* And back: every view merges back to the 1 GiB block (or hole). */
	t0 = now_ns();
	rc = gig_setattr(gfd, GIG_PAGE * PAGE, PRIV);
	t1 = now_ns();
	vt3 = vm_tables(&v);
	host_view(pa + GIG_PAGE * PAGE, &ht3, &hl3);
	view_at(LS_VIEW_HOST_IOMMU(0), pa + GIG_PAGE * PAGE, &it3, &il3);
	out("# gmem1g: page 5 back to private: %s in %llu us; VM %llu, host %llu (level %llu), "
	    "IOMMU 0 %llu (level %llu)\n",
	    errname(rc), (t1 - t0) / 1000, vt3, ht3, hl3, it3, il3);
	verdict(rc == 0 && vt3 == vt1 && vt3 == vt0,
		"gmem1g: back to private, the VM's stage 2 merges back to the 1 GiB block (table "
		"count as before, as before populating the GiB)",
		rc);
	verdict(rc == 0 && hl3 == 0 && ht3 == ht1 && il3 == 0 && it3 == it1,
		"gmem1g: back to private, the host's stage 2 and IOMMU view 0 merge back (counts as "
		"before, unmapped)",
		(long)(ht3 - ht1));
	rc = gcmd(&v, OP_CHECK, GIG_PAGE, 1);
	r2 = gcmd(&v, OP_BASE, 0, 0);
	verdict(rc == 0 && r2 == 0, "gmem1g: the guest still reads its data in page 5", rc);

	/* HUGE_1G insists: more 1 GiB guest_memfds until the host has no free GiB left. */
	gstats(&gs0);
	for (nmore = 0; nmore < GIG_MAX_MORE; nmore++) {
		rc = gig_create(v.fd, GIG, LOCKSTEP_GMEM_FLAG_HUGE_1G);
		if (rc < 0)
			break;
		more[nmore] = (int)rc;
	}
	gstats(&gs1);
	out("# gmem1g: %d more 1 GiB-only guest_memfds, then %s\n", nmore, errname(rc));
	verdict(rc == -12 &&
			gs1.gmem_pages == gs0.gmem_pages + (unsigned long long)nmore * GIG / PAGE,
		"gmem1g: HUGE_1G with no free 1 GiB range left: ENOMEM, nothing kept of the failed "
		"one",
		rc);
out:
	for (i = 0; i < GIG_MAX_MORE; i++)
		if (more[i] >= 0)
			sys(NR_CLOSE, more[i]);
	if (v.run)
		gcmd(&v, OP_DONE, 0, 0);
	if (map)
		sys(NR_MUNMAP, map, GIG);
	if (gfd >= 0)
		sys(NR_CLOSE, gfd);
	vm_close(&v);
}

/*
 * make bench-gmem's 1 GiB rows (docs/gmem.md "Benchmark"): on the benchmark's running guest, a
 * 1 GiB guest_memfd (one 1 GiB chunk, a level-1 block in the VM's stage 2) at GPA 4 GiB; the
 * guest offers the whole GiB (SHARE2M: 262144 MEM_SHARE exits, not timed), the VMM converts it
 * to shared in one ioctl, then back to private in one; counters as the other rows (bsnap). One
 * repetition: the consent alone is minutes under TCG. No naive row (262144 ioctls).
 */
static void gig_bench(struct vm *v)
{
	unsigned long long g0, pa = 0, npg = 0, t0, t1;
	struct lockstep_userspace_memory_region2 r;
	struct lockstep_memory_attributes2 a;
	struct bsum sh, bk;
	struct bsnap s0, s1;
	int gfd;
	long rc;

	memset(&sh, 0, sizeof(sh));
	memset(&bk, 0, sizeof(bk));
	gfd = (int)gig_create(v->fd, GIG,
			      LOCKSTEP_GMEM_FLAG_VMM_CONVERTS | LOCKSTEP_GMEM_FLAG_HUGE_1G);
	memset(&r, 0, sizeof(r));
	r.slot = 1;
	r.flags = LOCKSTEP_MEM_GUEST_MEMFD;
	r.guest_phys_addr = GIG_GPA;
	r.memory_size = GIG;
	r.guest_memfd = (unsigned int)gfd;
	rc = gfd < 0 ? gfd : xioctl(v->fd, LOCKSTEP_SET_USER_MEMORY_REGION2, (unsigned long)&r);
	if (!rc)
		rc = populate(v, GIG_GPA, 0, GIG);
	if (!rc && !(gig_run(GIG_GPA, &g0, &pa, &npg) && npg == GIG / PAGE))
		rc = -1;
	if (!rc)
		rc = gcmd(v, OP_BASE, GIG_GPA >> 30, 0);
	t0 = now_ns();
	if (!rc)
		rc = gcmd(v, OP_SHARE2M, 0, 512);
	t1 = now_ns();
	out("# bench 1 GiB: guest_memfd %s, PA 0x%llx (%llu contiguous pages); the guest's consent "
	    "(262144 MEM_SHARE exits) %llu ms: %ld\n",
	    errname(gfd < 0 ? gfd : 0), pa, npg, (t1 - t0) / 1000000, rc);
	if (rc) {
		sh.errors = bk.errors = 1;
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.size = GIG;
	a.flags = PRESERVE;
	bsnap(v, pa, &s0);
	t0 = now_ns();
	sh.errors += xioctl(gfd, LOCKSTEP_SET_MEMORY_ATTRIBUTES2, (unsigned long)&a) != 0;
	t1 = now_ns();
	bsnap(v, pa, &s1);
	bsum_add(&sh, &s0, &s1, t1 - t0, 1);
	a.attributes = PRIV;
	bsnap(v, pa, &s0);
	t0 = now_ns();
	bk.errors += xioctl(gfd, LOCKSTEP_SET_MEMORY_ATTRIBUTES2, (unsigned long)&a) != 0;
	t1 = now_ns();
	bsnap(v, pa, &s1);
	bsum_add(&bk, &s0, &s1, t1 - t0, 1);
out:
	bprint("1GiB", "range", "to-sh", &sh, (unsigned int)(GIG / PAGE));
	bprint("1GiB", "range", "to-pr", &bk, (unsigned int)(GIG / PAGE));
	gcmd(v, OP_BASE, 0, 0);
	if (gfd >= 0)
		sys(NR_CLOSE, gfd);
}
