#include "ad/store/batch.h"

#include <signal.h>

#include <pqxx/pqxx>

#include "ad/store/incident.h"
#include "ad/store/schema.h"

namespace ad::store {

namespace {

constexpr const char* kStaging = "pg_temp.ad_store_staging";

// The direct way: true if the batch was stored, with the rows in *stored; false if a key
// was stored before (the transaction is rolled back).
bool store_direct(pqxx::connection_base& conn, const Batch& batch, const BatchSql& sql,
                  const std::vector<std::string>& incidents, std::uint64_t* stored) {
  pqxx::work tx(conn);
  try {
    *stored = copy_in(tx, sql.direct_copy, batch.data());
  } catch (const pqxx::unique_violation&) {
    tx.abort();
    return false;
  }
  for (const auto& s : incidents) tx.exec(s);
  tx.commit();
  return true;
}

// The unit of work for one batch (see batch.h). Returns the rows new to the table.
std::uint64_t commit_batch(pqxx::connection_base& conn, const Batch& batch, const BatchSql& sql,
                           std::atomic<bool>& direct) {
  std::vector<std::string> incidents;
  if (sql.incidents) incidents = incident_sql(sql.table, batch.incident_ids());
  std::uint64_t stored = 0;
  if (direct.load()) {
    if (store_direct(conn, batch, sql, incidents, &stored)) return stored;
    direct.store(false);
  }
  pqxx::work tx(conn);
  copy_in(tx, sql.staging_copy, batch.data());
  auto r = tx.exec(sql.insert);
  for (const auto& s : incidents) tx.exec(s);
  tx.commit();
  stored = static_cast<std::uint64_t>(r.affected_rows());
  if (stored == batch.rows()) direct.store(true);  // every key was new: try direct again
  return stored;
}

}  // namespace

// ---------------------------------------------------------------------------------
// Batch

void Batch::add(const EncodedRow& row) {
  if (empty()) started_ = Clock::now();
  append_tuple(data_, row, layout_id_, model_id_);
  if (!row.null[11] && (ids_.empty() || ids_.back() != row.text[11]) && seen_.insert(row.text[11]).second)
    ids_.push_back(row.text[11]);
}

void Batch::clear() {
  data_.clear();
  ids_.clear();
  seen_.clear();
}

// ---------------------------------------------------------------------------------
// SQL

std::string staging_ddl() {
  return "CREATE TEMP TABLE IF NOT EXISTS ad_store_staging (row_key bytea,"
         " event_id text, event_time timestamptz, user_id text, ip_address inet, location text,"
         " anomaly_score double precision, anomaly_flag smallint, severity double precision,"
         " anomaly_reasons text, extra jsonb, incident_id text, incident_score double precision,"
         " incident_kind text, layout_id bigint, model_id text) ON COMMIT DELETE ROWS";
}

BatchSql batch_sql(const std::string& table, bool incidents) {
  const std::string columns = copy_columns();
  BatchSql s;
  s.table = table;
  s.direct_copy = "COPY " + quote_ident(table) + " (" + columns + ") FROM STDIN (FORMAT binary)";
  s.staging_copy = std::string("COPY ") + kStaging + " (" + columns + ") FROM STDIN (FORMAT binary)";
  s.insert = "INSERT INTO " + quote_ident(table) + " (" + columns + ") SELECT " + columns +
             " FROM " + kStaging + " ON CONFLICT (row_key) DO NOTHING";
  s.incidents = incidents;
  return s;
}

std::vector<std::string> incident_sql(const std::string& table, const std::vector<std::string>& ids) {
  if (ids.empty()) return {};
  std::string query = "SELECT unnest(" + text_array(ids) + ")";
  return {lock_incidents_sql(table, query), refresh_incidents_sql(table, query)};
}

// ---------------------------------------------------------------------------------
// Writers

Writers::Writers(std::vector<std::unique_ptr<Session>> sessions, BatchSql sql)
    : sessions_(std::move(sessions)), sql_(std::move(sql)) {
  // Stop signals go to the reading thread, which polls for them.
  sigset_t block, old;
  sigemptyset(&block);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&block, sig);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  for (auto& s : sessions_) threads_.emplace_back([this, session = s.get()] { loop(*session); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

Writers::~Writers() {
  {
    std::lock_guard<std::mutex> lock(m_);
    closing_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void Writers::submit(Batch& batch) {
  std::unique_lock<std::mutex> lock(m_);
  cv_.wait(lock, [&] { return error_ || queue_.size() + busy_ < threads_.size(); });
  if (error_) settle_and_throw(lock);
  queue_.push_back(spare_.empty() ? batch.fresh() : std::move(spare_.front()));
  if (!spare_.empty()) spare_.pop_front();
  std::swap(batch, queue_.back());
  cv_.notify_all();
}

void Writers::drain() {
  std::unique_lock<std::mutex> lock(m_);
  cv_.wait(lock, [&] { return error_ || (queue_.empty() && busy_ == 0); });
  if (error_) settle_and_throw(lock);
}

std::uint64_t Writers::stored() {
  std::lock_guard<std::mutex> lock(m_);
  return stored_;
}

bool Writers::failed() {
  std::lock_guard<std::mutex> lock(m_);
  return error_ != nullptr;
}

std::uint64_t Writers::batches() {
  std::lock_guard<std::mutex> lock(m_);
  return batches_;
}

void Writers::settle_and_throw(std::unique_lock<std::mutex>& lock) {
  queue_.clear();
  cv_.wait(lock, [&] { return busy_ == 0; });
  std::rethrow_exception(error_);
}

void Writers::loop(Session& session) {
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
      session.run([&](pqxx::connection_base& conn) { stored = commit_batch(conn, batch, sql_, direct_); });
    } catch (...) {
      error = std::current_exception();
    }
    batch.clear();
    lock.lock();
    --busy_;
    if (error && !error_) error_ = error;
    if (!error) {
      stored_ += stored;
      ++batches_;
    }
    spare_.push_back(std::move(batch));
    cv_.notify_all();
  }
}

}  // namespace ad::store
