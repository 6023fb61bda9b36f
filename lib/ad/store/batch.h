// batch.h: ad-store's batches, the SQL that stores one, and the threads that commit them.
//
// A Batch holds encoded rows as binary COPY tuples (store/copy.h) with the distinct
// incident ids among them, until it is committed; a retry sends it again.
//
// A batch is stored in one transaction, committed whole or not at all, in one of two ways:
//   direct   COPY straight into the table. Any key already in the table (or twice in the
//            batch) fails the COPY with a unique violation; the transaction is rolled
//            back and the batch is stored the staging way instead.
//   staging  COPY into a temporary table, then INSERT ... SELECT ... ON CONFLICT (row_key)
//            DO NOTHING, which skips the keys already stored.
// The direct way costs the server about a fifth less per row (no temporary table, no
// speculative insertion, and COPY's bulk-write buffer ring), so it is tried first, as
// long as the last batch stored held only new keys: a run starts direct, falls back to
// staging at its first batch with a key stored before (a re-run, an overlap, a repeated
// row), and goes direct again after a staging batch in which every row was new. Either
// way, the rows stored are exactly those whose keys were not stored before.
//
// For input with incident ids, the same transaction then locks and refreshes the
// incidents of the batch's ids (store/incident.h).
//
// Writers are threads, one Session (connection) each, committing batches side by side:
// the server's work per row is larger than ours, and a second backend uses a second core.
// Batches are committed in any order. At most three batches exist: one filling, two
// being committed; a committed batch's memory is reused for the next.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "ad/store/copy.h"
#include "ad/store/retry.h"
#include "ad/store/row.h"

namespace ad::store {

class Batch {
 public:
  using Clock = std::chrono::steady_clock;
  Batch(std::int64_t layout_id, std::string model_id)
      : layout_id_(layout_id), model_id_(std::move(model_id)) {}

  // Appends row; remembers its incident id (row.text[11]) when it has one.
  void add(const EncodedRow& row);
  std::size_t rows() const { return data_.rows(); }
  std::size_t bytes() const { return data_.tuples().size(); }
  bool empty() const { return rows() == 0; }
  Clock::time_point started() const { return started_; }
  const CopyData& data() const { return data_; }
  // The distinct incident ids of the rows, in order of first appearance.
  const std::vector<std::string>& incident_ids() const { return ids_; }
  // Forgets the rows, keeping the memory.
  void clear();
  // An empty batch for the same layout and model.
  Batch fresh() const { return Batch(layout_id_, model_id_); }

 private:
  std::int64_t layout_id_;
  std::string model_id_;
  CopyData data_;
  std::vector<std::string> ids_;
  std::unordered_set<std::string> seen_;
  Clock::time_point started_;
};

// The statements that store a batch (see the top of this file).
struct BatchSql {
  std::string table;
  std::string direct_copy;   // COPY <table> (copy_columns()) FROM STDIN (FORMAT binary)
  std::string staging_copy;  // the same into the staging table
  std::string insert;        // from the staging table into <table>, skipping stored keys
  bool incidents = false;    // lock and refresh the batch's incidents
};
BatchSql batch_sql(const std::string& table, bool incidents);
// The CREATE of the staging table, run on every new connection.
std::string staging_ddl();
// The lock and refresh statements for the incidents ids (store/incident.h); none for no ids.
std::vector<std::string> incident_sql(const std::string& table, const std::vector<std::string>& ids);

class Writers {
 public:
  Writers(std::vector<std::unique_ptr<Session>> sessions, BatchSql sql);
  ~Writers();

  // Hands batch over, leaving it empty (with the memory of a committed batch). Blocks
  // while every writer is busy. Rethrows a writer's failure.
  void submit(Batch& batch);
  // Waits until every batch handed over is committed. Rethrows a writer's failure.
  void drain();
  std::uint64_t stored();
  bool failed();
  std::uint64_t batches();

 private:
  void settle_and_throw(std::unique_lock<std::mutex>& lock);
  void loop(Session& session);

  std::vector<std::unique_ptr<Session>> sessions_;
  BatchSql sql_;
  std::atomic<bool> direct_{true};
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Batch> queue_, spare_;
  std::size_t busy_ = 0;
  bool closing_ = false;
  std::exception_ptr error_;
  std::uint64_t stored_ = 0, batches_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace ad::store
