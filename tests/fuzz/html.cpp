// Hostile values in the mail alert and the HTML report: no tag from the data reaches
// HTML. Each document is built twice, once from the data and once from the same data
// with < > & ' replaced by { } ~ `; both must hold the same tags. The replacement must
// not make two distinct values equal (u<x> and u>x> are two users, and each gets a row),
// so inputs that already hold a replacement character are not tried.
#include <string>
#include <string_view>

#include "ad/core/csv.h"
#include "ad/mail/alert.h"
#include "ad/report/report.h"
#include "fuzz_util.h"

namespace {

const char* kHeader =
    "event_id,timestamp,user_id,ip_address,country,city,user_agent,anomaly_score,anomaly_flag,"
    "severity,anomaly_reasons,incident_id,incident_score,incident_kind\n";

constexpr std::string_view kHostile = "<>&'", kTame = "{}~`";

std::string defuse(std::string s) {
  for (char& c : s)
    if (auto i = kHostile.find(c); i != std::string_view::npos) c = kTame[i];
  return s;
}

std::string mail_html(const std::string& text, std::string* text_body) {
  ad::csv::Reader reader(ad::csv::string_lines("in.csv", text), "in.csv");
  reader.skip_bad_records({});
  auto columns = ad::mail::Columns::find(reader.header(), {}, "in.csv");
  ad::mail::Batch batch;
  ad::csv::Row row;
  while (reader.next(row)) {
    std::optional<std::int64_t> t;
    ad::mail::Anomaly a;
    try {
      auto kind = ad::mail::read_row(columns, reader, row, 0, t, &a);
      if (kind == ad::mail::RowKind::kUnscored) continue;
      ++batch.scored;
      batch.add_time(t);
      if (kind == ad::mail::RowKind::kFlagged) batch.add_anomaly(columns, std::move(a), 2048);
    } catch (const ad::Error&) {
    }
  }
  ad::mail::AlertOptions o;
  o.now_ms = 1735704120000;
  o.max_attachment = 2048;
  auto content = ad::mail::render_alert(columns, batch, o);
  if (text_body) *text_body = content.text;
  return content.html;
}

std::string report_html(const std::string& text) {
  fuzz::MemFile in, out;
  in.write_all(text);
  ad::report::Options o;
  o.skip_bad_rows = true;
  {
    ad::Output sink(out.fd, "report");
    ad::report::run({in.path()}, o, sink);
    sink.flush();
  }
  return out.read_all();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string data(reinterpret_cast<const char*>(bytes), size);
  std::string text = kHeader + data, tame = kHeader + defuse(data);
  if (text.find('\0') != std::string::npos) return 0;  // a NUL byte stops every reader
  if (data.find_first_of(kTame) != std::string::npos) return 0;  // defuse must be one-to-one
  std::string body;
  std::string a = mail_html(text, &body), b = mail_html(tame, nullptr);
  FUZZ_CHECK(fuzz::tag_census(a) == fuzz::tag_census(b), "a tag from the data in the mail");
  for (char c : body)
    FUZZ_CHECK(c == '\n' || static_cast<unsigned char>(c) >= 0x20, "a control in the text body");
  std::string ra, rb;
  try {
    ra = report_html(text);
  } catch (const ad::Error&) {
    return 0;
  }
  rb = report_html(tame);
  FUZZ_CHECK(fuzz::tag_census(ra) == fuzz::tag_census(rb), "a tag from the data in the report");
  return 0;
}
