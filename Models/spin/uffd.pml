/*
 * uffd.pml: the Promela twin of Models/UFFDStopTheWorld.swift (seed 003).
 * Same actors, same steps, same guards; see the Swift file's header for
 * what each stands for. Variants, as -D flags to `spin -a`:
 *   (none)               preFix: plain load, barrier-gated child handler
 *   -DFIXED              fixed: entersyscall + madvise(MADV_POPULATE_READ)
 *   -DINRUNTIME_HANDLER  the handler is a goroutine of this runtime (needs a P);
 *                        G2 is then a second reader of a second page
 *   -DNO_GC              control: no GC trigger goroutine
 *   -DNO_BARRIER         control: the child serves at once
 * Deadlocks are SPIN's invalid end states. The only end labels are on the
 * scheduler's loop, the child handler's loop and the handler goroutine's
 * loop: those three serve requests and may legitimately wait for ever;
 * every goroutine of the test must run to its closing brace. No loop has an
 * always-executable branch, so no idle step can hide a deadlock.
 */

#define NP 3
#define RUNNING  1
#define RUNNABLE 2
#define WAITING  3
#define SYSCALL  4
#define DEAD     5
#define P_IDLE    0
#define P_HELD    1
#define P_SYSCALL 2
#define P_GCSTOP  3
#define NONE 255

#ifdef INRUNTIME_HANDLER
#define NPAGES 2
#else
#define NPAGES 1
#endif

#ifdef NO_GC
#define GCG 254
#ifdef INRUNTIME_HANDLER
#define HG 2
#define NG 3
#else
#define NG 2
#endif
#else
#define GCG 2
#ifdef INRUNTIME_HANDLER
#define HG 3
#define NG 4
#else
#define NG 3
#endif
#endif

byte gstatus[NG];
byte gp[NG];          /* the P a goroutine runs on (or had, in a syscall) */
bool parked[NG];      /* its thread is parked in the kernel in a UFFD fault */
byte pstat[NP];
byte powner[NP];
bool stwPending;      /* sched.gcwaiting */
bool worldStopped;
bool present[NPAGES];
bool queued[NPAGES];
bool barrier;

#define IDLEP (pstat[0] == P_IDLE || pstat[1] == P_IDLE || pstat[2] == P_IDLE)
#define CANRUN(g) (gstatus[g] == RUNNING && !parked[g])

/* Reader i reads page i, so "readers of page pg" is goroutine pg. */
inline serve(pg) {
  present[pg] = 1; queued[pg] = 0; parked[pg] = 0
}

inline queueFault(pg) {
  queued[pg] = 1;
#ifdef INRUNTIME_HANDLER
  if
  :: gstatus[HG] == WAITING -> gstatus[HG] = RUNNABLE
  :: else -> skip
  fi
#endif
}

/* The goroutine leaves its P: _Pgcstop if a stop is pending, else idle. */
inline releaseP(g) {
  if
  :: stwPending -> pstat[gp[g]] = P_GCSTOP
  :: else -> pstat[gp[g]] = P_IDLE
  fi;
  powner[gp[g]] = 0;
  gp[g] = NONE
}

/* Asynchronous preemption at a safe point while a stop is pending. */
inline preempt(g) {
  pstat[gp[g]] = P_GCSTOP; powner[gp[g]] = 0;
  gstatus[g] = RUNNABLE; gp[g] = NONE
}

/* Put g on an idle P, any of them (Go's idle list is ordered by history,
 * not by P number). Callers check IDLEP first. */
inline takeIdleP(g) {
  if
  :: pstat[0] == P_IDLE -> gp[g] = 0
  :: pstat[1] == P_IDLE -> gp[g] = 1
  :: pstat[2] == P_IDLE -> gp[g] = 2
  fi;
  pstat[gp[g]] = P_HELD; powner[gp[g]] = g; gstatus[g] = RUNNING
}

inline exitsyscall(g) {
  if
  :: !stwPending && pstat[gp[g]] == P_SYSCALL && powner[gp[g]] == g ->
     pstat[gp[g]] = P_HELD; gstatus[g] = RUNNING
  :: else ->
     if
     :: !stwPending && IDLEP -> takeIdleP(g)
     :: else -> gstatus[g] = RUNNABLE; gp[g] = NONE
     fi
  fi
}

/* One step of goroutine g that may instead be preempted (and then waits to
 * be scheduled again before trying the step anew). */
#define STEP(g, body) \
  do \
  :: atomic { stwPending && CANRUN(g) -> preempt(g) } \
  :: atomic { CANRUN(g) -> body }; break \
  od

proctype Reader(byte me) {
#ifndef FIXED
  STEP(me, parked[me] = 1; queueFault(me));          /* plainLoad: faults, parks */
  STEP(me, skip);                                     /* faultReturns */
#else
  STEP(me, gstatus[me] = SYSCALL;                     /* entersyscall */
           if
           :: stwPending -> pstat[gp[me]] = P_GCSTOP; powner[gp[me]] = 0
           :: else -> pstat[gp[me]] = P_SYSCALL; powner[gp[me]] = me
           fi);
  atomic { parked[me] = 1; queueFault(me) };          /* madvise(MADV_POPULATE_READ) */
  (!parked[me]);                                      /* madviseReturns */
  atomic { exitsyscall(me) };                         /* exitsyscall */
  STEP(me, skip);                                     /* loadResident */
#endif
  STEP(me, gstatus[me] = DEAD; releaseP(me))          /* goexit */
}

proctype Releaser(byte me) {
  STEP(me, barrier = 1);                              /* releaseBarrier */
  STEP(me, gstatus[me] = DEAD; releaseP(me))          /* goexit */
}

proctype GCTrigger(byte me) {
  byte k;
  d_step {                                            /* stopTheWorld */
    gstatus[me] == RUNNING ->
    stwPending = 1; gstatus[me] = WAITING;
    k = 0;
    do
    :: k < NP ->
       if
       :: pstat[k] == P_SYSCALL || pstat[k] == P_IDLE || (pstat[k] == P_HELD && powner[k] == me) ->
          pstat[k] = P_GCSTOP; powner[k] = 0
       :: else -> skip
       fi;
       k++
    :: else -> break
    od;
    k = 0
  };
  atomic {                                            /* worldStopped */
    pstat[0] == P_GCSTOP && pstat[1] == P_GCSTOP && pstat[2] == P_GCSTOP -> worldStopped = 1
  };
  atomic {                                            /* startTheWorld */
    worldStopped = 0; stwPending = 0;
    pstat[0] = P_IDLE; pstat[1] = P_IDLE; pstat[2] = P_IDLE;
    pstat[gp[me]] = P_HELD; powner[gp[me]] = me; gstatus[me] = RUNNING
  };
  atomic { gstatus[me] == RUNNING -> gstatus[me] = DEAD; releaseP(me) }  /* goexit */
}

#ifdef INRUNTIME_HANDLER
proctype HandlerG(byte me) {
end_wait:
  do
  :: atomic { stwPending && gstatus[me] == RUNNING -> preempt(me) }
  :: atomic { gstatus[me] == RUNNING && queued[0] -> serve(0) }              /* UFFDIO_COPY */
  :: atomic { gstatus[me] == RUNNING && !queued[0] && queued[1] -> serve(1) }
  :: atomic { gstatus[me] == RUNNING && !queued[0] && !queued[1] ->         /* waitForEvent */
              gstatus[me] = WAITING; releaseP(me) }
  od
}
#else
proctype ChildHandler() {
end_serve:
  do
#ifdef NO_BARRIER
  :: atomic { queued[0] -> serve(0) }
#else
  :: atomic { queued[0] && barrier -> serve(0) }                             /* serveAfterBarrier */
#endif
  od
}
#endif

proctype Scheduler() {
end_sched:
  do
  :: atomic { !stwPending && gstatus[0] == RUNNABLE && IDLEP -> takeIdleP(0) }
  :: atomic { !stwPending && gstatus[1] == RUNNABLE && IDLEP -> takeIdleP(1) }
#if NG > 2
  :: atomic { !stwPending && gstatus[2] == RUNNABLE && IDLEP -> takeIdleP(2) }
#endif
#if NG > 3
  :: atomic { !stwPending && gstatus[3] == RUNNABLE && IDLEP -> takeIdleP(3) }
#endif
  od
}

init {
  atomic {
    /* G1 on P0, G2 on P1, G3 (GC trigger) on P2; the handler goroutine waits. */
    gstatus[0] = RUNNING; gp[0] = 0; pstat[0] = P_HELD; powner[0] = 0;
    gstatus[1] = RUNNING; gp[1] = 1; pstat[1] = P_HELD; powner[1] = 1;
#ifndef NO_GC
    gstatus[2] = RUNNING; gp[2] = 2; pstat[2] = P_HELD; powner[2] = 2;
#else
    pstat[2] = P_IDLE;
#endif
#ifdef INRUNTIME_HANDLER
    gstatus[HG] = WAITING; gp[HG] = NONE;
#endif
    run Reader(0);
#ifdef INRUNTIME_HANDLER
    run Reader(1);
    run HandlerG(HG);
#else
    run Releaser(1);
    run ChildHandler();
#endif
#ifndef NO_GC
    run GCTrigger(GCG);
#endif
    run Scheduler()
  }
}
