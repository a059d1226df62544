/* stores.pml — several stores of one provider in one process (issue 23).
 *
 * logoff.pml specifies one store's lifetime exhaustively. A case of
 * logoffcheck may open several stores of the same provider at once
 * (certify --stores K): the C++ harness composes one model State per store
 * (logoffcheck::StoreStates, model.h) and gives each store a spooler
 * environment of its own, as MAPI's spooler keeps one per store. This file
 * specifies that composition: STORES stores of the deferred profile, a client
 * interleaving calls and environment events among them, and the property that
 * makes the composition sound, that the stores share nothing: a step of
 * store i is observed on store i alone (its answer, its StoreLogoffTransports
 * call on its own spooler) and leaves every other store's observable state
 * and spooler environment as it was. Per store, the clauses are those of
 * logoff.pml, restated here for the calls the client makes (valid flags, the
 * inbound transport), so that a store sharing state with another breaks one
 * of them.
 *
 * -DMUTANT_COUNT_IN_GLOBAL plays builtin:count-in-global: the reference count
 * is one variable for every store, which opening a store sets to 1. SPIN finds
 * a counterexample (not vacuous), as certify --stores 3 does.
 *
 * -DTRACE_STEPS prints one line per step for tests/formal/crosscheck_stores.cpp:
 *   SSTEP <store> <action> <flags> <count returned> <transport calls> <flag>
 *   STATES <per store: count saved transports_called destroyed inbound logged_off>
 * (docs/formal.md, "Several stores"). */

/* The flags and HRESULTs of mapi.h, as logoff.pml restates them (checked by
 * formal.stores.constants_match_mapi_h); the client passes two of the flags. */
#define LOGOFF_NO_WAIT            1        /* 0x00000001 */
#define LOGOFF_ORDERLY            2        /* 0x00000002 */
#define LOGOFF_PURGE              4        /* 0x00000004 */
#define LOGOFF_ABORT              8        /* 0x00000008 */
#define LOGOFF_QUIET              16       /* 0x00000010 */
#define LOGOFF_COMPLETE           65536    /* 0x00010000 */
#define LOGOFF_INBOUND            131072   /* 0x00020000 */
#define LOGOFF_OUTBOUND           262144   /* 0x00040000 */
#define LOGOFF_OUTBOUND_QUEUE     524288   /* 0x00080000 */
#define S_OK                      0
#define MAPI_E_CALL_FAILED        (-2147467259)  /* 0x80004005 */
#define MAPI_E_INVALID_PARAMETER  (-2147024809)  /* 0x80070057 */
#define MAPI_E_NO_SUPPORT         (-2147221246)  /* 0x80040102 */
#define MAPI_E_UNKNOWN_FLAGS      (-2147221242)  /* 0x80040106 */

#ifndef STORES
#define STORES 2
#endif
#ifndef CLIENT_CALLS
#define CLIENT_CALLS 5
#endif
#ifndef ENVIRONMENT_EVENTS
#define ENVIRONMENT_EVENTS 2
#endif
#ifndef MAX_REFERENCES
#define MAX_REFERENCES 2
#endif
#ifndef LIFETIMES
#define LIFETIMES 1
#endif

mtype = { AddRef, Release, StoreLogoff, InboundBegins, InboundEnds };

/* ---- Each store's spooler environment (contract §6), one per store ------- */
bool inbound[STORES];
bool logged_off[STORES];

/* ---- The stores' inside (the implementation under test) -------------------- */
bool opened[STORES];
#if defined(MUTANT_COUNT_IN_GLOBAL)
byte count_of_every_store;
#define COUNT(s) count_of_every_store
#else
byte store_count[STORES];
#define COUNT(s) store_count[s]
#endif
byte store_saved[STORES];

/* ---- What the verifier observes, per store ---------------------------------- */
byte client_references[STORES];  /* the client's view of each count */
byte last_valid_flag[STORES];    /* the last valid StoreLogoff's flag; 0 = none */
bool released[STORES];           /* the final Release has returned */
byte transports_called[STORES];  /* StoreLogoffTransports calls made for the store */
/* The step in progress: the transport calls it made, per spooler. */
byte step_calls[STORES];
byte step_flag;
byte step_returned_count;

/* StoreLogoffTransports of store s's spooler: rows SP-3..SP-6 for the flags
 * the client passes (contract §6). */
inline spooler(s, flag) {
  step_calls[s]++;
  step_flag = flag;
  transports_called[s]++;
  if
  :: logged_off[s] -> skip
  :: !logged_off[s] && flag == LOGOFF_ABORT && inbound[s] -> skip      /* SP-3 */
  :: else -> inbound[s] = false; logged_off[s] = true                    /* SP-4..SP-6 */
  fi
}

/* The store's final Release: the saved flag, or LOGOFF_ABORT (LT-1, LT-3). */
inline final_release(s) {
  if
  :: store_saved[s] != 0 -> spooler(s, store_saved[s])
  :: else -> spooler(s, LOGOFF_ABORT)
  fi
}

/* A store opens at its first client call (store 0 when the case begins). */
inline open_store(s) {
  if
  :: !opened[s] -> opened[s] = true; COUNT(s) = 1; client_references[s] = 1
  :: else -> skip
  fi
}

#ifdef TRACE_STEPS
#define PRINT_STORE(s) printf(" %d %d %d %d %d %d", client_references[s], last_valid_flag[s], \
  transports_called[s] > 0, released[s], inbound[s], logged_off[s])
#define PRINT_STEP(s, action, flags) \
  printf("SSTEP %d %e %d %d %d %d STATES", s, action, flags, step_returned_count, step_calls[s], \
         step_flag); \
  i = 0; do :: i < STORES -> PRINT_STORE(i); i++ :: else -> break od; printf("\n")
#else
#define PRINT_STEP(s, action, flags) skip
#endif

/* The clauses of one step of store s, and that it shares nothing: no other
 * store's spooler was called, and no other store's observable state or
 * environment changed (the snapshot taken before the step). */
#define SNAPSHOT(j) (client_references[j] * 1000 + last_valid_flag[j] * 10 + released[j] * 4 + \
                     inbound[j] * 2 + logged_off[j])
inline check_step(s, action) {
  j = 0;
  do
  :: j < STORES ->
     assert(j == s || (step_calls[j] == 0 && SNAPSHOT(j) == before[j]));  /* shared nothing */
     j++
  :: else -> break
  od;
  if
  :: action == AddRef || action == Release ->
     assert(step_returned_count == client_references[s])                 /* RC-1 */
  :: else -> skip
  fi;
  if
  :: action == Release && client_references[s] > 0 ->
     assert(step_calls[s] == 0)                                          /* LT-2 */
  :: action == Release && client_references[s] == 0 ->
     assert(step_calls[s] == 1);                                         /* LT-3 */
     assert(step_flag == (last_valid_flag[s] != 0 -> last_valid_flag[s] : LOGOFF_ABORT))  /* LT-1 */
  :: action == StoreLogoff -> assert(step_calls[s] == 0)                 /* deferred: D1 */
  :: else -> skip
  fi
}

/* One client call of store s, as the store answers it. */
inline call(s, action, flags) {
  open_store(s);
  j = 0;
  do :: j < STORES -> before[j] = SNAPSHOT(j); step_calls[j] = 0; j++ :: else -> break od;
  step_flag = 0;
  if
  :: action == AddRef ->
     COUNT(s) = COUNT(s) + 1; client_references[s]++; step_returned_count = COUNT(s)
  :: action == Release ->
     COUNT(s) = COUNT(s) - 1; client_references[s]--; step_returned_count = COUNT(s);
     if
     :: COUNT(s) == 0 -> final_release(s)
     :: else -> skip
     fi;
     if
     :: client_references[s] == 0 -> released[s] = true
     :: else -> skip
     fi
  :: action == StoreLogoff ->
     store_saved[s] = flags; last_valid_flag[s] = flags; step_returned_count = 0
  fi;
  PRINT_STEP(s, action, flags);
  check_step(s, action)
}

/* An environment event of store s's spooler: the store is not called. */
inline environment(s, action) {
  open_store(s);
  j = 0;
  do :: j < STORES -> before[j] = SNAPSHOT(j); step_calls[j] = 0; j++ :: else -> break od;
  step_flag = 0;
  step_returned_count = 0;
  if
  :: action == InboundBegins && !logged_off[s] -> inbound[s] = true
  :: action == InboundEnds && !logged_off[s] -> inbound[s] = false
  :: else -> skip
  fi;
  PRINT_STEP(s, action, 0);
  check_step(s, action)
}

/* Store s is still the client's: opened and not released. */
#define ALIVE(s) (!opened[s] || !released[s])

inline start_lifetime() {
  j = 0;
  do
  :: j < STORES ->
     inbound[j] = false; logged_off[j] = false; opened[j] = false; store_saved[j] = 0;
     client_references[j] = 0; last_valid_flag[j] = 0; released[j] = false;
     transports_called[j] = 0; step_calls[j] = 0;
     j++
  :: else -> break
  od
}

active proctype Client() {
  byte s, i, j, budget, events, lifetime;
  int before[STORES];
  do
  :: lifetime < LIFETIMES ->
     atomic {
       start_lifetime();
       printf("LIFETIME stores %d\n", STORES);
       open_store(0);
       budget = CLIENT_CALLS;
       events = ENVIRONMENT_EVENTS
     };
     /* The steps: a store still alive, then a call or an event of it. */
     do
     :: budget > 0 ->
        budget--;
        atomic {
          if
          :: s = 0
          :: s = 1
#if STORES > 2
          :: s = 2
#endif
          fi;
          if
          :: !ALIVE(s) -> skip
          :: ALIVE(s) && (!opened[s] || client_references[s] < MAX_REFERENCES) -> call(s, AddRef, 0)
          :: ALIVE(s) -> call(s, Release, 0)
          :: ALIVE(s) -> call(s, StoreLogoff, LOGOFF_NO_WAIT)
          :: ALIVE(s) -> call(s, StoreLogoff, LOGOFF_ABORT)
          :: ALIVE(s) && events > 0 -> events--; environment(s, InboundBegins)
          :: ALIVE(s) && events > 0 -> events--; environment(s, InboundEnds)
          fi
        }
     :: else -> break
     od;
     /* The final Releases, store by store in index order. */
     s = 0;
     do
     :: s < STORES ->
        do
        :: opened[s] && !released[s] -> atomic { call(s, Release, 0) }
        :: else -> break
        od;
        s++
     :: else -> break
     od;
     lifetime++
  :: else -> break
  od
}
