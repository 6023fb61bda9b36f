#include "ad/detect/score.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ad/core/error.h"
#include "ad/core/scored.h"
#include "ad/detect/explain.h"
#include "ad/detect/incident.h"
#include "ad/detect/login.h"
#include "ad/core/text.h"
#include "ad/core/timestamp.h"

namespace ad {

namespace {

class Batcher {
 public:
  Batcher(const Model& model, csv::Reader& in, Output& out, const ScoreOptions& opt, ScoreReport& report)
      : model_(model),
        in_(in),
        writer_(out),
        opt_(opt),
        report_(report),
        roles_(Roles::find(in.header(), opt.map)),
        extractor_(model.features, model.tables, in.header(), roles_, in.name()),
        columns_(LoginColumns::bind(model.role_columns, in.header(), roles_, in.name(), true)),
        profiles_(model.profiles),
        tracker_(profiles_, opt.geoip) {
    const auto& header = in.header();
    time_col_ = columns_[Role::kTime];
    activity_col_ = columns_[Role::kActivity];
    user_col_ = columns_[Role::kUser];
    for (std::size_t i = 0; i < model.features.size(); ++i)
      if (is_derived(model.features[i].kind)) derived_.push_back(i);
    width_ = header.size();
    // Scored columns the input has already are replaced in place; the others are appended.
    auto present = scored::Columns::find(header);
    for (std::size_t k = 0; k < scored::kAppended.size(); ++k) {
      int c = present[static_cast<scored::Field>(k)];
      out_col_[k] = c >= 0 ? static_cast<std::size_t>(c) : width_ + appended_++;
    }
    for (const auto& h : header) writer_.field(h);
    for (std::size_t k = 0; k < scored::kAppended.size(); ++k)
      if (out_col_[k] >= width_) writer_.field(scored::kAppended[k]);
    writer_.end_row();
    features_.cols = model.features.size();
  }

  void add(const csv::Row& row) {
    Kind kind = Kind::kScore;
    if (activity_col_ >= 0 && !is_login_activity(row.fields[static_cast<std::size_t>(activity_col_)])) {
      ++report_.not_logins;
      if (opt_.logins_only) return;
      kind = Kind::kPass;
    }
    std::size_t slot = kinds_.size();
    features_.values.resize((slot + 1) * features_.cols);
    if (kind == Kind::kScore) {
      try {
        std::optional<std::int64_t> ms;
        if (time_col_ >= 0) {
          std::string_view t = row.fields[static_cast<std::size_t>(time_col_)];
          ms = parse_time_ms(t, opt_.assume_tz_s);
          if (!ms)
            throw data_error("bad timestamp " + text::quote(t),
                             in_.where(row.line, static_cast<std::size_t>(time_col_)));
        }
        double* x = features_.row(slot);
        extractor_.extract(in_, row, x);
        if (!derived_.empty() && ms) {
          if (contexts_.size() <= slot) contexts_.resize(slot + 1);
          LoginContext& ctx = contexts_[slot];
          tracker_.observe(read_event(columns_, row, *ms), ctx);
          for (std::size_t i : derived_)
            x[i] = ctx.values[static_cast<std::size_t>(static_cast<int>(model_.features[i].kind) - kDerivedKindBase)];
        }
      } catch (const Error& e) {
        in_.reject(e);  // throws unless --on-error skip: then the row is written unscored
        kind = Kind::kPass;
      }
    }
    kinds_.push_back(kind);
    starts_.push_back(fields_.size());
    for (auto f : row.fields) {
      fields_.push_back({arena_.size(), f.size()});
      arena_.append(f);
    }
    if (kinds_.size() >= kBatchRows) flush_batch();
  }

  // Scores and writes the pending rows.
  void flush_batch() {
    if (kinds_.empty()) return;
    features_.rows = kinds_.size();
    model_.score(features_, scores_, opt_.threads);
    std::string cells[scored::kAppended.size()];
    for (std::size_t r = 0; r < kinds_.size(); ++r) {
      for (auto& c : cells) c.clear();
      if (kinds_[r] == Kind::kScore) {
        double s = scores_[r];
        bool flag = s > model_.threshold;
        ++report_.scored;
        cells[cell(scored::Field::kScore)] = fmt::format("{:.6f}", s);
        cells[cell(scored::Field::kFlag)] = flag ? "1" : "0";
        cells[cell(scored::Field::kSeverity)] = fmt::format("{:.1f}", model_.severity(s));
        if (flag) {
          ++report_.flagged;
          cells[cell(scored::Field::kReasons)] = reasons(r);
        }
        incident(r, flag, cells);
      }
      std::size_t begin = starts_[r];
      std::size_t col = 0;
      for (; col < width_; ++col) {
        int k = scored_index(col);
        writer_.field(k >= 0 ? std::string_view(cells[k]) : field(begin + col));
      }
      for (std::size_t k = 0; k < scored::kAppended.size(); ++k)
        if (out_col_[k] >= width_) writer_.field(cells[k]);
      writer_.end_row();
    }
    kinds_.clear();
    starts_.clear();
    fields_.clear();
    arena_.clear();
    features_.values.clear();
  }

 private:
  enum class Kind : std::uint8_t { kScore, kPass };

  static std::size_t cell(scored::Field f) { return static_cast<std::size_t>(f); }
  std::string_view field(std::size_t i) const {
    return std::string_view(arena_).substr(fields_[i].first, fields_[i].second);
  }
  int scored_index(std::size_t col) const {
    for (std::size_t k = 0; k < scored::kAppended.size(); ++k)
      if (out_col_[k] == col) return static_cast<int>(k);
    return -1;
  }
  std::string reasons(std::size_t r) {
    const double* x = features_.row(r);
    std::vector<std::string> words;
    for (std::size_t f : explain(model_, x)) {
      FeatureKind kind = model_.features[f].kind;
      if (is_derived(kind)) {
        words.push_back(describe_derived(static_cast<Derived>(static_cast<int>(kind) - kDerivedKindBase), contexts_[r]));
        continue;
      }
      std::size_t col = static_cast<std::size_t>(extractor_.column(f));
      words.push_back(describe(model_, f, field(starts_[r] + col), x[f]));
    }
    return join_reasons(words);
  }
  // Feeds scored row r to the incident grouper; for a flagged row, fills the incident
  // columns. Incidents need the login features (user and time).
  void incident(std::size_t r, bool flag, std::string* cells) {
    if (derived_.empty() || user_col_ < 0) return;
    std::string_view user = field(starts_[r] + static_cast<std::size_t>(user_col_));
    const Incident* inc = incidents_.add(incident_event(contexts_[r], user, flag));
    if (!inc) return;
    cells[cell(scored::Field::kIncidentId)] = inc->id;
    cells[cell(scored::Field::kIncidentScore)] = fmt::format("{:.0f}", inc->score);
    cells[cell(scored::Field::kIncidentKind)] = incident_kind_name(inc->kind);
  }

  const Model& model_;
  csv::Reader& in_;
  csv::Writer writer_;
  const ScoreOptions& opt_;
  ScoreReport& report_;
  Roles roles_;
  FeatureExtractor extractor_;
  LoginColumns columns_;
  Profiles profiles_;  // the model's, updated in memory as logins are scored (profile.h)
  LoginTracker tracker_;
  std::vector<std::size_t> derived_;     // indices of the derived features
  std::vector<LoginContext> contexts_;   // per pending row, for reasons
  IncidentGrouper incidents_;
  int time_col_ = -1, activity_col_ = -1, user_col_ = -1;
  std::size_t width_ = 0, appended_ = 0;
  std::size_t out_col_[scored::kAppended.size()] = {};

  std::vector<Kind> kinds_;
  std::vector<std::size_t> starts_;
  std::vector<std::pair<std::size_t, std::size_t>> fields_;
  std::string arena_;
  Matrix features_;
  std::vector<double> scores_;
};

// The databases must be those the model learned with: places and networks mean
// something else without them.
void check_databases(const Model& model, const GeoIp* geoip) {
  const bool places = geoip && geoip->places(), networks = geoip && geoip->networks();
  if (model.geoip_places != places)
    throw usage_error(model.geoip_places ? "the model was trained with --geoip: give ad-score a City database too"
                                         : "--geoip: the model was trained without a City database");
  if (model.asn_networks != networks)
    throw usage_error(model.asn_networks ? "the model was trained with --asn: give ad-score an ASN database too"
                                         : "--asn: the model was trained without an ASN database");
}

}  // namespace

void score(const Model& model, csv::Reader& in, Output& out, const ScoreOptions& opt, ScoreReport& report,
           const std::function<void(const std::string&)>& warn) {
  check_databases(model, opt.geoip);
  Batcher batcher(model, in, out, opt, report);
  if (in.live())
    in.set_idle_hook([&] {
      batcher.flush_batch();
      out.flush();
    });
  // Bad records (ragged rows, bad UTF-8) cannot be passed through aligned: the reader
  // drops them under --on-error skip.
  if (opt.on_error == OnError::kSkip) in.skip_bad_records({10, warn, {}});
  csv::Row row;
  while (in.next(row)) batcher.add(row);
  batcher.flush_batch();
  in.set_idle_hook(nullptr);
  report.rows_read = in.records();
  report.skipped = in.skipped();
  if (report.skipped) warn(in.skipped_summary());
  if (report.rows_read == 0 && !opt.allow_empty)
    throw data_error("no data rows: the input has only a header (use --allow-empty to accept that)",
                     Location{in.name()});
}

}  // namespace ad
