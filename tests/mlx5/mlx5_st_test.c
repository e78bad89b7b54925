// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the mlx5 steering-tag (ST) index allocator,
 * drivers/net/ethernet/mellanox/mlx5/core/lib/st.c, as changed by the
 * vfio-dmabuf-tph series (patch 2: direct mode refuses a CPU tag that does
 * not fit the mkey; patch 8: mlx5_st_hint_namespaces(),
 * mlx5_st_alloc_index_by_hint() with its namespace rule, the raw-tag
 * reserve, the reuse of an entry that already holds a tag, and the logging
 * of hints that cannot be carried and of a failed ST table write).
 *
 * Test-only, out of tree, never part of the series.  There is no ConnectX in
 * the test guest, so this module compiles the kernel's own st.c into itself
 * (#include of the .c file, path in MLX5_ST_C, see Kbuild) and runs it on a
 * fake mlx5_core_dev and a fake PCI function:
 *
 *  - the PCI TPH calls of st.c are renamed with #define to fakes below,
 *    which model an ST table and the platform's CPU steering tags and count
 *    their calls.  They behave as drivers/pci/tph.c does: pcie_enable_tph()
 *    sets the fake function's tph_enabled and tph_req_type (the real
 *    pcie_tph_enabled_req_type() reads them), a failed
 *    pcie_tph_set_st_entry() disables TPH, and a write while TPH is
 *    disabled fails with -EINVAL;
 *  - mlx5_core_warn() and mlx5_core_warn_rl() are counted, and the last
 *    message kept, so that the cases can check what is logged;
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
#include <kunit/test-bug.h>
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
 * @req_type: the TPH Requester Enable value pcie_enable_tph() programs
 * @warns: mlx5_core_warn() calls
 * @warns_rl: mlx5_core_warn_rl() calls
 * @last_warn: the last message of either
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
	u8 req_type;
	unsigned int warns;
	unsigned int warns_rl;
	char last_warn[160];
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
	/* As pcie_tph_set_st_entry(): no write while TPH is disabled */
	if (!pdev->tph_enabled)
		return -EINVAL;
	if (!err && index >= ARRAY_SIZE(f->st_table))
		err = -EINVAL;
	if (err) {
		/* The entry may be half written; the PCI core disables TPH */
		f->set_err = 0;
		f->st_table[index] = 0xbad;
		pdev->tph_enabled = 0;
		pdev->tph_req_type = PCI_TPH_REQ_DISABLE;
		return err;
	}
	f->st_table[index] = tag;
	return 0;
}

static int fake_pcie_enable_tph(struct pci_dev *pdev, int mode)
{
	struct st_fake *f = to_fake(pdev);

	f->enable_calls++;
	f->enable_mode = mode;
	pdev->tph_enabled = 1;
	pdev->tph_req_type = f->req_type;
	return 0;
}

static void fake_pcie_disable_tph(struct pci_dev *pdev)
{
	to_fake(pdev)->disable_calls++;
	pdev->tph_enabled = 0;
	pdev->tph_req_type = PCI_TPH_REQ_DISABLE;
}

static __printf(3, 4) void fake_warn(struct mlx5_core_dev *dev, bool rl,
				     const char *fmt, ...)
{
	struct st_fake *f = kunit_get_current_test()->priv;
	va_list args;

	KUNIT_EXPECT_PTR_EQ(f->test, dev, f->mdev);
	if (rl)
		f->warns_rl++;
	else
		f->warns++;
	va_start(args, fmt);
	vsnprintf(f->last_warn, sizeof(f->last_warn), fmt, args);
	va_end(args);
	kunit_info(f->test, "%s: %s", rl ? "warn_rl" : "warn", f->last_warn);
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
#undef mlx5_core_warn
#undef mlx5_core_warn_rl
#define mlx5_core_warn(dev, fmt, ...)	fake_warn(dev, false, fmt, ##__VA_ARGS__)
#define mlx5_core_warn_rl(dev, fmt, ...) fake_warn(dev, true, fmt, ##__VA_ARGS__)

#include MLX5_ST_C

#undef pcie_tph_get_cpu_st
#undef pcie_tph_set_st_entry
#undef pcie_enable_tph
#undef pcie_disable_tph
#undef pcie_tph_get_st_table_loc
#undef pcie_tph_get_st_table_size
#undef mlx5_core_warn
#undef mlx5_core_warn_rl

/* A table of 8 entries: index 0 is reserved, 7 usable, 3 for raw tags */
#define TBL_SIZE	8
#define TBL_USABLE	(TBL_SIZE - 1)
#define TBL_RAW_MAX	3

#define NS_BOTH		(MLX5_ST_NS_TPH | MLX5_ST_NS_EXT_TPH)

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
	/* The function and its Root Port support Extended TPH */
	f->req_type = PCI_TPH_REQ_EXT_TPH;
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
	KUNIT_ASSERT_EQ(test, pcie_tph_enabled_req_type(&f->pdev), f->req_type);
	return f->mdev->st;
}

static struct mlx5_st *st_create_table(struct kunit *test)
{
	return st_create(test, PCI_TPH_LOC_CAP, TBL_SIZE);
}

static struct mlx5_st_hint hint(u16 tag, u8 ph)
{
	struct mlx5_st_hint h = { .tag = tag, .ph = ph, .valid = true };

	return h;
}

static const struct mlx5_st_hint no_hint = { .tag = 0xeeee, .ph = 3 };

/*
 * mlx5_st_alloc_index_by_hint(); the outputs are poisoned first and must be
 * left alone unless it succeeds.
 */
static int hint_alloc(struct kunit *test, struct mlx5_st_hint tph,
		      struct mlx5_st_hint ext, u16 *index, u8 *ph,
		      unsigned int *used)
{
	struct st_fake *f = test->priv;
	int ret;

	*index = 0xdead;
	*ph = 0xee;
	*used = 0xee;
	ret = mlx5_st_alloc_index_by_hint(f->mdev, &tph, &ext, index, ph, used);
	if (ret) {
		KUNIT_EXPECT_EQ(test, *index, 0xdead);
		KUNIT_EXPECT_EQ(test, *ph, 0xee);
		KUNIT_EXPECT_EQ(test, *used, 0xee);
	}
	return ret;
}

/*
 * A raw tag, as a completer gives it to a function enabled for Extended TPH:
 * the Extended tag with PH 2, and for a tag below 0x100 the same 8-bit hint.
 */
static int raw_alloc(struct kunit *test, u16 tag, u16 *index)
{
	struct mlx5_st_hint tph = hint(tag, 2);
	unsigned int used;
	int ret;
	u8 ph;

	tph.valid = tag <= 0xff;
	ret = hint_alloc(test, tph, hint(tag, 2), index, &ph, &used);
	if (!ret) {
		KUNIT_EXPECT_EQ(test, ph, 2);
		KUNIT_EXPECT_EQ(test, used, tag <= 0xff ? NS_BOTH :
						MLX5_ST_NS_EXT_TPH);
	}
	return ret;
}

/* The last call gave no hint (-EOPNOTSUPP), logged once with @reason */
static void expect_no_hint(struct kunit *test, int ret, unsigned int *warns,
			   const char *reason)
{
	struct st_fake *f = test->priv;

	KUNIT_EXPECT_EQ(test, ret, -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, f->warns_rl, *warns + 1);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(f->last_warn, reason),
				  "logged \"%s\", expected \"%s\"",
				  f->last_warn, reason);
	*warns = f->warns_rl;
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

/*
 * The entry at @index holds @tag, in st.c's xarray, in its shadow of the ST
 * table and in the ST table
 */
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
	KUNIT_EXPECT_TRUE(test, test_bit(index, f->mdev->st->table_known));
	KUNIT_EXPECT_EQ(test, f->mdev->st->table[index], tag);
}

static void expect_empty(struct kunit *test)
{
	struct mlx5_st *st = ((struct st_fake *)test->priv)->mdev->st;

	KUNIT_EXPECT_TRUE(test, xa_empty(&st->idx_xa));
	KUNIT_EXPECT_EQ(test, st->nr_entries, 0);
}

/*
 * mlx5_st_create() in table mode: index range 1..N-1 and the raw-tag
 * reserve, half of the usable entries rounded down, so that raw tags never
 * get a whole small table: a 2-entry table gives them no new entry, not
 * even one that already holds their tag; they can share the entry of a CPU
 * tag.
 * Kills: reserve_ceil (half rounded up, as before), reserve_from_size (half
 * of all entries), reuse_before_reserve (a free entry that holds the tag
 * taken before the reserve is checked).
 */
static void st_create_table_mode(struct kunit *test)
{
	static const struct {
		u16 size;
		unsigned int raw_max;
	} cases[] = { { 2, 0 }, { 3, 1 }, { 4, 1 }, { 5, 2 }, { 8, 3 },
		      { 64, 31 } };
	struct st_fake *f = test->priv;
	unsigned int i, warns = 0;
	struct mlx5_st *st;
	u16 index, cpu;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		st = st_create(test, PCI_TPH_LOC_CAP, cases[i].size);
		KUNIT_EXPECT_FALSE(test, st->direct_mode);
		KUNIT_EXPECT_EQ(test, f->enable_mode, PCI_TPH_ST_DS_MODE);
		KUNIT_EXPECT_EQ(test, st->index_limit.min, 1);
		KUNIT_EXPECT_EQ(test, st->index_limit.max, cases[i].size - 1);
		KUNIT_EXPECT_EQ_MSG(test, st->raw_max_entries, cases[i].raw_max,
				    "table of %u entries", cases[i].size);
		KUNIT_EXPECT_EQ(test, st->nr_entries, 0);
		KUNIT_EXPECT_NOT_NULL(test, st->table);
		KUNIT_EXPECT_NOT_NULL(test, st->table_known);
		st_test_exit(test);
	}
	KUNIT_EXPECT_EQ(test, f->disable_calls, ARRAY_SIZE(cases));

	/* The one usable entry of a 2-entry table: not for a raw tag */
	st_create(test, PCI_TPH_LOC_CAP, 2);
	expect_no_hint(test, raw_alloc(test, 0x4242, &index), &warns,
		       "no ST table entry");
	KUNIT_EXPECT_EQ(test, f->set_calls, 0);
	expect_empty(test);

	/* A CPU tag takes it; a raw tag of the same value shares it */
	f->cpu_tag[0] = 0x4242;
	KUNIT_ASSERT_EQ(test, cpu_alloc(test, 0, &cpu), 0);
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x4242, &index), 0);
	KUNIT_EXPECT_EQ(test, index, cpu);
	expect_entry(test, index, 0x4242, 2);
	dealloc(test, index);
	dealloc(test, cpu);
	expect_empty(test);

	/* The free entry still holds the tag: still not for a raw tag */
	expect_no_hint(test, raw_alloc(test, 0x4242, &index), &warns,
		       "no ST table entry");
	expect_empty(test);
	KUNIT_EXPECT_EQ(test, f->set_calls, 1);
}

/*
 * A raw tag gets a new entry, the tag is written to the ST table at the
 * index returned, and that index (not the tag) is what the mkey gets.
 * Kills: the raw tag returned as the index in table mode; the entry
 * written at another index or with another value; no table write;
 * shadow_not_recorded (the written tag not kept in the shadow).
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
	KUNIT_EXPECT_EQ(test, f->warns + f->warns_rl, 0);

	dealloc(test, index);
	expect_empty(test);
}

/*
 * The same value shares one refcounted entry, whether it came raw or from
 * a CPU, in either order; the table is written once.
 * Kills: share_without_ref (refcount_inc() dropped); a raw tag never
 * sharing (always a new entry); CPU and raw tags kept in separate entries.
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
 * Kills: lookup_low_byte (lookup by truncated tag); every tag sharing the
 * first entry; the index reused while still in use.
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
 * Kills: dealloc_keeps_count (nr_entries not decremented on free: the
 * reserve never recovers); freeing on the first dealloc; not freeing.
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
 * raw_max_entries are in use, otherwise it is not carried (best effort: no
 * hint, logged, no table write, not an error), may always share an
 * existing entry, CPU tags still allocate past it, and a freed entry makes
 * room again.
 * Kills: reserve_gt (">" instead of ">=": one raw entry too many),
 * reserve_before_share (sharing refused), reserve_on_cpu_tags, no_raw_reserve,
 * dealloc_keeps_count, reserve_fails_registration (-ENOSPC returned
 * instead of "no hint").
 */
static void st_raw_reserve(struct kunit *test)
{
	struct st_fake *f = test->priv;
	u16 raw[TBL_RAW_MAX], cpu[2], index;
	unsigned int i, writes, warns = 0;
	struct mlx5_st *st;

	st = st_create_table(test);
	KUNIT_ASSERT_EQ(test, st->raw_max_entries, TBL_RAW_MAX);

	for (i = 0; i < TBL_RAW_MAX; i++)
		KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x110 + i, &raw[i]), 0);
	writes = f->set_calls;

	/* Reserve reached: no new entry for a raw tag */
	expect_no_hint(test, raw_alloc(test, 0x120, &index), &warns,
		       "no ST table entry");
	KUNIT_EXPECT_EQ(test, f->set_calls, writes);
	KUNIT_EXPECT_EQ(test, st->nr_entries, TBL_RAW_MAX);

	/* Sharing is always allowed */
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x111, &index), 0);
	KUNIT_EXPECT_EQ(test, index, raw[1]);
	dealloc(test, index);

	/* CPU tags still get new entries, raw tags may share them */
	f->cpu_tag[0] = 0x130;
	f->cpu_tag[1] = 0x131;
	KUNIT_ASSERT_EQ(test, cpu_alloc(test, 0, &cpu[0]), 0);
	KUNIT_ASSERT_EQ(test, cpu_alloc(test, 1, &cpu[1]), 0);
	KUNIT_EXPECT_EQ(test, st->nr_entries, TBL_RAW_MAX + 2);
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x131, &index), 0);
	KUNIT_EXPECT_EQ(test, index, cpu[1]);
	dealloc(test, index);

	/* Still no new raw entry while TBL_RAW_MAX or more are in use */
	dealloc(test, raw[0]);
	dealloc(test, raw[1]);
	expect_no_hint(test, raw_alloc(test, 0x120, &index), &warns,
		       "no ST table entry");
	/* Below the reserve again */
	dealloc(test, raw[2]);
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x120, &index), 0);
	expect_entry(test, index, 0x120, 1);

	dealloc(test, index);
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
	unsigned int i, warns = 0;

	st_create_table(test);
	for (i = 0; i < TBL_RAW_MAX; i++) {
		f->cpu_tag[i] = 0x500 + i;
		KUNIT_ASSERT_EQ(test, cpu_alloc(test, i, &index[i]), 0);
	}
	expect_no_hint(test, raw_alloc(test, 0x600, &i2), &warns,
		       "no ST table entry");
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x502, &i2), 0);
	KUNIT_EXPECT_EQ(test, i2, index[2]);
	dealloc(test, i2);

	for (i = 0; i < TBL_RAW_MAX; i++)
		dealloc(test, index[i]);
	expect_empty(test);
}

/*
 * An exhausted index range (xa_alloc()'s -EBUSY) leaves a raw tag without
 * a hint, logged, with no entry or count left behind; sharing still works.
 * The reserve is lifted here to reach the end of the range.
 * Kills: ebusy_passed_on (-EBUSY returned: the registration fails); the
 * failed xa_alloc() counted.
 */
static void st_raw_range_exhausted(struct kunit *test)
{
	struct st_fake *f = test->priv;
	u16 index[TBL_USABLE], extra;
	unsigned int i, warns = 0;
	struct mlx5_st *st;

	st = st_create_table(test);
	st->raw_max_entries = UINT_MAX;

	for (i = 0; i < TBL_USABLE; i++)
		KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x700 + i, &index[i]), 0);
	expect_no_hint(test, raw_alloc(test, 0x7ff, &extra), &warns,
		       "no ST table entry");
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
 * Kills: ebusy_converted_for_cpu.
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
 * A failing pcie_tph_set_st_entry() (the PCI core then disables TPH on the
 * function) on the CPU path: its errno is returned, no entry and no count
 * are left, and it is logged, once: a later failure (TPH is off, the PCI
 * core refuses every write) is not logged again.  With TPH off, a hint is
 * not carried and the table not written, and a free entry that still holds
 * a CPU's tag is not handed out (the CPU path gets the PCI core's error, as
 * before).
 * Kills: count_before_write, no_unwind_on_write_failure,
 * write_failure_not_logged, write_failure_logged_always,
 * hint_ignores_tph_disabled, reuse_while_disabled.
 */
static void st_set_entry_failure(struct kunit *test)
{
	struct st_fake *f = test->priv;
	unsigned int i, writes, warns = 0;
	u16 index[3], other;

	st_create_table(test);
	for (i = 0; i < 4; i++)
		f->cpu_tag[i] = 0x900 + i;
	KUNIT_EXPECT_EQ(test, mlx5_st_hint_namespaces(f->mdev), NS_BOTH);

	/* Entries 1 and 3 freed, still holding CPU 0's and CPU 3's tags */
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, cpu_alloc(test, i == 0 ? 0 : i + 1,
						&index[i]), 0);
	dealloc(test, index[0]);
	dealloc(test, index[2]);

	f->set_err = -EIO;
	KUNIT_EXPECT_EQ(test, cpu_alloc(test, 1, &other), -EIO);
	KUNIT_EXPECT_NULL(test, xa_load(&f->mdev->st->idx_xa, index[0]));
	KUNIT_EXPECT_EQ(test, f->mdev->st->nr_entries, 1);
	KUNIT_EXPECT_EQ(test, f->warns, 1);
	KUNIT_EXPECT_FALSE(test, f->pdev.tph_enabled);
	KUNIT_EXPECT_EQ(test, mlx5_st_hint_namespaces(f->mdev), 0);

	/* TPH is off: no hint, no write */
	writes = f->set_calls;
	expect_no_hint(test, raw_alloc(test, 0x1234, &other), &warns,
		       "TPH is disabled");
	KUNIT_EXPECT_EQ(test, f->set_calls, writes);

	/* The free entry holding CPU 3's tag is not handed out with TPH off */
	KUNIT_EXPECT_EQ(test, cpu_alloc(test, 3, &other), -EINVAL);
	KUNIT_EXPECT_EQ(test, f->warns, 1);
	KUNIT_EXPECT_EQ(test, f->mdev->st->nr_entries, 1);

	dealloc(test, index[1]);
	expect_empty(test);
}

/*
 * A failing ST table write for a hint: the hint is not carried (no hint,
 * not an error), no entry or count is left, the write failure is logged
 * and so is the lost hint.
 * Kills: hint_write_error_returned (the registration fails with the PCI
 * core's errno), no_unwind_on_write_failure, write_failure_not_logged.
 */
static void st_hint_set_entry_failure(struct kunit *test)
{
	struct st_fake *f = test->priv;
	unsigned int warns = 0;
	u16 index;

	st_create_table(test);
	f->set_err = -EIO;
	expect_no_hint(test, raw_alloc(test, 0x1234, &index), &warns,
		       "write failed");
	KUNIT_EXPECT_EQ(test, f->warns, 1);
	KUNIT_EXPECT_EQ(test, f->set_calls, 1);
	KUNIT_EXPECT_FALSE(test, test_bit(1, f->mdev->st->table_known));
	expect_empty(test);
}

/*
 * A free entry that already holds the tag is taken again without writing
 * the table (which would clear TPH Requester Enable around the write), for
 * raw and CPU tags, and is preferred over the lowest free index; a tag that
 * no free entry holds is written to the lowest free index.
 * Kills: reuse_ignored (every new entry written), reuse_any_known_entry
 * (the tag of the free entry not compared), shadow_not_recorded,
 * reuse_uncounted (a reused entry not counted in nr_entries).
 */
static void st_reuse_entry_without_write(struct kunit *test)
{
	struct st_fake *f = test->priv;
	u16 x, y, z, again;

	st_create_table(test);
	f->cpu_tag[0] = 0x1111;

	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x1111, &x), 0);
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x2222, &y), 0);
	KUNIT_EXPECT_EQ(test, f->set_calls, 2);
	dealloc(test, x);
	dealloc(test, y);
	expect_empty(test);

	/* Not the lowest free index (x): the one that holds the tag */
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x2222, &again), 0);
	KUNIT_EXPECT_EQ(test, again, y);
	KUNIT_EXPECT_EQ(test, f->set_calls, 2);
	expect_entry(test, again, 0x2222, 1);
	KUNIT_EXPECT_EQ(test, f->mdev->st->nr_entries, 1);

	/* A CPU tag too */
	KUNIT_ASSERT_EQ(test, cpu_alloc(test, 0, &again), 0);
	KUNIT_EXPECT_EQ(test, again, x);
	KUNIT_EXPECT_EQ(test, f->set_calls, 2);
	expect_entry(test, again, 0x1111, 1);
	KUNIT_EXPECT_EQ(test, f->mdev->st->nr_entries, 2);
	dealloc(test, x);
	dealloc(test, y);

	/* A new tag is written to the lowest free index, x */
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x3333, &z), 0);
	KUNIT_EXPECT_EQ(test, z, x);
	KUNIT_EXPECT_EQ(test, f->set_calls, 3);
	expect_entry(test, z, 0x3333, 1);
	/* ... and 0x1111 is no longer in the table: written again */
	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x1111, &again), 0);
	KUNIT_EXPECT_NE(test, again, x);
	KUNIT_EXPECT_EQ(test, f->set_calls, 4);
	expect_entry(test, again, 0x1111, 1);
	dealloc(test, z);
	dealloc(test, again);
	expect_empty(test);
}

/*
 * After error recovery restored the ST table from the state saved at probe,
 * a free entry no longer holds what the shadow says: the tag is written
 * again.  Kills: the shadow trusted across a restore (mutant 52).
 */
static void st_reuse_forgotten_after_restore(struct kunit *test)
{
	struct st_fake *f = test->priv;
	u16 x, again;

	st_create_table(test);

	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x2222, &x), 0);
	KUNIT_EXPECT_EQ(test, f->set_calls, 1);
	dealloc(test, x);

	mlx5_st_table_restored(f->mdev);

	KUNIT_ASSERT_EQ(test, raw_alloc(test, 0x2222, &again), 0);
	KUNIT_EXPECT_EQ(test, f->set_calls, 2);
	expect_entry(test, again, 0x2222, 1);
	dealloc(test, again);
	expect_empty(test);
}

/*
 * An error of pcie_tph_get_cpu_st() is returned as is, nothing allocated.
 * Kills: cpu_tag_error_ignored.
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
 * The namespace rule on a function enabled for TPH only: its requests carry
 * the 8-bit tag, so the 8-bit hint is used, with its PH, and the Extended
 * one is ignored; only the 8-bit namespace is asked; without an 8-bit hint
 * there is no hint (logged).
 * Kills: tph_only_uses_ext (the Extended tag used on a TPH-only function),
 * tph_only_asks_ext (mlx5_st_hint_namespaces() gives both namespaces),
 * used_wrong_ns.
 */
static void st_ns_tph_only(struct kunit *test)
{
	struct st_fake *f = test->priv;
	unsigned int used, warns = 0;
	u16 index;
	u8 ph;

	f->req_type = PCI_TPH_REQ_TPH_ONLY;
	st_create_table(test);
	KUNIT_EXPECT_EQ(test, mlx5_st_hint_namespaces(f->mdev), MLX5_ST_NS_TPH);

	KUNIT_ASSERT_EQ(test, hint_alloc(test, hint(0x42, 1), hint(0x1234, 2),
					 &index, &ph, &used), 0);
	expect_entry(test, index, 0x42, 1);
	KUNIT_EXPECT_EQ(test, ph, 1);
	KUNIT_EXPECT_EQ(test, used, MLX5_ST_NS_TPH);
	dealloc(test, index);

	expect_no_hint(test, hint_alloc(test, no_hint, hint(0x1234, 2), &index,
					&ph, &used), &warns, "no 8-bit");
	expect_empty(test);
}

/*
 * A function enabled for Extended TPH uses the Extended tag above 0xff,
 * with its PH, whatever the 8-bit hint is; the index relies on the
 * Extended namespace alone.
 * Kills: prefer_8bit, ext_with_8bit_ph, used_includes_8bit (the re-check
 * would fail on a change of an 8-bit hint the mkey does not use),
 * ext_asks_8bit_only.
 */
static void st_ns_extended_high_tag(struct kunit *test)
{
	struct st_fake *f = test->priv;
	unsigned int used;
	u16 a, b;
	u8 ph;

	st_create_table(test);
	KUNIT_EXPECT_EQ(test, mlx5_st_hint_namespaces(f->mdev), NS_BOTH);

	KUNIT_ASSERT_EQ(test, hint_alloc(test, hint(0x34, 1), hint(0x1234, 2),
					 &a, &ph, &used), 0);
	expect_entry(test, a, 0x1234, 1);
	KUNIT_EXPECT_EQ(test, ph, 2);
	KUNIT_EXPECT_EQ(test, used, MLX5_ST_NS_EXT_TPH);

	KUNIT_ASSERT_EQ(test, hint_alloc(test, no_hint, hint(0x1234, 3), &b,
					 &ph, &used), 0);
	KUNIT_EXPECT_EQ(test, b, a);
	KUNIT_EXPECT_EQ(test, ph, 3);
	KUNIT_EXPECT_EQ(test, used, MLX5_ST_NS_EXT_TPH);
	expect_entry(test, a, 0x1234, 2);

	/* 0x100 is the lowest tag that needs no 8-bit equivalent */
	KUNIT_ASSERT_EQ(test, hint_alloc(test, hint(0x00, 1), hint(0x100, 2),
					 &b, &ph, &used), 0);
	KUNIT_EXPECT_EQ(test, used, MLX5_ST_NS_EXT_TPH);
	expect_entry(test, b, 0x100, 1);
	dealloc(test, a);
	dealloc(test, a);
	dealloc(test, b);
	expect_empty(test);
}

/*
 * An Extended tag below 0x100, which the function may send with or without
 * a TPH prefix, is used only when the 8-bit hint is the same tag with the
 * same PH; then the index relies on both namespaces.  Otherwise: no hint,
 * logged, no entry.
 * Kills: low_tag_no_equality, low_tag_ignores_ph, low_tag_boundary (0xff
 * taken as a tag that needs no 8-bit equivalent), used_without_8bit (the
 * re-check would miss a change of the 8-bit hint the choice relied on).
 */
static void st_ns_extended_low_tag(struct kunit *test)
{
	unsigned int used, warns = 0;
	u16 index;
	u8 ph;

	st_create_table(test);

	KUNIT_ASSERT_EQ(test, hint_alloc(test, hint(0x42, 1), hint(0x42, 1),
					 &index, &ph, &used), 0);
	expect_entry(test, index, 0x42, 1);
	KUNIT_EXPECT_EQ(test, ph, 1);
	KUNIT_EXPECT_EQ(test, used, NS_BOTH);
	dealloc(test, index);

	expect_no_hint(test, hint_alloc(test, hint(0x43, 1), hint(0x42, 1),
					&index, &ph, &used), &warns, "differs");
	expect_no_hint(test, hint_alloc(test, hint(0x42, 2), hint(0x42, 1),
					&index, &ph, &used), &warns, "differs");
	expect_no_hint(test, hint_alloc(test, no_hint, hint(0x42, 1),
					&index, &ph, &used), &warns, "differs");
	expect_no_hint(test, hint_alloc(test, hint(0xfe, 1), hint(0xff, 1),
					&index, &ph, &used), &warns, "differs");
	expect_empty(test);
}

/*
 * A function enabled for Extended TPH gets no hint when the completer
 * offers no Extended tag (its route may block the TPH prefix that an entry
 * written as 0x00XX could be sent with), logged; no entry is written.
 * Kills: fallback_to_8bit (the 8-bit hint used alone, as before).
 */
static void st_ns_extended_without_ext(struct kunit *test)
{
	struct st_fake *f = test->priv;
	unsigned int used, warns = 0;
	u16 index;
	u8 ph;

	st_create_table(test);
	expect_no_hint(test, hint_alloc(test, hint(0x42, 1), no_hint, &index,
					&ph, &used), &warns, "no Extended");
	KUNIT_EXPECT_EQ(test, f->set_calls, 0);
	expect_empty(test);
}

/*
 * No hint given at all: no hint, nothing logged (every hintless dma-buf
 * registration comes here), nothing written.
 * Kills: no_hints_logged, no_hints_success.
 */
static void st_no_hints_silent(struct kunit *test)
{
	struct st_fake *f = test->priv;
	unsigned int used;
	u16 index;
	u8 ph;

	st_create_table(test);
	KUNIT_EXPECT_EQ(test, hint_alloc(test, no_hint, no_hint, &index, &ph,
					 &used), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, f->warns + f->warns_rl, 0);
	KUNIT_EXPECT_EQ(test, f->set_calls, 0);
	expect_empty(test);
}

/*
 * Direct mode (no ST table): a tag that fits the 8-bit mkey field is the
 * index itself; a wider one is no hint (logged), not an error; the table is
 * never written.  The namespace rule is the same as in table mode.
 * Kills: direct_raw_ge (0xff refused), direct_raw_unchecked (0x100
 * truncated to 0x00), direct_raw_uses_table, direct_fails_registration.
 */
static void st_direct_mode_raw(struct kunit *test)
{
	struct st_fake *f = test->priv;
	unsigned int used, warns = 0;
	struct mlx5_st *st;
	u16 index;
	u8 ph;

	st = st_create(test, PCI_TPH_LOC_NONE, 0);
	KUNIT_EXPECT_TRUE(test, st->direct_mode);

	KUNIT_EXPECT_EQ(test, raw_alloc(test, 0x00ff, &index), 0);
	KUNIT_EXPECT_EQ(test, index, 0x00ff);
	KUNIT_EXPECT_EQ(test, raw_alloc(test, 0x0042, &index), 0);
	KUNIT_EXPECT_EQ(test, index, 0x0042);
	expect_no_hint(test, raw_alloc(test, 0x0100, &index), &warns,
		       "direct ST mode");
	expect_no_hint(test, raw_alloc(test, 0xff42, &index), &warns,
		       "direct ST mode");
	/* The namespace rule applies in direct mode too */
	expect_no_hint(test, hint_alloc(test, hint(0x42, 1), no_hint, &index,
					&ph, &used), &warns, "no Extended");
	KUNIT_EXPECT_EQ(test, mlx5_st_dealloc_index(f->mdev, 0x42), 0);

	KUNIT_EXPECT_EQ(test, f->set_calls, 0);
	KUNIT_EXPECT_EQ(test, st->nr_entries, 0);
}

/*
 * Direct mode, CPU tags (patch 2): a tag that fits is used as is, a wider
 * Extended tag is -EOPNOTSUPP instead of being truncated into another tag.
 * Kills: patch2_reverted (0x1ff becomes 0xff); ">=" for ">"; -ENOSPC on
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
 * Without ST support (dev->st NULL) nothing is asked and every call is
 * -EOPNOTSUPP, unlogged, so that the RDMA driver registers the MR without
 * hints, as before.
 * Kills: no_st_enodev (another errno: the registration would fail), a
 * missing !st check (oops).
 */
static void st_no_st(struct kunit *test)
{
	struct st_fake *f = test->priv;
	unsigned int used;
	u16 index;
	u8 ph;

	KUNIT_ASSERT_NULL(test, f->mdev->st);
	KUNIT_EXPECT_EQ(test, mlx5_st_hint_namespaces(f->mdev), 0);
	KUNIT_EXPECT_EQ(test, hint_alloc(test, hint(0x12, 0), hint(0x1234, 0),
					 &index, &ph, &used), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, cpu_alloc(test, 0, &index), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, mlx5_st_dealloc_index(f->mdev, 1), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, f->cpu_calls, 0);
	KUNIT_EXPECT_EQ(test, f->warns + f->warns_rl, 0);
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
	KUNIT_CASE(st_hint_set_entry_failure),
	KUNIT_CASE(st_reuse_entry_without_write),
	KUNIT_CASE(st_reuse_forgotten_after_restore),
	KUNIT_CASE(st_cpu_tag_error),
	KUNIT_CASE(st_ns_tph_only),
	KUNIT_CASE(st_ns_extended_high_tag),
	KUNIT_CASE(st_ns_extended_low_tag),
	KUNIT_CASE(st_ns_extended_without_ext),
	KUNIT_CASE(st_no_hints_silent),
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
