#include "ad/detect/train.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "ad/core/cli.h"
#include "ad/core/error.h"
#include "ad/core/scored.h"
#include "ad/detect/budget.h"
#include "ad/detect/calibration.h"
#include "ad/detect/login.h"
#include "ad/detect/train_sample.h"
#include "ad/core/text.h"
#include "ad/core/timestamp.h"
#include "ad/core/worker.h"

namespace ad {

namespace {

struct ColumnStats {
  std::uint64_t non_empty = 0;
  std::uint64_t numeric = 0;
  Location first_text;  // where the first non-numeric value was
  std::string first_text_value;
};

// Grows one forest for each of the options' aspects that has features in the model on
// data, and calibrates it and the whole forest on the calibration rows `calib` (aspect.h).
void fit_aspects(Model& model, const Matrix& data, const Matrix& calib, const TrainOptions& opt) {
  std::vector<double> scores;
  for (Aspect a : opt.aspects) {
    ForestParams params = opt.forest;
    params.ceilings = true;
    for (std::size_t j = 0; j < model.features.size(); ++j)
      if (aspect_of(model.features[j]) == a) params.columns.push_back(static_cast<std::uint32_t>(j));
    if (params.columns.empty()) continue;
    if (model.whole_quantiles.empty()) {
      model.forest.score(calib, scores, opt.forest.threads);
      model.whole_quantiles = quantiles_of(scores);
    }
    // Each aspect forest draws from its own streams.
    params.seed = opt.forest.seed ^ (0xD1B54A32D192ED03ull * (static_cast<std::uint64_t>(a) + 1));
    AspectForest af;
    af.aspect = a;
    af.forest = Forest::fit(data, params);
    af.forest.score(calib, scores, opt.forest.threads);
    af.quantiles = quantiles_of(scores);
    model.aspects.push_back(std::move(af));
  }
}

// Sets the model's threshold and severity quantiles from its scores of the calibration
// rows; returns those scores, in the rows' order.
std::vector<double> calibrate(Model& model, const Matrix& calib, const TrainOptions& opt) {
  std::vector<double> scores;
  model.score(calib, scores, opt.forest.threads);
  std::vector<double> sorted = scores;
  std::sort(sorted.begin(), sorted.end());
  model.quantiles = quantiles_of_sorted(sorted);
  model.threshold = percentile(sorted, 100.0 * (1.0 - opt.contamination));
  return scores;
}

void check_options(const TrainOptions& opt) {
  if (!(opt.contamination > 0 && opt.contamination <= 0.5))
    throw usage_error("--contamination must be in (0, 0.5]");
  if (opt.forest.trees < 1) throw usage_error("--trees must be at least 1");
  if (opt.forest.sample_size < 2) throw usage_error("--sample-size must be at least 2");
}

// What the reading pass learns about the input, for the phases after it.
struct Pass {
  Roles roles;
  std::vector<int> generic;        // columns that may become generic features
  std::vector<ColumnStats> stats;  // per input column: how many values, how many numbers
  LoginColumns login_columns;
  std::vector<Derived> derived;    // the derived login features the input supports
  Profiles profiles;               // built by the tracker over the whole input
  Sample sample;
  // Per sample slot, a value per generic column: the number count_values parsed, or NaN
  // (empty, or not a number), for sample_matrix; dropped (keep_numbers false) past
  // TrainOptions::numbers_bytes_limit, and sample_matrix parses the rows again.
  std::vector<double> numbers;
  bool keep_numbers = true;
  std::uint64_t used = 0;          // rows used (logins without bad data)
  int activity_col = -1;
  int user_col = -1;               // with login features: the user column
};

// The columns that play no role, are not ad-score output and are not --ignore'd.
std::vector<int> generic_columns(const std::vector<std::string>& header, const Roles& roles,
                                 const TrainOptions& opt, TrainReport& report) {
  std::vector<int> generic;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string& name = header[i];
    if (roles.role_of(static_cast<int>(i))) continue;
    if (scored::is_column(name)) {
      report.notes.push_back("column " + text::quote(name) + " is ad-score output: not a feature");
      continue;
    }
    if (std::find(opt.ignore.begin(), opt.ignore.end(), name) != opt.ignore.end()) continue;
    if (opt.features && std::find(opt.features->begin(), opt.features->end(), name) == opt.features->end())
      continue;
    generic.push_back(static_cast<int>(i));
  }
  return generic;
}

// Finds the roles and the generic columns, and what the login columns support.
void bind_columns(const csv::Reader& in, const TrainOptions& opt, TrainReport& report, Pass& pass) {
  const auto& header = in.header();
  pass.roles = Roles::find(header, opt.map);
  for (const auto& col : opt.ignore)
    if (std::find(header.begin(), header.end(), col) == header.end())
      throw usage_error("--ignore " + col + ": no such column in the input");
  pass.generic = generic_columns(header, pass.roles, opt, report);
  pass.stats.resize(header.size());
  pass.login_columns = LoginColumns::bind({}, header, pass.roles, in.name(), false);
  pass.derived = available_derived(pass.login_columns, opt.geoip && opt.geoip->places());
  pass.profiles = Profiles(opt.max_users);
  if (!pass.derived.empty()) pass.user_col = pass.login_columns[Role::kUser];
  pass.activity_col = pass.roles[Role::kActivity];
}

// Counts the non-empty and the numeric values of each generic column in row i of
// batch; sets parsed[k] to generic column k's number, or NaN.
void count_values(const csv::Reader& in, const RowBatch& batch, std::size_t i, Pass& pass, double* parsed) {
  for (std::size_t k = 0; k < pass.generic.size(); ++k) {
    const int c = pass.generic[k];
    std::string_view v = batch.field(i, static_cast<std::size_t>(c));
    parsed[k] = NAN;
    if (v.empty()) continue;
    ColumnStats& s = pass.stats[static_cast<std::size_t>(c)];
    ++s.non_empty;
    if (parse_number(v, parsed[k])) {
      ++s.numeric;
      continue;
    }
    parsed[k] = NAN;  // parse_number may have set it ("inf")
    if (s.first_text.file.empty()) {
      s.first_text = in.where(batch.lines[i], static_cast<std::size_t>(c));
      s.first_text_value = std::string(v.substr(0, 40));
    }
  }
}

// Parses the row's time and, with login features, lets the tracker judge and learn the
// login into ctx. False (the row rejected through in) for bad data.
bool track_login(csv::Reader& in, const csv::Row& row, const TrainOptions& opt, LoginTracker& tracker,
                 Pass& pass, LoginContext& ctx) {
  const int time_col = pass.roles[Role::kTime];
  if (time_col < 0) return true;
  std::string_view t = row.fields[static_cast<std::size_t>(time_col)];
  auto ms = parse_time_ms(t, opt.assume_tz_s);
  if (!ms) {
    in.reject(data_error("bad timestamp " + text::quote(t), in.where(row.line, static_cast<std::size_t>(time_col))));
    return false;
  }
  try {
    if (!pass.derived.empty()) tracker.observe(read_event(pass.login_columns, row, *ms), ctx);
  } catch (const Error& e) {
    in.reject(e);
    return false;
  }
  return true;
}

// The second stage of the reading pass (train_sample.h): counts the values of the
// batch's rows and keeps those drawn for the sample.
void keep_batch(const csv::Reader& in, const TrainOptions& opt, RowBatch& batch, Pass& pass) {
  const std::size_t g = pass.generic.size();
  std::vector<double> parsed(g);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    count_values(in, batch, i, pass, parsed.data());
    const std::size_t slot = batch.slots[i];
    if (slot == RowBatch::kNotKept) continue;
    pass.sample.put(batch, i);
    if (pass.keep_numbers) {
      if (pass.numbers.size() < (slot + 1) * g) pass.numbers.resize((slot + 1) * g);
      std::copy(parsed.begin(), parsed.end(), pass.numbers.begin() + static_cast<std::ptrdiff_t>(slot * g));
      if (pass.numbers.size() * sizeof(double) > opt.numbers_bytes_limit) {
        pass.keep_numbers = false;
        pass.numbers = std::vector<double>();
      }
    }
    if (pass.sample.bytes() > opt.sample_bytes_limit)
      throw data_error("the rows kept for training hold more than " + std::to_string(opt.sample_bytes_limit >> 20) +
                           " MiB (" + std::to_string(pass.sample.size()) + " rows): lower --sample-rows",
                       Location{in.name(), batch.lines[i]});
  }
  batch.clear();
}

// The one pass over the input: checks every row, follows the logins, counts the values
// of the generic columns and keeps a uniform random sample of the rows used. The
// counting and keeping run on a second thread unless opt.forest.threads is 1.
void read_input(csv::Reader& in, const TrainOptions& opt, TrainReport& report,
                const std::function<void(const std::string&)>& warn, Pass& pass) {
  LoginTracker tracker(pass.profiles, opt.geoip);
  LoginContext ctx;
  Rng rng(opt.forest.seed ^ 0xA5A5A5A5DEADBEEFull);
  csv::Row row;
  std::array<RowBatch, 3> batches;  // one filling, one waiting, one being kept (worker.h)
  std::size_t filling = 0;
  std::unique_ptr<SerialWorker> worker;
  if (opt.forest.threads != 1) worker = std::make_unique<SerialWorker>(1);
  auto hand_over = [&] {
    RowBatch& b = batches[filling];
    if (!worker) return keep_batch(in, opt, b, pass);
    worker->submit([&] { keep_batch(in, opt, b, pass); });
    filling = (filling + 1) % batches.size();
  };
  if (opt.on_error == OnError::kSkip) in.skip_bad_records({10, warn, {}});
  // Room for a full sample up front (only what is used is touched), so that its rows'
  // records and numbers are not copied as they grow.
  pass.sample.reserve(opt.sample_limit);
  pass.numbers.reserve(std::min(opt.sample_limit * pass.generic.size(), opt.numbers_bytes_limit / sizeof(double)));
  while (in.next(row)) {
    if (pass.activity_col >= 0 && !is_login_activity(row.fields[static_cast<std::size_t>(pass.activity_col)])) {
      ++report.not_logins;
      continue;
    }
    if (!track_login(in, row, opt, tracker, pass, ctx)) continue;
    // Reservoir sampling (Algorithm R).
    std::size_t slot = RowBatch::kNotKept;
    if (pass.used < opt.sample_limit) {
      slot = static_cast<std::size_t>(pass.used);
    } else {
      std::uint64_t j = rng.below(pass.used + 1);
      if (j < opt.sample_limit) slot = static_cast<std::size_t>(j);
    }
    std::string_view user = pass.user_col >= 0 ? row.fields[static_cast<std::size_t>(pass.user_col)] : "";
    batches[filling].add(row, pass.used, slot, ctx, pass.user_col >= 0, user);
    if (batches[filling].full()) hand_over();
    ++pass.used;
  }
  hand_over();
  if (worker) worker->wait();
  report.rows_read = in.records();
  report.skipped = in.skipped();
  if (report.skipped) warn(in.skipped_summary());
  if (report.rows_read == 0) throw data_error("no data rows: the input has only a header", Location{in.name()});
  if (pass.used == 1)
    throw data_error("only one usable row: a forest needs at least 2 rows to learn from", Location{in.name()});
  if (pass.used == 0)
    throw data_error(report.not_logins ? "no login rows to learn from (activity column " +
                                             text::quote(in.header()[static_cast<std::size_t>(pass.activity_col)]) +
                                             ")"
                                       : "no usable rows to learn from",
                     Location{in.name()});
}

constexpr std::size_t kTableLimit = 50000;  // values kept per category table

// The category table of column col (looked up as role) over the sampled rows.
CategoryTable sample_table(const Sample& sample, int col, int role) {
  CategoryTable t;
  csv::Row r;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    sample.get(i, r);
    t.add(rarity_key(role, r.fields[static_cast<std::size_t>(col)]));
  }
  return t;
}

// Decides whether generic column c is a numeric or a categorical feature, or is left
// out (empty, constant, an identifier); adds the feature and its table to the model.
void add_generic_feature(const csv::Reader& in, const Pass& pass, int c, const TrainOptions& opt, Model& model,
                         TrainReport& report) {
  const ColumnStats& s = pass.stats[static_cast<std::size_t>(c)];
  const std::string& name = in.header()[static_cast<std::size_t>(c)];
  const std::size_t n = pass.sample.size();
  Feature f;
  f.column = name;
  if (s.non_empty == 0) {
    report.notes.push_back("column " + text::quote(name) + " is empty: left out");
    return;
  }
  if (s.numeric == s.non_empty) {
    f.kind = FeatureKind::kNumeric;
  } else if (s.numeric >= s.non_empty * 9 / 10 && opt.on_error == OnError::kFail) {
    throw data_error("not a number: " + text::quote(s.first_text_value) + " in a column that is otherwise numeric" +
                         " (fix it, or leave the column out with --ignore)",
                     s.first_text);
  } else if (s.numeric >= s.non_empty * 9 / 10) {
    f.kind = FeatureKind::kNumeric;  // --on-error skip: the stray text values count as missing
    report.notes.push_back("column " + text::quote(name) + " is numeric; " + std::to_string(s.non_empty - s.numeric) +
                           " text values in it are treated as missing");
  } else {
    CategoryTable t = sample_table(pass.sample, c, -1);
    if (t.distinct() <= 1) {
      report.notes.push_back("column " + text::quote(name) + " has a single value: left out");
      return;
    }
    if (n >= 50 && t.distinct() * 2 > n) {
      report.notes.push_back("column " + text::quote(name) + " looks like an identifier (" +
                             std::to_string(t.distinct()) + " distinct values in " + std::to_string(n) +
                             " rows): left out");
      return;
    }
    t.prune(kTableLimit);
    f.kind = FeatureKind::kCategorical;
    f.table = static_cast<int>(model.tables.size());
    model.tables.push_back(std::move(t));
  }
  model.features.push_back(std::move(f));
}

// The model's feature list, in its order: generic columns, the rarity of the country
// and the IP's network, the outcome, the derived login features; with their tables.
void choose_features(const csv::Reader& in, const Pass& pass, const TrainOptions& opt, Model& model,
                     TrainReport& report) {
  const auto& header = in.header();
  for (int c : pass.generic) add_generic_feature(in, pass, c, opt, model, report);
  for (Role role : {Role::kCountry, Role::kIp}) {
    int c = pass.roles[role];
    if (c < 0) continue;
    CategoryTable t = sample_table(pass.sample, c, static_cast<int>(role));
    if (t.distinct() <= 1) continue;
    t.prune(kTableLimit);
    Feature f;
    f.kind = FeatureKind::kRarity;
    f.column = header[static_cast<std::size_t>(c)];
    f.role = static_cast<int>(role);
    f.table = static_cast<int>(model.tables.size());
    model.tables.push_back(std::move(t));
    model.features.push_back(std::move(f));
  }
  if (pass.roles.has(Role::kOutcome)) {
    Feature f;
    f.kind = FeatureKind::kFailure;
    f.column = header[static_cast<std::size_t>(pass.roles[Role::kOutcome])];
    f.role = static_cast<int>(Role::kOutcome);
    model.features.push_back(std::move(f));
  }
  for (Derived d : pass.derived) {
    Feature f;
    f.kind = static_cast<FeatureKind>(kDerivedKindBase + static_cast<int>(d));
    f.column = std::string(derived_name(d));
    model.features.push_back(std::move(f));
  }
  if (model.features.empty())
    throw data_error("no feature columns: every column plays a role, is empty or constant", Location{in.name()});
}

// For each feature, the generic column (its index in pass.generic) whose numbers the
// pass kept for it when it is numeric, else -1; empty when the numbers were not kept or
// a numeric feature reads a column they do not cover.
std::vector<int> kept_numbers(const FeatureExtractor& extractor, const Pass& pass, const Model& model) {
  if (!pass.keep_numbers) return {};
  std::vector<int> at(model.features.size(), -1);
  for (std::size_t j = 0; j < at.size(); ++j) {
    if (model.features[j].kind != FeatureKind::kNumeric) continue;
    auto it = std::find(pass.generic.begin(), pass.generic.end(), extractor.column(j));
    if (it == pass.generic.end()) return {};
    at[j] = static_cast<int>(it - pass.generic.begin());
  }
  return at;
}

// The sample as a matrix of the model's features, parsed on up to opt.forest.threads
// threads. An error is that of the first bad row, as on one thread. Numeric features
// take the numbers the pass kept, when it did: the values extract() would parse, since
// a numeric column either has only numbers or, with --on-error skip, reads a stray text
// value as missing (add_generic_feature). When the features are the kept numbers'
// columns in their order, the kept numbers are the matrix (they move into it).
Matrix sample_matrix(csv::Reader& in, Pass& pass, const Model& model, const TrainOptions& opt) {
  const Sample& sample = pass.sample;
  FeatureExtractor extractor(model.features, model.tables, in.header(), pass.roles, in.name());
  const std::vector<int> kept = kept_numbers(extractor, pass, model);
  const std::size_t g = pass.generic.size();
  Matrix data;
  data.rows = sample.size();
  data.cols = model.features.size();
  bool same = !kept.empty() && data.cols == g && pass.numbers.size() == data.rows * g;
  for (std::size_t j = 0; same && j < data.cols; ++j) same = kept[j] == static_cast<int>(j);
  if (same) {
    data.values = std::move(pass.numbers);
    return data;
  }
  data.values.resize(data.rows * data.cols);
  // Only kept numbers and derived features: extract() has nothing to do.
  bool read_rows = kept.empty();
  for (std::size_t j = 0; j < data.cols; ++j)
    if (!is_derived(model.features[j].kind) && model.features[j].kind != FeatureKind::kNumeric) read_rows = true;
  parallel_for(data.rows, opt.forest.threads, 4096, [&](std::size_t begin, std::size_t end) {
    csv::Row r;
    for (std::size_t i = begin; i < end; ++i) {
      double* x = data.row(i);
      if (read_rows) {
        sample.get(i, r);
        extractor.extract(in, r, x, opt.on_error == OnError::kSkip, kept.empty());
      }
      for (std::size_t j = 0; j < data.cols; ++j)
        if (is_derived(model.features[j].kind))
          x[j] = sample.derived[i * kDerivedCount +
                                static_cast<std::size_t>(static_cast<int>(model.features[j].kind) - kDerivedKindBase)];
        else if (!kept.empty() && kept[j] >= 0)
          x[j] = pass.numbers[i * g + static_cast<std::size_t>(kept[j])];
    }
  });
  return data;
}

// Typical values per feature (quantile.h), for explanations; 0 for a feature missing
// in every row. The features are shared out among up to `threads` threads.
void set_typical_values(Model& model, const Matrix& data, int threads) {
  auto typical = typical_of_columns(data.values.data(), data.rows, data.cols, threads);
  for (std::size_t j = 0; j < data.cols; ++j)
    if (typical[j]) {
      model.features[j].low = typical[j]->low;
      model.features[j].median = typical[j]->median;
      model.features[j].high = typical[j]->high;
    }
}

// Grows the forests and sets the threshold and the severity quantiles: by the alert
// budget with login features and a budget, from every calibration row; else by the
// contamination, from at most calibration_limit() of them.
void fit_and_calibrate(Model& model, const Matrix& data, const std::vector<std::uint64_t>& order,
                       const std::vector<IncidentEvent>& events, std::uint64_t used, bool logins,
                       const TrainOptions& opt, TrainReport& report) {
  model.forest = Forest::fit(data, opt.forest);
  const bool by_budget = opt.budget > 0 && logins;
  std::vector<std::size_t> calib = calibration_rows(order, used, logins);
  if (!by_budget) calib = evenly_spaced(std::move(calib), calibration_limit(opt.contamination));
  // Only the calibration rows are scored; with all of them, data is that matrix already.
  Matrix part;
  if (calib.size() < data.rows) part = rows_of(data, calib);
  const Matrix& cal = calib.size() < data.rows ? part : data;
  if (logins) fit_aspects(model, data, cal, opt);
  std::vector<double> scores = calibrate(model, cal, opt);
  if (by_budget) {
    model.signal_threshold = opt.signal_threshold;
    calibrate_budget(model, scores, calib, order, events, opt.budget);
  }
  for (const auto& a : model.aspects)
    report.notes.push_back("aspect " + std::string(aspect_name(a.aspect)) + ": a forest of its own over " +
                           aspect_features(a.aspect, model.features));
}

void set_info(Model& model, const TrainOptions& opt, const TrainReport& report, std::uint64_t used,
              std::size_t sample_rows) {
  model.info.ad_version = cli::version();
  model.info.seed = opt.forest.seed;
  model.info.trees = static_cast<std::uint32_t>(opt.forest.trees);
  model.info.sample_size = static_cast<std::uint32_t>(model.forest.sample_size());
  model.info.contamination = opt.contamination;
  model.info.rows_read = report.rows_read;
  model.info.rows_used = used;
  model.info.sample_rows = sample_rows;
}

}  // namespace

Model train(csv::Reader& in, const TrainOptions& opt, TrainReport& report,
            const std::function<void(const std::string&)>& warn) {
  check_options(opt);
  Pass pass;
  bind_columns(in, opt, report, pass);
  read_input(in, opt, report, warn, pass);

  Model model;
  model.logins_only = pass.activity_col >= 0;
  for (int r = 0; r < kRoleCount; ++r)
    if (pass.roles[static_cast<Role>(r)] >= 0)
      model.role_columns[r] = in.header()[static_cast<std::size_t>(pass.roles[static_cast<Role>(r)])];
  choose_features(in, pass, opt, model, report);

  const Matrix data = sample_matrix(in, pass, model, opt);
  pass.numbers = std::vector<double>();
  const std::size_t n = pass.sample.size();
  const std::vector<std::uint64_t> order = std::move(pass.sample.order);
  const std::vector<IncidentEvent> events = std::move(pass.sample.events);
  pass.sample = Sample();  // the rows are in the matrix now
  set_typical_values(model, data, opt.forest.threads);

  fit_and_calibrate(model, data, order, events, pass.used, !pass.derived.empty(), opt, report);
  model.profiles = std::move(pass.profiles);
  model.asn_networks = opt.geoip && opt.geoip->networks();
  model.geoip_places = opt.geoip && opt.geoip->places();
  set_info(model, opt, report, pass.used, n);
  return model;
}

}  // namespace ad
