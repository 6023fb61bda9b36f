#include "ad/store/store.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <thread>
#include <tuple>
#include <utility>

#include "ad/core/csv.h"
#include "ad/core/error.h"
#include "ad/core/roles.h"
#include "ad/store/incident.h"
#include "ad/store/row.h"

namespace ad::store {

namespace {

using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int sig) { g_stop = sig; }

// Thrown from the idle hook when a stop signal arrives while waiting for input.
struct Stopped {};

constexpr std::size_t kMaxBatchBytes = 64u << 20;
constexpr unsigned kMaxWriters = 2;
constexpr const char* kStaging = "pg_temp.ad_store_staging";

// ---------------------------------------------------------------------------------
// Input: the CSV line source, teed to standard output on request.

class TeeLines : public csv::LineSource {
 public:
  TeeLines(std::unique_ptr<csv::LineSource> in, bool* active) : in_(std::move(in)), active_(active) {}
  bool live() const override { return in_->live(); }
  bool next(std::string_view& line) override {
    if (!in_->next(line)) return false;
    if (*active_) {
      try {
        auto& out = standard_output();
        out.write(line);
        out.put('\n');
      } catch (const BrokenPipe&) {
        *active_ = false;  // the reader went away: keep storing, stop copying
      }
    }
    return true;
  }

 private:
  std::unique_ptr<csv::LineSource> in_;
  bool* active_;
};

// Closes a descriptor it owns.
struct FdGuard {
  int fd = -1;
  bool owns = false;
  ~FdGuard() {
    if (owns && fd >= 0) ::close(fd);
  }
};

// Opens input. Regular files get the fast read-ahead source; anything else (pipes,
// terminals, FIFOs) the live source over a descriptor we keep, to poll it.
std::unique_ptr<csv::LineSource> open_input(const std::string& path, FdGuard& guard) {
  bool is_stdin = path.empty() || path == "-";
  std::string name = csv::display_name(path);
  struct stat st;
  int rc = is_stdin ? ::fstat(STDIN_FILENO, &st) : ::stat(path.c_str(), &st);
  if (rc != 0) throw errno_error("cannot open " + name, errno);
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return csv::open_lines(path);
  guard.fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (guard.fd < 0) throw errno_error("cannot open " + name, errno);
  guard.owns = !is_stdin;
  return csv::fd_lines(guard.fd, name);
}

// ---------------------------------------------------------------------------------
// A batch of encoded rows, kept until committed (a retry sends it again).

class Batch {
 public:
  static constexpr std::size_t kNull = static_cast<std::size_t>(-1);

  void add(const EncodedRow& row) {
    if (rows_ == 0) started_ = Clock::now();
    for (std::size_t i = 0; i < kFields; ++i) {
      if (row.null[i]) {
        offsets_.push_back(kNull);
      } else {
        offsets_.push_back(arena_.size());
        arena_.append(row.text[i]);
        arena_.push_back('\0');
      }
    }
    ++rows_;
  }
  std::size_t rows() const { return rows_; }
  std::size_t bytes() const { return arena_.size(); }
  bool empty() const { return rows_ == 0; }
  Clock::time_point started() const { return started_; }
  void clear() {
    arena_.clear();
    offsets_.clear();
    rows_ = 0;
  }
  void stream(pqxx::stream_to& s) const {
    for (std::size_t r = 0; r < rows_; ++r) s << tuple(r, std::make_index_sequence<kFields>());
  }

 private:
  const char* field(std::size_t row, std::size_t i) const {
    std::size_t o = offsets_[row * kFields + i];
    return o == kNull ? nullptr : arena_.data() + o;
  }
  template <std::size_t... I>
  std::tuple<decltype(I, static_cast<const char*>(nullptr))...> tuple(
      std::size_t row, std::index_sequence<I...>) const {
    return {field(row, I)...};
  }

  std::string arena_;
  std::vector<std::size_t> offsets_;
  std::size_t rows_ = 0;
  Clock::time_point started_;
};

std::string text_array(const std::vector<std::string>& items) {
  std::string s = "ARRAY[";
  for (std::size_t i = 0; i < items.size(); ++i) s += (i ? "," : "") + sql_literal(items[i]);
  return s + "]::text[]";
}

std::string staging_ddl() {
  return "CREATE TEMP TABLE IF NOT EXISTS ad_store_staging (row_key bytea,"
         " event_id text, event_time timestamptz, user_id text, ip_address inet, location text,"
         " anomaly_score double precision, anomaly_flag smallint, severity double precision,"
         " anomaly_reasons text, extra jsonb, incident_id text, incident_score double precision,"
         " incident_kind text) ON COMMIT DELETE ROWS";
}

std::string insert_sql(const std::string& table, std::int64_t layout, const std::string& model_id) {
  std::string columns;
  for (auto c : kStagingColumns) columns += std::string(c) + ", ";
  return "INSERT INTO " + quote_ident(table) + " (" + columns + "layout_id, model_id) SELECT " +
         columns + std::to_string(layout) + ", " +
         (model_id.empty() ? std::string("NULL") : sql_literal(model_id)) + " FROM " + kStaging +
         " ON CONFLICT (row_key) DO NOTHING";
}

// The statements that store a batch from the staging table: the insert, then, for input
// with incident ids, the lock and refresh of the incidents the batch touches
// (store/incident.h).
std::vector<std::string> batch_sql(const std::string& table, std::int64_t layout,
                                   const std::string& model_id, bool incidents) {
  std::vector<std::string> statements{insert_sql(table, layout, model_id)};
  if (incidents) {
    std::string ids = std::string("SELECT incident_id FROM ") + kStaging;
    statements.push_back(lock_incidents_sql(table, ids));
    statements.push_back(refresh_incidents_sql(table, ids));
  }
  return statements;
}

// The unit of work for one batch: COPY, the statements, commit. Returns the rows the
// first statement inserted.
std::uint64_t commit_batch(pqxx::connection_base& conn, const Batch& batch,
                           const std::vector<std::string>& sql) {
  pqxx::work tx(conn);
  {
    pqxx::stream_to copy(tx, kStaging,
                         std::vector<std::string>(kStagingColumns.begin(), kStagingColumns.end()));
    batch.stream(copy);
    copy.complete();
  }
  auto r = tx.exec(sql.front());
  for (std::size_t i = 1; i < sql.size(); ++i) tx.exec(sql[i]);
  tx.commit();
  return static_cast<std::uint64_t>(r.affected_rows());
}

// Writer threads, one Session (connection) each, committing batches side by side: the
// server's work per row is larger than ours, and a second backend uses a second core.
// Batches are committed in any order; each is still whole or not at all.
class Writers {
 public:
  Writers(std::vector<std::unique_ptr<Session>> sessions, std::vector<std::string> sql)
      : sessions_(std::move(sessions)), sql_(std::move(sql)) {
    // Stop signals go to the reading thread, which polls for them.
    sigset_t block, old;
    sigemptyset(&block);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&block, sig);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    for (auto& s : sessions_) threads_.emplace_back([this, session = s.get()] { loop(*session); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  ~Writers() {
    {
      std::lock_guard<std::mutex> lock(m_);
      closing_ = true;
      queue_.clear();
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

  // Hands batch over, leaving it empty. Blocks while every writer is busy. Rethrows a
  // writer's failure.
  void submit(Batch& batch) {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [&] { return error_ || queue_.size() + busy_ < threads_.size(); });
    if (error_) settle_and_throw(lock);
    queue_.push_back(std::move(batch));
    batch.clear();
    cv_.notify_all();
  }
  // Waits until every batch handed over is committed. Rethrows a writer's failure.
  void drain() {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [&] { return error_ || (queue_.empty() && busy_ == 0); });
    if (error_) settle_and_throw(lock);
  }
  std::uint64_t stored() {
    std::lock_guard<std::mutex> lock(m_);
    return stored_;
  }
  bool failed() {
    std::lock_guard<std::mutex> lock(m_);
    return error_ != nullptr;
  }
  std::uint64_t batches() {
    std::lock_guard<std::mutex> lock(m_);
    return batches_;
  }

 private:
  void settle_and_throw(std::unique_lock<std::mutex>& lock) {
    queue_.clear();
    cv_.wait(lock, [&] { return busy_ == 0; });
    std::rethrow_exception(error_);
  }
  void loop(Session& session) {
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
      cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (closing_) return;
      Batch batch = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
      lock.unlock();
      std::uint64_t stored = 0;
      std::exception_ptr error;
      try {
        session.run([&](pqxx::connection_base& conn) { stored = commit_batch(conn, batch, sql_); });
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      --busy_;
      if (error && !error_) error_ = error;
      if (!error) {
        stored_ += stored;
        ++batches_;
      }
      cv_.notify_all();
    }
  }

  std::vector<std::unique_ptr<Session>> sessions_;
  std::vector<std::string> sql_;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  std::size_t busy_ = 0;
  bool closing_ = false;
  std::exception_ptr error_;
  std::uint64_t stored_ = 0, batches_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace

void install_stop_signals() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocking poll or sleep returns early
    ::sigaction(sig, &sa, nullptr);
  }
}

namespace {

// The phases of write(), in order.

// 1. The input, teed on request, and the encoder its header decides.
struct Input {
  bool tee_active = false;
  FdGuard fd;
  csv::LineSource* raw = nullptr;  // the source under the tee, for the idle hook
  std::optional<csv::Reader> reader;
  std::optional<RowEncoder> encoder;

  void flush_tee() {
    if (!tee_active) return;
    try {
      standard_output().flush();
    } catch (const BrokenPipe&) {
      tee_active = false;
    }
  }
};

void open_input(Input& in, const std::string& input, const WriteOptions& options) {
  in.tee_active = options.tee;
  auto lines = open_input(input, in.fd);
  in.raw = lines.get();
  if (options.tee) lines = std::make_unique<TeeLines>(std::move(lines), &in.tee_active);
  in.reader.emplace(std::move(lines), csv::display_name(input));
  Roles roles = Roles::find(in.reader->header(), options.roles);
  in.encoder.emplace(in.reader->header(), roles, in.reader->name(), options.assume_tz_s);
  // Without --all the flags select the rows; with it, unscored CSV is stored too.
  if (!options.all || !in.encoder->scored_columns().none())
    in.encoder->scored_columns().require(in.reader->name());
}

// 2. The sessions: the first connects now, to report a missing server or a foreign table
// before reading on; the others connect when they get their first batch. Each sets up
// the schema, the layout and its staging table on connecting.
std::vector<std::unique_ptr<Session>> connect(const SessionOptions& options, const std::string& table,
                                              const Layout& layout, const Session::Notify& warn,
                                              const Session::Notify& note) {
  auto setup = [table, layout](pqxx::connection_base& conn) {
    ensure_schema(conn, table, true);
    pqxx::work tx(conn);
    tx.exec("INSERT INTO " + quote_ident(table + "_layouts") +
            " (layout_id, header, placement) VALUES (" + std::to_string(layout.id) + ", " +
            text_array(layout.header) + ", " + text_array(layout.placement) +
            ") ON CONFLICT (layout_id) DO NOTHING");
    tx.exec(staging_ddl());
    tx.commit();
  };
  std::vector<std::unique_ptr<Session>> sessions;
  unsigned writers = std::max(1u, std::min(kMaxWriters, std::thread::hardware_concurrency()));
  for (unsigned i = 0; i < writers; ++i) {
    sessions.push_back(std::make_unique<Session>(options, warn, note));
    sessions.back()->set_stop(&g_stop);
    sessions.back()->on_connect(setup);
  }
  sessions[0]->run([](pqxx::connection_base&) {});
  return sessions;
}

// 3. On a live pipe, before the reader blocks: pass on what was teed, and wait for input
// no longer than the pending batch may age, committing it when it is due.
void install_idle_hook(Input& in, const Batch& batch, Clock::duration max_age,
                       const std::function<void()>& commit) {
  if (!in.reader->live()) return;
  in.raw->set_idle_hook([&in, &batch, max_age, commit] {
    in.flush_tee();
    for (;;) {
      int timeout_ms = -1;
      if (!batch.empty()) {
        auto left = batch.started() + max_age - Clock::now();
        if (left <= Clock::duration::zero()) {
          commit();
          continue;
        }
        timeout_ms = static_cast<int>(
            std::ceil(std::chrono::duration<double, std::milli>(left).count()));
      }
      if (g_stop) throw Stopped();
      struct pollfd p {
        in.fd.fd, POLLIN, 0
      };
      int n = ::poll(&p, 1, timeout_ms);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw errno_error("cannot read " + in.reader->name(), errno);
      if (n > 0) return;
    }
  });
}

// 4. Reading: select and encode rows into batches, handing each over when it is due. On
// an error in the input, the rows read before it are stored, then the error is thrown.
void read_rows(Input& in, const WriteOptions& options, Batch& batch, Clock::duration max_age,
               const std::function<void()>& commit, Writers& pool, WriteStats& stats,
               const Session::Notify& warn, const Session::Notify& note) {
  csv::Row row;
  EncodedRow encoded;
  csv::Reader& reader = *in.reader;
  if (options.skip_bad_rows) reader.skip_bad_records({10, warn, {}});
  try {
    while (!g_stop && reader.next(row)) {
      try {
        if (options.all || in.encoder->flagged(row)) {
          in.encoder->encode(row, encoded);
          batch.add(encoded);
          ++stats.selected;
        }
      } catch (const Error& e) {
        reader.reject(e);  // throws unless --on-error skip
      }
      if (!batch.empty() && (batch.rows() >= options.batch_rows || batch.bytes() >= kMaxBatchBytes ||
                             Clock::now() - batch.started() >= max_age))
        commit();
    }
  } catch (const Stopped&) {
  } catch (const Error& e) {
    // A bad record, unreadable input or unwritable --tee output: the rows read before
    // it are good, so store them before reporting the error (unless storing failed).
    if (pool.failed()) throw;
    try {
      commit();
      pool.drain();
      note("stored " + std::to_string(pool.stored()) + " new rows before the error");
    } catch (const Error& storing) {
      warn("the rows read before the error were not all stored: " + storing.message());
    }
    throw;
  }
}

// 5. The closing note.
void report(const WriteStats& stats, const WriteOptions& options, const Session::Notify& note) {
  std::string skipped = stats.selected > stats.stored
                            ? " (" + std::to_string(stats.selected - stats.stored) + " stored before)"
                            : "";
  note("stored " + std::to_string(stats.stored) + " new of " + std::to_string(stats.selected) +
       (options.all ? " rows" : " flagged rows") + skipped + " from " +
       std::to_string(stats.read) + " read, in table " + options.table);
}

}  // namespace

WriteStats write(const std::string& input, const SessionOptions& session_options,
                 const WriteOptions& options, const Session::Notify& warn,
                 const Session::Notify& note) {
  check_table_name(options.table);
  if (options.batch_rows < 1 || !(options.batch_seconds > 0))
    throw usage_error("--batch-rows must be at least 1 and --batch-seconds more than 0");

  Input in;  // first: its header decides the layout
  open_input(in, input, options);
  std::mutex notify_mutex;  // writers report from their own threads
  Session::Notify warn_locked = [&](const std::string& m) {
    std::lock_guard<std::mutex> lock(notify_mutex);
    warn(m);
  };
  Session::Notify note_locked = [&](const std::string& m) {
    std::lock_guard<std::mutex> lock(notify_mutex);
    note(m);
  };
  const Layout& layout = in.encoder->layout();
  Writers pool(connect(session_options, options.table, layout, warn_locked, note_locked),
               batch_sql(options.table, layout.id, options.model_id,
                         in.encoder->scored_columns()[scored::Field::kIncidentId] >= 0));

  const auto max_age = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.batch_seconds));
  WriteStats stats;
  Batch batch;
  auto commit = [&] {
    if (!batch.empty()) pool.submit(batch);
  };
  install_idle_hook(in, batch, max_age, commit);
  read_rows(in, options, batch, max_age, commit, pool, stats, warn, note);
  commit();
  pool.drain();
  in.flush_tee();
  stats.stored = pool.stored();
  stats.batches = pool.batches();
  stats.signal = g_stop;
  stats.read = in.reader->records();
  if (in.reader->skipped()) warn(in.reader->skipped_summary());
  report(stats, options, note);
  return stats;
}

}  // namespace ad::store
