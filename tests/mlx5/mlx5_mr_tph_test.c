// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the dma-buf TPH helpers of the mlx5 RDMA driver,
 * drivers/infiniband/hw/mlx5/mr.c, added by patch 9 of the vfio-dmabuf-tph
 * series: mlx5r_dmabuf_query_tph(), mlx5r_dmabuf_hint_same(),
 * mlx5r_dmabuf_tph_same(), mlx5r_dmabuf_check_tph(),
 * mlx5r_dmabuf_map_pages() (the page fault's mapping and re-check),
 * mlx5r_dmabuf_map_tph() (registration: map, then ask) and
 * mlx5_ib_dmabuf_invalidate_cb(); and whole dma-buf MRs:
 * reg_user_mr_dmabuf() (with the real alloc_cacheable_mr(), whose FRMR pool
 * key carries the ST index and the PH), __mlx5_ib_dereg_mr() (with the real
 * mkey cleanup: revoke into the pool, or destroy) and, of odp.c,
 * mlx5_ib_init_dmabuf_mr(), pagefault_mr() and pagefault_dmabuf_mr().
 *
 * Test-only, out of tree, never part of the series.  There is no ConnectX in
 * the test guest and mr.c and odp.c cannot be compiled on their own into a
 * module, so Kbuild runs extract-functions.sh at build time: it copies the
 * text of those functions (and of the few macros and the variable they
 * need), from signature to closing brace, out of the kernel's mr.c and
 * odp.c (MLX5_MR_C, MLX5_ODP_C, see Kbuild) into mr_tph_funcs.c,
 * mr_reg_funcs.c and odp_funcs.c in the build directory, with #line
 * directives pointing back at the kernel's files.  This file includes the
 * real mlx5_ib.h for struct mlx5_ib_dmabuf_tph, struct mlx5_ib_mr and
 * struct mlx5_ib_dev, renames what the functions call with #define, and
 * includes the extracted text:
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
 *    or errno, and, as lib/st.c, -EOPNOTSUPP without a valid hint and a
 *    reference on success; mlx5_st_dealloc_index() drops it and fails the
 *    case without one, with another index, or while the mkey may still
 *    send; mlx5r_umr_update_mr_pas() (the zap or the population, both need
 *    a mapping) and mlx5_ib_warn_rl() are counted;
 *  - for whole MRs: ib_umem_dmabuf_get*() and ib_umem_release() (the
 *    fake's umem), the RDMA core's FRMR pool (an mkey pushed with an equal
 *    key is handed out again, else mr.c's real mlx5r_create_mkeys()
 *    creates one), mlx5_core_create_mkey() (the mkey context's TPH fields
 *    recorded),
 *    the UMR revoke and mlx5_core_destroy_mkey() (which can fail), the
 *    page fault EQ, the page size, the KSM UMR, mlx5_st_hint_namespaces();
 *    WARN_ON_ONCE() is counted instead of printed.  The odp mkey xarray
 *    and kfree() of the MR are real.  Paths that no dma-buf MR takes fail
 *    the case if reached.
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
#include <rdma/ib_umem_odp.h>

#include "mlx5_ib.h"
#include "dmah.h"
#include "umr.h"

#define NS_8BIT	0
#define NS_EXT	1
#define NS_BOTH	(MLX5_ST_NS_TPH | MLX5_ST_NS_EXT_TPH)
#define FAKE_INDEX	0x42
#define FAKE_MKEY	0x2300		/* mlx5_base_mkey() of a created mkey */
#define FAKE_PDN	0x77
#define DMAH_INDEX	7		/* a DMAH's CPU steering tag index */
#define MR_IOVA		0x100000
#define MR_PAGES	4
#define MR_LEN		(MR_PAGES * PAGE_SIZE)
/* PCIBIOS_DEVICE_NOT_FOUND: config accessors return positive codes */
#define FAKE_PCIBIOS_ERR	0x86

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
 *
 * Registration, deregistration and faults of a whole dma-buf MR:
 * @pd: the protection domain the MR is registered in
 * @dmah: a DMA handle, for registrations that pass one
 * @dma_device: the data direct device of a pinned registration
 * @hint_ns: what mlx5_st_hint_namespaces() answers
 * @get_err: ib_umem_dmabuf_get*() fails with it
 * @gets: ib_umem_dmabuf_get*() calls
 * @pinned_gets: ... of them pinned
 * @releases: ib_umem_release() calls
 * @st_refs: ST index references held (taken by the fake mlx5 core)
 * @st_deallocs: mlx5_st_dealloc_index() calls
 * @st_dealloc_index: the index of the last one
 * @pop_err: ib_frmr_pool_pop() fails with it
 * @pops: ib_frmr_pool_pop() calls
 * @pop_key: the pool key of the last one (PH and ST index of the mkey)
 * @pool: the fake FRMR pool the mkeys come from
 * @pooled: mkeys pushed into the pool, by key: @pooled_key, @pooled_handle
 * @pooled_key: see @pooled
 * @pooled_handle: see @pooled
 * @creates: mlx5_core_create_mkey() calls (pool misses)
 * @mkc_tph_en: the pcie_tph_en of the last mkey created
 * @mkc_ph: its pcie_tph_ph
 * @mkc_st_index: its pcie_tph_steering_tag_index
 * @mkey_live: the MR's mkey exists and is not revoked: it may do DMA with
 *	its ST index
 * @revoke_err: mlx5r_umr_revoke_mr() fails with it
 * @revokes: mlx5r_umr_revoke_mr() calls
 * @pushes: ib_frmr_pool_push() calls (mkey revoked into the pool)
 * @destroy_err: the next mlx5_core_destroy_mkey() fails with it
 * @destroys: mlx5_core_destroy_mkey() calls
 * @drops: ib_frmr_pool_drop() calls
 * @eq_err: mlx5r_odp_create_eq() fails with it
 * @pgsz: what mlx5_umem_dmabuf_find_best_pgsz() answers
 * @populate_err: the mkey population (a UMR) fails with it
 * @populates: mlx5r_umr_update_mr_pas() calls that populate the mkey
 * @populate_flags: the flags of the last one
 * @populate_pdn: the pdn of the last one
 * @ksm_populates: mlx5r_umr_update_data_direct_ksm_pas() calls
 * @private_at_lock: umem_dmabuf->private when the fake lock was taken
 * @published_locked: umem_dmabuf->private set under the reservation lock
 * @warn_once: WARN_ON_ONCE() conditions that were true
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

	struct mlx5_ib_pd *pd;
	struct mlx5_ib_dmah *dmah;
	struct device dma_device;
	unsigned int hint_ns;
	int get_err;
	unsigned int gets;
	unsigned int pinned_gets;
	unsigned int releases;
	int st_refs;
	unsigned int st_deallocs;
	u16 st_dealloc_index;
	int pop_err;
	unsigned int pops;
	struct ib_frmr_key pop_key;
	u8 pool;
	unsigned int pooled;
	struct ib_frmr_key pooled_key[4];
	u32 pooled_handle[4];
	unsigned int creates;
	unsigned int mkc_tph_en;
	unsigned int mkc_ph;
	unsigned int mkc_st_index;
	bool mkey_live;
	int revoke_err;
	unsigned int revokes;
	unsigned int pushes;
	int destroy_err;
	unsigned int destroys;
	unsigned int drops;
	int eq_err;
	unsigned long pgsz;
	int populate_err;
	unsigned int populates;
	unsigned int populate_flags;
	unsigned int populate_pdn;
	unsigned int ksm_populates;
	void *private_at_lock;
	unsigned int published_locked;
	unsigned int warn_once;
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
	f->private_at_lock = f->umem_dmabuf->private;
	return 0;
}

static void fake_dma_resv_unlock(struct dma_resv *obj)
{
	struct mr_fake *f = current_fake();

	KUNIT_EXPECT_PTR_EQ(cur_test(), obj, &f->resv);
	KUNIT_EXPECT_TRUE(cur_test(), f->locked);
	f->locked = false;
	if (!f->private_at_lock && f->umem_dmabuf->private)
		f->published_locked++;
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
	/*
	 * A zap before the unmap, a population with a mapping: the mkey
	 * never points at an unmapped page.  Both under the lock.
	 */
	KUNIT_EXPECT_NOT_NULL(cur_test(), f->umem_dmabuf->sgt);
	KUNIT_EXPECT_TRUE(cur_test(), f->locked);
	if (flags & MLX5_IB_UPD_XLT_ZAP) {
		KUNIT_EXPECT_EQ(cur_test(), flags, MLX5_IB_UPD_XLT_ZAP);
		f->zaps++;
		return 0;
	}
	f->populates++;
	f->populate_flags = flags;
	f->populate_pdn = pdn;
	return f->populate_err;
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
	/* As mlx5 core: no hint, nothing to carry */
	if (!tph->valid && !ext->valid)
		return -EOPNOTSUPP;
	if (f->alloc_err)
		return f->alloc_err;
	*st_index = FAKE_INDEX;
	*ph = f->alloc_ph;
	*used = f->alloc_used;
	f->st_refs++;		/* a reference on the index */
	return 0;
}

#define fake_mlx5_ib_warn_rl(_dev, fmt, ...)				\
	do {								\
		KUNIT_EXPECT_PTR_EQ(cur_test(), _dev, current_fake()->dev); \
		current_fake()->warns++;				\
		kunit_info(cur_test(), "warn_rl: " fmt, ##__VA_ARGS__);	\
	} while (0)

/*
 * The rest of what registration, deregistration and the page fault call.
 * The real umem of the MR is the fake's umem_dmabuf: ib_umem_dmabuf_get()
 * fills in what umem_dmabuf.c does (a pinned one comes mapped), and
 * ib_umem_release() drops its mapping.
 */
static void mlx5_ib_dmabuf_invalidate_cb(struct dma_buf_attachment *attach);

static struct ib_umem_dmabuf *fake_umem_get(struct ib_device *device,
					    unsigned long offset, size_t size,
					    bool pinned)
{
	struct mr_fake *f = current_fake();
	struct ib_umem_dmabuf *umem_dmabuf = f->umem_dmabuf;

	KUNIT_EXPECT_PTR_EQ(cur_test(), device, &f->dev->ib_dev);
	KUNIT_EXPECT_FALSE(cur_test(), f->locked);
	f->gets++;
	if (f->get_err)
		return ERR_PTR(f->get_err);
	umem_dmabuf->umem.ibdev = device;
	umem_dmabuf->umem.address = offset;
	umem_dmabuf->umem.length = size;
	umem_dmabuf->private = NULL;
	umem_dmabuf->pinned = pinned;
	if (pinned) {
		f->pinned_gets++;
		umem_dmabuf->sgt = &f->sgt;
	}
	return umem_dmabuf;
}

static struct ib_umem_dmabuf *
fake_ib_umem_dmabuf_get(struct ib_device *device, unsigned long offset,
			size_t size, int fd, int access,
			const struct dma_buf_attach_ops *ops)
{
	/* Revocable: mr.c's invalidate callback, peer-to-peer allowed */
	KUNIT_EXPECT_TRUE(cur_test(), ops->invalidate_mappings ==
			  mlx5_ib_dmabuf_invalidate_cb);
	KUNIT_EXPECT_TRUE(cur_test(), ops->allow_peer2peer);
	return fake_umem_get(device, offset, size, false);
}

static struct ib_umem_dmabuf *
fake_ib_umem_dmabuf_get_pinned(struct ib_device *device, unsigned long offset,
			       size_t size, int fd, int access)
{
	return fake_umem_get(device, offset, size, true);
}

static struct ib_umem_dmabuf *
fake_ib_umem_dmabuf_get_pinned_with_dma_device(struct ib_device *device,
					       struct device *dma_device,
					       unsigned long offset,
					       size_t size, int fd, int access)
{
	KUNIT_EXPECT_PTR_EQ(cur_test(), dma_device, &current_fake()->dma_device);
	return fake_umem_get(device, offset, size, true);
}

static void fake_ib_umem_release(struct ib_umem *umem)
{
	struct mr_fake *f = current_fake();

	KUNIT_EXPECT_PTR_EQ(cur_test(), umem, &f->umem_dmabuf->umem);
	KUNIT_EXPECT_FALSE(cur_test(), f->locked);
	f->releases++;
	f->umem_dmabuf->sgt = NULL;
}

static int fake_mlx5r_umr_resource_init(struct mlx5_ib_dev *dev)
{
	KUNIT_EXPECT_PTR_EQ(cur_test(), dev, current_fake()->dev);
	return 0;
}

static unsigned int fake_mlx5_st_hint_namespaces(struct mlx5_core_dev *mdev)
{
	KUNIT_EXPECT_PTR_EQ(cur_test(), mdev, current_fake()->mdev);
	return current_fake()->hint_ns;
}

/*
 * As mlx5 core's mlx5_st_dealloc_index(): releasing an index without a
 * reference is a bug (the real one warns and returns -EINVAL).  The index
 * must not be released while the mkey that carries it may still send.
 */
static int fake_mlx5_st_dealloc_index(struct mlx5_core_dev *mdev, u16 st_index)
{
	struct mr_fake *f = current_fake();

	KUNIT_EXPECT_PTR_EQ(cur_test(), mdev, f->mdev);
	KUNIT_EXPECT_FALSE(cur_test(), f->locked);
	KUNIT_EXPECT_FALSE_MSG(cur_test(), f->mkey_live,
			       "ST index released while the mkey may use it");
	f->st_deallocs++;
	f->st_dealloc_index = st_index;
	if (st_index != FAKE_INDEX || f->st_refs <= 0) {
		KUNIT_FAIL(cur_test(), "ST index %u released without a reference",
			   st_index);
		return -EINVAL;
	}
	f->st_refs--;
	return 0;
}

/*
 * As mlx5_core_create_mkey(): the mkey is the variant that mr.c put into the
 * context and an index from the device; the context's TPH fields recorded.
 */
static int fake_mlx5_core_create_mkey(struct mlx5_core_dev *mdev, u32 *mkey,
				      u32 *in, int inlen)
{
	struct mr_fake *f = current_fake();
	void *mkc = MLX5_ADDR_OF(create_mkey_in, in, memory_key_mkey_entry);

	KUNIT_EXPECT_PTR_EQ(cur_test(), mdev, f->mdev);
	f->creates++;
	f->mkc_tph_en = MLX5_GET(mkc, mkc, pcie_tph_en);
	f->mkc_ph = MLX5_GET(mkc, mkc, pcie_tph_ph);
	f->mkc_st_index = MLX5_GET(mkc, mkc, pcie_tph_steering_tag_index);
	*mkey = MLX5_GET(mkc, mkc, mkey_7_0) | FAKE_MKEY;
	return 0;
}

static bool same_key(const struct ib_frmr_key *a, const struct ib_frmr_key *b)
{
	return a->vendor_key == b->vendor_key &&
	       a->kernel_vendor_key == b->kernel_vendor_key &&
	       a->num_dma_blocks == b->num_dma_blocks &&
	       a->access_flags == b->access_flags && a->ats == b->ats;
}

static int mlx5r_create_mkeys(struct ib_device *device, struct ib_frmr_key *key,
			      u32 *handles, unsigned int count);

/*
 * The FRMR pool of the RDMA core (frmr_pools.c): one pool per key; an mkey
 * pushed into the pool is handed out again only for the same key (the same
 * ST index and PH), otherwise the driver creates one with the key
 * (mr.c's mlx5r_create_mkeys(), the real one).
 */
static int fake_ib_frmr_pool_pop(struct ib_device *device, struct ib_mr *ibmr)
{
	struct mr_fake *f = current_fake();
	unsigned int i;
	u32 handle;
	int err;

	KUNIT_EXPECT_PTR_EQ(cur_test(), device, &f->dev->ib_dev);
	KUNIT_EXPECT_FALSE(cur_test(), f->mkey_live);
	f->pops++;
	f->pop_key = ibmr->frmr.key;
	if (f->pop_err)
		return f->pop_err;
	for (i = 0; i < f->pooled; i++)
		if (same_key(&f->pooled_key[i], &ibmr->frmr.key))
			break;
	if (i < f->pooled) {
		handle = f->pooled_handle[i];
		f->pooled--;
		f->pooled_key[i] = f->pooled_key[f->pooled];
		f->pooled_handle[i] = f->pooled_handle[f->pooled];
	} else {
		err = mlx5r_create_mkeys(device, &ibmr->frmr.key, &handle, 1);
		if (err)
			return err;
	}
	ibmr->frmr.pool = (struct ib_frmr_pool *)&f->pool;
	ibmr->frmr.handle = handle;
	f->mr = container_of(ibmr, struct mlx5_ib_mr, ibmr);
	f->mkey_live = true;
	return 0;
}

static void fake_ib_frmr_pool_push(struct ib_device *device, struct ib_mr *ibmr)
{
	struct mr_fake *f = current_fake();

	KUNIT_EXPECT_PTR_EQ(cur_test(), ibmr->frmr.pool,
			    (struct ib_frmr_pool *)&f->pool);
	KUNIT_EXPECT_FALSE_MSG(cur_test(), f->mkey_live,
			       "a live mkey pushed into the pool");
	f->pushes++;
	if (f->pooled < ARRAY_SIZE(f->pooled_key)) {
		f->pooled_key[f->pooled] = ibmr->frmr.key;
		f->pooled_handle[f->pooled] = ibmr->frmr.handle;
		f->pooled++;
	}
}

static void fake_ib_frmr_pool_drop(struct ib_mr *ibmr)
{
	struct mr_fake *f = current_fake();

	KUNIT_EXPECT_FALSE(cur_test(), f->mkey_live);
	f->drops++;
}

static int fake_mlx5r_umr_revoke_mr(struct mlx5_ib_mr *mr)
{
	struct mr_fake *f = current_fake();

	KUNIT_EXPECT_PTR_EQ(cur_test(), mr, f->mr);
	/* Revocable MR: no invalidation (zap) races with the revoke */
	if (!f->umem_dmabuf->pinned)
		KUNIT_EXPECT_TRUE(cur_test(), f->locked);
	f->revokes++;
	if (f->revoke_err)
		return f->revoke_err;
	f->mkey_live = false;
	return 0;
}

static int fake_mlx5_core_destroy_mkey(struct mlx5_core_dev *mdev, u32 mkey)
{
	struct mr_fake *f = current_fake();
	int err = f->destroy_err;

	KUNIT_EXPECT_PTR_EQ(cur_test(), mdev, f->mdev);
	KUNIT_EXPECT_EQ(cur_test(), mlx5_base_mkey(mkey), FAKE_MKEY);
	f->destroys++;
	f->destroy_err = 0;
	if (err)
		return err;
	f->mkey_live = false;
	return 0;
}

static int fake_mlx5r_odp_create_eq(struct mlx5_ib_dev *dev,
				    struct mlx5_ib_pf_eq *eq)
{
	KUNIT_EXPECT_PTR_EQ(cur_test(), eq, &current_fake()->dev->odp_pf_eq);
	return current_fake()->eq_err;
}

static unsigned long
fake_mlx5_umem_dmabuf_find_best_pgsz(struct ib_umem_dmabuf *umem_dmabuf,
				     int access_mode)
{
	struct mr_fake *f = current_fake();

	KUNIT_EXPECT_PTR_EQ(cur_test(), umem_dmabuf, f->umem_dmabuf);
	KUNIT_EXPECT_TRUE(cur_test(), f->locked);
	KUNIT_EXPECT_NOT_NULL(cur_test(), umem_dmabuf->sgt);
	return f->pgsz;
}

static int fake_mlx5r_umr_update_data_direct_ksm_pas(struct mlx5_ib_mr *mr,
						     unsigned int flags)
{
	struct mr_fake *f = current_fake();

	KUNIT_EXPECT_PTR_EQ(cur_test(), mr, f->mr);
	KUNIT_EXPECT_NOT_NULL(cur_test(), f->umem_dmabuf->sgt);
	f->ksm_populates++;
	return f->populate_err;
}

static int fake_mlx5r_umr_dmabuf_update_pgsz(struct mlx5_ib_mr *mr,
					     u32 xlt_flags, u32 pdn,
					     unsigned int page_shift)
{
	KUNIT_FAIL(cur_test(), "the page size of the dma-buf changed");
	return -EINVAL;
}

/* Paths of mr.c and odp.c that no dma-buf MR takes */
static int fake_unreached(const char *what)
{
	KUNIT_FAIL(cur_test(), "%s called", what);
	return -EINVAL;
}

/* Counted, not printed: the guest test fails on a WARNING in the log */
static void fake_warn_on_once(const char *cond)
{
	current_fake()->warn_once++;
	kunit_info(cur_test(), "WARN_ON_ONCE(%s)", cond);
}

/* The code under test: the kernel's functions, their callees renamed */
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
#define ib_umem_dmabuf_get		fake_ib_umem_dmabuf_get
#define ib_umem_dmabuf_get_pinned	fake_ib_umem_dmabuf_get_pinned
#define ib_umem_dmabuf_get_pinned_with_dma_device \
	fake_ib_umem_dmabuf_get_pinned_with_dma_device
#define ib_umem_release			fake_ib_umem_release
#define mlx5r_umr_resource_init		fake_mlx5r_umr_resource_init
#define mlx5_st_hint_namespaces		fake_mlx5_st_hint_namespaces
#define mlx5_st_dealloc_index		fake_mlx5_st_dealloc_index
#define ib_frmr_pool_pop		fake_ib_frmr_pool_pop
#define ib_frmr_pool_push		fake_ib_frmr_pool_push
#define ib_frmr_pool_drop		fake_ib_frmr_pool_drop
#define mlx5r_umr_revoke_mr		fake_mlx5r_umr_revoke_mr
#define mlx5_core_destroy_mkey		fake_mlx5_core_destroy_mkey
#define mlx5_core_create_mkey		fake_mlx5_core_create_mkey
#define mlx5r_odp_create_eq		fake_mlx5r_odp_create_eq
#define mlx5_umem_dmabuf_find_best_pgsz	fake_mlx5_umem_dmabuf_find_best_pgsz
#define mlx5r_umr_update_data_direct_ksm_pas \
	fake_mlx5r_umr_update_data_direct_ksm_pas
#define mlx5r_umr_dmabuf_update_pgsz	fake_mlx5r_umr_dmabuf_update_pgsz
#define mlx5_umem_mkc_find_best_pgsz(...) \
	fake_unreached("mlx5_umem_mkc_find_best_pgsz")
#define mlx5_ib_dereg_mr(...)		fake_unreached("mlx5_ib_dereg_mr")
#define mlx5_core_destroy_psv(...)	fake_unreached("mlx5_core_destroy_psv")
#define mlx5_ib_free_odp_mr(...)	fake_unreached("mlx5_ib_free_odp_mr")
#define pagefault_real_mr(...)		fake_unreached("pagefault_real_mr")
#define pagefault_implicit_mr(...)	fake_unreached("pagefault_implicit_mr")
#pragma push_macro("WARN_ON_ONCE")
#undef WARN_ON_ONCE
#define WARN_ON_ONCE(cond)						\
	({								\
		int __ret_warn_once = !!(cond);				\
		if (__ret_warn_once)					\
			fake_warn_on_once(#cond);			\
		__ret_warn_once;					\
	})

#include "mr_tph_funcs.c"
#include "odp_funcs.c"
#include "mr_reg_funcs.c"

#undef dma_buf_get_pci_tph
#undef dma_resv_lock
#undef dma_resv_unlock
#undef dma_resv_assert_held
#undef ib_umem_dmabuf_map_pages
#undef ib_umem_dmabuf_unmap_pages
#undef mlx5r_umr_update_mr_pas
#undef mlx5_st_alloc_index_by_hint
#undef mlx5_ib_warn_rl
#undef ib_umem_dmabuf_get
#undef ib_umem_dmabuf_get_pinned
#undef ib_umem_dmabuf_get_pinned_with_dma_device
#undef ib_umem_release
#undef mlx5r_umr_resource_init
#undef mlx5_st_hint_namespaces
#undef mlx5_st_dealloc_index
#undef ib_frmr_pool_pop
#undef ib_frmr_pool_push
#undef ib_frmr_pool_drop
#undef mlx5r_umr_revoke_mr
#undef mlx5_core_destroy_mkey
#undef mlx5_core_create_mkey
#undef mlx5r_odp_create_eq
#undef mlx5_umem_dmabuf_find_best_pgsz
#undef mlx5r_umr_update_data_direct_ksm_pas
#undef mlx5r_umr_dmabuf_update_pgsz
#undef mlx5_umem_mkc_find_best_pgsz
#undef mlx5_ib_dereg_mr
#undef mlx5_core_destroy_psv
#undef mlx5_ib_free_odp_mr
#undef pagefault_real_mr
#undef pagefault_implicit_mr
#pragma pop_macro("WARN_ON_ONCE")

static int mr_test_init(struct kunit *test)
{
	struct mlx5_hca_cap *hca;
	struct mr_fake *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->dev = kunit_kzalloc(test, sizeof(*f->dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->dev);
	f->mdev = kunit_kzalloc(test, sizeof(*f->mdev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->mdev);
	f->dev->mdev = f->mdev;
	hca = kunit_kzalloc(test, sizeof(*hca), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hca);
	f->mdev->caps.hca[MLX5_CAP_GENERAL] = hca;	/* no capability set */
	xa_init(&f->dev->odp_mkeys);
	f->pd = kunit_kzalloc(test, sizeof(*f->pd), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->pd);
	f->pd->ibpd.device = &f->dev->ib_dev;
	f->pd->pdn = FAKE_PDN;
	f->dev->umrc.pd = &f->pd->ibpd;
	f->dmah = kunit_kzalloc(test, sizeof(*f->dmah), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->dmah);
	f->dmah->ibdmah.device = &f->dev->ib_dev;
	f->pgsz = PAGE_SIZE;
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

/*
 * Whole dma-buf MRs: reg_user_mr_dmabuf(), with the real
 * alloc_cacheable_mr() (the mkey from the FRMR pool, whose key carries the
 * ST index and the PH), mlx5_ib_init_dmabuf_mr() and pagefault_dmabuf_mr()
 * (the first fault), and __mlx5_ib_dereg_mr() with the real
 * mlx5r_handle_mkey_cleanup().
 */

/* The ST index and the PH of the mkey, as the pool's key carries them */
static u16 key_st_index(const struct mr_fake *f)
{
	return f->pop_key.kernel_vendor_key & 0xffff;
}

static u8 key_ph(const struct mr_fake *f)
{
	return (f->pop_key.kernel_vendor_key >> 16) & 0xff;
}

static struct ib_mr *reg_mr(struct mr_fake *f, int access_mode,
			    struct ib_dmah *dmah)
{
	bool ksm = access_mode == MLX5_MKC_ACCESS_MODE_KSM;

	return reg_user_mr_dmabuf(&f->pd->ibpd, ksm ? &f->dma_device : NULL,
				  0, MR_LEN, MR_IOVA, 3,
				  IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_READ,
				  access_mode, dmah);
}

/* A revocable MR registered with the exporter's hints (the usual case) */
static struct mlx5_ib_mr *reg_hinted_mr(struct kunit *test,
					struct mr_fake *f)
{
	struct ib_mr *ibmr;

	f->hint_ns = NS_BOTH;
	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, 0, 0x34, 1);
	f->alloc_ph = 2;
	f->alloc_used = MLX5_ST_NS_EXT_TPH;
	ibmr = reg_mr(f, MLX5_MKC_ACCESS_MODE_MTT, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ibmr));
	KUNIT_ASSERT_EQ(test, f->st_refs, 1);
	return to_mmr(ibmr);
}

/* Deregistration that must succeed: nothing of the MR is left */
static void dereg_ok(struct kunit *test, struct mr_fake *f,
		     struct mlx5_ib_mr *mr)
{
	KUNIT_EXPECT_EQ(test, __mlx5_ib_dereg_mr(&mr->ibmr), 0);
	KUNIT_EXPECT_EQ(test, f->st_refs, 0);
	KUNIT_EXPECT_FALSE(test, f->mkey_live);
	KUNIT_EXPECT_NULL(test, f->umem_dmabuf->private);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->mdev->priv.reg_pages), 0);
	KUNIT_EXPECT_TRUE(test, xa_empty(&f->dev->odp_mkeys));
	KUNIT_EXPECT_FALSE(test, f->locked);
}

/*
 * Registration with the exporter's hints: one mapping, asked once under
 * the lock, the index from mlx5 core goes into the mkey with the
 * exporter's PH, the MR records that it holds the reference, is published
 * under the reservation lock, and its first fault populates the mkey
 * without asking again.  Deregistration revokes the mkey (into the pool),
 * then releases the ST reference exactly once, then the umem.
 * Kills: st_held_not_recorded, dereg_leaks_st, dereg_release_before_revoke,
 * dereg_wrong_index, published_unlocked.
 */
static void mr_reg_dereg_exporter_hints(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr = reg_hinted_mr(test, f);

	KUNIT_EXPECT_EQ(test, f->gets, 1);
	KUNIT_EXPECT_EQ(test, f->maps, 1);
	KUNIT_EXPECT_EQ(test, f->unmaps, 0);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 1);
	KUNIT_EXPECT_EQ(test, f->ns[NS_8BIT].calls, 1);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 1);
	KUNIT_EXPECT_EQ(test, f->pops, 1);
	KUNIT_EXPECT_EQ(test, key_st_index(f), FAKE_INDEX);
	KUNIT_EXPECT_EQ(test, key_ph(f), 2);
	KUNIT_EXPECT_TRUE(test, mr->dmabuf_st_held);
	KUNIT_EXPECT_EQ(test, mr->dmabuf_tph.used, MLX5_ST_NS_EXT_TPH);
	KUNIT_EXPECT_TRUE(test, mr->dmabuf_tph.ph_used);
	KUNIT_EXPECT_EQ(test, mr->dmabuf_tph.ext.tag, 0x1234);
	KUNIT_EXPECT_PTR_EQ(test, f->umem_dmabuf->private, (void *)mr);
	KUNIT_EXPECT_EQ(test, f->published_locked, 1);
	KUNIT_EXPECT_EQ(test, mlx5_base_mkey(mr->mmkey.key), FAKE_MKEY);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&f->dev->odp_mkeys, FAKE_MKEY),
			    (void *)&mr->mmkey);
	/* The mkey context: TPH on, the exporter's PH, the index */
	KUNIT_EXPECT_EQ(test, f->creates, 1);
	KUNIT_EXPECT_EQ(test, f->mkc_tph_en, 1);
	KUNIT_EXPECT_EQ(test, f->mkc_ph, 2);
	KUNIT_EXPECT_EQ(test, f->mkc_st_index, FAKE_INDEX);
	KUNIT_EXPECT_EQ(test, f->populates, 1);
	KUNIT_EXPECT_EQ(test, f->populate_flags, MLX5_IB_UPD_XLT_ENABLE);
	KUNIT_EXPECT_EQ(test, f->populate_pdn, FAKE_PDN);
	KUNIT_EXPECT_TRUE(test, mr->dmabuf_faulted);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->mdev->priv.reg_pages), MR_PAGES);
	KUNIT_EXPECT_EQ(test, f->warn_once, 0);
	KUNIT_EXPECT_FALSE(test, f->locked);

	dereg_ok(test, f, mr);
	KUNIT_EXPECT_EQ(test, f->revokes, 1);
	KUNIT_EXPECT_EQ(test, f->pushes, 1);
	KUNIT_EXPECT_EQ(test, f->destroys, 0);
	KUNIT_EXPECT_EQ(test, f->st_deallocs, 1);
	KUNIT_EXPECT_EQ(test, f->st_dealloc_index, FAKE_INDEX);
	KUNIT_EXPECT_EQ(test, f->releases, 1);
}

/*
 * A DMAH with a CPU steering tag wins: its index and PH go into the mkey,
 * the exporter is not asked, nothing is mapped before the first fault, no
 * ST reference is taken or released.
 * Kills: dmah_precedence_lost (the exporter's index replaces the DMAH's).
 */
static void mr_reg_dmah_cpu_tag(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr;
	struct ib_mr *ibmr;

	f->hint_ns = NS_BOTH;
	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, 0, 0x34, 2);
	f->alloc_ph = 2;
	f->alloc_used = MLX5_ST_NS_EXT_TPH;
	f->dmah->st_index = DMAH_INDEX;
	f->dmah->ibdmah.ph = 1;
	f->dmah->ibdmah.valid_fields = BIT(IB_DMAH_CPU_ID_EXISTS) |
				       BIT(IB_DMAH_PH_EXISTS);
	ibmr = reg_mr(f, MLX5_MKC_ACCESS_MODE_MTT, &f->dmah->ibdmah);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ibmr));
	mr = to_mmr(ibmr);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 0);
	KUNIT_EXPECT_EQ(test, f->ns[NS_8BIT].calls, 0);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 0);
	KUNIT_EXPECT_EQ(test, f->map_calls, 1);	/* the first fault's */
	KUNIT_EXPECT_EQ(test, key_st_index(f), DMAH_INDEX);
	KUNIT_EXPECT_EQ(test, key_ph(f), 1);
	KUNIT_EXPECT_EQ(test, f->mkc_tph_en, 1);
	KUNIT_EXPECT_EQ(test, f->mkc_ph, 1);
	KUNIT_EXPECT_EQ(test, f->mkc_st_index, DMAH_INDEX);
	KUNIT_EXPECT_FALSE(test, mr->dmabuf_st_held);
	KUNIT_EXPECT_EQ(test, mr->dmabuf_tph.used, 0);
	dereg_ok(test, f, mr);
	KUNIT_EXPECT_EQ(test, f->st_deallocs, 0);
}

/*
 * A DMAH with only a PH: the exporter's steering tag is used, with the
 * DMAH's PH, and the MR records that its PH is not the exporter's.
 * Kills: dmah_ph_lost (the exporter's PH replaces the DMAH's).
 */
static void mr_reg_dmah_ph(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr;
	struct ib_mr *ibmr;

	f->hint_ns = NS_BOTH;
	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, -EOPNOTSUPP, 0, 0);
	f->alloc_ph = 2;
	f->alloc_used = MLX5_ST_NS_EXT_TPH;
	f->dmah->ibdmah.ph = 3;
	f->dmah->ibdmah.valid_fields = BIT(IB_DMAH_PH_EXISTS);
	ibmr = reg_mr(f, MLX5_MKC_ACCESS_MODE_MTT, &f->dmah->ibdmah);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ibmr));
	mr = to_mmr(ibmr);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 1);
	KUNIT_EXPECT_EQ(test, key_st_index(f), FAKE_INDEX);
	KUNIT_EXPECT_EQ(test, key_ph(f), 3);
	KUNIT_EXPECT_EQ(test, f->mkc_tph_en, 1);
	KUNIT_EXPECT_EQ(test, f->mkc_ph, 3);
	KUNIT_EXPECT_EQ(test, f->mkc_st_index, FAKE_INDEX);
	KUNIT_EXPECT_TRUE(test, mr->dmabuf_st_held);
	KUNIT_EXPECT_FALSE(test, mr->dmabuf_tph.ph_used);
	dereg_ok(test, f, mr);
	KUNIT_EXPECT_EQ(test, f->st_deallocs, 1);
}

/*
 * mlx5 core carries no hint (TPH disabled on the function, or no ST
 * table): registration neither maps nor asks, the mkey has no index and
 * no PH, as before the series.
 * Kills: namespaces_ignored (every registration maps and asks the
 * exporter, and fails with its errors, where no hint can be carried).
 */
static void mr_reg_no_hint_namespaces(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr;
	struct ib_mr *ibmr;

	f->hint_ns = 0;
	set_answer(f, NS_EXT, -EIO, 0, 0);
	set_answer(f, NS_8BIT, -EIO, 0, 0);
	ibmr = reg_mr(f, MLX5_MKC_ACCESS_MODE_MTT, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ibmr));
	mr = to_mmr(ibmr);
	KUNIT_EXPECT_EQ(test, f->map_calls, 1);	/* the first fault's */
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 0);
	KUNIT_EXPECT_EQ(test, f->ns[NS_8BIT].calls, 0);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 0);
	KUNIT_EXPECT_EQ(test, key_st_index(f),
			MLX5_MKC_PCIE_TPH_NO_STEERING_TAG_INDEX);
	KUNIT_EXPECT_EQ(test, key_ph(f), 0);	/* MLX5_IB_NO_PH, normalized */
	KUNIT_EXPECT_EQ(test, f->mkc_tph_en, 0);
	KUNIT_EXPECT_EQ(test, f->mkc_st_index, 0);
	KUNIT_EXPECT_FALSE(test, mr->dmabuf_st_held);
	KUNIT_EXPECT_EQ(test, f->populates, 1);
	dereg_ok(test, f, mr);
	KUNIT_EXPECT_EQ(test, f->st_deallocs, 0);
}

/*
 * An exporter without hints (-EOPNOTSUPP in both namespaces): the MR is
 * registered without hints, holds no reference, and its faults never
 * re-check.
 * Kills: eopnotsupp_propagated and best_effort_fails_registration at the
 * level of the registration, st_held_always.
 */
static void mr_reg_exporter_without_hints(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr;
	struct ib_mr *ibmr;

	f->hint_ns = NS_BOTH;
	set_answer(f, NS_EXT, -EOPNOTSUPP, 0, 0);
	set_answer(f, NS_8BIT, -EOPNOTSUPP, 0, 0);
	ibmr = reg_mr(f, MLX5_MKC_ACCESS_MODE_MTT, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ibmr));
	mr = to_mmr(ibmr);
	KUNIT_EXPECT_EQ(test, f->st_refs, 0);
	KUNIT_EXPECT_FALSE(test, mr->dmabuf_st_held);
	KUNIT_EXPECT_EQ(test, key_st_index(f),
			MLX5_MKC_PCIE_TPH_NO_STEERING_TAG_INDEX);
	KUNIT_EXPECT_EQ(test, key_ph(f), 0);
	KUNIT_EXPECT_EQ(test, f->mkc_tph_en, 0);
	dereg_ok(test, f, mr);
	KUNIT_EXPECT_EQ(test, f->st_deallocs, 0);
}

/*
 * A pinned (data direct, KSM) registration has no invalidate callback and
 * so no mapping whose hints could be followed: the exporter is not asked,
 * the MR is published without the lock and populated through the KSM UMR.
 * Kills: pinned_asks_exporter.
 */
static void mr_reg_pinned(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr;
	struct ib_mr *ibmr;

	f->hint_ns = NS_BOTH;
	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, 0, 0x34, 2);
	f->alloc_used = MLX5_ST_NS_EXT_TPH;
	ibmr = reg_mr(f, MLX5_MKC_ACCESS_MODE_KSM, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ibmr));
	mr = to_mmr(ibmr);
	KUNIT_EXPECT_EQ(test, f->pinned_gets, 1);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 0);
	KUNIT_EXPECT_EQ(test, f->ns[NS_8BIT].calls, 0);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 0);
	KUNIT_EXPECT_EQ(test, f->maps, 0);
	KUNIT_EXPECT_EQ(test, key_st_index(f),
			MLX5_MKC_PCIE_TPH_NO_STEERING_TAG_INDEX);
	KUNIT_EXPECT_EQ(test, f->pop_key.vendor_key, 1);	/* KSM */
	KUNIT_EXPECT_TRUE(test, mr->data_direct);
	KUNIT_EXPECT_FALSE(test, mr->dmabuf_st_held);
	KUNIT_EXPECT_EQ(test, f->ksm_populates, 1);
	KUNIT_EXPECT_EQ(test, f->populates, 0);
	KUNIT_EXPECT_EQ(test, __mlx5_ib_dereg_mr(&mr->ibmr), 0);
	KUNIT_EXPECT_EQ(test, f->st_deallocs, 0);
	KUNIT_EXPECT_EQ(test, f->releases, 1);
}

/*
 * No mkey (the pool fails): the ST reference taken for the exporter's
 * hints is released, once, and so is the umem; nothing is published.
 * Kills: st_leak_on_mkey_error (an ST table entry leaks per failed
 * registration: the table fills up), umem_leak_on_mkey_error.
 */
static void mr_reg_mkey_error_releases_st(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct ib_mr *ibmr;

	f->hint_ns = NS_BOTH;
	set_answer(f, NS_EXT, 0, 0x1234, 2);
	set_answer(f, NS_8BIT, 0, 0x34, 1);
	f->alloc_used = MLX5_ST_NS_EXT_TPH;
	f->pop_err = -ENOMEM;
	ibmr = reg_mr(f, MLX5_MKC_ACCESS_MODE_MTT, NULL);
	KUNIT_EXPECT_TRUE(test, IS_ERR(ibmr));
	KUNIT_EXPECT_EQ(test, PTR_ERR(ibmr), -ENOMEM);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 1);
	KUNIT_EXPECT_EQ(test, f->st_refs, 0);
	KUNIT_EXPECT_EQ(test, f->st_deallocs, 1);
	KUNIT_EXPECT_EQ(test, f->releases, 1);
	KUNIT_EXPECT_NULL(test, f->umem_dmabuf->private);
	KUNIT_EXPECT_EQ(test, f->populates, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->mdev->priv.reg_pages), 0);
}

/*
 * An exporter error fails the registration before mlx5 core or the pool
 * are asked, and releases the umem; a positive PCIBIOS code from a config
 * access becomes -EIO (with a warning), never an ERR_PTR() that is no
 * error pointer.
 * Kills: positive_errno_err_ptr (the caller gets a bogus MR pointer),
 * map_error_leaks_umem.
 */
static void mr_reg_exporter_error(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct ib_mr *ibmr;

	f->hint_ns = NS_BOTH;
	set_answer(f, NS_EXT, -EIO, 0, 0);
	set_answer(f, NS_8BIT, 0, 0x34, 1);
	ibmr = reg_mr(f, MLX5_MKC_ACCESS_MODE_MTT, NULL);
	KUNIT_EXPECT_TRUE(test, IS_ERR(ibmr));
	KUNIT_EXPECT_EQ(test, PTR_ERR(ibmr), -EIO);
	KUNIT_EXPECT_EQ(test, f->warn_once, 0);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 0);
	KUNIT_EXPECT_EQ(test, f->pops, 0);
	KUNIT_EXPECT_EQ(test, f->releases, 1);
	KUNIT_EXPECT_FALSE(test, f->locked);

	set_answer(f, NS_EXT, FAKE_PCIBIOS_ERR, 0, 0);
	ibmr = reg_mr(f, MLX5_MKC_ACCESS_MODE_MTT, NULL);
	KUNIT_EXPECT_TRUE(test, IS_ERR(ibmr));
	KUNIT_EXPECT_EQ(test, PTR_ERR(ibmr), -EIO);
	KUNIT_EXPECT_EQ(test, f->warn_once, 1);
	KUNIT_EXPECT_EQ(test, f->alloc_calls, 0);
	KUNIT_EXPECT_EQ(test, f->pops, 0);
	KUNIT_EXPECT_EQ(test, f->releases, 2);
	KUNIT_EXPECT_EQ(test, f->st_refs, 0);
}

/*
 * A failure after the MR is published (the page fault EQ, the first
 * fault's UMR) unwinds through __mlx5_ib_dereg_mr(): the ST reference is
 * released exactly once, after the mkey is revoked.
 * Kills: double_release_on_late_error, dereg_leaks_st.
 */
static void mr_reg_late_error_unwinds_once(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct ib_mr *ibmr;

	f->hint_ns = NS_BOTH;
	set_answer(f, NS_EXT, 0, 0x1234, 2);
	f->alloc_used = MLX5_ST_NS_EXT_TPH;
	f->eq_err = -ENOMEM;
	ibmr = reg_mr(f, MLX5_MKC_ACCESS_MODE_MTT, NULL);
	KUNIT_EXPECT_TRUE(test, IS_ERR(ibmr));
	KUNIT_EXPECT_EQ(test, PTR_ERR(ibmr), -ENOMEM);
	KUNIT_EXPECT_EQ(test, f->revokes, 1);
	KUNIT_EXPECT_EQ(test, f->st_deallocs, 1);
	KUNIT_EXPECT_EQ(test, f->st_refs, 0);
	KUNIT_EXPECT_EQ(test, f->releases, 1);
	KUNIT_EXPECT_NULL(test, f->umem_dmabuf->private);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->mdev->priv.reg_pages), 0);

	f->eq_err = 0;
	f->populate_err = -EIO;
	ibmr = reg_mr(f, MLX5_MKC_ACCESS_MODE_MTT, NULL);
	KUNIT_EXPECT_TRUE(test, IS_ERR(ibmr));
	KUNIT_EXPECT_EQ(test, PTR_ERR(ibmr), -EIO);
	KUNIT_EXPECT_EQ(test, f->populates, 1);
	KUNIT_EXPECT_EQ(test, f->st_deallocs, 2);
	KUNIT_EXPECT_EQ(test, f->st_refs, 0);
	KUNIT_EXPECT_EQ(test, f->releases, 2);
	KUNIT_EXPECT_TRUE(test, xa_empty(&f->dev->odp_mkeys));
	KUNIT_EXPECT_EQ(test, atomic_read(&f->mdev->priv.reg_pages), 0);
}

/*
 * The mkey cannot be revoked into the pool: it is destroyed, and only then
 * is the ST index released.  If the destruction fails too, the mkey may
 * still send with the index: deregistration fails and keeps the reference
 * and the umem; a retry that destroys the mkey releases them, once.
 * Kills: dereg_release_before_destroy, dereg_release_before_revoke.
 */
static void mr_dereg_destroy_after_failed_revoke(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr = reg_hinted_mr(test, f);

	f->revoke_err = -EIO;
	f->destroy_err = -EBUSY;
	KUNIT_EXPECT_EQ(test, __mlx5_ib_dereg_mr(&mr->ibmr), -EBUSY);
	KUNIT_EXPECT_EQ(test, f->destroys, 1);
	KUNIT_EXPECT_EQ(test, f->st_deallocs, 0);
	KUNIT_EXPECT_EQ(test, f->st_refs, 1);
	KUNIT_EXPECT_EQ(test, f->releases, 0);
	KUNIT_EXPECT_FALSE(test, f->locked);

	dereg_ok(test, f, mr);
	KUNIT_EXPECT_EQ(test, f->destroys, 2);
	KUNIT_EXPECT_EQ(test, f->pushes, 0);
	KUNIT_EXPECT_EQ(test, f->drops, 1);
	KUNIT_EXPECT_EQ(test, f->st_deallocs, 1);
	KUNIT_EXPECT_EQ(test, f->releases, 1);
}

/*
 * An mkey revoked into the pool keeps the ST index in its context, and the
 * ST reference is released: the pool hands that mkey only to an MR with
 * the same key (the same index and PH), which holds its own reference.  An
 * MR with the same PH and another index (a DMAH's) gets another mkey.
 * Kills: key_st_index_dropped (the DMAH's MR gets the pooled mkey, whose
 * context names the exporter's released index), mkey_st_index_not_set.
 */
static void mr_reg_pooled_mkey_reuse(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr = reg_hinted_mr(test, f);
	struct ib_mr *ibmr;
	u32 handle = mr->mmkey.key;

	KUNIT_EXPECT_EQ(test, f->mkc_st_index, FAKE_INDEX);
	dereg_ok(test, f, mr);
	KUNIT_EXPECT_EQ(test, f->pooled, 1);

	f->dmah->st_index = DMAH_INDEX;
	f->dmah->ibdmah.ph = 2;
	f->dmah->ibdmah.valid_fields = BIT(IB_DMAH_CPU_ID_EXISTS) |
				       BIT(IB_DMAH_PH_EXISTS);
	ibmr = reg_mr(f, MLX5_MKC_ACCESS_MODE_MTT, &f->dmah->ibdmah);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ibmr));
	mr = to_mmr(ibmr);
	KUNIT_EXPECT_EQ(test, f->creates, 2);
	KUNIT_EXPECT_NE(test, mr->mmkey.key, handle);
	KUNIT_EXPECT_EQ(test, f->mkc_st_index, DMAH_INDEX);
	KUNIT_EXPECT_EQ(test, f->st_refs, 0);
	dereg_ok(test, f, mr);
	KUNIT_EXPECT_EQ(test, f->pooled, 2);

	/* The exporter's hints again: the pooled mkey, a new reference */
	mr = reg_hinted_mr(test, f);
	KUNIT_EXPECT_EQ(test, f->creates, 2);
	KUNIT_EXPECT_EQ(test, mr->mmkey.key, handle);
	KUNIT_EXPECT_EQ(test, f->st_refs, 1);
	dereg_ok(test, f, mr);
	KUNIT_EXPECT_EQ(test, f->st_deallocs, 2);
}

/* An invalidation by the exporter, under its reservation lock */
static void invalidate(struct mr_fake *f)
{
	fake_dma_resv_lock(&f->resv);
	mlx5_ib_dmabuf_invalidate_cb(&f->attach);
	fake_dma_resv_unlock(&f->resv);
}

/*
 * A page fault after an invalidation (pagefault_mr() as the page fault
 * handler calls it) maps again and re-checks the hints: the same answer
 * populates the mkey; a changed answer or an exporter error fails the
 * fault, unmaps and leaves the mkey unpopulated, with its page shift.
 * Kills: fault_recheck_skipped (the mkey is populated with a mapping whose
 * steering tag changed), fault_error_ignored.
 */
static void mr_fault_after_invalidation(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr = reg_hinted_mr(test, f);
	unsigned int page_shift = mr->page_shift;
	u32 bytes = 0;

	invalidate(f);
	KUNIT_EXPECT_EQ(test, f->zaps, 1);
	KUNIT_EXPECT_NULL(test, f->umem_dmabuf->sgt);

	KUNIT_EXPECT_EQ(test, pagefault_mr(mr, MR_IOVA, PAGE_SIZE, &bytes, 0,
					   false), MR_PAGES);
	KUNIT_EXPECT_EQ(test, bytes, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, f->maps, 2);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 2);
	KUNIT_EXPECT_EQ(test, f->populates, 2);
	KUNIT_EXPECT_EQ(test, f->populate_flags, 0);
	KUNIT_EXPECT_NOT_NULL(test, f->umem_dmabuf->sgt);

	invalidate(f);
	set_answer(f, NS_EXT, 0, 0x1235, 2);
	KUNIT_EXPECT_EQ(test, pagefault_mr(mr, MR_IOVA, PAGE_SIZE, &bytes, 0,
					   false), -ESTALE);
	KUNIT_EXPECT_EQ(test, f->maps, 3);
	KUNIT_EXPECT_EQ(test, f->unmaps, 3);
	KUNIT_EXPECT_NULL(test, f->umem_dmabuf->sgt);
	KUNIT_EXPECT_EQ(test, f->populates, 2);
	KUNIT_EXPECT_EQ(test, mr->page_shift, page_shift);
	KUNIT_EXPECT_EQ(test, bytes, PAGE_SIZE);

	set_answer(f, NS_EXT, -EIO, 0, 0);
	KUNIT_EXPECT_EQ(test, pagefault_mr(mr, MR_IOVA, PAGE_SIZE, &bytes, 0,
					   false), -EIO);
	KUNIT_EXPECT_EQ(test, f->unmaps, 4);
	KUNIT_EXPECT_NULL(test, f->umem_dmabuf->sgt);
	KUNIT_EXPECT_EQ(test, f->populates, 2);

	/* The exporter answers as at registration again */
	set_answer(f, NS_EXT, 0, 0x1234, 2);
	KUNIT_EXPECT_EQ(test, pagefault_mr(mr, MR_IOVA, PAGE_SIZE, NULL, 0,
					   false), MR_PAGES);
	KUNIT_EXPECT_EQ(test, f->populates, 3);
	KUNIT_EXPECT_FALSE(test, f->locked);
	dereg_ok(test, f, mr);
	KUNIT_EXPECT_EQ(test, f->st_deallocs, 1);
}

/*
 * A prefetch (pagefault_mr() as the advise_mr prefetch calls it) while the
 * mapping the mkey uses is in place keeps it: no unmap, no new question to
 * the exporter, even if its answer changed without an invalidation (the
 * next invalidation makes the next fault re-check).
 * Kills: prefetch_unmaps_live_mapping (the mkey is left pointing at an
 * unmapped buffer, without a zap), check_existing_mapping.
 */
static void mr_prefetch_keeps_live_mapping(struct kunit *test)
{
	struct mr_fake *f = test->priv;
	struct mlx5_ib_mr *mr = reg_hinted_mr(test, f);

	set_answer(f, NS_EXT, 0, 0x4321, 0);
	KUNIT_EXPECT_EQ(test, pagefault_mr(mr, MR_IOVA, MR_LEN, NULL, 0, true),
			MR_PAGES);
	KUNIT_EXPECT_EQ(test, f->unmaps, 0);
	KUNIT_EXPECT_EQ(test, f->maps, 1);
	KUNIT_EXPECT_EQ(test, f->ns[NS_EXT].calls, 1);
	KUNIT_EXPECT_EQ(test, f->populates, 2);
	KUNIT_EXPECT_PTR_EQ(test, f->umem_dmabuf->sgt, &f->sgt);
	dereg_ok(test, f, mr);
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
	KUNIT_CASE(mr_reg_dereg_exporter_hints),
	KUNIT_CASE(mr_reg_dmah_cpu_tag),
	KUNIT_CASE(mr_reg_dmah_ph),
	KUNIT_CASE(mr_reg_no_hint_namespaces),
	KUNIT_CASE(mr_reg_exporter_without_hints),
	KUNIT_CASE(mr_reg_pinned),
	KUNIT_CASE(mr_reg_mkey_error_releases_st),
	KUNIT_CASE(mr_reg_exporter_error),
	KUNIT_CASE(mr_reg_late_error_unwinds_once),
	KUNIT_CASE(mr_dereg_destroy_after_failed_revoke),
	KUNIT_CASE(mr_reg_pooled_mkey_reuse),
	KUNIT_CASE(mr_fault_after_invalidation),
	KUNIT_CASE(mr_prefetch_keeps_live_mapping),
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
