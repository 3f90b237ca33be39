/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io_pagetable: the IOVA -> pinned user memory map of one IOAS, and the
 * pages objects (pinned, accounted user memory) it is built from. See the
 * design notes at the top of io_pagetable.c and pages.c.
 *
 * Terms: "last" is inclusive, "end" is exclusive; "index" counts PAGE_SIZE
 * pages from the start of a pages object; "byte" offsets are from the
 * page-aligned start of a pages object.
 */
#ifndef XIOMMU_IO_PAGETABLE_H
#define XIOMMU_IO_PAGETABLE_H

#include <linux/interval_tree.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct mm_struct;
struct page;
struct task_struct;
struct user_struct;
struct xiommu_domain;

/**
 * enum xiommu_account_mode - where pinned pages are charged
 * @XIOMMU_ACCOUNT_NONE: not charged (the mapper had CAP_IPC_LOCK)
 * @XIOMMU_ACCOUNT_USER: user->locked_vm against RLIMIT_MEMLOCK (default)
 * @XIOMMU_ACCOUNT_MM: mm->locked_vm against RLIMIT_MEMLOCK (VFIO type1's
 *	way, IOMMU_OPTION_RLIMIT_MODE 1)
 */
enum xiommu_account_mode {
	XIOMMU_ACCOUNT_NONE,
	XIOMMU_ACCOUNT_USER,
	XIOMMU_ACCOUNT_MM,
};

/* Objects of at most this many pages keep their page pointers inline. */
#define XIOMMU_PAGES_SMALL	4

/**
 * struct xiommu_pages - user memory, pinned while someone needs it
 * @kref: one reference per area using the pages, plus temporary ones
 * @mutex: protects @chunks, @npinned and @users_itree; nests inside the
 *	iopt locks and outside mmap_lock
 * @uptr: page-aligned user address of index 0
 * @npages: number of PAGE_SIZE pages
 * @chunks: page pointers, XIOMMU_PAGES_CHUNK per entry (entry c holds
 *	indexes [c * XIOMMU_PAGES_CHUNK, ...]); an entry exists while
 *	@users_itree covers one of its indexes, and pointer i is valid while
 *	index i is covered (see pages.c, "Memory bounds"); unused when
 *	@npages <= XIOMMU_PAGES_SMALL
 * @small: the page pointers of an object of at most XIOMMU_PAGES_SMALL
 *	pages (the per-call 4 KiB map: no chunk to allocate, store, erase
 *	and free), same validity rule as @chunks
 * @npinned: pages pinned (and charged) now
 * @users_itree: index ranges [start, last] somebody needs pinned (an area
 *	mirrored by at least one domain, an access object's pin); an index is
 *	pinned exactly once while at least one range covers it
 * @access_itree: struct xiommu_pages_access, the ranges access objects
 *	pinned, each once however often it was pinned
 * @writable: pinned with FOLL_WRITE; areas may map it writeable
 * @account_mode: where pinned pages are charged (fixed at creation)
 * @source_task: task whose RLIMIT_MEMLOCK applies (reference held)
 * @source_user: user charged in XIOMMU_ACCOUNT_USER mode (reference held)
 * @source_mm: address space the pages come from (mmgrab() held); charged
 *	in XIOMMU_ACCOUNT_MM mode, and its pinned_vm shows the pins
 * @pfns: NULL, or for VM_PFNMAP memory (src/iommufd/pages_pfnmap.c) the @npages
 *	PFNs resolved at creation; such an object never pins, never charges
 *	and leaves @pages NULL
 * @file: NULL, or for IOMMU_IOAS_MAP_FILE (src/iommufd/pages_file.c) the
 *	shmem or hugetlbfs file the pages come from (reference held); @uptr
 *	is then NULL and index i is the page at file offset
 *	@file_start + i * PAGE_SIZE
 * @file_start: page-aligned file offset of index 0 (with @file)
 * @first_area: NULL, or zeroed memory for one struct xiommu_area allocated
 *	together with the object (xiommu_pages_alloc()): the first
 *	xiommu_iopt_map_slices() of the object takes it, before the object
 *	is published (nobody else can see it yet), and gives it back if it
 *	fails, so a per-call IOAS_MAP makes one allocation, not two. That
 *	area is freed with the object (area->in_pages), never on its own;
 *	non-NULL only while the object is private to its creator
 */
struct xiommu_pages {
	struct kref kref;
	struct mutex mutex;
	void __user *uptr;
	unsigned long npages;
	struct xarray chunks;
	struct page *small[XIOMMU_PAGES_SMALL];
	unsigned long npinned;
	struct rb_root_cached users_itree;
	struct rb_root_cached access_itree;
	bool writable;
	enum xiommu_account_mode account_mode;
	struct task_struct *source_task;
	struct user_struct *source_user;
	struct mm_struct *source_mm;
	unsigned long *pfns;
	struct file *file;
	unsigned long file_start;
	struct xiommu_area *first_area;
};

struct xiommu_pages *xiommu_pages_alloc(void __user *uptr,
					unsigned long length, bool writable,
					enum xiommu_account_mode mode);
void xiommu_pages_put(struct xiommu_pages *pages);
int xiommu_pages_add_user(struct xiommu_pages *pages,
			  struct interval_tree_node *node,
			  unsigned long first, unsigned long last);
void xiommu_pages_remove_user(struct xiommu_pages *pages,
			      struct interval_tree_node *node);

/* pages_pfnmap.c: VM_PFNMAP memory for the VFIO type1 paths */
struct xiommu_pages *xiommu_pages_alloc_pfnmap(void __user *uptr,
					       unsigned long length,
					       bool writable,
					       enum xiommu_account_mode mode);
int xiommu_pfnmap_add_user(struct xiommu_pages *pages,
			   struct interval_tree_node *node,
			   unsigned long first, unsigned long last);
void xiommu_pfnmap_remove_user(struct xiommu_pages *pages,
			       struct interval_tree_node *node);
int xiommu_pfnmap_map_domain(struct xiommu_pages *pages,
			     unsigned long start_byte, unsigned long length,
			     struct xiommu_domain *domain, unsigned long iova,
			     int prot, bool small_pages);

/* pages_file.c: memory files for IOMMU_IOAS_MAP_FILE */
struct xiommu_pages *xiommu_pages_alloc_file(struct file *file,
					     unsigned long start,
					     unsigned long length,
					     bool writable,
					     enum xiommu_account_mode mode);
void xiommu_pages_file_release(struct xiommu_pages *pages);
int xiommu_pages_move_to_current(struct xiommu_pages **v, unsigned long n);
long xiommu_file_pin(struct xiommu_pages *pages, unsigned long index,
		     unsigned long n, struct page **out);
int xiommu_file_rw(struct xiommu_pages *pages, unsigned long start_byte,
		   void *data, unsigned long length, bool write);

static inline void xiommu_pages_get(struct xiommu_pages *pages)
{
	kref_get(&pages->kref);
}

/**
 * struct xiommu_pages_access - an index range pinned for access objects
 * @access_node: [first, last] in pages->access_itree
 * @user_node: the same range in pages->users_itree (keeps it pinned)
 * @users: pins of exactly this range not yet undone (pages->mutex)
 */
struct xiommu_pages_access {
	struct interval_tree_node access_node;
	struct interval_tree_node user_node;
	unsigned int users;
};

int xiommu_pages_access_pin(struct xiommu_pages *pages,
			    unsigned int *area_count, unsigned long first,
			    unsigned long last, struct page **out_pages);
void xiommu_pages_access_unpin(struct xiommu_pages *pages,
			       unsigned int *area_count, unsigned long first,
			       unsigned long last);
int xiommu_pages_test_set(struct xiommu_pages *pages, struct page **kpages);
int xiommu_pages_rw(struct xiommu_pages *pages, unsigned long start_byte,
		    void *data, unsigned long length, unsigned int flags);
unsigned long xiommu_pin_batch(void);

int xiommu_pages_map_domain(struct xiommu_pages *pages,
			    unsigned long start_byte, unsigned long length,
			    struct xiommu_domain *domain, unsigned long iova,
			    int prot, bool small_pages);

/**
 * struct xiommu_iopt - IOVA map of one IOAS
 * @domains_rwsem: write side: the domain list changes (and every domain is
 *	being filled or emptied); read side: held by map and unmap while they
 *	change the domains' contents. Outside @iova_rwsem.
 * @iova_rwsem: protects @area_itree, @reserved_itree, @allowed_itree,
 *	@iova_alignment and @disable_large_pages
 * @area_itree: struct xiommu_area by IOVA (no two areas overlap)
 * @reserved_itree: struct xiommu_reserved: IOVA that must never be mapped
 *	(outside attached apertures, device reserved regions); may overlap
 *	each other, never an area
 * @allowed_itree: struct xiommu_allowed (IOMMU_IOAS_ALLOW_IOVAS); empty
 *	means everything is allowed; never overlaps a reserved range
 * @domains: struct xiommu_iopt_domain, every domain mirroring the map
 *	(@domains_rwsem)
 * @iova_alignment: power of two every IOVA, length and page offset must
 *	be a multiple of: 1, or the largest smallest-IOPTE size of @domains
 * @disable_large_pages: map PAGE_SIZE IOPTEs only (IOMMU_OPTION_HUGE_PAGES)
 * @access_list: struct xiommu_access objects attached to the IOAS, by an id
 *	private to this map (its xa_lock)
 * @pin_accesses: attached accesses that pin pages; while any is attached
 *	the alignment is at least PAGE_SIZE (both rwsems, write)
 *
 * Lock order: domains_rwsem -> iova_rwsem -> pages->mutex. Domain
 * map/unmap (driver ops) run under them; nothing else nests inside. Access
 * objects' unmap callbacks run with none of them held.
 */
struct xiommu_iopt {
	struct rw_semaphore domains_rwsem;
	struct rw_semaphore iova_rwsem;
	struct rb_root_cached area_itree;
	struct rb_root_cached reserved_itree;
	struct rb_root_cached allowed_itree;
	struct list_head domains;
	unsigned long iova_alignment;
	bool disable_large_pages;
	struct xarray access_list;
	unsigned int pin_accesses;
};

/**
 * struct xiommu_area - one mapping: a slice of a pages object at an IOVA
 * @node: IOVA [start, last] in iopt->area_itree
 * @pages: the memory (reference held), NULL while the mapping is still
 *	being created (the IOVA is reserved but not yet usable)
 * @start_byte: byte offset of the area's first byte in @pages
 * @prot: XIOMMU_READ/WRITE/CACHE for every domain
 * @pages_node: page index range in pages->users_itree while @filled
 * @filled: the area's pages are pinned for (and mapped into) the iopt's
 *	domains; true exactly while the iopt has a domain
 * @num_accesses: access-object pins of this area not yet undone; changed
 *	with iopt->iova_rwsem held for reading and pages->mutex, so either
 *	pages->mutex or iova_rwsem held for writing reads it; an unmap asks
 *	the accesses to unpin first
 * @prevent_access: an unmap is waiting for the accesses to unpin: no new
 *	access pin or read/write of the area (iova_rwsem)
 * @free_item: link in a private list once removed from the tree
 * @in_pages: the area's memory is part of its pages object's allocation
 *	(pages->first_area): freed when the object is, never with kfree()
 */
struct xiommu_area {
	struct interval_tree_node node;
	struct xiommu_pages *pages;
	unsigned long start_byte;
	int prot;
	struct interval_tree_node pages_node;
	bool filled;
	unsigned int num_accesses;
	bool prevent_access;
	struct list_head free_item;
	bool in_pages;
};

static inline unsigned long xiommu_area_length(struct xiommu_area *area)
{
	return area->node.last - area->node.start + 1;
}

/**
 * struct xiommu_reserved - an IOVA range nothing may be mapped at
 * @node: IOVA [start, last] in iopt->reserved_itree
 * @owner: who reserved it (a domain for its aperture, a device object for
 *	its reserved regions); removed by owner
 */
struct xiommu_reserved {
	struct interval_tree_node node;
	void *owner;
};

/**
 * struct xiommu_allowed - an IOVA range user space asked to keep usable
 * @node: IOVA [start, last] in iopt->allowed_itree
 */
struct xiommu_allowed {
	struct interval_tree_node node;
};

/**
 * struct xiommu_iopt_domain - a domain mirroring an iopt
 * @node: link in iopt->domains
 * @domain: the paging domain
 */
struct xiommu_iopt_domain {
	struct list_head node;
	struct xiommu_domain *domain;
};

/* Flags of xiommu_iopt_map_pages() */
#define XIOMMU_IOPT_ALLOC_IOVA	BIT(0)	/* choose the IOVA (else fixed) */
#define XIOMMU_IOPT_PFNMAP	BIT(1)	/* map_user: accept VM_PFNMAP (type1) */

void xiommu_iopt_init(struct xiommu_iopt *iopt);
void xiommu_iopt_destroy(struct xiommu_iopt *iopt);

int xiommu_iopt_map_file(struct xiommu_iopt *iopt, unsigned long *iova,
			 struct file *file, unsigned long start,
			 unsigned long length, int prot, unsigned int flags,
			 enum xiommu_account_mode mode);
int xiommu_iopt_map_user(struct xiommu_iopt *iopt, unsigned long *iova,
			 void __user *uptr, unsigned long length, int prot,
			 unsigned int flags, enum xiommu_account_mode mode);
int xiommu_iopt_unmap(struct xiommu_iopt *iopt, unsigned long iova,
		      unsigned long length, unsigned long *unmapped);
int xiommu_iopt_unmap_all(struct xiommu_iopt *iopt, unsigned long *unmapped);
int xiommu_iopt_cut_iova(struct xiommu_iopt *iopt, unsigned long *iovas,
			 size_t num_iovas);

int xiommu_iopt_add_access(struct xiommu_iopt *iopt, void *access,
			   bool pins, u32 *id);
void xiommu_iopt_remove_access(struct xiommu_iopt *iopt, u32 id, bool pins);
int xiommu_iopt_access_pin(struct xiommu_iopt *iopt, unsigned long iova,
			   unsigned long last, struct page **out_pages,
			   bool write);
void xiommu_iopt_access_unpin(struct xiommu_iopt *iopt, unsigned long iova,
			      unsigned long last);
int xiommu_iopt_access_rw(struct xiommu_iopt *iopt, unsigned long iova,
			  void *data, unsigned long length, unsigned int flags);
unsigned long xiommu_iopt_pgsizes(struct xiommu_iopt *iopt);
unsigned long xiommu_iopt_nth_area_iova(struct xiommu_iopt *iopt,
					unsigned int nth);
/* access.c: ask every access of @iopt to unpin [iova, iova + length) */
void xiommu_access_notify_unmap(struct xiommu_iopt *iopt, unsigned long iova,
				unsigned long length);

/**
 * struct xiommu_pages_slice - a piece of memory to map (IOMMU_IOAS_COPY)
 * @next: link in the caller's list
 * @pages: the pages (reference held by the slice)
 * @start_byte: first byte in @pages
 * @length: bytes
 * @area: the area being created for the slice (xiommu_iopt_map_slices())
 */
struct xiommu_pages_slice {
	struct list_head next;
	struct xiommu_pages *pages;
	unsigned long start_byte;
	unsigned long length;
	struct xiommu_area *area;
};

int xiommu_iopt_get_slices(struct xiommu_iopt *iopt, unsigned long iova,
			   unsigned long length, struct list_head *slices);
void xiommu_iopt_free_slices(struct list_head *slices);
int xiommu_iopt_map_slices(struct xiommu_iopt *iopt, struct list_head *slices,
			   unsigned long length, unsigned long *iova, int prot,
			   unsigned int flags);

int xiommu_iopt_add_domain(struct xiommu_iopt *iopt,
			   struct xiommu_domain *domain);
void xiommu_iopt_remove_domain(struct xiommu_iopt *iopt,
			       struct xiommu_domain *domain);

int xiommu_iopt_reserve_dev_regions(struct xiommu_iopt *iopt,
				    struct device *dev, void *owner);
int xiommu_iopt_reserve_range(struct xiommu_iopt *iopt, unsigned long start,
			      unsigned long last, void *owner);
void xiommu_iopt_remove_reserved(struct xiommu_iopt *iopt, void *owner);
int xiommu_iopt_set_allowed(struct xiommu_iopt *iopt,
			    struct rb_root_cached *allowed);
int xiommu_iopt_set_large_pages(struct xiommu_iopt *iopt, bool enable);

/**
 * struct xiommu_iova_hole_iter - walk the values not covered by up to two
 *	interval trees (IOVAs, or page indexes of a pages object)
 * @trees: interval trees whose nodes are "used"; a NULL entry is skipped
 * @cur: next IOVA to look at
 * @last: last IOVA of the walk (inclusive)
 * @done: the walk is over
 * @start_hole: out: first IOVA of the current hole
 * @last_hole: out: last IOVA of the current hole
 */
struct xiommu_iova_hole_iter {
	struct rb_root_cached *trees[2];
	unsigned long cur;
	unsigned long last;
	bool done;
	unsigned long start_hole;
	unsigned long last_hole;
};

bool xiommu_iova_hole_first(struct xiommu_iova_hole_iter *iter,
			    struct rb_root_cached *t1,
			    struct rb_root_cached *t2, unsigned long first,
			    unsigned long last);
bool xiommu_iova_hole_next(struct xiommu_iova_hole_iter *iter);

#define for_each_xiommu_iova_hole(iter, t1, t2, first, last)		\
	for (bool __more = xiommu_iova_hole_first(iter, t1, t2, first, last); \
	     __more; __more = xiommu_iova_hole_next(iter))

#endif /* XIOMMU_IO_PAGETABLE_H */
