// SPDX-License-Identifier: GPL-2.0
// Benchmark twin of zcrxlint's ZCX101/ZCX102/ZCX103/ZCX106: every access,
// through an expression of type struct page_pool *, to a page_pool field that
// rules/page_pool.toml marks `private` or `alloc-cache` (read or written), and
// every write to a field providers may only read (`public-param`,
// `historic-param`, `provider-context`, `readable-flag`).
// Each match prints one line `path:line:field` on stdout.
//
// Run from the top of a kernel tree:
//   spatch --sp-file bench/pp_private_fields.cocci --dir <dir> -j 2 --very-quiet --local-includes
//
// Flags:
//   --local-includes  (spatch's default, given for clarity) parses the headers a
//       .c file includes with quotes (e.g. "bnxt.h"). The typed metavariable
//       only matches an expression whose type spatch knows, and in drivers the
//       pool is nearly always a member of a driver struct, such as
//       rxr->page_pool. --no-includes saves only about 1 s on drivers/net
//       (4.7 s against about 6 s) but finds nothing there. It finds the same
//       matches in net/, where pools are parameters or locals.
//       (A const struct page_pool * is matched too, e.g. in net/core/xdp.c.)
//       --all-includes -I include ... also types struct page->pp and the like.
//       It takes 3x longer and on 6.12 finds nothing more in .c files (only
//       hits inside include/net/page_pool/helpers.h, which page_pool owns).
//   no --include-headers: headers under net/ and drivers/net have no such
//       access (checked), and header hits would be reported once per includer.
//   spatch's token prefilter does the rest: a file is only parsed if it
//       contains the token page_pool, which the typed metavariable requires.
//       --disable-worth-trying-opt gives the same matches on drivers/net in
//       184 s instead of 6 s.
//   --use-coccigrep (optional) uses that prefilter without spatch first trying
//       git, which prints "fatal: not a git repository" outside a checkout.
// Not modelled (zcrxlint does these): the owner_files exemption, the
// alloc_netmems-path exemption for alloc.* reads/pops, ZCX106's restriction
// to provider files, sizeof(pp->x), and guessing the type from names.

@initialize:python@
@@
import sys

def report(pos, field):
    # one write(2) per line: -j 2 workers share stdout
    sys.stdout.write("%s:%s:%s\n" % (pos[0].file, pos[0].line, field))
    sys.stdout.flush()

// 1. private fields: any read or write (ZCX101)
@priv@
struct page_pool *pp;
identifier fld = {pages_state_hold_cnt, pages_state_release_cnt, ring,
                  recycle_stats, alloc_stats, frag_users, frag_page,
                  frag_offset, slow, xdp_mem_id, user, user_cnt, destroy_cnt,
                  release_dw, disconnect, defer_start, defer_warn, cpuid,
                  has_init_callback, system, dma_mapped};
position pos;
@@
pp->fld@pos

@script:python@
pos << priv.pos;
fld << priv.fld;
@@
report(pos, fld)

// 2. the alloc cache: any read or write (ZCX102 writes, ZCX103 reads)
@cache@
struct page_pool *pp;
identifier fld = {cache, count};
position pos;
@@
pp->alloc.fld@pos

@script:python@
pos << cache.pos;
fld << cache.fld;
@@
report(pos, "alloc." + fld)

// 3. pool parameters, read-only: assigned, ++/--, or address taken (ZCX106)
@param_write@
struct page_pool *pp;
identifier fld = {order, dev, dma_dir, offset, max_len, napi, nid, pool_size};
assignment operator aop;
expression E;
position pos;
@@
(
 pp->p.fld@pos aop E
|
 pp->p.fld@pos ++
|
 pp->p.fld@pos --
|
 ++pp->p.fld@pos
|
 --pp->p.fld@pos
|
 &pp->p.fld@pos
)

@script:python@
pos << param_write.pos;
fld << param_write.fld;
@@
report(pos, "p." + fld)

// 4. the other read-only fields and the whole pp->p, written (ZCX106)
@ro_write@
struct page_pool *pp;
identifier fld = {p, mp_priv, mp_ops, dma_map};
assignment operator aop;
expression E;
position pos;
@@
(
 pp->fld@pos aop E
|
 pp->fld@pos ++
|
 pp->fld@pos --
|
 ++pp->fld@pos
|
 --pp->fld@pos
|
 &pp->fld@pos
)

@script:python@
pos << ro_write.pos;
fld << ro_write.fld;
@@
report(pos, fld)
