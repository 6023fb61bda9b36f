#include "ad/import/importer.h"

#include <sys/stat.h>

#include <chrono>
#include <functional>
#include <vector>

#include "ad/core/csv.h"
#include "ad/core/error.h"
#include "ad/import/cloudtrail.h"
#include "ad/import/entra.h"
#include "ad/import/gworkspace.h"
#include "ad/import/json_reader.h"
#include "ad/import/okta.h"
#include "ad/import/record.h"
#include "ad/import/sshd.h"

namespace ad::import {
namespace {

// Hands over the lines read while looking at the input's first character, then the rest.
class ReplayLines : public csv::LineSource {
 public:
  explicit ReplayLines(csv::LineSource& inner) : inner_(inner) {}
  // Reads up to the first non-blank line; returns its first character, or 0 at the end.
  char sniff() {
    std::string_view l;
    while (inner_.next(l)) {
      saved_.emplace_back(l);
      auto s = l.substr(saved_.size() == 1 && l.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0);
      auto i = s.find_first_not_of(" \t\r");
      if (i != std::string_view::npos) return s[i];
    }
    return 0;
  }
  bool next(std::string_view& line) override {
    if (next_ < saved_.size()) {
      line = saved_[next_++];
      return true;
    }
    return inner_.next(line);
  }
  bool live() const override { return inner_.live(); }

 private:
  csv::LineSource& inner_;
  std::vector<std::string> saved_;
  std::size_t next_ = 0;
};

using JsonMapper = void (*)(const nlohmann::json&, std::vector<Login>&);

class Run {
 public:
  Run(const ImportOptions& o, Output& out, std::string name) : o_(o), w_(out), name_(std::move(name)) {}

  // Calls f for one record, which appends its logins to logins_ and returns false at
  // the end of the input instead. Errors without a place are placed at line.
  bool record(const std::uint64_t& line, const std::function<bool()>& f) {
    logins_.clear();
    try {
      if (!f()) return false;
      ++s.records;
    } catch (const Error& e) {
      if (e.status() != Status::kData) throw;
      ++s.records;
      Location at = e.where().file.empty() ? Location{name_, line} : e.where();
      if (!o_.skip_bad) throw Error(Status::kData, e.message(), at);
      ++s.skipped;
      if (!s.first_skipped) s.first_skipped = format_message(at, e.message());
      return true;
    }
    if (logins_.empty()) ++s.passed;
    for (const auto& l : logins_) write_login(w_, l, extras_);
    s.logins += logins_.size();
    return true;
  }
  void header(const std::vector<std::string>& extras) {
    extras_ = extras.size();
    write_header(w_, extras);
  }
  void json(csv::LineSource& lines, const std::function<void(const nlohmann::json&, std::vector<Login>&)>& map);
  void syslog(csv::LineSource& lines, SshdConverter& sshd);
  void entra_csv(std::unique_ptr<csv::LineSource> lines);

  ImportSummary s;
  std::vector<Login> logins_;

 private:
  const ImportOptions& o_;
  csv::Writer w_;
  std::string name_;
  std::size_t extras_ = 0;
};

void Run::json(csv::LineSource& lines, const std::function<void(const nlohmann::json&, std::vector<Login>&)>& map) {
  JsonReader reader(lines, name_);
  JsonRecord r;
  while (record(r.line, [&] {
    if (!reader.next(r)) return false;
    map(r.value, logins_);
    return true;
  })) {
  }
}

void Run::syslog(csv::LineSource& lines, SshdConverter& sshd) {
  std::string_view l;
  std::uint64_t n = 0;
  while (lines.next(l)) {
    ++n;
    if (n == 1 && l.substr(0, 3) == "\xEF\xBB\xBF") l.remove_prefix(3);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.find_first_not_of(" \t") == std::string_view::npos) continue;
    record(n, [&] {
      sshd.syslog_line(l, logins_);
      return true;
    });
  }
}

void Run::entra_csv(std::unique_ptr<csv::LineSource> lines) {
  csv::Reader reader(std::move(lines), name_);
  EntraCsvColumns columns = [&] {
    try {
      return EntraCsvColumns(reader.header());
    } catch (const Error& e) {
      throw Error(e.status(), e.message(), Location{name_, 1});
    }
  }();
  header(entra_extras());
  csv::Row row;
  while (record(row.line, [&] {
    if (!reader.next(row)) return false;
    logins_.push_back(columns.map(row.fields));
    return true;
  })) {
  }
}

std::int64_t reference_time(const std::string& path) {
  struct stat st {};
  if (!path.empty() && path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "sshd") return Format::kSshd;
  if (name == "entra") return Format::kEntra;
  if (name == "okta") return Format::kOkta;
  if (name == "gworkspace") return Format::kGworkspace;
  if (name == "cloudtrail") return Format::kCloudtrail;
  return std::nullopt;
}

ImportSummary run_import(const ImportOptions& o, Output& out) {
  std::string name = csv::display_name(o.path);
  auto inner = csv::open_lines(o.path);
  inner->set_idle_hook([&out] { out.flush(); });
  csv::LineSource& source = *inner;
  auto lines = std::make_unique<ReplayLines>(source);
  char first = lines->sniff();
  bool is_json = first == '{' || first == '[';
  Run run(o, out, name);
  switch (o.format) {
    case Format::kSshd: {
      run.header(sshd_extras());
      SshdConverter sshd(o.year, o.reference_ms ? *o.reference_ms : reference_time(o.path), o.assume_tz_s);
      if (is_json)
        run.json(*lines, [&](const nlohmann::json& e, std::vector<Login>& v) { sshd.journal_entry(e, v); });
      else
        run.syslog(*lines, sshd);
      break;
    }
    case Format::kEntra:
      if (is_json) {
        run.header(entra_extras());
        run.json(*lines, map_entra);
      } else if (first) {
        run.entra_csv(std::move(lines));
      } else {
        run.header(entra_extras());
      }
      break;
    default: {
      JsonMapper map = o.format == Format::kOkta ? map_okta
                       : o.format == Format::kGworkspace ? map_gworkspace : map_cloudtrail;
      if (first && !is_json)
        throw data_error("not JSON: this format is read as JSON Lines or a JSON array", Location{name, 0});
      run.header(o.format == Format::kOkta ? okta_extras()
                 : o.format == Format::kGworkspace ? gworkspace_extras() : cloudtrail_extras());
      run.json(*lines, map);
    }
  }
  return run.s;
}

}  // namespace ad::import
