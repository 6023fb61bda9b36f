// The scored-row parser: rows of scored CSV either parse into values in range or are
// refused with ad::Error(kData).
#include <cmath>
#include <string>

#include "ad/core/csv.h"
#include "ad/core/scored.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string data(reinterpret_cast<const char*>(bytes), size);
  // Either the input's own header, or (when it lacks the scored columns) a fixed one.
  for (std::string text :
       {data, std::string("user_id,timestamp,anomaly_score,anomaly_flag,severity,anomaly_reasons,"
                          "incident_id,incident_score,incident_kind\n") + data}) {
    try {
      ad::csv::Reader reader(ad::csv::string_lines("in.csv", text), "in.csv");
      auto columns = ad::scored::Columns::find(reader.header());
      if (!columns.complete()) continue;
      reader.skip_bad_records({});
      ad::csv::Row row;
      while (reader.next(row)) {
        try {
          auto r = ad::scored::parse(columns, row, "in.csv");
          if (!r) continue;
          FUZZ_CHECK(r->score >= 0 && r->score <= 1, "score out of range");
          FUZZ_CHECK(r->severity >= 0 && r->severity <= 100, "severity out of range");
          if (r->incident_score)
            FUZZ_CHECK(*r->incident_score >= 0 && *r->incident_score <= 100, "incident score");
          (void)ad::scored::band_of(r->severity);
        } catch (const ad::Error& e) {
          FUZZ_CHECK(e.status() == ad::Status::kData, "not a data error");
        }
      }
    } catch (const ad::Error& e) {
      FUZZ_CHECK(e.status() == ad::Status::kData, "not a data error");
    }
  }
  return 0;
}
