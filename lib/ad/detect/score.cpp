#include "ad/detect/score.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "ad/core/error.h"
#include "ad/core/scored.h"
#include "ad/detect/explain.h"
#include "ad/detect/incident.h"
#include "ad/detect/login.h"
#include "ad/detect/severity.h"
#include "ad/core/text.h"
#include "ad/core/timestamp.h"
#include "ad/core/worker.h"

namespace ad {

namespace {

enum class Kind : std::uint8_t { kScore, kPass };

// The rows read and not yet written: their fields (or whole lines) in one arena, their
// features and, for reasons and incidents, their login contexts.
struct Batch {
  // Per row: its line in arena (offset, length) when it passes through whole (a plain
  // row, and every scored column appended), else length kNoText.
  static constexpr std::size_t kNoText = static_cast<std::size_t>(-1);
  std::vector<Kind> kinds;
  std::vector<std::size_t> starts;                       // first of the row's fields
  std::vector<std::pair<std::size_t, std::size_t>> texts;
  std::vector<std::pair<std::size_t, std::size_t>> fields;  // offset and length in arena
  std::string arena;
  Matrix features;
  std::vector<LoginContext> contexts;  // per row, with login features
  std::vector<double> scores;
  // The features that drove each row scored above the threshold (explain.h), in the
  // rows' order: filled by the scorer, read by the writer.
  std::vector<std::vector<std::size_t>> explained;

  std::size_t size() const { return kinds.size(); }
  std::string_view field(std::size_t i) const {
    return std::string_view(arena).substr(fields[i].first, fields[i].second);
  }
  void clear() {
    kinds.clear();
    starts.clear();
    texts.clear();
    fields.clear();
    arena.clear();
    features.values.clear();
    explained.clear();
  }
};

class Batcher {
 public:
  Batcher(const Model& model, csv::Reader& in, Output& out, const ScoreOptions& opt, ScoreReport& report)
      : model_(model),
        in_(in),
        opt_(opt),
        report_(report),
        roles_(Roles::find(in.header(), opt.map)),
        severity_(model.quantiles),
        extractor_(model.features, model.tables, in.header(), roles_, in.name()),
        columns_(LoginColumns::bind(model.role_columns, in.header(), roles_, in.name(), true)),
        writer_(out),
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
    for (auto& b : batches_) b.features.cols = model.features.size();
    if (opt.threads != 1) {
      writing_ = std::make_unique<SerialWorker>(1);
      scoring_ = std::make_unique<SerialWorker>(1);
    }
  }

  void add(const csv::Row& row) {
    Kind kind = Kind::kScore;
    if (activity_col_ >= 0 && !is_login_activity(row.fields[static_cast<std::size_t>(activity_col_)])) {
      ++report_.not_logins;
      if (opt_.logins_only) return;
      kind = Kind::kPass;
    }
    // A batch holds at most kBatchBytes of fields, or one row that is longer.
    if (batches_[filling_].arena.size() + row_bytes(row) > kBatchBytes) flush_batch();
    Batch& b = batches_[filling_];
    std::size_t slot = b.size();
    b.features.values.resize((slot + 1) * b.features.cols);
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
        double* x = b.features.row(slot);
        extractor_.extract(in_, row, x);
        if (!derived_.empty() && ms) {
          if (b.contexts.size() <= slot) b.contexts.resize(slot + 1);
          LoginContext& ctx = b.contexts[slot];
          tracker_.observe(read_event(columns_, row, *ms), ctx);
          for (std::size_t i : derived_)
            x[i] = ctx.values[static_cast<std::size_t>(static_cast<int>(model_.features[i].kind) - kDerivedKindBase)];
        }
      } catch (const Error& e) {
        in_.reject(e);  // throws unless --on-error skip: then the row is written unscored
        kind = Kind::kPass;
      }
    }
    keep(b, row, kind);
    if (b.size() >= kBatchRows) flush_batch();
  }

  // Hands the pending rows over to be scored and written: to the scorer, which hands
  // them on to the writer, or at once.
  void flush_batch() {
    Batch& b = batches_[filling_];
    if (b.size() == 0) return;
    if (!scoring_) {
      score(b);
      write(b);
      b.clear();
      return;
    }
    scoring_->submit([this, &b] {
      score(b);
      writing_->submit([this, &b] {
        write(b);
        b.clear();
      });
    });
    // When this submit returns, the scorer has taken the batch before this one, so it
    // has handed the one before that to the writer, which has therefore taken the
    // batch three back and finished the one four back: the batch after this one in
    // a ring of five (worker.h).
    filling_ = (filling_ + 1) % batches_.size();
  }

  // Waits until every row handed over is written (to the output's buffer).
  void wait() {
    if (scoring_) scoring_->wait();
    if (writing_) writing_->wait();
  }

 private:
  // The bytes keep() adds to a batch's arena for row.
  static std::size_t row_bytes(const csv::Row& row) {
    if (row.plain) return row.text.size();
    std::size_t n = 0;
    for (auto f : row.fields) n += f.size();
    return n;
  }

  // Keeps row's fields (or its whole line) in b, for writing.
  void keep(Batch& b, const csv::Row& row, Kind kind) {
    b.kinds.push_back(kind);
    b.starts.push_back(b.fields.size());
    if (row.plain && appended_ == scored::kAppended.size()) {
      // The line passes through whole; the fields are views into it.
      const std::size_t base = b.arena.size();
      b.texts.push_back({base, row.text.size()});
      b.arena.append(row.text);
      for (auto f : row.fields)
        b.fields.push_back({base + static_cast<std::size_t>(f.data() - row.text.data()), f.size()});
      return;
    }
    b.texts.push_back({0, Batch::kNoText});
    for (auto f : row.fields) {
      b.fields.push_back({b.arena.size(), f.size()});
      b.arena.append(f);
    }
  }

  // Scores b's rows, and explains those above the threshold, all together.
  void score(Batch& b) const {
    b.features.rows = b.size();
    model_.score(b.features, b.scores, opt_.threads);
    Matrix odd;
    odd.cols = b.features.cols;
    std::vector<double> odd_scores;
    for (std::size_t r = 0; r < b.size(); ++r)
      if (b.kinds[r] == Kind::kScore && b.scores[r] > model_.threshold) {
        odd.values.insert(odd.values.end(), b.features.row(r), b.features.row(r) + odd.cols);
        odd_scores.push_back(b.scores[r]);
      }
    odd.rows = odd_scores.size();
    b.explained = explain_rows(model_, odd, odd_scores, 3, opt_.threads);
  }

  // Groups b's flagged logins into incidents and writes its rows, with their scores.
  void write(Batch& b) {
    std::string cells[scored::kAppended.size()];
    std::size_t explained = 0;  // b.explained's next
    for (std::size_t r = 0; r < b.size(); ++r) {
      for (auto& c : cells) c.clear();
      if (b.kinds[r] == Kind::kScore) {
        double s = b.scores[r];
        // Signals need the login features; without them a login has none.
        const bool judged = !derived_.empty() && r < b.contexts.size();
        const std::uint32_t signals = judged ? login_signals(b.contexts[r]) : 0;
        bool flag = flagged(s, model_.threshold, signals, model_.signal_threshold);
        ++report_.scored;
        cells[cell(scored::Field::kScore)] = text::fixed(s, 6);
        cells[cell(scored::Field::kFlag)] = flag ? "1" : "0";
        cells[cell(scored::Field::kSeverity)] = text::fixed(severity_(s), 1);
        const std::vector<std::size_t>* why = s > model_.threshold ? &b.explained[explained++] : nullptr;
        if (flag) {
          ++report_.flagged;
          cells[cell(scored::Field::kReasons)] = reasons(b, r, why);
        }
        incident(b, r, signals, flag, cells);
      }
      if (b.texts[r].second != Batch::kNoText) {
        writer_.text(std::string_view(b.arena).substr(b.texts[r].first, b.texts[r].second));
      } else {
        for (std::size_t col = 0; col < width_; ++col) {
          int k = scored_index(col);
          writer_.field(k >= 0 ? std::string_view(cells[k]) : b.field(b.starts[r] + col));
        }
      }
      for (std::size_t k = 0; k < scored::kAppended.size(); ++k) {
        if (out_col_[k] < width_) continue;
        if (is_number(k))
          writer_.number(cells[k]);
        else
          writer_.field(cells[k]);
      }
      writer_.end_row();
    }
  }

  static std::size_t cell(scored::Field f) { return static_cast<std::size_t>(f); }
  // Whether appended cell k is a number (or empty), as write() fills it.
  static bool is_number(std::size_t k) {
    return k == cell(scored::Field::kScore) || k == cell(scored::Field::kFlag) ||
           k == cell(scored::Field::kSeverity) || k == cell(scored::Field::kIncidentScore);
  }
  int scored_index(std::size_t col) const {
    for (std::size_t k = 0; k < scored::kAppended.size(); ++k)
      if (out_col_[k] == col) return static_cast<int>(k);
    return -1;
  }
  // The reasons of flagged row r: the forest's (`why`, explain.h) when its score is
  // above the threshold, else (why null) the signals that flagged it.
  std::string reasons(const Batch& b, std::size_t r, const std::vector<std::size_t>* why) const {
    const double* x = b.features.row(r);
    std::vector<std::string> words;
    if (!why) {
      for (Derived d : signal_features(b.contexts[r])) words.push_back(describe_derived(d, b.contexts[r]));
      return join_reasons(words);
    }
    for (std::size_t f : *why) {
      FeatureKind kind = model_.features[f].kind;
      if (is_derived(kind)) {
        words.push_back(describe_derived(static_cast<Derived>(static_cast<int>(kind) - kDerivedKindBase), b.contexts[r]));
        continue;
      }
      std::size_t col = static_cast<std::size_t>(extractor_.column(f));
      words.push_back(describe(model_, f, b.field(b.starts[r] + col), x[f]));
    }
    return join_reasons(words);
  }
  // Feeds scored row r to the incident grouper; for a flagged row, fills the incident
  // columns. Incidents need the login features (user and time).
  void incident(const Batch& b, std::size_t r, std::uint32_t signals, bool flag, std::string* cells) {
    if (derived_.empty() || user_col_ < 0) return;
    std::string_view user = b.field(b.starts[r] + static_cast<std::size_t>(user_col_));
    const Incident* inc = incidents_.add(incident_event(b.contexts[r], user, signals, flag));
    if (!inc) return;
    cells[cell(scored::Field::kIncidentId)] = inc->id;
    cells[cell(scored::Field::kIncidentScore)] = fmt::format("{:.0f}", inc->score);
    cells[cell(scored::Field::kIncidentKind)] = incident_kind_name(inc->kind);
  }

  // Read by both threads: fixed after construction.
  const Model& model_;
  csv::Reader& in_;
  const ScoreOptions& opt_;
  ScoreReport& report_;  // rows_read, not_logins...: the reader's; scored, flagged: the writer's
  Roles roles_;
  SeverityIndex severity_;  // model_.severity
  FeatureExtractor extractor_;
  LoginColumns columns_;
  std::vector<std::size_t> derived_;  // indices of the derived features
  int time_col_ = -1, activity_col_ = -1, user_col_ = -1;
  std::size_t width_ = 0, appended_ = 0;
  std::size_t out_col_[scored::kAppended.size()] = {};
  // The writer's (the writing thread's, with one).
  csv::Writer writer_;
  IncidentGrouper incidents_;
  // The reader's (the caller's thread).
  Profiles profiles_;  // the model's, updated in memory as logins are scored (profile.h)
  LoginTracker tracker_;
  // With workers: one filling, one waiting for the scorer and one being scored, one
  // waiting for the writer and one being written.
  std::array<Batch, 5> batches_;
  std::size_t filling_ = 0;
  // The writing thread outlives the scoring one, whose tasks hand batches to it; the
  // scoring thread is destroyed (joined) first, having handed over all it had.
  std::unique_ptr<SerialWorker> writing_;
  std::unique_ptr<SerialWorker> scoring_;
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
      batcher.wait();
      out.flush();
    });
  // Bad records (ragged rows, bad UTF-8) cannot be passed through aligned: the reader
  // drops them under --on-error skip.
  if (opt.on_error == OnError::kSkip) in.skip_bad_records({10, warn, {}});
  csv::Row row;
  while (in.next(row)) batcher.add(row);
  batcher.flush_batch();
  batcher.wait();
  in.set_idle_hook(nullptr);
  report.rows_read = in.records();
  report.skipped = in.skipped();
  if (report.skipped) warn(in.skipped_summary());
  if (report.rows_read == 0 && !opt.allow_empty)
    throw data_error("no data rows: the input has only a header (use --allow-empty to accept that)",
                     Location{in.name()});
}

}  // namespace ad
