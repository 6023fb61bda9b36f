#include "ad/core/clock.h"

#include <time.h>

#include <cstdlib>
#include <string>

#include "ad/core/error.h"
#include "ad/core/timestamp.h"

namespace ad {

std::int64_t now_ms() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::int64_t reproducible_now_ms() {
  const char* sde = std::getenv("SOURCE_DATE_EPOCH");
  if (!sde || !*sde) return now_ms();
  auto t = parse_time_ms(sde);
  if (!t) throw usage_error(std::string("SOURCE_DATE_EPOCH is not epoch seconds: '") + sde + "'");
  return *t;
}

}  // namespace ad
