#include "ad/store/store.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <thread>
#include <utility>

#include "ad/core/csv.h"
#include "ad/core/error.h"
#include "ad/core/roles.h"
#include "ad/store/batch.h"
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
// before reading on, and tells the encoder the table's key format; the others connect
// when they get their first batch. Each sets up the schema, the layout and its staging
// table on connecting.
std::vector<std::unique_ptr<Session>> connect(const SessionOptions& options, const std::string& table,
                                              RowEncoder& encoder, const Session::Notify& warn,
                                              const Session::Notify& note) {
  const Layout& layout = encoder.layout();
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
  sessions[0]->run([&](pqxx::connection_base& conn) { encoder.set_key_format(key_format(conn, table)); });
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
  Writers pool(connect(session_options, options.table, *in.encoder, warn_locked, note_locked),
               batch_sql(options.table, in.encoder->scored_columns()[scored::Field::kIncidentId] >= 0));

  const auto max_age = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.batch_seconds));
  WriteStats stats;
  Batch batch(layout.id, options.model_id);
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
