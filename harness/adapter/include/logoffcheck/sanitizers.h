// logoffcheck/sanitizers.h — which sanitizer this translation unit is built
// with, said once for GCC (__SANITIZE_ADDRESS__, __SANITIZE_THREAD__) and
// Clang (__has_feature):
//   LOGOFFCHECK_ASAN, LOGOFFCHECK_TSAN, LOGOFFCHECK_MSAN  the sanitizer itself;
//   LOGOFFCHECK_LSAN           LeakSanitizer (AddressSanitizer includes it);
//   LOGOFFCHECK_SHADOW_MEMORY  a sanitizer that reserves terabytes of address
//                              space, so that no address-space limit fits it.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define LOGOFFCHECK_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define LOGOFFCHECK_TSAN 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(LOGOFFCHECK_ASAN)
#define LOGOFFCHECK_ASAN 1
#endif
#if __has_feature(thread_sanitizer) && !defined(LOGOFFCHECK_TSAN)
#define LOGOFFCHECK_TSAN 1
#endif
#if __has_feature(memory_sanitizer)
#define LOGOFFCHECK_MSAN 1
#endif
#if __has_feature(leak_sanitizer)
#define LOGOFFCHECK_LSAN 1
#endif
#endif
#if defined(LOGOFFCHECK_ASAN) && !defined(LOGOFFCHECK_LSAN)
#define LOGOFFCHECK_LSAN 1
#endif
#if defined(LOGOFFCHECK_ASAN) || defined(LOGOFFCHECK_TSAN) || defined(LOGOFFCHECK_MSAN)
#define LOGOFFCHECK_SHADOW_MEMORY 1
#endif
