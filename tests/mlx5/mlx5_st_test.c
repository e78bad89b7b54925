// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the mlx5 steering-tag (ST) index allocator,
 * drivers/net/ethernet/mellanox/mlx5/core/lib/st.c, as changed by the
 * vfio-dmabuf-tph series (patch 2: direct mode refuses a CPU tag that does
 * not fit the mkey; patch 8: mlx5_st_alloc_index_by_tag() and the raw-tag
 * reserve).
 *
 * Test-only, out of tree, never part of the series.  There is no ConnectX in
 * the test guest, so this module compiles the kernel's own st.c into itself
 * (#include of the .c file, path in MLX5_ST_C, see Kbuild) and runs it on a
 * fake mlx5_core_dev and a fake PCI function:
 *
 *  - the PCI TPH calls of st.c are renamed with #define to fakes below,
 *    which model an ST table and the platform's CPU steering tags and count
 *    their calls;
 *  - MLX5_CAP_GEN(dev, mkey_pcie_tph) reads a capability page allocated
 *    here, so the real mlx5_st_create() and mlx5_st_destroy() run;
 *  - EXPORT_SYMBOL_GPL() is emptied, so that this module exports nothing
 *    and loads next to mlx5_core.ko, which exports the same names.  The
 *    functions stay global but unexported: the module loader never resolves
 *    another module's references to them.
 *
 * Every case names, in its comment, the plausible mistakes in st.c that make
 * it fail (the mutants of tests/mlx5/README).
 */
#include <kunit/test.h>
#include <linux/export.h>
#include <linux/mlx5/device.h>
#include <linux/mlx5/driver.h>
#include <linux/pci.h>
#include <linux/pci-tph.h>
#include <linux/slab.h>

#include "mlx5_core.h"
#include "lib/mlx5.h"

#define FAKE_NR_CPUS	10

/*
 * struct st_fake - the PCI function and platform that st.c sees
 * @pdev: the fake PCI function; the fakes find their state from it
 * @mdev: the mlx5 core device whose ->st the tests create
 * @test: the running test, for expectations inside the fakes
 * @table_loc: what pcie_tph_get_st_table_loc() returns
 * @table_size: what pcie_tph_get_st_table_size() returns
 * @enable_mode: the mode of the last pcie_enable_tph() call
 * @enable_calls: pcie_enable_tph() calls
 * @disable_calls: pcie_disable_tph() calls
 * @cpu_tag: the steering tag of each CPU
 * @cpu_err: if set, pcie_tph_get_cpu_st() fails with it
 * @cpu_calls: pcie_tph_get_cpu_st() calls
 * @st_table: the ST table, as written by pcie_tph_set_st_entry()
 * @set_calls: pcie_tph_set_st_entry() calls
 * @set_err: if set, the next pcie_tph_set_st_entry() fails with it
 */
struct st_fake {
	struct pci_dev pdev;
	struct mlx5_core_dev *mdev;
	struct kunit *test;
	u32 table_loc;
	u16 table_size;
	int enable_mode;
	unsigned int enable_calls;
	unsigned int disable_calls;
	u16 cpu_tag[FAKE_NR_CPUS];
	int cpu_err;
	unsigned int cpu_calls;
	u16 st_table[64];
	unsigned int set_calls;
	int set_err;
};

static struct st_fake *to_fake(struct pci_dev *pdev)
{
	return container_of(pdev, struct st_fake, pdev);
}

static int fake_pcie_tph_get_cpu_st(struct pci_dev *pdev,
				    enum tph_mem_type mem_type,
				    unsigned int cpu, u16 *tag)
{
	struct st_fake *f = to_fake(pdev);

	f->cpu_calls++;
	if (f->cpu_err)
		return f->cpu_err;
	if (cpu >= FAKE_NR_CPUS)
		return -EINVAL;
	*tag = f->cpu_tag[cpu];
	return 0;
}

static int fake_pcie_tph_set_st_entry(struct pci_dev *pdev,
				      unsigned int index, u16 tag)
{
	struct st_fake *f = to_fake(pdev);
	int err = f->set_err;

	f->set_calls++;
	/* Entry 0 is "no steering tag" and the table has table_size entries */
	KUNIT_EXPECT_GE(f->test, index, 1U);
	KUNIT_EXPECT_LT(f->test, index, (unsigned int)f->table_size);
	if (err) {
		f->set_err = 0;
		return err;
	}
	if (index >= ARRAY_SIZE(f->st_table))
		return -EINVAL;
	f->st_table[index] = tag;
	return 0;
}

static int fake_pcie_enable_tph(struct pci_dev *pdev, int mode)
{
	struct st_fake *f = to_fake(pdev);

	f->enable_calls++;
	f->enable_mode = mode;
	return 0;
}

static void fake_pcie_disable_tph(struct pci_dev *pdev)
{
	to_fake(pdev)->disable_calls++;
}

static u32 fake_pcie_tph_get_st_table_loc(struct pci_dev *pdev)
{
	return to_fake(pdev)->table_loc;
}

static u16 fake_pcie_tph_get_st_table_size(struct pci_dev *pdev)
{
	return to_fake(pdev)->table_size;
}

/* The code under test: the kernel's st.c, its PCI TPH calls renamed */
#define pcie_tph_get_cpu_st		fake_pcie_tph_get_cpu_st
#define pcie_tph_set_st_entry		fake_pcie_tph_set_st_entry
#define pcie_enable_tph			fake_pcie_enable_tph
#define pcie_disable_tph		fake_pcie_disable_tph
#define pcie_tph_get_st_table_loc	fake_pcie_tph_get_st_table_loc
#define pcie_tph_get_st_table_size	fake_pcie_tph_get_st_table_size
#undef EXPORT_SYMBOL_GPL
#define EXPORT_SYMBOL_GPL(sym)

#include MLX5_ST_C

#undef pcie_tph_get_cpu_st
#undef pcie_tph_set_st_entry
#undef pcie_enable_tph
#undef pcie_disable_tph
#undef pcie_tph_get_st_table_loc
#undef pcie_tph_get_st_table_size

/* A table of 8 entries: index 0 is reserved, 7 usable, 4 for raw tags */
#define TBL_SIZE	8
#define TBL_USABLE	(TBL_SIZE - 1)
#define TBL_RAW_MAX	4

static int st_test_init(struct kunit *test)
{
	struct mlx5_hca_cap *hca;
	struct st_fake *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->mdev = kunit_kzalloc(test, sizeof(*f->mdev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->mdev);
	hca = kunit_kzalloc(test, sizeof(*hca), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hca);

	MLX5_SET(cmd_hca_cap, hca->cur, mkey_pcie_tph, 1);
	f->mdev->caps.hca[MLX5_CAP_GENERAL] = hca;
	f->mdev->coredev_type = MLX5_COREDEV_PF;
	f->mdev->pdev = &f->pdev;
	f->pdev.tph_cap = 0x200;	/* any offset: "has a TPH capability" */
	f->test = test;
	test->priv = f;
	return 0;
}

/* Undo what a failed test left, without the WARN of mlx5_st_destroy() */
static void st_test_exit(struct kunit *test)
{
	struct st_fake *f = test->priv;
	struct mlx5_st *st = f->mdev->st;
	struct mlx5_st_idx_data *data;
	unsigned long index;

	if (!st)
		return;
	xa_for_each(&st->idx_xa, index, data) {
		xa_erase(&st->idx_xa, index);
		kfree(data);
	}
	mlx5_st_destroy(f->mdev);
	f->mdev->st = NULL;
}

/* mlx5_st_create() on the fake function; @loc PCI_TPH_LOC_NONE: direct mode */
static struct mlx5_st *st_create(struct kunit *test, u32 loc, u16 size)
{
	struct st_fake *f = test->priv;

	f->table_loc = loc;
	f->table_size = size;
	f->mdev->st = mlx5_st_create(f->mdev);
	KUNIT_ASSERT_NOT_NULL(test, f->mdev->st);
	return f->mdev->st;
}

static struct mlx5_st *st_create_table(struct kunit *test)
{
	return st_create(test, PCI_TPH_LOC_CAP, TBL_SIZE);
}

static int raw_alloc(struct kunit *test, u16 tag, u16 *index)
{
	struct st_fake *f = test->priv;

	*index = 0xdead;
	return mlx5_st_alloc_index_by_tag(f->mdev, tag, index);
}

static int cpu_alloc(struct kunit *test, unsigned int cpu, u16 *index)
{
	struct st_fake *f = test->priv;

	*index = 0xdead;
	return mlx5_st_alloc_index(f->mdev, TPH_MEM_TYPE_VM, cpu, index);
}

static void dealloc(struct kunit *test, u16 index)
{
	struct st_fake *f = test->priv;

	KUNIT_EXPECT_EQ(test, mlx5_st_dealloc_index(f->mdev, index), 0);
}

/* The entry at @index holds @tag, in st.c's xarray and in the ST table */
static void expect_entry(struct kunit *test, u16 index, u16 tag,
			 unsigned int refs)
{
	struct st_fake *f = test->priv;
	struct mlx5_st_idx_data *data;

	KUNIT_ASSERT_GE(test, index, 1);
	KUNIT_ASSERT_LT(test, index, f->table_size);
	data = xa_load(&f->mdev->st->idx_xa, index);
	KUNIT_ASSERT_NOT_NULL_MSG(test, data, "no entry at index %u", index);
	KUNIT_EXPECT_EQ(test, data->tag, tag);
	KUNIT_EXPECT_EQ(test, refcount_read(&data->usecount), refs);
	KUNIT_EXPECT_EQ(test, f->st_table[index], tag);
}

static void expect_empty(struct kunit *test)
{
	struct mlx5_st *st = ((struct st_fake *)test->priv)->mdev->st;

	KUNIT_EXPECT_TRUE(test, xa_empty(&st->idx_xa));
	KUNIT_EXPECT_EQ(test, st->nr_entries, 0);
}

/*
 * mlx5_st_create() in table mode: index range 1..N-1 and the raw-tag
 * reserve, half of the usable entries rounded up; a 2-entry table still
 * lets a raw tag use its one entry.
 * Kills: reserve computed as (N - 1) / 2 (rounded down) or from N - 2;
 * reserve left 0.
 */
static void st_create_table_mode(struct kunit *test)
{
	static const struct {
		u16 size;
		unsigned int raw_max;
	} cases[] = { { 2, 1 }, { 3, 1 }, { 4, 2 }, { 8, 4 }, { 64, 32 } };
	struct st_fake *f = test->priv;
	struct mlx5_st *st;
	unsigned int i;
	u16 index;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		st = st_create(test, PCI_TPH_LOC_CAP, cases[i].size);
		KUNIT_EXPECT_FALSE(test, st->direct_mode);
		KUNIT_EXPECT_EQ(test, f->enable_mode, PCI_TPH_ST_DS_MODE);
		KUNIT_EXPECT_EQ(test, st->index_limit.min, 1);
		KUNIT_EXPECT_EQ(test, st->index_limit.max, cases[i].size - 1);
		KUNIT_EXPECT_EQ_MSG(test, st->raw_max_entries, cases[i].raw_max,
				    "table of %u entries", cases[i].size);
		KUNIT_EXPECT_EQ(test, st->nr_entries, 0);
		st_test_exit(test);
	}
	KUNIT_EXPECT_EQ(test, f->disable_calls, ARRAY_SIZE(cases));

	/* The one usable entry of a 2-entry table, taken by a raw tag */
	st_create(test, PCI_TPH_LOC_CAP, 2);
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x4242, &index), 0);
	expect_entry(test, index, 0x4242, 1);
	dealloc(test, index);
	expect_empty(test);
}

/*
 * A raw tag gets a new entry, the tag is written to the ST table at the
 * index returned, and that index (not the tag) is what the mkey gets.
 * Kills: the raw tag returned as the index in table mode; the entry
 * written at another index or with another value; no table write.
 */
static void st_raw_tag_new_entry(struct kunit *test)
{
	struct st_fake *f = test->priv;
	u16 index;

	st_create_table(test);
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x1234, &index), 0);
	KUNIT_EXPECT_EQ(test, f->set_calls, 1);
	KUNIT_EXPECT_EQ(test, f->mdev->st->nr_entries, 1);
	expect_entry(test, index, 0x1234, 1);
	KUNIT_EXPECT_EQ(test, f->cpu_calls, 0);

	dealloc(test, index);
	expect_empty(test);
}

/*
 * The same value shares one refcounted entry, whether it came raw or from
 * a CPU, in either order; the table is written once.
 * Kills: a raw tag never sharing (always a new entry); sharing without
 * taking a reference (refcount_inc() dropped); CPU and raw tags kept in
 * separate entries.
 */
static void st_same_value_shares_entry(struct kunit *test)
{
	struct st_fake *f = test->priv;
	u16 a, b, c, d;

	st_create_table(test);
	f->cpu_tag[1] = 0x1234;
	f->cpu_tag[2] = 0x0077;

	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x1234, &a), 0);
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x1234, &b), 0);
	KUNIT_ASSERT_EQ(test, cpu_alloc(test, 1, &c), 0);
	KUNIT_EXPECT_EQ(test, b, a);
	KUNIT_EXPECT_EQ(test, c, a);
	expect_entry(test, a, 0x1234, 3);

	/* CPU first, then raw */
	KUNIT_ASSERT_EQ(test, cpu_alloc(test, 2, &d), 0);
	KUNIT_EXPECT_NE(test, d, a);
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x0077, &b), 0);
	KUNIT_EXPECT_EQ(test, b, d);
	expect_entry(test, d, 0x0077, 2);

	KUNIT_EXPECT_EQ(test, f->set_calls, 2);
	KUNIT_EXPECT_EQ(test, f->mdev->st->nr_entries, 2);

	dealloc(test, a);
	dealloc(test, a);
	dealloc(test, a);
	dealloc(test, d);
	dealloc(test, d);
	expect_empty(test);
}

/*
 * Different values get different indices, each holding its own value;
 * tags that differ only in the upper byte are different values.
 * Kills: lookup by truncated tag (u8 compare); every tag sharing the first
 * entry; the index reused while still in use.
 */
static void st_different_values_different_index(struct kunit *test)
{
	static const u16 tags[] = { 0x0011, 0x1111, 0x2211, 0x0012 };
	struct st_fake *f = test->priv;
	u16 index[ARRAY_SIZE(tags)];
	unsigned int i, j;

	st_create_table(test);
	f->cpu_tag[0] = tags[1];
	f->cpu_tag[1] = tags[3];

	KUNIT_ASSERT_EQ(test, raw_alloc(test, tags[0], &index[0]), 0);
	KUNIT_ASSERT_EQ(test, cpu_alloc(test, 0, &index[1]), 0);
	KUNIT_ASSERT_EQ(test, raw_alloc(test, tags[2], &index[2]), 0);
	KUNIT_ASSERT_EQ(test, cpu_alloc(test, 1, &index[3]), 0);

	for (i = 0; i < ARRAY_SIZE(tags); i++) {
		expect_entry(test, index[i], tags[i], 1);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, index[i], index[j]);
	}
	KUNIT_EXPECT_EQ(test, f->set_calls, ARRAY_SIZE(tags));
	KUNIT_EXPECT_EQ(test, f->mdev->st->nr_entries, ARRAY_SIZE(tags));

	for (i = 0; i < ARRAY_SIZE(tags); i++)
		dealloc(test, index[i]);
	expect_empty(test);
}

/*
 * mlx5_st_dealloc_index() frees an entry only with its last reference, and
 * a freed index is handed out again.
 * Kills: freeing on the first dealloc; not freeing at all; nr_entries not
 * decremented on free (the reserve then never recovers).
 */
static void st_dealloc_last_reference(struct kunit *test)
{
	struct st_fake *f = test->priv;
	struct mlx5_st *st;
	u16 index[TBL_USABLE], a, b;
	unsigned int i;

	st = st_create_table(test);
	for (i = 0; i < TBL_USABLE; i++)
		f->cpu_tag[i] = 0x100 + i;

	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x100, &a), 0);
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x100, &b), 0);
	KUNIT_ASSERT_EQ(test, b, a);

	dealloc(test, a);
	expect_entry(test, a, 0x100, 1);
	KUNIT_EXPECT_EQ(test, st->nr_entries, 1);

	dealloc(test, a);
	KUNIT_EXPECT_NULL(test, xa_load(&st->idx_xa, a));
	expect_empty(test);

	/* Fill every usable entry, free one: the next new tag gets it */
	for (i = 0; i < TBL_USABLE; i++)
		KUNIT_ASSERT_EQ(test, cpu_alloc(test, i, &index[i]), 0);
	KUNIT_EXPECT_EQ(test, st->nr_entries, TBL_USABLE);
	dealloc(test, index[3]);
	KUNIT_EXPECT_EQ(test, st->nr_entries, TBL_USABLE - 1);
	f->cpu_tag[3] = 0x300;
	KUNIT_ASSERT_EQ(test, cpu_alloc(test, 3, &a), 0);
	KUNIT_EXPECT_EQ(test, a, index[3]);
	expect_entry(test, a, 0x300, 1);

	for (i = 0; i < TBL_USABLE; i++)
		dealloc(test, index[i]);
	expect_empty(test);
}

/*
 * The raw-tag reserve: a raw tag creates a new entry only while fewer than
 * raw_max_entries are in use (-ENOSPC, no table write, otherwise), may
 * always share an existing entry, CPU tags still allocate past it, and a
 * freed entry makes room again.
 * Kills: ">" instead of ">=" (one raw entry too many); the reserve checked
 * before the lookup of an existing entry (sharing refused); the reserve
 * applied to CPU tags too (raw_max_entries instead of UINT_MAX in
 * mlx5_st_alloc_index()); no reserve for raw tags; nr_entries not
 * decremented on free.
 */
static void st_raw_reserve(struct kunit *test)
{
	struct st_fake *f = test->priv;
	u16 raw[TBL_RAW_MAX], cpu[2], index;
	struct mlx5_st *st;
	unsigned int i, writes;

	st = st_create_table(test);
	KUNIT_ASSERT_EQ(test, st->raw_max_entries, TBL_RAW_MAX);

	for (i = 0; i < TBL_RAW_MAX; i++)
		KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x10 + i, &raw[i]), 0);
	writes = f->set_calls;

	/* Reserve reached: no new entry for a raw tag */
	KUNIT_EXPECT_EQ(test, raw_alloc(test, 0x20, &index), -ENOSPC);
	KUNIT_EXPECT_EQ(test, f->set_calls, writes);
	KUNIT_EXPECT_EQ(test, st->nr_entries, TBL_RAW_MAX);

	/* Sharing is always allowed */
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x11, &index), 0);
	KUNIT_EXPECT_EQ(test, index, raw[1]);
	dealloc(test, index);

	/* CPU tags still get new entries, raw tags may share them */
	f->cpu_tag[0] = 0x30;
	f->cpu_tag[1] = 0x31;
	KUNIT_ASSERT_EQ(test, cpu_alloc(test, 0, &cpu[0]), 0);
	KUNIT_ASSERT_EQ(test, cpu_alloc(test, 1, &cpu[1]), 0);
	KUNIT_EXPECT_EQ(test, st->nr_entries, TBL_RAW_MAX + 2);
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x31, &index), 0);
	KUNIT_EXPECT_EQ(test, index, cpu[1]);
	dealloc(test, index);

	/* Still no new raw entry while TBL_RAW_MAX or more are in use */
	dealloc(test, raw[0]);
	dealloc(test, raw[1]);
	KUNIT_EXPECT_EQ(test, raw_alloc(test, 0x20, &index), -ENOSPC);
	/* Below the reserve again */
	dealloc(test, raw[2]);
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x20, &index), 0);
	expect_entry(test, index, 0x20, 1);

	dealloc(test, index);
	dealloc(test, raw[3]);
	dealloc(test, cpu[0]);
	dealloc(test, cpu[1]);
	expect_empty(test);
}

/*
 * Entries made for CPU tags count towards the reserve of raw tags.
 * Kills: a count of raw-created entries only, or no count at all.
 */
static void st_raw_reserve_counts_cpu_entries(struct kunit *test)
{
	struct st_fake *f = test->priv;
	u16 index[TBL_RAW_MAX], i2;
	unsigned int i;

	st_create_table(test);
	for (i = 0; i < TBL_RAW_MAX; i++) {
		f->cpu_tag[i] = 0x500 + i;
		KUNIT_ASSERT_EQ(test, cpu_alloc(test, i, &index[i]), 0);
	}
	KUNIT_EXPECT_EQ(test, raw_alloc(test, 0x600, &i2), -ENOSPC);
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x502, &i2), 0);
	KUNIT_EXPECT_EQ(test, i2, index[2]);
	dealloc(test, i2);

	for (i = 0; i < TBL_RAW_MAX; i++)
		dealloc(test, index[i]);
	expect_empty(test);
}

/*
 * An exhausted index range is -ENOSPC for a raw tag (xa_alloc()'s -EBUSY
 * converted), with no entry or count left behind; sharing still works.
 * The reserve is lifted here to reach the end of the range.
 * Kills: -EBUSY passed through; the failed xa_alloc() counted.
 */
static void st_raw_range_exhausted(struct kunit *test)
{
	struct st_fake *f = test->priv;
	u16 index[TBL_USABLE], extra;
	struct mlx5_st *st;
	unsigned int i;

	st = st_create_table(test);
	st->raw_max_entries = UINT_MAX;

	for (i = 0; i < TBL_USABLE; i++)
		KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x700 + i, &index[i]), 0);
	KUNIT_EXPECT_EQ(test, raw_alloc(test, 0x7ff, &extra), -ENOSPC);
	KUNIT_EXPECT_EQ(test, st->nr_entries, TBL_USABLE);
	KUNIT_EXPECT_EQ(test, f->set_calls, TBL_USABLE);

	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x703, &extra), 0);
	KUNIT_EXPECT_EQ(test, extra, index[3]);
	dealloc(test, extra);

	for (i = 0; i < TBL_USABLE; i++)
		dealloc(test, index[i]);
	expect_empty(test);
}

/*
 * The CPU path keeps the errno it had before the series for an exhausted
 * index range (xa_alloc()'s -EBUSY reaches DMAH users as is).
 * Kills: the -EBUSY to -ENOSPC conversion moved into the shared helper.
 */
static void st_cpu_range_exhausted(struct kunit *test)
{
	struct st_fake *f = test->priv;
	u16 index[TBL_USABLE], extra;
	unsigned int i;

	st_create_table(test);
	for (i = 0; i < FAKE_NR_CPUS; i++)
		f->cpu_tag[i] = 0x800 + i;

	for (i = 0; i < TBL_USABLE; i++)
		KUNIT_ASSERT_EQ(test, cpu_alloc(test, i, &index[i]), 0);
	KUNIT_EXPECT_EQ(test, cpu_alloc(test, TBL_USABLE, &extra), -EBUSY);
	KUNIT_EXPECT_EQ(test, f->mdev->st->nr_entries, TBL_USABLE);

	for (i = 0; i < TBL_USABLE; i++)
		dealloc(test, index[i]);
	expect_empty(test);
}

/*
 * A failing pcie_tph_set_st_entry() leaves no entry (a later user of the
 * value must write the table again) and no count (the reserve does not
 * shrink), on the raw and on the CPU path; the errno is passed on.
 * Kills: nr_entries incremented before the write without unwinding; the
 * entry left in the xarray on failure; the error swallowed.
 */
static void st_set_entry_failure(struct kunit *test)
{
	struct st_fake *f = test->priv;
	struct mlx5_st *st;
	unsigned int i;
	u16 index;

	st = st_create_table(test);
	f->cpu_tag[0] = 0x900;

	/* More failures than the reserve has room for */
	for (i = 0; i < TBL_RAW_MAX + 1; i++) {
		f->set_err = -EIO;
		KUNIT_EXPECT_EQ(test, raw_alloc(test, 0x900, &index), -EIO);
		expect_empty(test);
	}
	f->set_err = -EIO;
	KUNIT_EXPECT_EQ(test, cpu_alloc(test, 0, &index), -EIO);
	expect_empty(test);

	/* The value gets a new entry, written to the table */
	i = f->set_calls;
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x900, &index), 0);
	KUNIT_EXPECT_EQ(test, f->set_calls, i + 1);
	expect_entry(test, index, 0x900, 1);
	KUNIT_EXPECT_EQ(test, st->nr_entries, 1);

	dealloc(test, index);
	expect_empty(test);
}

/*
 * An error of pcie_tph_get_cpu_st() is returned as is, nothing allocated.
 * Kills: the CPU tag lookup's result ignored by the refactored
 * mlx5_st_alloc_index().
 */
static void st_cpu_tag_error(struct kunit *test)
{
	struct st_fake *f = test->priv;
	u16 index;

	st_create_table(test);
	f->cpu_err = -ENODATA;
	KUNIT_EXPECT_EQ(test, cpu_alloc(test, 0, &index), -ENODATA);
	KUNIT_EXPECT_EQ(test, f->set_calls, 0);
	expect_empty(test);
}

/*
 * Direct mode (no ST table): a raw tag that fits the 8-bit mkey field is
 * the index itself; a wider one is -ENOSPC; the table is never written.
 * Kills: ">=" for ">" (0xff refused); the tag truncated (0x100 accepted as
 * 0x00); -EOPNOTSUPP instead of -ENOSPC (the RDMA driver would not fall
 * back to the 8-bit tag); the table path taken in direct mode.
 */
static void st_direct_mode_raw(struct kunit *test)
{
	struct st_fake *f = test->priv;
	struct mlx5_st *st;
	u16 index;

	st = st_create(test, PCI_TPH_LOC_NONE, 0);
	KUNIT_EXPECT_TRUE(test, st->direct_mode);

	KUNIT_EXPECT_EQ(test, raw_alloc(test, 0x00ff, &index), 0);
	KUNIT_EXPECT_EQ(test, index, 0x00ff);
	KUNIT_EXPECT_EQ(test, raw_alloc(test, 0x0042, &index), 0);
	KUNIT_EXPECT_EQ(test, index, 0x0042);
	KUNIT_EXPECT_EQ(test, raw_alloc(test, 0x0100, &index), -ENOSPC);
	KUNIT_EXPECT_EQ(test, raw_alloc(test, 0xff42, &index), -ENOSPC);
	KUNIT_EXPECT_EQ(test, mlx5_st_dealloc_index(f->mdev, 0x42), 0);

	KUNIT_EXPECT_EQ(test, f->set_calls, 0);
	KUNIT_EXPECT_EQ(test, st->nr_entries, 0);
}

/*
 * Direct mode, CPU tags (patch 2): a tag that fits is used as is, a wider
 * Extended tag is -EOPNOTSUPP instead of being truncated into another tag.
 * Kills: patch 2 reverted (0x1ff becomes 0xff); ">=" for ">"; -ENOSPC on
 * the CPU path (DMAH users see a new errno).
 */
static void st_direct_mode_cpu(struct kunit *test)
{
	struct st_fake *f = test->priv;
	u16 index;

	st_create(test, PCI_TPH_LOC_NONE, 0);
	f->cpu_tag[0] = 0x00ff;
	f->cpu_tag[1] = 0x01ff;
	f->cpu_tag[2] = 0x0100;

	KUNIT_EXPECT_EQ(test, cpu_alloc(test, 0, &index), 0);
	KUNIT_EXPECT_EQ(test, index, 0x00ff);
	KUNIT_EXPECT_EQ(test, cpu_alloc(test, 1, &index), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, cpu_alloc(test, 2, &index), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, f->set_calls, 0);
}

/*
 * Without ST support (dev->st NULL) every call is -EOPNOTSUPP, so that the
 * RDMA driver registers the MR without hints.
 * Kills: a missing !st check in mlx5_st_alloc_index_by_tag() (oops), or
 * another errno there (the registration would fail).
 */
static void st_no_st(struct kunit *test)
{
	struct st_fake *f = test->priv;
	u16 index;

	KUNIT_ASSERT_NULL(test, f->mdev->st);
	KUNIT_EXPECT_EQ(test, raw_alloc(test, 0x12, &index), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, cpu_alloc(test, 0, &index), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, mlx5_st_dealloc_index(f->mdev, 1), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, f->cpu_calls, 0);
}

static struct kunit_case st_test_cases[] = {
	KUNIT_CASE(st_create_table_mode),
	KUNIT_CASE(st_raw_tag_new_entry),
	KUNIT_CASE(st_same_value_shares_entry),
	KUNIT_CASE(st_different_values_different_index),
	KUNIT_CASE(st_dealloc_last_reference),
	KUNIT_CASE(st_raw_reserve),
	KUNIT_CASE(st_raw_reserve_counts_cpu_entries),
	KUNIT_CASE(st_raw_range_exhausted),
	KUNIT_CASE(st_cpu_range_exhausted),
	KUNIT_CASE(st_set_entry_failure),
	KUNIT_CASE(st_cpu_tag_error),
	KUNIT_CASE(st_direct_mode_raw),
	KUNIT_CASE(st_direct_mode_cpu),
	KUNIT_CASE(st_no_st),
	{}
};

static struct kunit_suite st_test_suite = {
	.name = "mlx5_st",
	.init = st_test_init,
	.exit = st_test_exit,
	.test_cases = st_test_cases,
};

kunit_test_suite(st_test_suite);

MODULE_DESCRIPTION("KUnit tests of the mlx5 steering-tag index allocator (test-only)");
MODULE_LICENSE("GPL");
