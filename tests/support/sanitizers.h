// Whether this test binary is built with a sanitizer (-DLAKE_SANITIZE, which builds p2plake the
// same way), and how much slower that makes the code under test: tests that bound time widen
// their deadlines by kSlowdown rather than drop them.
#pragma once

namespace lake::testing {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

// ASan and UBSan at -O1 run the engine's scans 3 to 5 times slower than the release build.
inline constexpr int kSlowdown = kSanitized ? 5 : 1;

}  // namespace lake::testing
