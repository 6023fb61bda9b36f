// clock.h: the one "now" of the tools, in milliseconds since the Unix epoch.
//
// Every wall-clock reading goes through here: the date of a mail and its Message-ID,
// the names of spooled messages, the time a report was made. Durations and deadlines
// (windows, retries, timeouts) use std::chrono::steady_clock instead, which no clock
// change moves.
#pragma once

#include <cstdint>

namespace ad {

// The current time (CLOCK_REALTIME) in milliseconds since 1970-01-01T00:00:00Z.
std::int64_t now_ms();

// now_ms(), unless the environment sets SOURCE_DATE_EPOCH (epoch seconds, see
// reproducible-builds.org): then that time, so that output which shows when it was made
// is the same bytes on every run. An empty SOURCE_DATE_EPOCH counts as unset.
// Throws ad::Error(kUsage) when it is set to something that is not epoch seconds.
std::int64_t reproducible_now_ms();

}  // namespace ad
