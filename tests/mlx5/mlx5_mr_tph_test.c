// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the dma-buf TPH helpers of the mlx5 RDMA driver,
 * drivers/infiniband/hw/mlx5/mr.c, added by patch 9 of the vfio-dmabuf-tph
 * series: mlx5r_dmabuf_query_tph(), mlx5r_dmabuf_tph_equal(),
 * mlx5r_dmabuf_tph_st_index() and mlx5r_dmabuf_check_tph().
 *
 * Test-only, out of tree, never part of the series.  There is no ConnectX in
 * the test guest and mr.c cannot be compiled on its own into a module, so
 * Kbuild runs extract-functions.sh at build time: it copies the text of
 * those four functions, from signature to closing brace, out of the
 * kernel's mr.c (MLX5_MR_C, see Kbuild) into mr_tph_funcs.c in the build
 * directory, with #line directives pointing back at mr.c.  This file
 * includes the real mlx5_ib.h for struct mlx5_ib_dmabuf_tph, struct
 * mlx5_ib_mr and struct mlx5_ib_dev, renames the two functions the helpers
 * call with #define, and includes the extracted text:
 *
 *  - dma_buf_get_pci_tph() becomes a fake exporter with one answer per
 *    namespace (8-bit, Extended), chosen by the extended argument, that
 *    counts its calls;
 *  - mlx5_st_alloc_index_by_tag() becomes a fake ST allocator that hands out
 *    indices, records the tags it was asked for and fails with a chosen
 *    errno for chosen tags.
 *
 * Every case names, in its comment, the plausible mistakes in mr.c that
 * make it fail (the mutants of tests/mlx5/README).
 */
#include <kunit/test.h>
#include <kunit/test-bug.h>
#include <linux/dma-buf.h>
#include <linux/slab.h>
#include <rdma/ib_umem.h>

#include "mlx5_ib.h"

#define NS_8BIT	0
#define NS_EXT	1
#define MAX_FAIL	4
#define MAX_ALLOC	4

/* One namespace of the fake exporter's answer */
struct fake_ns {
	int err;		/* 0: answer with tag and ph */
	u16 tag;
	u8 ph;
	unsigned int calls;
};

/*
 * struct mr_fake - the exporter and the mlx5 core that the helpers see
 * @attach: the importer's attachment; the fake exporter is found from it
 * @ns: the exporter's answer, [NS_8BIT] and [NS_EXT]
 * @dev: the RDMA device
 * @mdev: its core device
 * @fail_tag: mlx5_st_alloc_index_by_tag() fails for these tags ...
 * @fail_err: ... with these errnos
 * @nr_fail: entries of @fail_tag
 * @alloc_calls: mlx5_st_alloc_index_by_tag() calls
 * @alloc_tag: the tags of those calls
 * @refs: indices handed out (successful calls)
 */
struct mr_fake {
	struct dma_buf_attachment attach;
	struct fake_ns ns[2];
	struct mlx5_ib_dev *dev;
	struct mlx5_core_dev *mdev;
	u16 fail_tag[MAX_FAIL];
	int fail_err[MAX_FAIL];
	unsigned int nr_fail;
	unsigned int alloc_calls;
	u16 alloc_tag[MAX_ALLOC];
	unsigned int refs;
};

static struct mr_fake *current_fake(void)
{
	return kunit_get_current_test()->priv;
}

static int fake_dma_buf_get_pci_tph(struct dma_buf_attachment *attach,
				    bool extended, u16 *steering_tag, u8 *ph)
{
	struct mr_fake *f = current_fake();
	struct fake_ns *ns = &f->ns[extended ? NS_EXT : NS_8BIT];

	KUNIT_EXPECT_PTR_EQ(kunit_get_current_test(), attach, &f->attach);
	ns->calls++;
	if (ns->err)
		return ns->err;
	/* As dma_buf_get_pci_tph(): outputs only on success */
	*steering_tag = ns->tag;
	*ph = ns->ph;
	return 0;
}

/* Indices handed out: 0x40 + call number, so each call gives another one */
#define FAKE_INDEX(call)	(0x40 + (call))

static int fake_mlx5_st_alloc_index_by_tag(struct mlx5_core_dev *mdev,
					   u16 tag, u16 *st_index)
{
	struct mr_fake *f = current_fake();
	unsigned int call = f->alloc_calls++;
	unsigned int i;

	KUNIT_EXPECT_PTR_EQ(kunit_get_current_test(), mdev, f->mdev);
	if (call < MAX_ALLOC)
		f->alloc_tag[call] = tag;
	for (i = 0; i < f->nr_fail; i++)
		if (f->fail_tag[i] == tag)
			return f->fail_err[i];
	*st_index = FAKE_INDEX(call);
	f->refs++;
	return 0;
}

/* The code under test: the kernel's helpers, their two callees renamed */
#define dma_buf_get_pci_tph		fake_dma_buf_get_pci_tph
#define mlx5_st_alloc_index_by_tag	fake_mlx5_st_alloc_index_by_tag

#include "mr_tph_funcs.c"

#undef dma_buf_get_pci_tph
#undef mlx5_st_alloc_index_by_tag

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
	test->priv = f;
	return 0;
}

static void set_answer(struct mr_fake *f, int ns, int err, u16 tag, u8 ph)
{
	f->ns[ns].err = err;
	f->ns[ns].tag = tag;
	f->ns[ns].ph = ph;
}

static void fail_alloc(struct mr_fake *f, u16 tag, int err)
{
	f->fail_tag[f->nr_fail] = tag;
	f->fail_err[f->nr_fail] = err;
	f->nr_fail++;
}

/* Hints as a registration records them, fields not set are poisoned */
static struct mlx5_ib_dmabuf_tph asking(bool ask_ext, bool ask_st)
{
	struct mlx5_ib_dmabuf_tph tph = {
		.ext_tag = 0xeeee, .st_tag = 0xee, .ext_ph = 0xe, .st_ph = 0xe,
		.ask_ext = ask_ext, .ask_st = ask_st,
	};

	return tph;
}

static struct mlx5_ib_dmabuf_tph hints(u16 ext_tag, u8 ext_ph, bool ext_valid,
				       u8 st_tag, u8 st_ph, bool st_valid)
{
	struct mlx5_ib_dmabuf_tph tph = {
		.ext_tag = ext_tag, .ext_ph = ext_ph, .ext_valid = ext_valid,
		.st_tag = st_tag, .st_ph = st_ph, .st_valid = st_valid,
		.ask_ext = 1, .ask_st = 1,
	};

	return tph;
}

/*
 * Only the namespaces the function can send are asked, each once, with the
 * extended argument that names it.
 * Kills: an ask bit ignored (the 8-bit or Extended namespace always asked);
 * ask_ext and ask_st swapped; the same namespace asked twice.
 */
static void mr_query_asks_only_selected(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph;
	unsigned int ext, st;

	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, 0, 0x56, 1);

	for (ext = 0; ext < 2; ext++) {
		for (st = 0; st < 2; st++) {
			f->ns[NS_EXT].calls = 0;
			f->ns[NS_8BIT].calls = 0;
			tph = asking(ext, st);
			KUNIT_EXPECT_EQ(test,
					mlx5r_dmabuf_query_tph(&f->attach, &tph), 0);
			KUNIT_EXPECT_EQ_MSG(test, f->ns[NS_EXT].calls, ext,
					    "ask_ext %u ask_st %u", ext, st);
			KUNIT_EXPECT_EQ_MSG(test, f->ns[NS_8BIT].calls, st,
					    "ask_ext %u ask_st %u", ext, st);
			KUNIT_EXPECT_EQ(test, (unsigned int)tph.ext_valid, ext);
			KUNIT_EXPECT_EQ(test, (unsigned int)tph.st_valid, st);
			KUNIT_EXPECT_EQ(test, (unsigned int)tph.ask_ext, ext);
			KUNIT_EXPECT_EQ(test, (unsigned int)tph.ask_st, st);
		}
	}
}

/*
 * Each namespace's answer lands in its own fields.
 * Kills: the extended argument swapped or constant; the 8-bit tag not
 * stored; a PH stored into the other namespace.
 */
static void mr_query_answers_per_namespace(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph = asking(true, true);

	set_answer(f, NS_EXT, 0, 0xabcd, 2);
	set_answer(f, NS_8BIT, 0, 0x5a, 1);
	KUNIT_ASSERT_EQ(test, mlx5r_dmabuf_query_tph(&f->attach, &tph), 0);
	KUNIT_EXPECT_TRUE(test, tph.ext_valid);
	KUNIT_EXPECT_TRUE(test, tph.st_valid);
	KUNIT_EXPECT_EQ(test, tph.ext_tag, 0xabcd);
	KUNIT_EXPECT_EQ(test, tph.ext_ph, 2);
	KUNIT_EXPECT_EQ(test, tph.st_tag, 0x5a);
	KUNIT_EXPECT_EQ(test, tph.st_ph, 1);
}

/*
 * -EOPNOTSUPP from the exporter means "no hint in this namespace": not an
 * error, the namespace is marked invalid, also when it was valid before
 * (a query again after a mapping).
 * Kills: -EOPNOTSUPP returned (registration fails for every exporter
 * without hints); the valid bits not cleared before asking; a namespace
 * marked valid although the exporter refused.
 */
static void mr_query_eopnotsupp_is_no_hint(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph;

	tph = hints(0x1111, 1, true, 0x11, 1, true);
	set_answer(f, NS_EXT, -EOPNOTSUPP, 0, 0);
	set_answer(f, NS_8BIT, 0, 0x22, 3);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_query_tph(&f->attach, &tph), 0);
	KUNIT_EXPECT_FALSE(test, tph.ext_valid);
	KUNIT_EXPECT_TRUE(test, tph.st_valid);
	KUNIT_EXPECT_EQ(test, tph.st_tag, 0x22);
	KUNIT_EXPECT_EQ(test, tph.st_ph, 3);

	tph = hints(0x1111, 1, true, 0x11, 1, true);
	set_answer(f, NS_EXT, 0, 0x3333, 2);
	set_answer(f, NS_8BIT, -EOPNOTSUPP, 0, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_query_tph(&f->attach, &tph), 0);
	KUNIT_EXPECT_TRUE(test, tph.ext_valid);
	KUNIT_EXPECT_FALSE(test, tph.st_valid);
	KUNIT_EXPECT_EQ(test, tph.ext_tag, 0x3333);
	KUNIT_EXPECT_EQ(test, tph.ext_ph, 2);

	tph = hints(0x1111, 1, true, 0x11, 1, true);
	set_answer(f, NS_EXT, -EOPNOTSUPP, 0, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_query_tph(&f->attach, &tph), 0);
	KUNIT_EXPECT_FALSE(test, tph.ext_valid);
	KUNIT_EXPECT_FALSE(test, tph.st_valid);
}

/*
 * Other exporter errors propagate, from either namespace.
 * Kills: every error taken as "no hint" (a failing exporter would let the
 * MR register without the hints it asks for, or pass re-validation).
 */
static void mr_query_errors_propagate(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph;

	tph = asking(true, true);
	set_answer(f, NS_EXT, -EIO, 0, 0);
	set_answer(f, NS_8BIT, 0, 0x22, 3);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_query_tph(&f->attach, &tph), -EIO);

	tph = asking(true, true);
	set_answer(f, NS_EXT, 0, 0x2222, 3);
	set_answer(f, NS_8BIT, -ENODEV, 0, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_query_tph(&f->attach, &tph), -ENODEV);

	tph = asking(false, true);
	set_answer(f, NS_8BIT, -EINVAL, 0, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_query_tph(&f->attach, &tph), -EINVAL);
}

static void expect_differ(struct kunit *test, const char *what,
			  const struct mlx5_ib_dmabuf_tph *a,
			  const struct mlx5_ib_dmabuf_tph *b)
{
	KUNIT_EXPECT_FALSE_MSG(test, mlx5r_dmabuf_tph_equal(a, b),
			       "change of %s not detected", what);
	KUNIT_EXPECT_FALSE_MSG(test, mlx5r_dmabuf_tph_equal(b, a),
			       "change of %s not detected (reversed)", what);
}

/*
 * Every change of a valid namespace's tag or PH, and every change of a
 * valid bit, is a change.
 * Kills: a PH or tag comparison dropped; the valid-bit comparison dropped;
 * the 8-bit namespace compared only when the Extended one is valid (or the
 * other way round); ext_valid tested where st_valid is meant.
 */
static void mr_equal_detects_every_change(struct kunit *test)
{
	const struct mlx5_ib_dmabuf_tph bases[] = {
		hints(0x1234, 2, true, 0x34, 1, true),
		hints(0x1234, 2, false, 0x34, 1, true),
		hints(0x1234, 2, true, 0x34, 1, false),
	};
	struct mlx5_ib_dmabuf_tph a, b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		a = bases[i];
		b = a;
		KUNIT_EXPECT_TRUE(test, mlx5r_dmabuf_tph_equal(&a, &b));

		b = a;
		b.ext_valid = !a.ext_valid;
		expect_differ(test, "ext_valid", &a, &b);
		b = a;
		b.st_valid = !a.st_valid;
		expect_differ(test, "st_valid", &a, &b);

		if (a.ext_valid) {
			b = a;
			b.ext_tag = 0x1235;
			expect_differ(test, "ext_tag low byte", &a, &b);
			b = a;
			b.ext_tag = 0x1334;
			expect_differ(test, "ext_tag high byte", &a, &b);
			b = a;
			b.ext_ph = 3;
			expect_differ(test, "ext_ph", &a, &b);
		}
		if (a.st_valid) {
			b = a;
			b.st_tag = 0x35;
			expect_differ(test, "st_tag", &a, &b);
			b = a;
			b.st_ph = 0;
			expect_differ(test, "st_ph", &a, &b);
		}
	}
}

/*
 * The fields of a namespace that is not valid are ignored: they hold
 * whatever the registration left there.
 * Kills: a comparison of every field regardless of the valid bits (memcmp),
 * which fails re-validation of unchanged hints with -ESTALE.
 */
static void mr_equal_ignores_invalid_namespaces(struct kunit *test)
{
	struct mlx5_ib_dmabuf_tph a, b;

	a = hints(0x1234, 2, false, 0x34, 1, true);
	b = hints(0x4321, 3, false, 0x34, 1, true);
	KUNIT_EXPECT_TRUE(test, mlx5r_dmabuf_tph_equal(&a, &b));

	a = hints(0x1234, 2, true, 0x34, 1, false);
	b = hints(0x1234, 2, true, 0x43, 0, false);
	KUNIT_EXPECT_TRUE(test, mlx5r_dmabuf_tph_equal(&a, &b));

	a = hints(0x1234, 2, false, 0x34, 1, false);
	b = hints(0x4321, 3, false, 0x43, 0, false);
	KUNIT_EXPECT_TRUE(test, mlx5r_dmabuf_tph_equal(&a, &b));
}

/*
 * Both namespaces answered: the Extended tag is used, with its PH, and only
 * one index is taken.
 * Kills: the 8-bit tag preferred; the Extended tag used only without an
 * 8-bit one; the 8-bit namespace's PH with the Extended tag; a second
 * reference taken.
 */
static void mr_st_index_prefers_extended(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph = hints(0x1234, 2, true, 0x34, 1, true);
	u16 index = 0;
	u8 ph = 0xff;

	KUNIT_ASSERT_EQ(test,
			mlx5r_dmabuf_tph_st_index(f->dev, &tph, &index, &ph), 0);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 1);
	KUNIT_EXPECT_EQ(test, f->alloc_tag[0], 0x1234);
	KUNIT_EXPECT_EQ(test, index, FAKE_INDEX(0));
	KUNIT_EXPECT_EQ(test, ph, 2);
	KUNIT_EXPECT_EQ(test, f->refs, 1);
}

/*
 * No Extended tag from the exporter: the 8-bit tag is used, with the
 * 8-bit namespace's PH.
 * Kills: no fallback without an Extended tag (-EOPNOTSUPP: MR registered
 * without hints); the Extended fields used although not valid; the PH of
 * the Extended namespace.
 */
static void mr_st_index_8bit_without_extended(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph = hints(0x1234, 2, false, 0x34, 1, true);
	u16 index = 0;
	u8 ph = 0xff;

	KUNIT_ASSERT_EQ(test,
			mlx5r_dmabuf_tph_st_index(f->dev, &tph, &index, &ph), 0);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 1);
	KUNIT_EXPECT_EQ(test, f->alloc_tag[0], 0x34);
	KUNIT_EXPECT_EQ(test, index, FAKE_INDEX(0));
	KUNIT_EXPECT_EQ(test, ph, 1);
}

/*
 * The Extended tag cannot be put in an mkey (-ENOSPC: table full, or a
 * direct-mode tag wider than the field): the 8-bit tag is used, with its
 * PH; the failed attempt holds no reference.
 * Kills: no fallback on -ENOSPC; the Extended PH kept with the 8-bit tag.
 */
static void mr_st_index_fallback_on_enospc(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph = hints(0x1234, 2, true, 0x34, 1, true);
	u16 index = 0;
	u8 ph = 0xff;

	fail_alloc(f, 0x1234, -ENOSPC);
	KUNIT_ASSERT_EQ(test,
			mlx5r_dmabuf_tph_st_index(f->dev, &tph, &index, &ph), 0);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 2);
	KUNIT_EXPECT_EQ(test, f->alloc_tag[0], 0x1234);
	KUNIT_EXPECT_EQ(test, f->alloc_tag[1], 0x34);
	KUNIT_EXPECT_EQ(test, index, FAKE_INDEX(1));
	KUNIT_EXPECT_EQ(test, ph, 1);
	KUNIT_EXPECT_EQ(test, f->refs, 1);
}

/*
 * An error other than -ENOSPC for the Extended tag is returned; the 8-bit
 * tag is not tried.  -EOPNOTSUPP (no ST support) is returned as is, which
 * the caller takes as "register without hints".
 * Kills: a fallback on every error (a transient -ENOMEM silently replaces
 * the Extended tag by the 8-bit one); errors turned into -ENOSPC.
 */
static void mr_st_index_other_errors(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph = hints(0x1234, 2, true, 0x34, 1, true);
	u16 index = 0;
	u8 ph = 0xff;

	fail_alloc(f, 0x1234, -ENOMEM);
	KUNIT_EXPECT_EQ(test,
			mlx5r_dmabuf_tph_st_index(f->dev, &tph, &index, &ph),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 1);
	KUNIT_EXPECT_EQ(test, f->refs, 0);

	f->nr_fail = 0;
	f->alloc_calls = 0;
	fail_alloc(f, 0x1234, -EOPNOTSUPP);
	fail_alloc(f, 0x34, -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test,
			mlx5r_dmabuf_tph_st_index(f->dev, &tph, &index, &ph),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, f->refs, 0);
}

/*
 * Hints that no index can carry fail with -ENOSPC, so that the
 * registration fails visibly: both tags refused, or an Extended tag
 * refused with no 8-bit tag to fall back to, or only an 8-bit tag that is
 * refused.
 * Kills: -EOPNOTSUPP ("no hints") returned instead, which registers the MR
 * without the hints the exporter asked for.
 */
static void mr_st_index_both_fail(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph;
	u16 index = 0;
	u8 ph = 0xff;

	fail_alloc(f, 0x1234, -ENOSPC);
	fail_alloc(f, 0x34, -ENOSPC);

	tph = hints(0x1234, 2, true, 0x34, 1, true);
	KUNIT_EXPECT_EQ(test,
			mlx5r_dmabuf_tph_st_index(f->dev, &tph, &index, &ph),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 2);

	tph = hints(0x1234, 2, true, 0x34, 1, false);
	KUNIT_EXPECT_EQ(test,
			mlx5r_dmabuf_tph_st_index(f->dev, &tph, &index, &ph),
			-ENOSPC);

	tph = hints(0x1234, 2, false, 0x34, 1, true);
	KUNIT_EXPECT_EQ(test,
			mlx5r_dmabuf_tph_st_index(f->dev, &tph, &index, &ph),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, f->refs, 0);
}

/*
 * No hints at all: -EOPNOTSUPP, nothing allocated.
 * Kills: success with no index (err initialised to 0: the caller would
 * count a reference it does not hold and program a stale index).
 */
static void mr_st_index_no_hints(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph tph = hints(0x1234, 2, false, 0x34, 1, false);
	u16 index = 0;
	u8 ph = 0xff;

	KUNIT_EXPECT_EQ(test,
			mlx5r_dmabuf_tph_st_index(f->dev, &tph, &index, &ph),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 0);
}

/* A dma-buf MR whose registration recorded the exporter's current answer */
static struct mlx5_ib_mr *registered_mr(struct kunit *test, bool ask_ext,
					bool ask_st)
{
	struct mr_fake *f = test->priv;
	struct ib_umem_dmabuf *umem_dmabuf;
	struct mlx5_ib_mr *mr;

	umem_dmabuf = kunit_kzalloc(test, sizeof(*umem_dmabuf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, umem_dmabuf);
	mr = kunit_kzalloc(test, sizeof(*mr), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mr);
	umem_dmabuf->attach = &f->attach;
	umem_dmabuf->umem.is_dmabuf = 1;
	mr->umem = &umem_dmabuf->umem;

	mr->dmabuf_tph = asking(ask_ext, ask_st);
	KUNIT_ASSERT_EQ(test,
			mlx5r_dmabuf_query_tph(&f->attach, &mr->dmabuf_tph), 0);
	return mr;
}

/*
 * Re-validation after a mapping: the same answer passes, each kind of
 * change is -ESTALE, an exporter error is returned, and the recorded
 * answer is never overwritten.
 * Kills: the query made into mr->dmabuf_tph itself (every change passes,
 * and the record drifts); a changed answer accepted; an exporter error
 * ignored; the namespaces to ask not taken from the record.
 */
static void mr_check_tph(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_dmabuf_tph recorded;
	struct mlx5_ib_mr *mr;

	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, 0, 0x34, 1);
	mr = registered_mr(test, true, true);
	recorded = mr->dmabuf_tph;

	f->ns[NS_EXT].calls = 0;
	f->ns[NS_8BIT].calls = 0;
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), 0);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 1);
	KUNIT_EXPECT_EQ(test, f->ns[NS_8BIT].calls, 1);

	set_answer(f, NS_EXT, 0, 0x1235, 2);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), -ESTALE);
	set_answer(f, NS_EXT, 0, 0x1234, 3);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), -ESTALE);
	set_answer(f, NS_EXT, -EOPNOTSUPP, 0, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), -ESTALE);
	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, 0, 0x35, 1);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), -ESTALE);
	set_answer(f, NS_8BIT, -EIO, 0, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), -EIO);

	/* Back to the recorded answer: passes again */
	set_answer(f, NS_8BIT, 0, 0x34, 1);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&mr->dmabuf_tph, &recorded,
				     sizeof(recorded)), 0);

	/* An answer in a namespace that was not asked is not looked at */
	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, -EOPNOTSUPP, 0, 0);
	mr = registered_mr(test, false, true);
	set_answer(f, NS_EXT, 0, 0x4321, 0);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), 0);
	/* A hint that appears after registration is a change */
	set_answer(f, NS_8BIT, 0, 0x34, 1);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), -ESTALE);
}

/*
 * An MR registered without asking (DMAH with a CPU tag, TPH disabled,
 * pinned) is never re-validated.
 * Kills: the exporter asked although no namespace was recorded (a later
 * hint would fail a mapping of an MR that never used hints).
 */
static void mr_check_tph_not_asked(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr;

	mr = registered_mr(test, false, false);
	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, 0, 0x34, 1);
	KUNIT_EXPECT_EQ(test, mlx5r_dmabuf_check_tph(mr), 0);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 0);
	KUNIT_EXPECT_EQ(test, f->ns[NS_8BIT].calls, 0);
}

static struct kunit_case mr_test_cases[] = {
	KUNIT_CASE(mr_query_asks_only_selected),
	KUNIT_CASE(mr_query_answers_per_namespace),
	KUNIT_CASE(mr_query_eopnotsupp_is_no_hint),
	KUNIT_CASE(mr_query_errors_propagate),
	KUNIT_CASE(mr_equal_detects_every_change),
	KUNIT_CASE(mr_equal_ignores_invalid_namespaces),
	KUNIT_CASE(mr_st_index_prefers_extended),
	KUNIT_CASE(mr_st_index_8bit_without_extended),
	KUNIT_CASE(mr_st_index_fallback_on_enospc),
	KUNIT_CASE(mr_st_index_other_errors),
	KUNIT_CASE(mr_st_index_both_fail),
	KUNIT_CASE(mr_st_index_no_hints),
	KUNIT_CASE(mr_check_tph),
	KUNIT_CASE(mr_check_tph_not_asked),
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
