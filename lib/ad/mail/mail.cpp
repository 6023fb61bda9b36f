// ad-mail's runs: batch, streaming with windows and an hourly cap, and the spool.
// See ad/mail.h.
#include "ad/mail/mail.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_set>

#include "ad/mail/alert.h"
#include "ad/core/clock.h"
#include "ad/core/csv.h"
#include "ad/mail/dedup.h"
#include "ad/mail/incidents.h"
#include "ad/mail/input.h"
#include "ad/core/io.h"
#include "ad/core/text.h"
#include "ad/mail/mime.h"
#include "ad/mail/spool.h"
#include "ad/version.h"

namespace ad::mail {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kHour = std::chrono::hours(1);
constexpr int kMaxRowWarnings = 10;

// Thrown from the reader's idle hook when a stop signal arrived; ends the stream.
struct StopStream {};

// Unlocks the alert state on the way out, unless committed.
struct StateGuard {
  AlertState* state;
  ~StateGuard() {
    if (state) state->unlock();
  }
};

class Runner {
 public:
  Runner(const Options& o, const Reporter& r) : o_(o), r_(r) {}

  void flush_command();
  void alert_command();

 private:
  bool preview() const { return o_.dry_run || !o_.output.empty(); }
  Spool spool() const { return Spool(o_.spool.empty() ? Spool::default_dir() : o_.spool); }
  std::string save(const smtp::SendError& e, const Envelope& envelope, const std::string& message);
  void handle(csv::Reader& reader, const csv::Row& row);
  void stream(csv::Reader& reader, int fd);
  void idle(int fd, const StopSignals& signals);
  std::optional<Clock::time_point> deadline();
  void check_due(Clock::time_point now);
  bool deliver(Batch& batch, bool final);
  void drop_alerted_events(Batch& batch);
  void remember(const Batch& batch, const IncidentSelection* incidents, StateGuard& guard,
                std::int64_t now_ms);
  void note_no_mail(const Batch& batch, const IncidentSelection* incidents, bool final);
  std::string build(const AlertContent& content, std::int64_t now_ms) const;
  void flush_after_success();
  void deliver_before_failing();
  void finish(const csv::Reader& reader);

  const Options& o_;
  const Reporter& r_;
  mime::Address from_;
  std::vector<mime::Address> to_;
  std::string input_name_;
  std::unique_ptr<Columns> columns_;
  std::unique_ptr<AlertState> state_;
  AlertedIncidents incidents_;  // incidents alerted by this run, without --state
  std::unique_ptr<csv::Writer> tee_;
  Batch batch_;
  std::uint64_t messages_ = 0;  // delivered, spooled or written
  std::vector<std::string> spooled_;  // what this run put into the spool
  std::string last_send_error_;
  // Streaming.
  bool streaming_ = false;
  std::optional<Clock::time_point> window_open_;
  std::deque<Clock::time_point> sent_;
};

// ---------------------------------------------------------------------------------
// Reading

void Runner::handle(csv::Reader& reader, const csv::Row& row) {
  if (tee_) {
    try {
      tee_->row(row.fields);
    } catch (const BrokenPipe&) {  // the alerts matter more than the copy
      tee_.reset();
      r_.note("standard output was closed; no longer copying the input (--tee)");
    }
  }
  std::optional<std::int64_t> time_ms;
  Anomaly anomaly;
  RowKind kind;
  try {
    kind = read_row(*columns_, reader, row, o_.assume_tz_s, time_ms, &anomaly);
  } catch (const Error& e) {
    reader.reject(e);  // throws unless --on-error skip
    return;
  }
  if (kind == RowKind::kUnscored) return;
  ++batch_.scored;
  batch_.add_time(time_ms);
  if (kind == RowKind::kFlagged) {
    batch_.add_anomaly(*columns_, std::move(anomaly), o_.max_attachment);
    if (streaming_ && !window_open_) window_open_ = Clock::now();
  }
}

// ---------------------------------------------------------------------------------
// Streaming: windows and the hourly cap

std::optional<Clock::time_point> Runner::deadline() {
  if (!window_open_) return std::nullopt;
  return *window_open_ + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(o_.window_s));
}

void Runner::check_due(Clock::time_point now) {
  auto due = deadline();
  if (!due || now < *due) return;
  while (!sent_.empty() && now - sent_.front() >= kHour) sent_.pop_front();
  if (o_.max_per_hour > 0 && sent_.size() >= static_cast<std::size_t>(o_.max_per_hour)) {
    // The cap holds: keep collecting in a new window; the next message is a digest.
    ++batch_.held_windows;
    if (!batch_.held_since_ms) batch_.held_since_ms = ad::now_ms();
    window_open_ = now;
    return;
  }
  bool went = deliver(batch_, false);
  if (went) sent_.push_back(now);
  batch_ = Batch{};
  window_open_.reset();
}

void Runner::idle(int fd, const StopSignals& signals) {
  if (tee_) {
    try {
      standard_output().flush();
    } catch (const BrokenPipe&) {
      tee_.reset();
      r_.note("standard output was closed; no longer copying the input (--tee)");
    }
  }
  for (;;) {
    if (signals.requested()) throw StopStream{};
    auto now = Clock::now();
    check_due(now);
    int timeout = -1;
    if (auto due = deadline()) {
      auto ms = std::chrono::ceil<std::chrono::milliseconds>(*due - now).count();
      timeout = static_cast<int>(std::clamp<long long>(ms, 0, INT_MAX));
    }
    struct pollfd p {fd, POLLIN, 0};
    int n = ::poll(&p, 1, timeout);
    if (n > 0) return;  // data, end of input or an error: read(2) will tell
    if (n < 0 && errno != EINTR) throw errno_error("cannot wait for input", errno);
  }
}

void Runner::stream(csv::Reader& reader, int fd) {
  streaming_ = true;
  StopSignals signals;
  reader.set_idle_hook([this, fd, &signals] { idle(fd, signals); });
  csv::Row row;
  try {
    while (!signals.requested() && reader.next(row)) {
      handle(reader, row);
      check_due(Clock::now());  // a busy stream may never be idle
    }
  } catch (const StopStream&) {
  } catch (const Error&) {
    // The stream cannot be read again: alert about what it gave before failing.
    reader.set_idle_hook(nullptr);
    deliver_before_failing();
    throw;
  }
  reader.set_idle_hook(nullptr);
  if (signals.requested())
    r_.note("stopping on signal " + std::to_string(signals.signal()) +
            "; sending what is held");
  deliver(batch_, true);
}

// ---------------------------------------------------------------------------------
// Delivery

std::string Runner::build(const AlertContent& content, std::int64_t now_ms) const {
  mime::Message m;
  m.from = from_;
  m.to = to_;
  m.subject = content.subject;
  m.date_ms = now_ms;
  m.message_id = mime::make_message_id(from_.addr.substr(from_.addr.rfind('@') + 1));
  m.headers = {{"Auto-Submitted", "auto-generated"},
               {"X-Mailer", std::string("ad-mail ") + AD_VERSION}};
  mime::Part text{"text/plain; charset=UTF-8", mime::Part::Encoding::kQuotedPrintable, "",
                  content.text, {}};
  mime::Part html{"text/html; charset=UTF-8", mime::Part::Encoding::kQuotedPrintable, "",
                  content.html, {}};
  mime::Part alternative{"multipart/alternative", {}, "", "", {text, html}};
  m.body = mime::Part{"multipart/mixed", {}, "", "", {alternative}};
  if (!content.csv_name.empty())
    m.body.children.push_back(mime::Part{"text/csv; charset=UTF-8", mime::Part::Encoding::kBase64,
                                         content.csv_name, content.csv, {}});
  return mime::render(m);
}

// Leaves out of batch the flagged rows alerted before (--state).
void Runner::drop_alerted_events(Batch& batch) {
  std::unordered_set<std::uint64_t> in_batch;  // repeats within the batch, among its first keys
  batch.filter([&](Anomaly& a) {
    bool fresh = !state_->contains(a.key) &&
                 (in_batch.size() < AlertState::kDefaultCapacity ? in_batch.insert(a.key).second
                                                                  : !in_batch.count(a.key));
    if (!fresh) ++batch.duplicates;
    return fresh;
  });
}

// After an alert went out, or nothing needed to: the state (or, without one, the
// memory of this run) learns its events and incidents.
void Runner::remember(const Batch& batch, const IncidentSelection* incidents, StateGuard& guard,
                      std::int64_t now_ms) {
  std::int64_t now_s = now_ms / 1000;
  if (incidents && !preview())
    remember_incidents(*incidents, state_ ? state_->incidents() : incidents_, now_s);
  if (!guard.state || preview()) return;  // a preview reads the state, and leaves it
  batch.for_each([&](const Anomaly& a) { state_->insert(a.key, now_s); });
  if (incidents)  // the rows of held incidents are handled too
    for (std::uint64_t key : incidents->held_event_keys) state_->insert(key, now_s);
  state_->commit();
  guard.state = nullptr;
}

bool Runner::deliver(Batch& batch, bool final) {
  StateGuard guard{nullptr};
  if (state_ && batch.flagged() > 0) {
    state_->lock();
    guard.state = state_.get();
    drop_alerted_events(batch);
  }
  std::optional<IncidentSelection> incidents;  // with incident columns: what to alert
  if (columns_->scored.has_incidents() && batch.flagged() > 0)
    incidents = select_batch(*columns_, batch, state_ ? state_->incidents() : incidents_);
  if (batch.flagged() == 0 && !(final && o_.always && messages_ == 0)) {
    note_no_mail(batch, incidents ? &*incidents : nullptr, final);
    if (incidents) remember(batch, &*incidents, guard, ad::now_ms());
    return false;
  }

  std::int64_t now_ms = ad::now_ms();
  AlertOptions ao;
  ao.subject_prefix = o_.subject;
  ao.top = o_.top;
  ao.input_name = input_name_;
  ao.now_ms = now_ms;
  ao.max_per_hour = o_.max_per_hour;
  ao.max_attachment = o_.max_attachment;
  AlertContent content = render_alert(*columns_, batch, ao, incidents ? &*incidents : nullptr);
  std::string message = build(content, now_ms);
  ++messages_;

  if (preview()) {
    Sink sink(o_.dry_run ? "-" : o_.output);
    sink.out().write(message);
    sink.commit();
    if (!o_.dry_run && o_.output != "-") r_.note("wrote the alert to " + o_.output);
    return true;
  }

  std::vector<std::string> rcpt;
  for (const auto& a : to_) rcpt.push_back(a.addr);
  bool sent = false;
  try {
    smtp::send(o_.smtp, from_.addr, rcpt, message);
    sent = true;
    r_.note("sent '" + mime::strip_controls(content.subject) + "' to " + o_.to);
  } catch (const smtp::SendError& e) {
    std::string path = save(e, Envelope{from_.addr, rcpt}, message);
    if (streaming_) r_.warn(e.message() + "; the alert waits in " + path);
  }
  remember(batch, incidents ? &*incidents : nullptr, guard, now_ms);
  if (sent) flush_after_success();
  return true;
}

// Says why a batch sends no mail: at the end of the input when this run sent none,
// and for any batch whose rows only extend incidents alerted before.
void Runner::note_no_mail(const Batch& batch, const IncidentSelection* incidents, bool final) {
  std::string where = streaming_ && !final ? "this window" : input_name_;
  if (incidents && incidents->held_rows > 0) {
    r_.note(text::plural(incidents->held_rows, "flagged row", "flagged rows") + " in " + where +
            " only extend " + text::plural(incidents->held_incidents, "incident", "incidents") +
            " alerted before, whose band did not rise; no mail sent");
    return;
  }
  if (!final || messages_ > 0) return;
  std::string what = batch.duplicates > 0
                         ? "every flagged row (" + std::to_string(batch.duplicates) +
                               ") was alerted before"
                         : "no anomalies among " + std::to_string(batch.scored) + " scored logins";
  r_.note(what + " in " + input_name_ + "; no mail sent");
}

// Keeps a message the server did not take in the spool. Returns its path.
std::string Runner::save(const smtp::SendError& e, const Envelope& envelope,
                         const std::string& message) {
  std::string dir;
  try {
    dir = spool().dir();
  } catch (const Error& no_dir) {
    throw Error(Status::kUnavailable,
                e.message() + "; and the alert cannot be kept: " + no_dir.message());
  }
  std::string path = Spool(dir).put(envelope, message);
  spooled_.push_back(path);
  last_send_error_ = e.message();
  return path;
}

// After a delivery the server works: send what earlier failures left in the spool.
// Best effort: a problem here is a warning, since this run's alert went out.
void Runner::flush_after_success() try {
  if (o_.spool.empty() && !std::getenv("HOME") && !std::getenv("XDG_STATE_HOME")) return;
  Spool s = spool();
  if (s.list().empty()) return;
  auto result = s.flush(
      [&](const SpooledMessage& m) { smtp::send(o_.smtp, m.envelope.from, m.envelope.to, m.message); },
      [](const std::exception& e) {
        auto* se = dynamic_cast<const smtp::SendError*>(&e);
        return se && se->connection();
      });
  if (result.sent > 0)
    r_.note("also sent " + std::to_string(result.sent) + " spooled message" +
            (result.sent == 1 ? "" : "s") + " from " + s.dir());
} catch (const Error& e) {
  r_.warn(std::string("could not flush the spool: ") + e.what());
}

// The input failed (an I/O error, a line too long to read on): alert about the rows
// read so far, so that they are not lost, and say so if the alert had to be spooled.
void Runner::deliver_before_failing() {
  if (batch_.flagged() == 0) return;
  deliver(batch_, true);
  if (!spooled_.empty())
    r_.warn(last_send_error_ + "; the alert about the rows before the error waits in " +
            spooled_.back());
  batch_ = Batch{};
}

void Runner::finish(const csv::Reader& reader) {
  std::size_t waiting = 0;
  for (const std::string& p : spooled_)
    if (::access(p.c_str(), F_OK) == 0) ++waiting;
  if (waiting > 0)
    throw Error(Status::kUnavailable,
                last_send_error_ + "; " +
                    (waiting == 1 ? "the alert waits in " + spooled_.back()
                                  : std::to_string(waiting) + " alerts wait in " + spool().dir()) +
                    " (send with 'ad-mail --flush-spool')");
  if (reader.skipped() > 0)  // --on-error skip: alerted about the rest, yet the input was bad
    throw Error(Status::kData,
                reader.first_skipped()->message() + " (" + reader.skipped_summary() + " in all)",
                reader.first_skipped()->where());
}

// ---------------------------------------------------------------------------------
// The two commands

void Runner::alert_command() {
  if (o_.dry_run && !o_.output.empty())
    throw usage_error("--dry-run and -o both name where the message goes; give one");
  if (o_.tee && (o_.dry_run || o_.output == "-"))
    throw usage_error("--tee and --dry-run both write to standard output; give one");
  if (o_.from.empty())
    throw usage_error("no sender: give --from ADDR (or AD_MAIL_FROM, or 'from' in the config file)");
  if (o_.to.empty())
    throw usage_error("no recipients: give --to ADDR[,ADDR...] (or AD_MAIL_TO, or 'to' in the config file)");
  from_ = mime::parse_address(o_.from, "--from");
  to_ = mime::parse_address_list(o_.to, "--to");
  if (!preview()) {
    if (o_.smtp.url.empty())
      throw usage_error(
          "no mail server: give --smtp URL (or AD_SMTP_URL, or 'smtp' in the config file), "
          "or --dry-run to preview");
    smtp::check(o_.smtp);
  }
  if (!o_.state.empty()) {  // find a bad --state now, not after a long input
    state_ = std::make_unique<AlertState>(o_.state);
    state_->lock();
    state_->unlock();
  }

  Input in;
  open_input(o_.input, in);
  csv::Reader& reader = *in.reader;
  input_name_ = reader.name();
  if (o_.skip_bad_rows)
    reader.skip_bad_records({kMaxRowWarnings, r_.warn, [this](const Error&) { ++batch_.skipped; }});
  columns_ = std::make_unique<Columns>(Columns::find(reader.header(), o_.map, reader.name()));
  if (o_.tee) {
    tee_ = std::make_unique<csv::Writer>(standard_output());
    tee_->row(reader.header());
  }
  if (reader.live() && !preview()) {
    stream(reader, in.fd);
  } else {
    csv::Row row;
    try {
      while (reader.next(row)) handle(reader, row);
    } catch (const Error&) {
      if (!reader.stopped_on_bad_row()) deliver_before_failing();  // --on-error fail sends nothing
      throw;
    }
    deliver(batch_, true);
  }
  finish(reader);
}

void Runner::flush_command() {
  if (!o_.input.empty() || o_.dry_run || !o_.output.empty() || o_.tee)
    throw usage_error("--flush-spool takes no FILE, --dry-run, -o or --tee");
  Spool s = spool();
  std::size_t waiting = s.list().size();
  if (waiting == 0) {
    r_.note("the spool " + s.dir() + " is empty");
    return;
  }
  if (o_.smtp.url.empty())
    throw usage_error("no mail server: give --smtp URL (or AD_SMTP_URL, or 'smtp' in the config file)");
  smtp::check(o_.smtp);
  auto result = s.flush(
      [&](const SpooledMessage& m) { smtp::send(o_.smtp, m.envelope.from, m.envelope.to, m.message); },
      [](const std::exception& e) {
        auto* se = dynamic_cast<const smtp::SendError*>(&e);
        return se && se->connection();
      });
  r_.note("sent " + std::to_string(result.sent) + " spooled message" + (result.sent == 1 ? "" : "s") +
          " from " + s.dir());
  if (result.failed > 0)
    throw Error(Status::kUnavailable, result.first_error + "; " + std::to_string(result.failed) +
                                          " message" + (result.failed == 1 ? "" : "s") +
                                          " still wait in " + s.dir());
}

}  // namespace

void run(const Options& options, const Reporter& reporter) {
  Runner runner(options, reporter);
  if (options.flush_spool)
    runner.flush_command();
  else
    runner.alert_command();
}

}  // namespace ad::mail
