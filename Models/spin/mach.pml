/*
 * mach.pml: the Promela twin of Models/MachWireCoalesce.swift (seed 004).
 * Same threads, steps and guards; see the Swift file's header. The map's
 * entries are kept per page: eid[p] is the id (object) of the entry that
 * covers page p, so an entry is a run of equal ids, coalescing relabels the
 * next entry's pages and clipping gives part of a run a fresh id. Region A
 * (wired by W) is page 0, region B (unwired by U) is page 1, D is page 2.
 * Variants, as -D flags to `spin -a`:
 *   (none)        preFix
 *   -DFIXED       entries marked in_transition while the map is unlocked
 *   -DNO_COALESCE control: no coalescing thread
 *   -DFAST_ONLY   control: vm_fault_wire_fast never gives up
 *   -DNO_UNWIRE   control: no unwiring thread
 * Deadlocks are invalid end states; no end labels are used (every thread
 * must finish). The fix's asserts are Promela asserts.
 */

#define NPAGES 3
#define NIDS 4
#define A_END 1      /* region A = [0, 1) */
#define B_START 1    /* region B = [1, 2) */
#define B_END 2
#define NOBODY 0
#define TW 1
#define TU 2
#define TC 3
#define NOWAKE 9     /* U's marker: it went to sleep in vm_map_entry_wait */

byte eid[NPAGES];
byte wired[NIDS];
bool intrans[NIDS];
bool wake[NIDS];
bool busy[NPAGES];
byte writer;         /* 0: free; else the thread holding the write lock */
byte readers;

#define LOCKFREE (writer == NOBODY && readers == 0)

/* The smallest id not used by any page. */
inline freshId(id) {
  id = 0;
  do
  :: id == eid[0] || id == eid[1] || id == eid[2] -> id++
  :: else -> break
  od
}

/* Copy the attributes of entry `from` to the new entry `to`. */
inline copyEntry(from, to) {
  wired[to] = wired[from]; intrans[to] = intrans[from]; wake[to] = wake[from]
}

/* vm_map_clip_start at page boundary a (0 < a < NPAGES): the part below a
 * gets a new entry; the original keeps the part from a on. */
inline clipStart(a, id, p) {
  if
  :: eid[a - 1] == eid[a] ->
     freshId(id); copyEntry(eid[a], id);
     p = 0;
     do
     :: p < a -> if :: eid[p] == eid[a] -> eid[p] = id :: else -> skip fi; p++
     :: else -> break
     od
  :: else -> skip
  fi
}

/* vm_map_clip_end at page boundary a: the part from a on gets a new entry. */
inline clipEnd(a, id, p) {
  if
  :: a < NPAGES && eid[a - 1] == eid[a] ->
     freshId(id); copyEntry(eid[a - 1], id);
     p = a;
     do
     :: p < NPAGES -> if :: eid[p] == eid[a - 1] -> eid[p] = id :: else -> skip fi; p++
     :: else -> break
     od
  :: else -> skip
  fi
}

#define CANCOALESCE(b) (eid[b - 1] != eid[b] && wired[eid[b - 1]] == wired[eid[b]] \
                        && !intrans[eid[b - 1]] && !intrans[eid[b]])

/* vm_map_coalesce_entry(prev, entry) at boundary b: prev absorbs entry. */
inline coalesce(b, p, gone) {
  gone = eid[b];
  p = b;
  do
  :: p < NPAGES -> if :: eid[p] == gone -> eid[p] = eid[b - 1] :: else -> skip fi; p++
  :: else -> break
  od;
  wired[gone] = 0; intrans[gone] = 0; wake[gone] = 0; gone = 0; p = 0
}

proctype W() {
  byte ref, startRef, va, wend, id, p;
  atomic { LOCKFREE -> writer = TW };                          /* vm_map_lock */
  d_step {                                                     /* wired_count++ (fixed: in_transition) */
    clipEnd(A_END, id, p);
    startRef = eid[0];
    wired[startRef]++;
#ifdef FIXED
    assert(!intrans[startRef]);
    intrans[startRef] = 1; wake[startRef] = 0;
#endif
    id = 0; p = 0
  };
  atomic { writer = NOBODY; ref = startRef };                  /* vm_map_unlock (trust me) */
faultwire:
  atomic {                                                     /* vm_fault_wire: read entry bounds (a jump target) */
    (eid[0] == ref || eid[1] == ref || eid[2] == ref) ->
    va = 0;
    do :: eid[va] != ref -> va++ :: else -> break od;
    wend = va;
    do :: wend < NPAGES && eid[wend] == ref -> wend++ :: else -> break od
  };
  do
  :: va < wend ->
     if
     :: atomic { !busy[va] -> busy[va] = 1 };                  /* vm_fault_wire_fast: set busy */
        atomic { busy[va] = 0; va++ }                          /* wire, PAGE_WAKEUP_DONE */
#ifndef FAST_ONLY
     :: atomic { writer == NOBODY -> skip };                   /* vm_map_lookup (read lock, unlock) */
        atomic { !busy[va] -> busy[va] = 1 };                  /* vm_fault_page: set busy */
        atomic { writer == NOBODY -> readers++ };              /* vm_map_verify: read lock, busy held */
        atomic { readers--; busy[va] = 0; va++ }               /* wire, verify_done, PAGE_WAKEUP_DONE */
#endif
     fi
  :: else -> break
  od;
  atomic {                                                     /* entry = entry->vme_next (atomic: it may jump back) */
    (eid[0] == ref || eid[1] == ref || eid[2] == ref) ->
    p = 0;
    do :: p < NPAGES && eid[p] != ref -> p++ :: else -> break od;
    do :: p < NPAGES && eid[p] == ref -> p++ :: else -> break od;
    if
    :: p < A_END -> ref = eid[p]; p = 0; va = 0; wend = 0; goto faultwire
    :: else -> ref = 0; p = 0; va = 0; wend = 0
    fi
  };
  d_step {                                                     /* vm_map_lock (fixed: clear) */
    LOCKFREE -> writer = TW;
#ifdef FIXED
    p = 0;
    do :: p < NPAGES && eid[p] == startRef -> p++ :: else -> break od;
    if
    :: p <= A_END && eid[0] == startRef ->
       assert(intrans[startRef]);
       intrans[startRef] = 0;
       assert(!wake[startRef])
    :: else -> skip
    fi;
    p = 0
#endif
  };
  atomic { writer = NOBODY }                                   /* vm_map_unlock */
}

proctype U() {
  byte upage, id, p;
retry:
  atomic { LOCKFREE -> writer = TU };                          /* vm_map_lock */
  d_step {                                                     /* clip, wired_count-- */
    if
    :: intrans[eid[B_START]] ->                                /* vm_map_entry_wait */
       wake[eid[B_START]] = 1; writer = NOBODY; upage = NOWAKE
    :: else ->
       clipStart(B_START, id, p);
       clipEnd(B_END, id, p);
       wired[eid[B_START]]--;
       if
       :: wired[eid[B_START]] == 0 -> upage = B_START
       :: else -> upage = B_END
       fi;
       id = 0; p = 0
    fi
  };
  if
  :: upage == NOWAKE -> goto waiting
  :: else -> skip
  fi;
  do
  :: upage < B_END -> atomic { !busy[upage] -> upage++ }       /* vm_fault_unwire: waits for !busy */
  :: else -> break
  od;
  atomic { writer = NOBODY };                                  /* vm_map_unlock */
  goto finished;
waiting:
  atomic { !intrans[eid[B_START]] -> upage = 0 };              /* woken: retry */
  goto retry;
finished:
  skip
}

proctype C() {
  byte p, gone;
  atomic { LOCKFREE -> writer = TC };                          /* vm_map_lock */
  if
  :: d_step { CANCOALESCE(1) -> coalesce(1, p, gone) }         /* vm_map_coalesce_entry(#0, #1) */
  :: d_step { CANCOALESCE(2) -> coalesce(2, p, gone) }         /* vm_map_coalesce_entry(#1, #2) */
  :: atomic { !CANCOALESCE(1) && !CANCOALESCE(2) -> skip }     /* nothing to coalesce */
  fi;
  atomic { writer = NOBODY }                                   /* vm_map_unlock */
}

init {
  d_step {
    eid[0] = 0; eid[1] = 1; eid[2] = 2;
    wired[0] = 0; wired[1] = 1; wired[2] = 1;
  };
  atomic {
    run W();
#ifndef NO_UNWIRE
    run U();
#endif
#ifndef NO_COALESCE
    run C();
#endif
  }
}
