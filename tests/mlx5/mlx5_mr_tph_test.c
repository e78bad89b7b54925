// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the dma-buf TPH helpers of the mlx5 RDMA driver,
 * drivers/infiniband/hw/mlx5/mr.c, added by patch 9 of the vfio-dmabuf-tph
 * series: mlx5r_dmabuf_query_tph(), mlx5r_dmabuf_hint_same(),
 * mlx5r_dmabuf_tph_same(), mlx5r_dmabuf_check_tph(),
 * mlx5r_dmabuf_map_pages() (the page fault's mapping and re-check),
 * mlx5r_dmabuf_map_tph() (registration: map, then ask) and
 * mlx5_ib_dmabuf_invalidate_cb().
 *
 * Test-only, out of tree, never part of the series.  There is no ConnectX in
 * the test guest and mr.c cannot be compiled on its own into a module, so
 * Kbuild runs extract-functions.sh at build time: it copies the text of
 * those functions, from signature to closing brace, out of the kernel's mr.c
 * (MLX5_MR_C, see Kbuild) into mr_tph_funcs.c in the build directory, with
 * #line directives pointing back at mr.c.  This file includes the real
 * mlx5_ib.h for struct mlx5_ib_dmabuf_tph, struct mlx5_ib_mr and struct
 * mlx5_ib_dev, renames what the helpers call with #define, and includes the
 * extracted text:
 *
 *  - dma_buf_get_pci_tph() becomes a fake exporter with one answer per
 *    namespace (8-bit, Extended), chosen by the extended argument, that
 *    counts its calls and checks that it is asked with the reservation lock
 *    held and a mapping in place;
 *  - dma_resv_lock(), dma_resv_unlock() and dma_resv_assert_held() track a
 *    fake lock;
 *  - ib_umem_dmabuf_map_pages() and ib_umem_dmabuf_unmap_pages() behave as
 *    umem_dmabuf.c's: a mapping is made only when there is none (then with
 *    a chosen errno, as when waiting for the fences fails), unmapping clears
 *    it; calls are counted;
 *  - mlx5_st_alloc_index_by_hint() becomes a fake mlx5 core that records
 *    the hints it was given and answers with a chosen index, PH, namespaces
 *    or errno; mlx5r_umr_update_mr_pas() (the zap) and mlx5_ib_warn_rl()
 *    are counted.
 *
 * Every case names, in its comment, the plausible mistakes in mr.c that
 * make it fail (the mutants of tests/mlx5/README).
 */
#include <kunit/test.h>
#include <kunit/test-bug.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/slab.h>
#include <rdma/ib_umem.h>

#include "mlx5_ib.h"

#define NS_8BIT	0
#define NS_EXT	1
#define NS_BOTH	(MLX5_ST_NS_TPH | MLX5_ST_NS_EXT_TPH)
#define FAKE_INDEX	0x42

/* One namespace of the fake exporter's answer */
struct fake_ns {
	int err;		/* 0: answer with tag and ph */
	u16 tag;
	u8 ph;
	unsigned int calls;
};

/*
 * struct mr_fake - what the helpers see
 * @dmabuf: the dma-buf; its resv is @resv
 * @resv: the reservation object, only compared
 * @attach: the importer's attachment
 * @umem_dmabuf: the MR's umem
 * @mr: the MR, a dma-buf MR of @dev
 * @sgt: the mapping that the fake map_pages makes
 * @ns: the exporter's answer, [NS_8BIT] and [NS_EXT]
 * @dev: the RDMA device
 * @mdev: its core device
 * @locked: the fake reservation lock is held
 * @map_err: errno of the next mapping (made anyway unless @map_fails)
 * @map_fails: the next mapping is not made
 * @maps: mappings made
 * @map_calls: ib_umem_dmabuf_map_pages() calls
 * @unmaps: mappings dropped
 * @alloc_err: mlx5_st_alloc_index_by_hint() fails with it
 * @alloc_ph: ... or answers this PH
 * @alloc_used: ... and these namespaces
 * @alloc_calls: its calls
 * @alloc_tph: the 8-bit hint of its last call
 * @alloc_ext: the Extended hint of its last call
 * @zaps: mlx5r_umr_update_mr_pas(MLX5_IB_UPD_XLT_ZAP) calls
 * @warns: mlx5_ib_warn_rl() calls
 */
struct mr_fake {
	struct dma_buf dmabuf;
	struct dma_resv resv;
	struct dma_buf_attachment attach;
	struct ib_umem_dmabuf *umem_dmabuf;
	struct mlx5_ib_mr *mr;
	struct sg_table sgt;
	struct fake_ns ns[2];
	struct mlx5_ib_dev *dev;
	struct mlx5_core_dev *mdev;
	bool locked;
	int map_err;
	bool map_fails;
	unsigned int maps;
	unsigned int map_calls;
	unsigned int unmaps;
	int alloc_err;
	u8 alloc_ph;
	unsigned int alloc_used;
	unsigned int alloc_calls;
	struct mlx5_st_hint alloc_tph;
	struct mlx5_st_hint alloc_ext;
	unsigned int zaps;
	unsigned int warns;
};

static struct kunit *cur_test(void)
{
	return kunit_get_current_test();
}

static struct mr_fake *current_fake(void)
{
	return cur_test()->priv;
}

static int fake_dma_buf_get_pci_tph(struct dma_buf_attachment *attach,
				    bool extended, u16 *steering_tag, u8 *ph)
{
	struct mr_fake *f = current_fake();
	struct fake_ns *ns = &f->ns[extended ? NS_EXT : NS_8BIT];

	KUNIT_EXPECT_PTR_EQ(cur_test(), attach, &f->attach);
	/* The hints belong to a mapping: asked under its lock hold */
	KUNIT_EXPECT_TRUE_MSG(cur_test(), f->locked, "asked without the lock");
	KUNIT_EXPECT_NOT_NULL_MSG(cur_test(), f->umem_dmabuf->sgt,
				  "asked without a mapping");
	ns->calls++;
	if (ns->err)
		return ns->err;
	/* As dma_buf_get_pci_tph(): outputs only on success */
	*steering_tag = ns->tag;
	*ph = ns->ph;
	return 0;
}

static int fake_dma_resv_lock(struct dma_resv *obj)
{
	struct mr_fake *f = current_fake();

	KUNIT_EXPECT_PTR_EQ(cur_test(), obj, &f->resv);
	KUNIT_EXPECT_FALSE(cur_test(), f->locked);
	f->locked = true;
	return 0;
}

static void fake_dma_resv_unlock(struct dma_resv *obj)
{
	struct mr_fake *f = current_fake();

	KUNIT_EXPECT_PTR_EQ(cur_test(), obj, &f->resv);
	KUNIT_EXPECT_TRUE(cur_test(), f->locked);
	f->locked = false;
}

static void fake_dma_resv_assert_held(struct dma_resv *obj)
{
	KUNIT_EXPECT_TRUE(cur_test(), current_fake()->locked);
}

/* As ib_umem_dmabuf_map_pages(): an existing mapping is kept */
static int fake_ib_umem_dmabuf_map_pages(struct ib_umem_dmabuf *umem_dmabuf)
{
	struct mr_fake *f = current_fake();
	int err = f->map_err;

	KUNIT_EXPECT_PTR_EQ(cur_test(), umem_dmabuf, f->umem_dmabuf);
	KUNIT_EXPECT_TRUE(cur_test(), f->locked);
	f->map_calls++;
	f->map_err = 0;
	if (f->map_fails) {
		f->map_fails = false;
		return err;
	}
	if (!umem_dmabuf->sgt) {
		umem_dmabuf->sgt = &f->sgt;
		f->maps++;
	}
	return err;
}

static void fake_ib_umem_dmabuf_unmap_pages(struct ib_umem_dmabuf *umem_dmabuf)
{
	struct mr_fake *f = current_fake();

	KUNIT_EXPECT_PTR_EQ(cur_test(), umem_dmabuf, f->umem_dmabuf);
	KUNIT_EXPECT_TRUE(cur_test(), f->locked);
	if (!umem_dmabuf->sgt)
		return;
	umem_dmabuf->sgt = NULL;
	f->unmaps++;
}

static int fake_mlx5r_umr_update_mr_pas(struct mlx5_ib_mr *mr,
					unsigned int flags, unsigned int pdn)
{
	struct mr_fake *f = current_fake();

	KUNIT_EXPECT_PTR_EQ(cur_test(), mr, f->mr);
	KUNIT_EXPECT_EQ(cur_test(), flags, MLX5_IB_UPD_XLT_ZAP);
	/* A zap before the unmap: the mkey never points at an unmapped page */
	KUNIT_EXPECT_NOT_NULL(cur_test(), f->umem_dmabuf->sgt);
	f->zaps++;
	return 0;
}

static int fake_mlx5_st_alloc_index_by_hint(struct mlx5_core_dev *mdev,
					    const struct mlx5_st_hint *tph,
					    const struct mlx5_st_hint *ext,
					    u16 *st_index, u8 *ph,
					    unsigned int *used)
{
	struct mr_fake *f = current_fake();

	KUNIT_EXPECT_PTR_EQ(cur_test(), mdev, f->mdev);
	/* mlx5 core's mutex: not under the dma-buf's reservation lock */
	KUNIT_EXPECT_FALSE(cur_test(), f->locked);
	f->alloc_calls++;
	f->alloc_tph = *tph;
	f->alloc_ext = *ext;
	if (f->alloc_err)
		return f->alloc_err;
	*st_index = FAKE_INDEX;
	*ph = f->alloc_ph;
	*used = f->alloc_used;
	return 0;
}

#define fake_mlx5_ib_warn_rl(_dev, fmt, ...)				\
	do {								\
		KUNIT_EXPECT_PTR_EQ(cur_test(), _dev, current_fake()->dev); \
		current_fake()->warns++;				\
		kunit_info(cur_test(), "warn_rl: " fmt, ##__VA_ARGS__);	\
	} while (0)

/* The code under test: the kernel's helpers, their callees renamed */
#define dma_buf_get_pci_tph		fake_dma_buf_get_pci_tph
#define dma_resv_lock(obj, ctx)		fake_dma_resv_lock(obj)
#define dma_resv_unlock			fake_dma_resv_unlock
#undef dma_resv_assert_held
#define dma_resv_assert_held		fake_dma_resv_assert_held
#define ib_umem_dmabuf_map_pages	fake_ib_umem_dmabuf_map_pages
#define ib_umem_dmabuf_unmap_pages	fake_ib_umem_dmabuf_unmap_pages
#define mlx5r_umr_update_mr_pas		fake_mlx5r_umr_update_mr_pas
#define mlx5_st_alloc_index_by_hint	fake_mlx5_st_alloc_index_by_hint
#undef mlx5_ib_warn_rl
#define mlx5_ib_warn_rl			fake_mlx5_ib_warn_rl

#include "mr_tph_funcs.c"

#undef dma_buf_get_pci_tph
#undef dma_resv_lock
#undef dma_resv_unlock
#undef dma_resv_assert_held
#undef ib_umem_dmabuf_map_pages
#undef ib_umem_dmabuf_unmap_pages
#undef mlx5r_umr_update_mr_pas
#undef mlx5_st_alloc_index_by_hint
#undef mlx5_ib_warn_rl

static int mr_test_init(struct kunit *test)
{
	struct mr_fake *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->dev = kunit_kzalloc(test, sizeof(*f->dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->dev);
	f->mdev = kunit_kzalloc(test, sizeof(*f->mdev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->mdev);
	f->dev->mdev = f->mdev;
	f->dmabuf.resv = &f->resv;
	f->attach.dmabuf = &f->dmabuf;

	f->umem_dmabuf = kunit_kzalloc(test, sizeof(*f->umem_dmabuf),
				       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->umem_dmabuf);
	f->umem_dmabuf->attach = &f->attach;
	f->umem_dmabuf->umem.is_dmabuf = 1;
	f->attach.importer_priv = f->umem_dmabuf;

	f->mr = kunit_kzalloc(test, sizeof(*f->mr), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->mr);
	f->mr->umem = &f->umem_dmabuf->umem;
	f->mr->ibmr.device = &f->dev->ib_dev;
	f->mr->mmkey.key = 0x1234500;
	test->priv = f;
	return 0;
}

static void set_answer(struct mr_fake *f, int ns, int err, u16 tag, u8 ph)
{
	f->ns[ns].err = err;
	f->ns[ns].tag = tag;
	f->ns[ns].ph = ph;
}

/* The state of a fault or a registration: lock held, a mapping made */
static void lock_mapped(struct mr_fake *f)
{
	f->locked = true;
	f->umem_dmabuf->sgt = &f->sgt;
}

static void reset_calls(struct mr_fake *f)
{
	f->ns[NS_EXT].calls = 0;
	f->ns[NS_8BIT].calls = 0;
}

static struct mlx5_st_hint hint(u16 tag, u8 ph)
{
	struct mlx5_st_hint h = { .tag = tag, .ph = ph, .valid = true };

	return h;
}

/* Poisoned answers, as left in a struct before the query */
static struct mlx5_ib_dmabuf_tph poisoned(void)
{
	struct mlx5_ib_dmabuf_tph tph = {
		.tph = { .tag = 0xee, .ph = 0xe, .valid = true },
		.ext = { .tag = 0xeeee, .ph = 0xe, .valid = true },
	};

	return tph;
}

/* What an MR whose index came from hints @used carries */
static struct mlx5_ib_dmabuf_tph carried(struct mlx5_st_hint tph,
					 struct mlx5_st_hint ext,
					 unsigned int used, bool ph_used)
{
	struct mlx5_ib_dmabuf_tph t = {
		.tph = tph, .ext = ext, .used = used, .ph_used = ph_used,
	};

	return t;
}

/*
 * Only the namespaces in the mask are asked, each once, with the extended
 * argument that names it.
 * Kills: ask_tph_ignored, ask_ext_ignored (a namespace always asked), the
 * mask bits swapped, the same namespace asked twice.
 */
static void mr_query_asks_only_selected(struct kunit *test)
{
	static const unsigned int masks[] = {
		0, MLX5_ST_NS_TPH, MLX5_ST_NS_EXT_TPH, NS_BOTH,
	};
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph;
	unsigned int i, ext, st;

	lock_mapped(f);
	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, 0, 0x56, 1);

	for (i = 0; i < ARRAY_SIZE(masks); i++) {
		ext = !!(masks[i] & MLX5_ST_NS_EXT_TPH);
		st = !!(masks[i] & MLX5_ST_NS_TPH);
		reset_calls(f);
		tph = poisoned();
		KUNIT_EXPECT_EQ(test,
				mlx5r_dmabuf_query_tph(&f->attach, masks[i], &tph),
				0);
		KUNIT_EXPECT_EQ_MSG(test, f->ns[NS_EXT].calls, ext, "mask %u",
				    masks[i]);
		KUNIT_EXPECT_EQ_MSG(test, f->ns[NS_8BIT].calls, st, "mask %u",
				    masks[i]);
		KUNIT_EXPECT_EQ(test, (unsigned int)tph.ext.valid, ext);
		KUNIT_EXPECT_EQ(test, (unsigned int)tph.tph.valid, st);
	}
}

/*
 * Each namespace's answer lands in its own fields.
 * Kills: extended_flag_false (the extended argument constant), st_ph_into_ext
 * (a PH stored into the other namespace), the 8-bit tag not stored.
 */
static void mr_query_answers_per_namespace(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph = poisoned();

	lock_mapped(f);
	set_answer(f, NS_EXT, 0, 0xabcd, 2);
	set_answer(f, NS_8BIT, 0, 0x5a, 1);
	KUNIT_ASSERT_EQ(test, mlx5r_dmabuf_query_tph(&f->attach, NS_BOTH, &tph),
			0);
	KUNIT_EXPECT_TRUE(test, tph.ext.valid);
	KUNIT_EXPECT_TRUE(test, tph.tph.valid);
	KUNIT_EXPECT_EQ(test, tph.ext.tag, 0xabcd);
	KUNIT_EXPECT_EQ(test, tph.ext.ph, 2);
	KUNIT_EXPECT_EQ(test, tph.tph.tag, 0x5a);
	KUNIT_EXPECT_EQ(test, tph.tph.ph, 1);
}

/*
 * -EOPNOTSUPP from the exporter means "no hint in this namespace": not an
 * error, the namespace is marked invalid, also when it was valid before.
 * Kills: eopnotsupp_propagated (registration fails for every exporter
 * without hints), valid_not_reset.
 */
static void mr_query_eopnotsupp_is_no_hint(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph;

	lock_mapped(f);
	tph = poisoned();
	set_answer(f, NS_EXT, -EOPNOTSUPP, 0, 0);
	set_answer(f, NS_8BIT, 0, 0x22, 3);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_query_tph(&f->attach, NS_BOTH, &tph),
			0);
	KUNIT_EXPECT_FALSE(test, tph.ext.valid);
	KUNIT_EXPECT_TRUE(test, tph.tph.valid);
	KUNIT_EXPECT_EQ(test, tph.tph.tag, 0x22);
	KUNIT_EXPECT_EQ(test, tph.tph.ph, 3);

	tph = poisoned();
	set_answer(f, NS_EXT, 0, 0x3333, 2);
	set_answer(f, NS_8BIT, -EOPNOTSUPP, 0, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_query_tph(&f->attach, NS_BOTH, &tph),
			0);
	KUNIT_EXPECT_TRUE(test, tph.ext.valid);
	KUNIT_EXPECT_FALSE(test, tph.tph.valid);
	KUNIT_EXPECT_EQ(test, tph.ext.tag, 0x3333);
	KUNIT_EXPECT_EQ(test, tph.ext.ph, 2);

	/* Not asked: not valid either */
	tph = poisoned();
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_query_tph(&f->attach, 0, &tph), 0);
	KUNIT_EXPECT_FALSE(test, tph.ext.valid);
	KUNIT_EXPECT_FALSE(test, tph.tph.valid);
}

/*
 * Other exporter errors propagate, from either namespace.
 * Kills: errors_ignored (a failing exporter taken as "no hint").
 */
static void mr_query_errors_propagate(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph;

	lock_mapped(f);
	tph = poisoned();
	set_answer(f, NS_EXT, -EIO, 0, 0);
	set_answer(f, NS_8BIT, 0, 0x22, 3);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_query_tph(&f->attach, NS_BOTH, &tph),
			-EIO);

	tph = poisoned();
	set_answer(f, NS_EXT, 0, 0x2222, 3);
	set_answer(f, NS_8BIT, -ENODEV, 0, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_query_tph(&f->attach, NS_BOTH, &tph),
			-ENODEV);

	tph = poisoned();
	set_answer(f, NS_8BIT, -EINVAL, 0, 0);
	KUNIT_EXPECT_EQ(test,
			mlx5r_dmabuf_query_tph(&f->attach, MLX5_ST_NS_TPH, &tph),
			-EINVAL);
}

static void expect_same(struct kunit *test, bool same, const char *what,
			const struct mlx5_ib_dmabuf_tph *was,
			const struct mlx5_ib_dmabuf_tph *now)
{
	KUNIT_EXPECT_EQ_MSG(test, mlx5r_dmabuf_tph_same(was, now), same,
			    "%s: expected %s", what, same ? "same" : "changed");
}

/*
 * The re-check compares only what the mkey carries: the tag of each
 * namespace the index was chosen from, a namespace that no longer answers,
 * and the PH only if the mkey's PH is the exporter's.
 * Kills: same_all_namespaces (an unused namespace compared: -ESTALE for a
 * change the mkey does not see), same_no_ph (an exporter PH change missed),
 * same_ph_always (a DMAH's PH compared with the exporter's),
 * same_valid_ignored, same_wrong_namespace.
 */
static void mr_same_compares_only_used(struct kunit *test)
{
	struct mlx5_st_hint none = {};
	struct mlx5_ib_dmabuf_tph was, now;

	/* Index from the Extended tag, exporter's PH */
	was = carried(hint(0x34, 1), hint(0x1234, 2), MLX5_ST_NS_EXT_TPH, true);
	now = was;
	expect_same(test, true, "unchanged", &was, &now);
	now.tph = hint(0x35, 3);
	expect_same(test, true, "8-bit hint, not used", &was, &now);
	now.tph = none;
	expect_same(test, true, "8-bit hint gone, not used", &was, &now);
	now = was;
	now.ext.tag = 0x1235;
	expect_same(test, false, "Extended tag", &was, &now);
	now = was;
	now.ext.tag = 0x1334;
	expect_same(test, false, "Extended tag, upper byte", &was, &now);
	now = was;
	now.ext.ph = 3;
	expect_same(test, false, "Extended PH", &was, &now);
	now = was;
	now.ext.valid = false;
	expect_same(test, false, "Extended hint gone", &was, &now);

	/* The same with a DMAH's PH: PH changes are not seen by the mkey */
	was.ph_used = 0;
	now = was;
	now.ext.ph = 3;
	expect_same(test, true, "Extended PH, DMAH PH used", &was, &now);
	now.ext.tag = 0x1235;
	expect_same(test, false, "Extended tag, DMAH PH used", &was, &now);

	/* Index from the 8-bit tag (TPH-only function) */
	was = carried(hint(0x34, 1), hint(0x1234, 2), MLX5_ST_NS_TPH, true);
	now = was;
	now.ext = hint(0x4321, 0);
	expect_same(test, true, "Extended hint, not used", &was, &now);
	now = was;
	now.tph.tag = 0x35;
	expect_same(test, false, "8-bit tag", &was, &now);
	now = was;
	now.tph.ph = 0;
	expect_same(test, false, "8-bit PH", &was, &now);
	now = was;
	now.tph.valid = false;
	expect_same(test, false, "8-bit hint gone", &was, &now);
	was.ph_used = 0;
	now = was;
	now.tph.ph = 0;
	expect_same(test, true, "8-bit PH, DMAH PH used", &was, &now);

	/* An Extended tag below 0x100 relies on the 8-bit hint too */
	was = carried(hint(0x42, 1), hint(0x42, 1), NS_BOTH, true);
	now = was;
	expect_same(test, true, "unchanged", &was, &now);
	now.tph.tag = 0x43;
	expect_same(test, false, "8-bit tag, both used", &was, &now);
	now = was;
	now.tph.ph = 2;
	expect_same(test, false, "8-bit PH, both used", &was, &now);
	now = was;
	now.ext.tag = 0x43;
	expect_same(test, false, "Extended tag, both used", &was, &now);
}

/*
 * An MR whose mkey carries no exporter hints (no ST reference held:
 * hintless, DMAH with a CPU tag, hints not carried) is never re-checked:
 * it faults exactly as before the series.
 * Kills: check_without_hold (a hint appearing later fails the mapping of
 * an MR that never used hints).
 */
static void mr_check_tph_only_held(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr = f->mr;

	lock_mapped(f);
	mr->dmabuf_tph = carried(hint(0x34, 1), hint(0x1234, 2), NS_BOTH,
				 true);
	mr->dmabuf_st_held = 0;
	set_answer(f, NS_EXT, 0, 0x4321, 0);
	set_answer(f, NS_8BIT, 0, 0x43, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), 0);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 0);
	KUNIT_EXPECT_EQ(test, f->ns[NS_8BIT].calls, 0);
	KUNIT_EXPECT_EQ(test, f->warns, 0);
}

/*
 * The re-check of an MR holding exporter hints: only the namespaces the
 * index relies on are asked; the same answer passes; a change is -ESTALE
 * and logged (ratelimited, naming the mkey); an exporter error is
 * returned; the record is never overwritten.
 * Kills: check_into_record, check_ignores_error, stale_not_logged,
 * check_asks_all (an unused namespace asked: its error would fail the
 * fault).
 */
static void mr_check_tph(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph recorded;
	struct mlx5_ib_mr *mr = f->mr;

	lock_mapped(f);
	mr->dmabuf_tph = carried(hint(0x34, 1), hint(0x1234, 2),
				 MLX5_ST_NS_EXT_TPH, true);
	mr->dmabuf_st_held = 1;
	recorded = mr->dmabuf_tph;

	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, -EIO, 0, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), 0);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 1);
	KUNIT_EXPECT_EQ(test, f->ns[NS_8BIT].calls, 0);
	KUNIT_EXPECT_EQ(test, f->warns, 0);

	set_answer(f, NS_EXT, 0, 0x1235, 2);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), -ESTALE);
	KUNIT_EXPECT_EQ(test, f->warns, 1);
	set_answer(f, NS_EXT, -EOPNOTSUPP, 0, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), -ESTALE);
	KUNIT_EXPECT_EQ(test, f->warns, 2);
	set_answer(f, NS_EXT, -ENODEV, 0, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), -ENODEV);
	KUNIT_EXPECT_EQ(test, f->warns, 2);

	/* Back to the recorded answer: passes again */
	set_answer(f, NS_EXT, 0, 0x1234, 2);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&mr->dmabuf_tph, &recorded,
				     sizeof(recorded)), 0);
}

/*
 * A fault that finds the mapping in place (made by registration, by a
 * prefetch or by a concurrent fault; the mkey may use it) does not ask the
 * exporter again and never unmaps it, even if the exporter's answer
 * changed without an invalidation.
 * Kills: check_existing_mapping (the check on every fault: an -ESTALE
 * unmaps the mapping the mkey uses).
 */
static void mr_map_pages_existing_mapping(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr = f->mr;

	lock_mapped(f);
	mr->dmabuf_tph = carried(hint(0x34, 1), hint(0x1234, 2),
				 MLX5_ST_NS_EXT_TPH, true);
	mr->dmabuf_st_held = 1;
	set_answer(f, NS_EXT, 0, 0x4321, 2);

	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_map_pages(mr), 0);
	KUNIT_EXPECT_EQ(test, f->map_calls, 1);
	KUNIT_EXPECT_EQ(test, f->maps, 0);
	KUNIT_EXPECT_EQ(test, f->unmaps, 0);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 0);
	KUNIT_EXPECT_PTR_EQ(test, f->umem_dmabuf->sgt, &f->sgt);
}

/*
 * A fault that makes a new mapping checks it: unchanged hints keep it; a
 * change (-ESTALE) or an exporter error unmaps it again (no mkey uses it:
 * the old one was zapped at invalidation, so no zap here).
 * Kills: new_mapping_unchecked (the mkey is populated with a mapping whose
 * hints changed), no_unmap_on_stale (the stale mapping stays and the next
 * fault takes it unchecked).
 */
static void mr_map_pages_new_mapping(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr = f->mr;

	f->locked = true;
	mr->dmabuf_tph = carried(hint(0x34, 1), hint(0x1234, 2),
				 MLX5_ST_NS_EXT_TPH, true);
	mr->dmabuf_st_held = 1;

	set_answer(f, NS_EXT, 0, 0x1234, 2);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_map_pages(mr), 0);
	KUNIT_EXPECT_EQ(test, f->maps, 1);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 1);
	KUNIT_EXPECT_EQ(test, f->unmaps, 0);
	KUNIT_EXPECT_PTR_EQ(test, f->umem_dmabuf->sgt, &f->sgt);

	f->umem_dmabuf->sgt = NULL;	/* invalidated */
	set_answer(f, NS_EXT, 0, 0x1234, 3);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_map_pages(mr), -ESTALE);
	KUNIT_EXPECT_EQ(test, f->maps, 2);
	KUNIT_EXPECT_EQ(test, f->unmaps, 1);
	KUNIT_EXPECT_NULL(test, f->umem_dmabuf->sgt);

	set_answer(f, NS_EXT, -EIO, 0, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_map_pages(mr), -EIO);
	KUNIT_EXPECT_EQ(test, f->maps, 3);
	KUNIT_EXPECT_EQ(test, f->unmaps, 2);
	KUNIT_EXPECT_NULL(test, f->umem_dmabuf->sgt);
	KUNIT_EXPECT_EQ(test, f->zaps, 0);

	/* A hintless MR keeps its new mapping whatever the exporter says */
	mr->dmabuf_st_held = 0;
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_map_pages(mr), 0);
	KUNIT_EXPECT_EQ(test, f->unmaps, 2);
	KUNIT_EXPECT_NOT_NULL(test, f->umem_dmabuf->sgt);
}

/*
 * A new mapping whose fence wait failed stays mapped (as in
 * umem_dmabuf.c), so it is checked all the same: otherwise the next fault
 * would find it and use it unchecked.  Unchanged hints: the wait's errno,
 * mapping kept; changed: -ESTALE, unmapped.  A mapping that could not be
 * made is not checked.
 * Kills: check_only_on_success.
 */
static void mr_map_pages_fence_error(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr = f->mr;

	f->locked = true;
	mr->dmabuf_tph = carried(hint(0x34, 1), hint(0x1234, 2),
				 MLX5_ST_NS_EXT_TPH, true);
	mr->dmabuf_st_held = 1;

	set_answer(f, NS_EXT, 0, 0x1234, 2);
	f->map_err = -ETIMEDOUT;
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_map_pages(mr), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 1);
	KUNIT_EXPECT_NOT_NULL(test, f->umem_dmabuf->sgt);

	f->umem_dmabuf->sgt = NULL;
	set_answer(f, NS_EXT, 0, 0x1235, 2);
	f->map_err = -ETIMEDOUT;
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_map_pages(mr), -ESTALE);
	KUNIT_EXPECT_EQ(test, f->unmaps, 1);
	KUNIT_EXPECT_NULL(test, f->umem_dmabuf->sgt);

	/* No mapping made: nothing to check */
	f->ns[NS_EXT].calls = 0;
	f->map_err = -EINVAL;
	f->map_fails = true;
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_map_pages(mr), -EINVAL);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 0);
	KUNIT_EXPECT_EQ(test, f->unmaps, 1);
}

/*
 * Registration maps first, then asks the exporter under the same hold of
 * the reservation lock, keeps the mapping for the first fault, and gets
 * the index from mlx5 core (outside the lock) with the answers; the MR
 * records the namespaces the index relies on and that the PH is the
 * exporter's.
 * Kills: query_before_map (an exporter that places the buffer when it maps
 * answers for no mapping), query_unlocked, unmap_after_query (the first
 * fault maps again: a second query), used_not_recorded (no re-check),
 * exporter_ph_not_used.
 */
static void mr_map_tph_asks_after_mapping(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph = {};
	u16 st_index = 0;
	u8 ph = 0xff;

	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, 0, 0x34, 1);
	f->alloc_ph = 2;
	f->alloc_used = MLX5_ST_NS_EXT_TPH;

	KUNIT_ASSERT_EQ(test, mlx5r_dmabuf_map_tph(f->dev, f->umem_dmabuf,
						   NS_BOTH, &tph, &st_index,
						   &ph), 0);
	KUNIT_EXPECT_EQ(test, f->maps, 1);
	KUNIT_EXPECT_EQ(test, f->unmaps, 0);
	KUNIT_EXPECT_PTR_EQ(test, f->umem_dmabuf->sgt, &f->sgt);
	KUNIT_EXPECT_FALSE(test, f->locked);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 1);
	KUNIT_EXPECT_EQ(test, f->ns[NS_8BIT].calls, 1);

	KUNIT_EXPECT_EQ(test, f->alloc_calls, 1);
	KUNIT_EXPECT_TRUE(test, f->alloc_ext.valid);
	KUNIT_EXPECT_EQ(test, f->alloc_ext.tag, 0x1234);
	KUNIT_EXPECT_EQ(test, f->alloc_ext.ph, 2);
	KUNIT_EXPECT_TRUE(test, f->alloc_tph.valid);
	KUNIT_EXPECT_EQ(test, f->alloc_tph.tag, 0x34);

	KUNIT_EXPECT_EQ(test, st_index, FAKE_INDEX);
	KUNIT_EXPECT_EQ(test, ph, 2);
	KUNIT_EXPECT_EQ(test, tph.used, MLX5_ST_NS_EXT_TPH);
	KUNIT_EXPECT_TRUE(test, tph.ph_used);
	KUNIT_EXPECT_EQ(test, tph.ext.tag, 0x1234);
}

/*
 * A DMAH's PH wins: the caller passes no PH output, the MR records that
 * its PH is not the exporter's; only the namespaces given are asked.
 * Kills: ph_used_with_dmah (the re-check compares a PH the mkey does not
 * carry), ask_ignores_namespaces.
 */
static void mr_map_tph_dmah_ph(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph = {};
	u16 st_index = 0;

	set_answer(f, NS_8BIT, 0, 0x34, 1);
	f->alloc_ph = 1;
	f->alloc_used = MLX5_ST_NS_TPH;
	KUNIT_ASSERT_EQ(test, mlx5r_dmabuf_map_tph(f->dev, f->umem_dmabuf,
						   MLX5_ST_NS_TPH, &tph,
						   &st_index, NULL), 0);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 0);
	KUNIT_EXPECT_EQ(test, st_index, FAKE_INDEX);
	KUNIT_EXPECT_EQ(test, tph.used, MLX5_ST_NS_TPH);
	KUNIT_EXPECT_FALSE(test, tph.ph_used);
}

/*
 * Hints are best effort: when mlx5 core cannot carry them (-EOPNOTSUPP,
 * logged there), the MR is registered without hints: no error, no index,
 * no PH, nothing recorded.
 * Kills: best_effort_fails_registration (an unchanged caller fails because
 * of hints someone else set or of other tenants' table use),
 * used_without_index.
 */
static void mr_map_tph_best_effort(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph = {};
	u16 st_index = 0;
	u8 ph = 0xff;

	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, -EOPNOTSUPP, 0, 0);
	f->alloc_err = -EOPNOTSUPP;
	f->alloc_used = NS_BOTH;
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_map_tph(f->dev, f->umem_dmabuf,
						   NS_BOTH, &tph, &st_index,
						   &ph), 0);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 1);
	KUNIT_EXPECT_EQ(test, st_index, 0);
	KUNIT_EXPECT_EQ(test, ph, 0xff);
	KUNIT_EXPECT_EQ(test, tph.used, 0);
	KUNIT_EXPECT_FALSE(test, tph.ph_used);
	/* The mapping stays for the first fault */
	KUNIT_EXPECT_EQ(test, f->unmaps, 0);
}

/*
 * Real errors fail the registration: mlx5 core's -ENOMEM, the exporter's
 * errors (then mlx5 core is not asked), a failed mapping (then the
 * exporter is not asked); the lock is always released.
 * Kills: alloc_errors_ignored, exporter_error_ignored, map_error_ignored.
 */
static void mr_map_tph_errors(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph = {};
	u16 st_index = 0;
	u8 ph = 0xff;

	set_answer(f, NS_EXT, 0, 0x1234, 2);
	f->alloc_err = -ENOMEM;
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_map_tph(f->dev, f->umem_dmabuf,
						   MLX5_ST_NS_EXT_TPH, &tph,
						   &st_index, &ph), -ENOMEM);
	KUNIT_EXPECT_EQ(test, tph.used, 0);
	KUNIT_EXPECT_FALSE(test, f->locked);

	f->alloc_calls = 0;
	set_answer(f, NS_EXT, -EIO, 0, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_map_tph(f->dev, f->umem_dmabuf,
						   MLX5_ST_NS_EXT_TPH, &tph,
						   &st_index, &ph), -EIO);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 0);
	KUNIT_EXPECT_FALSE(test, f->locked);

	f->umem_dmabuf->sgt = NULL;
	f->ns[NS_EXT].calls = 0;
	f->map_err = -ENODEV;
	f->map_fails = true;
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_map_tph(f->dev, f->umem_dmabuf,
						   MLX5_ST_NS_EXT_TPH, &tph,
						   &st_index, &ph), -ENODEV);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 0);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 0);
	KUNIT_EXPECT_FALSE(test, f->locked);
}

/*
 * An invalidation between registration's mapping and the publication of
 * the MR (umem_dmabuf->private still NULL) drops the mapping: no mkey uses
 * it, and the first fault maps again and checks the hints.  With an MR the
 * mkey is zapped first; without a mapping nothing happens.
 * Kills: invalidate_keeps_unpublished_mapping (the mapping of a revoked BAR
 * survives and the first fault populates the mkey with it),
 * invalidate_no_zap.
 */
static void mr_invalidate_unpublished_mapping(struct kunit *test)
{
	struct mr_fake *f = test->priv;

	lock_mapped(f);
	f->umem_dmabuf->private = NULL;
	mlx5_ib_dmabuf_invalidate_cb(&f->attach);
	KUNIT_EXPECT_NULL(test, f->umem_dmabuf->sgt);
	KUNIT_EXPECT_EQ(test, f->unmaps, 1);
	KUNIT_EXPECT_EQ(test, f->zaps, 0);

	f->umem_dmabuf->private = f->mr;
	f->umem_dmabuf->sgt = &f->sgt;
	mlx5_ib_dmabuf_invalidate_cb(&f->attach);
	KUNIT_EXPECT_NULL(test, f->umem_dmabuf->sgt);
	KUNIT_EXPECT_EQ(test, f->unmaps, 2);
	KUNIT_EXPECT_EQ(test, f->zaps, 1);

	mlx5_ib_dmabuf_invalidate_cb(&f->attach);
	KUNIT_EXPECT_EQ(test, f->unmaps, 2);
	KUNIT_EXPECT_EQ(test, f->zaps, 1);
}

static struct kunit_case mr_test_cases[] = {
	KUNIT_CASE(mr_query_asks_only_selected),
	KUNIT_CASE(mr_query_answers_per_namespace),
	KUNIT_CASE(mr_query_eopnotsupp_is_no_hint),
	KUNIT_CASE(mr_query_errors_propagate),
	KUNIT_CASE(mr_same_compares_only_used),
	KUNIT_CASE(mr_check_tph_only_held),
	KUNIT_CASE(mr_check_tph),
	KUNIT_CASE(mr_map_pages_existing_mapping),
	KUNIT_CASE(mr_map_pages_new_mapping),
	KUNIT_CASE(mr_map_pages_fence_error),
	KUNIT_CASE(mr_map_tph_asks_after_mapping),
	KUNIT_CASE(mr_map_tph_dmah_ph),
	KUNIT_CASE(mr_map_tph_best_effort),
	KUNIT_CASE(mr_map_tph_errors),
	KUNIT_CASE(mr_invalidate_unpublished_mapping),
	{}
};

static struct kunit_suite mr_test_suite = {
	.name = "mlx5_ib_dmabuf_tph",
	.init = mr_test_init,
	.test_cases = mr_test_cases,
};

kunit_test_suite(mr_test_suite);

MODULE_DESCRIPTION("KUnit tests of the mlx5 RDMA dma-buf TPH helpers (test-only)");
MODULE_LICENSE("GPL");
