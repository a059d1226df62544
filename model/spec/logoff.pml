/*
 * logoff.pml — the StoreLogoff contract as a Promela specification, checked by
 * SPIN. A second formalization, written from docs/contract.md and the seed
 * pages (seeds/000_*.txt, seeds/001_*.txt), independent of model/src/model.cpp;
 * tests/formal/ cross-validates the two (docs/formal.md).
 *
 * Four processes play one lifetime of a store:
 *   Client      — the verifier's client: AddRef, Release, valid and invalid
 *                 StoreLogoff, with a bounded budget of calls, then Releases
 *                 every reference it still holds, so every history reaches
 *                 the final Release;
 *   Store       — the reference store of the profile (deferred by default,
 *                 eager with -DPROFILE_EAGER); a -DMUTANT_... define swaps in
 *                 one bug of the mutant gallery (providers/mutants/gallery.cpp)
 *                 or one behaviour of the SHOULD-only gallery
 *                 (providers/mutants/should_only.cpp); -DSTORE_SDK_SAMPLE
 *                 plays the MAPI SDK sample store (providers/sdk_sample/):
 *                 invalid input accepted as given, LOGOFF_COMPLETE written back;
 *   Spooler     — IMAPISupport::StoreLogoffTransports (contract §8);
 *   Environment — transport events between client calls (contract §5).
 *
 * The properties (ltl blocks at the end) are written only over what the
 * verifier observes (contract §5): the call, its return value and *lpulFlags,
 * the StoreLogoffTransports calls the store made during it and their answers,
 * and the references the store holds on the support object. Each carries a
 * clause ID in its name and the clause text beside it.
 *
 * Exhaustive check of one property:
 *   spin -a [-DPROFILE_EAGER] model/spec/logoff.pml && gcc -O2 -o pan pan.c
 *   ./pan -a -m100000 -N LT1_last_flag_wins
 */

/* ---- Flags and HRESULTs (contract §3) --------------------------------------
 * Promela has no hexadecimal literals, so the ABI values are written in
 * decimal. The test formal.constants_match_mapi_h checks every one of them
 * against model/include/logoffcheck/mapi.h, where they are defined once. */
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

#define INPUT_FLAG_MASK  (LOGOFF_NO_WAIT | LOGOFF_ORDERLY | LOGOFF_PURGE | LOGOFF_ABORT | LOGOFF_QUIET)
#define ACTIVITY_MASK    (LOGOFF_INBOUND | LOGOFF_OUTBOUND | LOGOFF_OUTBOUND_QUEUE)
#define OUTPUT_MASK      (LOGOFF_COMPLETE | ACTIVITY_MASK)
#define SINGLE_INPUT_FLAG(f) ((f) == LOGOFF_NO_WAIT || (f) == LOGOFF_ORDERLY || \
                              (f) == LOGOFF_PURGE || (f) == LOGOFF_ABORT || (f) == LOGOFF_QUIET)
/* D3: output bits beside exactly one input flag, and nothing else. */
#define INPUT_FLAG_BESIDE_OUTPUT_BITS(f) \
  (((f) & ~(INPUT_FLAG_MASK | OUTPUT_MASK)) == 0 && ((f) & OUTPUT_MASK) != 0 && \
   SINGLE_INPUT_FLAG((f) & INPUT_FLAG_MASK))

/* ---- Bounds -----------------------------------------------------------------
 * The client makes at most CLIENT_CALLS calls, then only Releases; the
 * environment changes at most ENVIRONMENT_EVENTS times; the client never holds
 * more than MAX_REFERENCES references. So every history is finite and ends in
 * the final Release, and the reference count and outbox queue are bounded
 * without an artificial cap. LIFETIMES > 1 plays lifetimes one after another
 * (for random simulation: one spin run yields many traces). */
#ifndef CLIENT_CALLS
#define CLIENT_CALLS 3
#endif
#ifndef ENVIRONMENT_EVENTS
#define ENVIRONMENT_EVENTS 3
#endif
#ifndef MAX_REFERENCES
#define MAX_REFERENCES 3
#endif
#ifndef LIFETIMES
#define LIFETIMES 1
#endif

/* The names are those of logoffcheck::Action (step.h), so that a trace reads
 * as a logoffcheck step sequence. */
mtype = { AddRef, Release, StoreLogoff,
          InboundBegins, InboundEnds, OutboundBegins, OutboundEnds, MessageQueued,
          OtherProcessOpens, OtherProcessCloses, NoStep };

/* ---- The spooler's environment (contract §8) ------------------------------ */
bool inbound_in_progress;
bool outbound_in_progress;
bool open_in_other_process;
bool reception_enabled = true;
bool logged_off;       /* a StoreLogoffTransports call completed the logoff */
bool queues_flushed;   /* FlushQueues was invoked (SP-7) */
byte outbox_queued;

/* The environment packed into one number, so the spooler can record it before
 * and after a call for the SP properties. */
#define ENV_INBOUND     1
#define ENV_OUTBOUND    2
#define ENV_OTHER       4
#define ENV_RECEPTION   8
#define ENV_LOGGED_OFF  16
#define ENV_FLUSHED     32
#define ENV_QUEUE_UNIT  64
#define ENVIRONMENT_PACKED \
  (inbound_in_progress * ENV_INBOUND + outbound_in_progress * ENV_OUTBOUND + \
   open_in_other_process * ENV_OTHER + reception_enabled * ENV_RECEPTION + \
   logged_off * ENV_LOGGED_OFF + queues_flushed * ENV_FLUSHED + outbox_queued * ENV_QUEUE_UNIT)
#define HAS(env, bit)  (((env) & (bit)) != 0)
#define QUEUED(env)    ((env) / ENV_QUEUE_UNIT)
/* ACT: the activity bits of an environment (contract §8). */
#define ACT(env) (HAS(env, ENV_INBOUND) * LOGOFF_INBOUND + HAS(env, ENV_OUTBOUND) * LOGOFF_OUTBOUND + \
                  (QUEUED(env) > 0) * LOGOFF_OUTBOUND_QUEUE)
#define ACT_NOW ACT(ENVIRONMENT_PACKED)

/* ---- The store's inside: used only to print abstract states for the
 * cross-validation, never by a property (the verifier cannot see them). ---- */
byte store_references = 1;   /* a new store starts at 1 */
int  store_saved_flag;       /* deferred: the flag of the last valid StoreLogoff; 0 = none */
int  store_accepted = -1;    /* deferred: the last invalid input accepted since; -1 = none */
bool store_transports_called;
bool store_destroyed;
bool store_exited;           /* the Store process has ended (it was destroyed) */

/* ---- What the verifier observes (contract §5) ----------------------------- */
byte support_references = 1;     /* the store's references on IMAPISupport; creation gives one */
bool call_without_reference;     /* the store called the support object holding none (RC-2) */
byte client_references = 1;      /* the references the client holds (its view of the count) */
bool client_saw_complete;        /* eager: a StoreLogoff returned LOGOFF_COMPLETE */
int  last_valid_flag;            /* the input of the client's last valid StoreLogoff; 0 = none */
/* Decision D3: the invalid inputs the store accepted (a success HRESULT) since
 * the last valid StoreLogoff, one bit per invalid input the client passes
 * (ACCEPTED_BIT), and the input flags that stood alone beside output bits in
 * them. The final Release may pass any of those, besides the last valid flag. */
byte accepted_inputs;
int  accepted_alone;
#define ACCEPTED_NONE           1   /* 0 */
#define ACCEPTED_TWO            2   /* LOGOFF_NO_WAIT | LOGOFF_ORDERLY */
#define ACCEPTED_UNKNOWN        4   /* LOGOFF_ABORT | 256 */
#define ACCEPTED_COMPLETE       8   /* LOGOFF_COMPLETE */
#define ACCEPTED_BESIDE_OUTPUT  16  /* LOGOFF_NO_WAIT | LOGOFF_COMPLETE */
byte transport_calls_total;      /* StoreLogoffTransports calls so far in this lifetime */
bool call_in_progress;           /* a client call has been made and has not returned */

/* The step that just returned (client call or environment event). */
mtype step_action = NoStep;
bool step_returned;
bool step_null_pointer;
int  step_flags_in;
int  step_result;                /* StoreLogoff: the HRESULT; AddRef/Release: the count returned */
int  step_flags_out;             /* StoreLogoff: *lpulFlags on return */
bool step_final_release;         /* the client's count reached zero with this Release */
bool step_called_before;         /* a StoreLogoffTransports call came before this step */
byte step_transport_calls;       /* StoreLogoffTransports calls during this step */
int  step_transport_flag;        /* ... the flag of the first of them */
int  step_spooler_result;        /* ... and the first one's answer */
int  step_spooler_out;
/* The latest StoreLogoffTransports call, as the spooler served it. */
int  spooler_flag;
int  spooler_result;
int  spooler_out;
int  spooler_before;             /* ENVIRONMENT_PACKED before the call */
int  spooler_after;              /* ... and after it */

chan client_to_store  = [0] of { mtype, bool, int };  /* action, NULL lpulFlags, *lpulFlags */
chan store_to_client  = [0] of { int, int };          /* result or count, *lpulFlags */
chan store_to_spooler = [0] of { int };               /* *lpulFlags of StoreLogoffTransports */
chan spooler_to_store = [0] of { int, int };          /* HRESULT, *lpulFlags on return */

/* One line per step, parsed by tests/formal/crosscheck.cpp:
 *   STEP <action> <null> <in> <result> <out> <calls> <flag> <sp_result> <sp_out> STATE <abstract state>
 * The abstract state is what the C++ model's State holds (cross-validation):
 *   <count> <saved flag> <accepted> <transports called> <complete returned> <destroyed>
 *   <inbound> <outbound> <other process> <reception> <logged off> <flushed> <queued>
 * (<accepted>: the last invalid input accepted since the last valid one, -1 for none.) */
#define PRINT_STATE() \
  printf("STATE %d %d %d %d %d %d %d %d %d %d %d %d %d\n", store_references, store_saved_flag, \
         store_accepted, store_transports_called, client_saw_complete, store_destroyed, \
         inbound_in_progress, outbound_in_progress, open_in_other_process, reception_enabled, \
         logged_off, queues_flushed, outbox_queued)
#ifdef TRACE_STEPS
/* By name rather than with %e, which pan (replaying a counterexample) does not
 * support. */
inline print_action() {
  if
  :: step_action == AddRef -> printf("STEP AddRef")
  :: step_action == Release -> printf("STEP Release")
  :: step_action == StoreLogoff -> printf("STEP StoreLogoff")
  :: step_action == InboundBegins -> printf("STEP InboundBegins")
  :: step_action == InboundEnds -> printf("STEP InboundEnds")
  :: step_action == OutboundBegins -> printf("STEP OutboundBegins")
  :: step_action == OutboundEnds -> printf("STEP OutboundEnds")
  :: step_action == MessageQueued -> printf("STEP MessageQueued")
  :: step_action == OtherProcessOpens -> printf("STEP OtherProcessOpens")
  :: step_action == OtherProcessCloses -> printf("STEP OtherProcessCloses")
  :: step_action == NoStep -> printf("STEP NoStep")
  fi
}
#define PRINT_STEP() \
  print_action(); \
  printf(" %d %d %d %d %d %d %d %d ", step_null_pointer, step_flags_in, \
         step_result, step_flags_out, step_transport_calls, step_transport_flag, \
         step_spooler_result, step_spooler_out); \
  PRINT_STATE()
#else
#define PRINT_STEP() PRINT_STATE()
#endif

/* ---- The simulated spooler: IMAPISupport::StoreLogoffTransports (§8) ------ */
proctype Spooler() {
  int flags;
  int result;
  int out;
end_idle:
  do
  :: atomic {
       store_to_spooler ? flags ->
       call_without_reference = call_without_reference || support_references == 0;
       spooler_before = ENVIRONMENT_PACKED;
       result = S_OK;
       out = LOGOFF_COMPLETE;
       if
       :: !SINGLE_INPUT_FLAG(flags) ->                 /* SP-1 */
          result = MAPI_E_INVALID_PARAMETER;
          out = flags
       :: else ->
          if
          :: open_in_other_process -> skip             /* SP-2: the call is ignored */
          :: else ->
             if
             :: logged_off -> skip                     /* §8 refinement: not repeated */
             :: else ->
                if
                :: (flags == LOGOFF_ABORT || flags == LOGOFF_QUIET) && ACT_NOW != 0 ->
                   out = ACT_NOW                        /* SP-3: no logoff */
                :: else ->
                   if
                   :: flags == LOGOFF_ABORT || flags == LOGOFF_QUIET -> skip  /* SP-4 */
                   :: flags == LOGOFF_NO_WAIT || flags == LOGOFF_PURGE ->      /* SP-5, SP-7 */
                      inbound_in_progress = false;
                      outbound_in_progress = false;
                      outbox_queued = 0;
                      queues_flushed = (flags == LOGOFF_PURGE)
                   :: flags == LOGOFF_ORDERLY ->                              /* SP-6 */
                      inbound_in_progress = false;
                      outbound_in_progress = false
                   fi;
                   reception_enabled = false;
                   logged_off = true
                fi
             fi
          fi
       fi;
       spooler_flag = flags;
       spooler_result = result;
       spooler_out = out;
       spooler_after = ENVIRONMENT_PACKED;
       if
       :: step_transport_calls == 0 ->
          step_transport_flag = flags;
          step_spooler_result = result;
          step_spooler_out = out
       :: else -> skip
       fi;
       step_transport_calls++;
       transport_calls_total++;
       spooler_to_store ! result, out
     }
  :: store_exited -> break
  od
}

/* ---- The store ------------------------------------------------------------- */

/* The store's call of IMAPISupport::StoreLogoffTransports(&flags). */
inline store_logoff_transports(flags, result, out) {
  store_to_spooler ! flags;
  spooler_to_store ? result, out;
  store_transports_called = true
}

/* The store gives its support reference back. */
inline release_support() {
  call_without_reference = call_without_reference || support_references == 0;
  if
  :: support_references > 0 -> support_references--
  :: else -> skip
  fi
}

/* D3: the HRESULT for StoreLogoff input, S_OK when it is valid. */
inline validate(null_pointer, flags, result) {
  if
  :: null_pointer -> result = MAPI_E_INVALID_PARAMETER
  :: !null_pointer && (flags & ~INPUT_FLAG_MASK) != 0 -> result = MAPI_E_UNKNOWN_FLAGS
  :: !null_pointer && (flags & ~INPUT_FLAG_MASK) == 0 && !SINGLE_INPUT_FLAG(flags) ->
     result = MAPI_E_INVALID_PARAMETER
  :: !null_pointer && SINGLE_INPUT_FLAG(flags) -> result = S_OK
  fi
}

/* The Release that takes the count to zero (D1, LT-1, LT-3). */
inline final_release(flags, result, out) {
#if defined(PROFILE_EAGER)
  /* Eager: LOGOFF_ABORT, and only if StoreLogoff never made the call. */
#  if defined(MUTANT_EAGER_ALWAYS_ABORTS_IN_FINAL_RELEASE)
  flags = LOGOFF_ABORT;
  store_logoff_transports(flags, result, out);
#  else
  if
  :: !store_transports_called ->
     flags = LOGOFF_ABORT;
     store_logoff_transports(flags, result, out)
  :: else -> skip
  fi;
#  endif
#else
  /* Deferred: the saved flag, or LOGOFF_ABORT if StoreLogoff never came. */
#  if defined(MUTANT_FORGETS_ABORT_DEFAULT)
  if
  :: store_saved_flag == 0 -> goto forgot_default
  :: else -> skip
  fi;
#  endif
  flags = LOGOFF_ABORT;
#  if !defined(MUTANT_ALWAYS_ABORTS_IN_FINAL_RELEASE)
  if
  :: store_saved_flag != 0 -> flags = store_saved_flag
  :: else -> skip
  fi;
#  endif
#  if defined(STORE_SDK_SAMPLE)
  /* The flags saved as given: the last accepted input, if one came last. */
  if
  :: store_accepted != -1 -> flags = store_accepted
  :: else -> skip
  fi;
#  endif
  store_logoff_transports(flags, result, out);
#  if defined(MUTANT_RETRIES_LOGOFF_WHEN_BUSY)
  if
  :: (out & LOGOFF_COMPLETE) == 0 ->
     flags = LOGOFF_ABORT;
     store_logoff_transports(flags, result, out)
  :: else -> skip
  fi;
#  endif
#  if defined(MUTANT_FORGETS_ABORT_DEFAULT)
forgot_default:
#  endif
#endif
#if !defined(MUTANT_LEAKS_SUPPORT_REFERENCE)
  release_support();
#endif
  store_destroyed = true
}

proctype Store() {
  mtype action;
  bool null_pointer;
  int flags;
  int result;
  int out;
  int transport_flags;
  int spooler_answer;
end_idle:
  do
  :: client_to_store ? action, null_pointer, flags ->
     if
     :: action == AddRef ->
        store_references++;
        store_to_client ! store_references, 0
     :: action == Release ->
        store_references--;
#if defined(MUTANT_DESTROYS_ONE_RELEASE_EARLY)
        /* Off by one: logs off and destroys itself when the count drops to 1. */
        if
        :: store_references <= 1 ->
           final_release(transport_flags, result, out);
           store_to_client ! store_references, 0;
           break
        :: else -> skip
        fi;
#endif
        if
        :: store_references == 0 ->
           final_release(transport_flags, result, out);
           store_to_client ! 0, 0;
           break
        :: else -> store_to_client ! store_references, 0
        fi
     :: action == StoreLogoff ->
        validate(null_pointer, flags, result);
#if defined(STORE_SDK_SAMPLE) || defined(MUTANT_IGNORES_INVALID_INPUT)
        /* D3, accepted: only the pointer is checked. */
        if
        :: result != S_OK && !null_pointer ->
#  if defined(STORE_SDK_SAMPLE) && !defined(PROFILE_EAGER)
           store_accepted = flags;            /* saved as given */
           store_to_client ! S_OK, LOGOFF_COMPLETE;
#  else
           store_to_client ! S_OK, flags;     /* ignored */
#  endif
           goto answered
        :: else -> skip
        fi;
#endif
#if defined(MUTANT_KEEPS_INPUT_FLAG_BESIDE_OUTPUT_BITS)
        /* D3, accepted: an input flag beside output bits, saved alone. */
        if
        :: !null_pointer && (flags & ~(INPUT_FLAG_MASK | OUTPUT_MASK)) == 0 &&
           (flags & OUTPUT_MASK) != 0 && SINGLE_INPUT_FLAG(flags & INPUT_FLAG_MASK) ->
           store_saved_flag = flags & INPUT_FLAG_MASK;
           store_to_client ! S_OK, flags;
           goto answered
        :: else -> skip
        fi;
#endif
#if defined(MUTANT_MASKS_UNKNOWN_BITS)
        /* Validates only the input-flag bits: an input flag with stray bits is
         * accepted and saved without them, so the final Release passes a flag
         * no call gave in that state (LT-4, decision D3). */
        if
        :: !null_pointer && (flags & ~INPUT_FLAG_MASK) != 0 &&
           SINGLE_INPUT_FLAG(flags & INPUT_FLAG_MASK) ->
           store_accepted = -1;
           store_saved_flag = flags & INPUT_FLAG_MASK;
           store_to_client ! S_OK, flags;
           goto answered
        :: else -> skip
        fi;
#endif
#if defined(MUTANT_REJECTS_QUIET)
        /* Implements the four flags the spooler acts on, not the one that only asks. */
        if
        :: !null_pointer && flags == LOGOFF_QUIET -> result = MAPI_E_NO_SUPPORT
        :: else -> skip
        fi;
#endif
        if
        :: result != S_OK ->
#if defined(MUTANT_ABORTS_TRANSPORTS_ON_INVALID_INPUT)
           /* "Garbage in, stop everything": a rejection that logs off (SL-2). */
           transport_flags = LOGOFF_ABORT;
           store_logoff_transports(transport_flags, spooler_answer, out);
#endif
#if defined(MUTANT_CLEARS_FLAG_ON_INVALID_INPUT)
           /* "A failed call resets the request": invalid input changes the saved state. */
           store_saved_flag = 0;
#endif
           store_to_client ! result, flags   /* SL-2: nothing changes */
        :: else ->
#if defined(PROFILE_EAGER)
           /* SL-5: ask the spooler now and return its answer. */
#  if defined(MUTANT_EAGER_PASSES_ABORT)
           flags = LOGOFF_ABORT;
#  endif
           store_logoff_transports(flags, result, out);
           store_to_client ! S_OK, out
#else
           /* D2: save the flag; the last valid call wins. */
           store_accepted = -1;   /* the last valid call wins over accepted input (D3) */
#  if defined(MUTANT_SAVES_FIRST_FLAG)
           if
           :: store_saved_flag == 0 -> store_saved_flag = flags
           :: else -> skip
           fi;
#  elif defined(MUTANT_ACCUMULATES_FLAGS)
           store_saved_flag = store_saved_flag | flags;
#  else
           store_saved_flag = flags;
#  endif
#  if defined(MUTANT_NO_WAIT_LOGS_OFF_AT_ONCE)
           if
           :: flags == LOGOFF_NO_WAIT ->
              transport_flags = LOGOFF_NO_WAIT;
              store_logoff_transports(transport_flags, result, out)
           :: else -> skip
           fi;
#  endif
#  if defined(STORE_SDK_SAMPLE)
           store_to_client ! S_OK, LOGOFF_COMPLETE   /* D4: the SDK sample's answer */
#  elif defined(MUTANT_ORS_COMPLETE_INTO_FLAGS)
           store_to_client ! S_OK, flags | LOGOFF_COMPLETE   /* not what D4 allows */
#  else
           store_to_client ! S_OK, flags   /* D4: the input, unchanged */
#  endif
#endif
        fi;
answered:
        skip
     fi
  od;
  store_exited = true
}

/* ---- The client (the verifier) --------------------------------------------- */

/* Calls the store and publishes the step once it has returned. */
inline call_store(action, null_pointer, flags) {
  atomic {
    step_returned = false;
    step_action = action;
    step_null_pointer = null_pointer;
    step_flags_in = flags;
    step_result = 0;
    step_flags_out = 0;
    step_final_release = false;
    step_called_before = transport_calls_total > 0;
    step_transport_calls = 0;
    step_transport_flag = 0;
    step_spooler_result = 0;
    step_spooler_out = 0;
    call_in_progress = true;
    client_to_store ! action, null_pointer, flags
  }
  atomic {
    store_to_client ? step_result, step_flags_out ->
    if
    :: action == AddRef -> client_references++
    :: action == Release ->
       client_references--;
       step_final_release = client_references == 0
    :: action == StoreLogoff && !null_pointer && SINGLE_INPUT_FLAG(flags) ->
       last_valid_flag = flags;
       accepted_inputs = 0;     /* the last valid call wins (D2, D3) */
       accepted_alone = 0;
#if defined(PROFILE_EAGER)
       /* Caller rule (contract §6): after LOGOFF_COMPLETE, only Release. */
       client_saw_complete = client_saw_complete || (step_flags_out & LOGOFF_COMPLETE) != 0
#endif
    :: action == StoreLogoff && !null_pointer && !SINGLE_INPUT_FLAG(flags) && step_result >= 0 ->
       /* D3: invalid input the store accepted. */
       if
       :: flags == 0 -> accepted_inputs = accepted_inputs | ACCEPTED_NONE
       :: flags == (LOGOFF_NO_WAIT | LOGOFF_ORDERLY) -> accepted_inputs = accepted_inputs | ACCEPTED_TWO
       :: flags == (LOGOFF_ABORT | 256) -> accepted_inputs = accepted_inputs | ACCEPTED_UNKNOWN
       :: flags == LOGOFF_COMPLETE -> accepted_inputs = accepted_inputs | ACCEPTED_COMPLETE
       :: flags == (LOGOFF_NO_WAIT | LOGOFF_COMPLETE) ->
          accepted_inputs = accepted_inputs | ACCEPTED_BESIDE_OUTPUT
       :: else -> skip
       fi;
       if
       :: INPUT_FLAG_BESIDE_OUTPUT_BITS(flags) -> accepted_alone = accepted_alone | (flags & INPUT_FLAG_MASK)
       :: else -> skip
       fi
    :: else -> skip
    fi;
    call_in_progress = false;
    step_returned = true;
    PRINT_STEP()
  }
}

proctype Client() {
  byte budget = CLIENT_CALLS;
  int flags;
  do
  :: client_references == 0 -> break
  :: client_references > 0 && budget > 0 && !client_saw_complete &&
     client_references < MAX_REFERENCES ->
     budget--;
     call_store(AddRef, false, 0)
  :: client_references > 0 ->
     if
     :: budget > 0 -> budget--
     :: else -> skip
     fi;
     call_store(Release, false, 0)
  :: client_references > 0 && budget > 0 && !client_saw_complete ->
     budget--;
     if
     :: flags = LOGOFF_NO_WAIT
     :: flags = LOGOFF_ORDERLY
     :: flags = LOGOFF_PURGE
     :: flags = LOGOFF_ABORT
     :: flags = LOGOFF_QUIET
     /* invalid input (D3): none, two input flags, an unknown bit beside a
      * valid flag, an output-only flag on input */
     :: flags = 0
     :: flags = LOGOFF_NO_WAIT | LOGOFF_ORDERLY
     :: flags = LOGOFF_ABORT | 256
     :: flags = LOGOFF_COMPLETE
     /* an input flag with output bits beside it: what MFCMAPI passes when it
      * feeds back what a store like the SDK sample wrote (D3) */
     :: flags = LOGOFF_NO_WAIT | LOGOFF_COMPLETE
     :: call_store(StoreLogoff, true, 0); goto called
     fi;
     call_store(StoreLogoff, false, flags);
called:
     flags = 0
  od
}

/* ---- The environment: transport events between client calls (§5, §8) ------ */

/* Publishes an environment event as a step of its own. */
inline environment_event(action) {
  step_action = action;
  step_null_pointer = false;
  step_flags_in = 0;
  step_result = 0;
  step_flags_out = 0;
  step_final_release = false;
  step_called_before = transport_calls_total > 0;
  step_transport_calls = 0;
  step_transport_flag = 0;
  step_spooler_result = 0;
  step_spooler_out = 0;
  step_returned = true
}

proctype Environment() {
  byte budget = ENVIRONMENT_EVENTS;
  do
  :: client_references == 0 || budget == 0 -> break
  :: atomic {
       client_references > 0 && budget > 0 && !call_in_progress ->
       budget--;
       /* After a completed logoff the spooler ignores every environment event (§8). */
       if
       :: environment_event(InboundBegins);
          if
          :: !logged_off && reception_enabled -> inbound_in_progress = true
          :: else -> skip
          fi
       :: environment_event(InboundEnds);
          if
          :: !logged_off -> inbound_in_progress = false
          :: else -> skip
          fi
       :: environment_event(OutboundBegins);
          /* The next message leaves the outbox, if there is one. */
          if
          :: !logged_off ->
             outbound_in_progress = true;
             if
             :: outbox_queued > 0 -> outbox_queued--
             :: else -> skip
             fi
          :: else -> skip
          fi
       :: environment_event(OutboundEnds);
          if
          :: !logged_off -> outbound_in_progress = false
          :: else -> skip
          fi
       :: environment_event(MessageQueued);
          if
          :: !logged_off -> outbox_queued++
          :: else -> skip
          fi
       /* The spooler has released the store after a completed logoff (fr « le
        * spouleur MAPI libère le magasin »), so it no longer follows who else
        * has it open either (contract §8, decision found by cross-validation). */
       :: environment_event(OtherProcessOpens);
          if
          :: !logged_off -> open_in_other_process = true
          :: else -> skip
          fi
       :: environment_event(OtherProcessCloses);
          if
          :: !logged_off -> open_in_other_process = false
          :: else -> skip
          fi
       fi;
       PRINT_STEP()
     }
  od
}

/* ---- One or more lifetimes ------------------------------------------------- */

inline start_lifetime() {
  inbound_in_progress = false; outbound_in_progress = false; open_in_other_process = false;
  reception_enabled = true; logged_off = false; queues_flushed = false; outbox_queued = 0;
  store_references = 1; store_saved_flag = 0; store_transports_called = false;
  store_destroyed = false; store_exited = false;
  support_references = 1; call_without_reference = false; client_references = 1;
  client_saw_complete = false; last_valid_flag = 0; transport_calls_total = 0;
  accepted_inputs = 0; accepted_alone = 0; store_accepted = -1;
  call_in_progress = false; step_action = NoStep; step_returned = false;
  step_null_pointer = false; step_flags_in = 0; step_result = 0; step_flags_out = 0;
  step_final_release = false; step_called_before = false; step_transport_calls = 0;
  step_transport_flag = 0; step_spooler_result = 0; step_spooler_out = 0;
  spooler_flag = 0; spooler_result = 0; spooler_out = 0; spooler_before = 0; spooler_after = 0
}

init {
  int lifetime;
  do
  :: lifetime < LIFETIMES ->
     atomic {
       start_lifetime();
#if defined(PROFILE_EAGER)
       printf("LIFETIME eager\n");
#else
       printf("LIFETIME deferred\n");
#endif
       PRINT_STATE();
       lifetime++;
       run Spooler();
       run Store();
       run Client();
       run Environment()
     }
     (_nr_pr == 1)
  :: else -> break
  od
}

/* ===========================================================================
 * Properties. One per clause that is a statement about histories; the name
 * starts with the clause ID, the clause text (docs/contract.md §7, §8) is
 * beside it. All are checked with `pan -a` (acceptance cycles), which also
 * checks the liveness ones; every history is finite (the bounds above), so no
 * fairness assumption is needed (docs/formal.md).
 * =========================================================================== */

#define RETURNED(a)         (step_returned && step_action == a)
#define VALID_INPUT         (!step_null_pointer && SINGLE_INPUT_FLAG(step_flags_in))
#define UNKNOWN_BITS_INPUT  (!step_null_pointer && (step_flags_in & ~INPUT_FLAG_MASK) != 0)
#define FINAL_RELEASE       (RETURNED(Release) && step_final_release)
#define SPOOLER_CALLED      (step_transport_calls > 0)
#define ACCEPTED(bit)       ((accepted_inputs & (bit)) != 0)
/* D3: the store accepted an invalid input since the last valid StoreLogoff. */
#define ACCEPTED_SINCE_VALID (accepted_inputs != 0)
/* D3: an accepted invalid input, as given. */
#define ACCEPTED_AS_GIVEN(f) \
  (((f) == 0 && ACCEPTED(ACCEPTED_NONE)) || \
   ((f) == (LOGOFF_NO_WAIT | LOGOFF_ORDERLY) && ACCEPTED(ACCEPTED_TWO)) || \
   ((f) == (LOGOFF_ABORT | 256) && ACCEPTED(ACCEPTED_UNKNOWN)) || \
   ((f) == LOGOFF_COMPLETE && ACCEPTED(ACCEPTED_COMPLETE)) || \
   ((f) == (LOGOFF_NO_WAIT | LOGOFF_COMPLETE) && ACCEPTED(ACCEPTED_BESIDE_OUTPUT)))
/* D2, D3 (deferred): a flag the final Release may pass — the last valid one
 * (LOGOFF_ABORT when none came), an accepted input as given, or the input flag
 * that stood alone beside output bits in one. (No ?: here: "->" is LTL's.) */
#define FINAL_FLAG_ALLOWED(f) \
  ((last_valid_flag != 0 && (f) == last_valid_flag) || \
   (last_valid_flag == 0 && (f) == LOGOFF_ABORT) || ACCEPTED_AS_GIVEN(f) || \
   (SINGLE_INPUT_FLAG(f) && (accepted_alone & (f)) != 0))

/* SL-1: A StoreLogoff with a non-NULL pointer to exactly one of the five input
 * flags returns S_OK. */
ltl SL1_valid_store_logoff_succeeds {
  [] ((RETURNED(StoreLogoff) && VALID_INPUT) -> step_result == S_OK)
}

/* SL-2: StoreLogoff with invalid input (NULL, no input flag, several, or
 * unknown bits) that the store rejects with a failure HRESULT changes no saved
 * state and calls no transport logoff. ("Changes no saved state" shows at the
 * final Release, LT-1/LT-3/LT-4.) */
ltl SL2_rejected_input_changes_nothing {
  [] ((RETURNED(StoreLogoff) && !VALID_INPUT && step_result < 0) -> step_transport_calls == 0)
}

/* SL-3 (SHOULD): Invalid StoreLogoff input is rejected, with
 * MAPI_E_UNKNOWN_FLAGS for bits outside the input flags, otherwise
 * MAPI_E_INVALID_PARAMETER; accepting it, as the SDK sample store does, warns. */
ltl SL3_invalid_input_rejected_with_d3_hresult {
  [] ((RETURNED(StoreLogoff) && !VALID_INPUT) ->
      ((UNKNOWN_BITS_INPUT && step_result == MAPI_E_UNKNOWN_FLAGS) ||
       (!UNKNOWN_BITS_INPUT && step_result == MAPI_E_INVALID_PARAMETER)))
}

#if !defined(PROFILE_EAGER)
/* SL-4 (deferred): On return from a valid StoreLogoff, *lpulFlags holds the
 * input unchanged, a subset of LOGOFF_INBOUND, LOGOFF_OUTBOUND and
 * LOGOFF_OUTBOUND_QUEUE, or LOGOFF_COMPLETE. */
ltl SL4_output_is_input_activity_or_complete {
  [] ((RETURNED(StoreLogoff) && VALID_INPUT) ->
      (step_flags_out == step_flags_in || (step_flags_out & ~ACTIVITY_MASK) == 0 ||
       step_flags_out == LOGOFF_COMPLETE))
}
#else
/* SL-5 (eager): A valid StoreLogoff calls StoreLogoffTransports exactly once,
 * during the call, with the given flag, and returns the spooler's output flags
 * in *lpulFlags. */
ltl SL5_eager_calls_once_and_returns_answer {
  [] ((RETURNED(StoreLogoff) && VALID_INPUT) ->
      (step_transport_calls == 1 && step_transport_flag == step_flags_in &&
       step_flags_out == step_spooler_out))
}
#endif

#if !defined(PROFILE_EAGER)
/* LT-1 (deferred): The final Release passes StoreLogoffTransports the flag of
 * the last valid StoreLogoff. (A final Release with no call is LT-3's; after
 * an invalid input the store accepted, which flag it may pass is LT-4's, as
 * the C++ checks judge it: one violation, one clause.) */
ltl LT1_last_flag_wins {
  [] ((FINAL_RELEASE && last_valid_flag != 0 && SPOOLER_CALLED && !ACCEPTED_SINCE_VALID) ->
      FINAL_FLAG_ALLOWED(step_transport_flag))
}
#endif

/* LT-2: No StoreLogoffTransports call while the reference count is above
 * zero, except, under the eager profile, the one a valid StoreLogoff makes. */
#if !defined(PROFILE_EAGER)
ltl LT2_no_call_before_count_zero {
  [] ((RETURNED(AddRef) || (RETURNED(Release) && !step_final_release) || RETURNED(StoreLogoff)) ->
      step_transport_calls == 0)
}
#else
ltl LT2_no_call_before_count_zero {
  [] ((RETURNED(AddRef) || (RETURNED(Release) && !step_final_release) ||
       (RETURNED(StoreLogoff) && !VALID_INPUT)) ->
      step_transport_calls == 0)
}
#endif

/* LT-3: The Release that takes the count to zero calls StoreLogoffTransports
 * exactly once when one is due: deferred, always, with LOGOFF_ABORT if
 * StoreLogoff never came; eager, with LOGOFF_ABORT, only if it was never
 * called before. */
#if !defined(PROFILE_EAGER)
ltl LT3_final_release_calls_once_when_due {
  [] (FINAL_RELEASE ->
      (step_transport_calls == 1 && (last_valid_flag != 0 || ACCEPTED_SINCE_VALID ||
                                     FINAL_FLAG_ALLOWED(step_transport_flag))))
}
#else
ltl LT3_final_release_calls_once_when_due {
  [] (FINAL_RELEASE ->
      ((step_called_before && step_transport_calls == 0) ||
       (!step_called_before && step_transport_calls == 1 && step_transport_flag == LOGOFF_ABORT)))
}
#endif
/* LT-3, liveness form: every lifetime reaches the final Release, and by then
 * the transports have been handed back (deferred: by that Release; eager: by
 * StoreLogoff or by that Release). */
ltl LT3_every_lifetime_hands_transports_back {
  <> (FINAL_RELEASE && transport_calls_total > 0)
}

/* LT-4: Every StoreLogoffTransports call passes a non-NULL pointer to a flag
 * the store was given or LOGOFF_ABORT, never an invented one: exactly one input
 * flag; deferred, in the final Release after an invalid input the store
 * accepted, only what FINAL_FLAG_ALLOWED says (the earlier flag or
 * LOGOFF_ABORT, the input as given, or its one input flag beside output bits).
 * (Every call is the latest one in some state.) */
#if !defined(PROFILE_EAGER)
#define IN_FINAL_RELEASE (step_action == Release && \
                          (client_references == 0 || (client_references == 1 && call_in_progress)))
#define AFTER_ACCEPTED_INPUT (IN_FINAL_RELEASE && ACCEPTED_SINCE_VALID)
ltl LT4_transport_flag_given_never_invented {
  [] (SPOOLER_CALLED -> ((AFTER_ACCEPTED_INPUT -> FINAL_FLAG_ALLOWED(spooler_flag)) &&
                         (!AFTER_ACCEPTED_INPUT -> SINGLE_INPUT_FLAG(spooler_flag))))
}
#else
ltl LT4_transport_flag_given_never_invented {
  [] (SPOOLER_CALLED -> SINGLE_INPUT_FLAG(spooler_flag))
}
#endif

/* RC-1: AddRef and Release return the new reference count. */
ltl RC1_count_returned {
  [] ((RETURNED(AddRef) || RETURNED(Release)) -> step_result == client_references)
}

/* RC-2: The store holds a reference to the support object while it may still
 * call it, never calls it while holding none, and has given every reference
 * back when the final Release returns. */
#if !defined(PROFILE_EAGER)
#define MAY_STILL_CALL_SUPPORT (client_references > 0)
#else
#define MAY_STILL_CALL_SUPPORT (client_references > 0 && !client_saw_complete)
#endif
ltl RC2_support_reference_held_then_released {
  [] (!call_without_reference &&
      (step_returned -> ((MAY_STILL_CALL_SUPPORT -> support_references > 0) &&
                         (FINAL_RELEASE -> support_references == 0))))
}

/* RC-3: No call on the store crashes, hangs past the timeout, throws, or exits
 * the process. Only "hangs" is within SPIN's reach: every call returns. */
ltl RC3_every_call_returns {
  [] (call_in_progress -> <> !call_in_progress)
}

/* SP-1: StoreLogoffTransports with anything but exactly one input flag
 * returns MAPI_E_INVALID_PARAMETER and changes nothing. */
ltl SP1_invalid_flags_rejected {
  [] ((SPOOLER_CALLED && !SINGLE_INPUT_FLAG(spooler_flag)) ->
      (spooler_result == MAPI_E_INVALID_PARAMETER && spooler_out == spooler_flag &&
       spooler_after == spooler_before))
}

#define SPOOLER_VALID_CALL  (SPOOLER_CALLED && SINGLE_INPUT_FLAG(spooler_flag))
#define SPOOLER_ACTS        (SPOOLER_VALID_CALL && !HAS(spooler_before, ENV_OTHER) && \
                             !HAS(spooler_before, ENV_LOGGED_OFF))
#define LOGGED_OFF_AFTER    (HAS(spooler_after, ENV_LOGGED_OFF) && !HAS(spooler_after, ENV_RECEPTION))
#define NOTHING_IN_PROGRESS_AFTER \
  (!HAS(spooler_after, ENV_INBOUND) && !HAS(spooler_after, ENV_OUTBOUND))

/* SP-2: While the store is open in another process, a valid call returns S_OK
 * with LOGOFF_COMPLETE and changes nothing. */
ltl SP2_open_elsewhere_ignored {
  [] ((SPOOLER_VALID_CALL && HAS(spooler_before, ENV_OTHER)) ->
      (spooler_result == S_OK && spooler_out == LOGOFF_COMPLETE && spooler_after == spooler_before))
}

/* SP-3: LOGOFF_ABORT or LOGOFF_QUIET with transport activity returns S_OK
 * with the activity bits and does not log off. */
ltl SP3_activity_blocks_abort_and_quiet {
  [] ((SPOOLER_ACTS && (spooler_flag == LOGOFF_ABORT || spooler_flag == LOGOFF_QUIET) &&
       ACT(spooler_before) != 0) ->
      (spooler_result == S_OK && spooler_out == ACT(spooler_before) &&
       spooler_after == spooler_before))
}

/* SP-4: LOGOFF_ABORT or LOGOFF_QUIET with no transport activity logs off and
 * returns S_OK with LOGOFF_COMPLETE. */
ltl SP4_idle_abort_and_quiet_log_off {
  [] ((SPOOLER_ACTS && (spooler_flag == LOGOFF_ABORT || spooler_flag == LOGOFF_QUIET) &&
       ACT(spooler_before) == 0) ->
      (spooler_result == S_OK && spooler_out == LOGOFF_COMPLETE && LOGGED_OFF_AFTER))
}

/* SP-5: LOGOFF_NO_WAIT finishes in-progress messages, sends the queued ones,
 * disables reception, logs off and returns LOGOFF_COMPLETE. */
ltl SP5_no_wait_sends_queue_and_logs_off {
  [] ((SPOOLER_ACTS && spooler_flag == LOGOFF_NO_WAIT) ->
      (spooler_result == S_OK && spooler_out == LOGOFF_COMPLETE && LOGGED_OFF_AFTER &&
       NOTHING_IN_PROGRESS_AFTER && QUEUED(spooler_after) == 0))
}

/* SP-6: LOGOFF_ORDERLY finishes in-progress messages, starts no queued ones,
 * disables reception, logs off and returns LOGOFF_COMPLETE. */
ltl SP6_orderly_keeps_queue_and_logs_off {
  [] ((SPOOLER_ACTS && spooler_flag == LOGOFF_ORDERLY) ->
      (spooler_result == S_OK && spooler_out == LOGOFF_COMPLETE && LOGGED_OFF_AFTER &&
       NOTHING_IN_PROGRESS_AFTER && QUEUED(spooler_after) == QUEUED(spooler_before)))
}

/* SP-7: LOGOFF_PURGE acts as LOGOFF_NO_WAIT and also has the transports'
 * FlushQueues invoked. */
ltl SP7_purge_flushes_queues {
  [] ((SPOOLER_ACTS && spooler_flag == LOGOFF_PURGE) ->
      (spooler_result == S_OK && spooler_out == LOGOFF_COMPLETE && LOGGED_OFF_AFTER &&
       NOTHING_IN_PROGRESS_AFTER && QUEUED(spooler_after) == 0 && HAS(spooler_after, ENV_FLUSHED)))
}

/* Contract §8, project refinement of SP-4..SP-7: after a completed logoff, a
 * further valid call returns S_OK with LOGOFF_COMPLETE and changes nothing. */
ltl SP_completed_logoff_not_repeated {
  [] ((SPOOLER_VALID_CALL && HAS(spooler_before, ENV_LOGGED_OFF)) ->
      (spooler_result == S_OK && spooler_out == LOGOFF_COMPLETE && spooler_after == spooler_before))
}
