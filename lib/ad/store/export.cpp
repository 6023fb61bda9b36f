#include "ad/store/export.h"

#include <pqxx/pqxx>

#include "ad/core/csv.h"
#include "ad/core/error.h"
#include "ad/store/incident.h"

namespace ad::store {

namespace {

using ReadTx = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

std::vector<StoredLayout> read_layouts(ReadTx& tx, const std::string& table, const std::string& where) {
  auto query = [&](const std::string& which) {
    std::vector<StoredLayout> out;
    auto r = tx.exec(
        "SELECT l.layout_id, u.h, u.p FROM " + quote_ident(table + "_layouts") +
        " l, unnest(l.header, l.placement) WITH ORDINALITY AS u(h, p, n) " + which +
        " ORDER BY l.created_at, l.layout_id, u.n");
    for (const auto& row : r) {
      auto id = row[0].as<std::int64_t>();
      if (out.empty() || out.back().id != id) {
        out.emplace_back();
        out.back().id = id;
      }
      out.back().header.push_back(row[1].c_str());
      out.back().placement.push_back(row[2].is_null() ? "" : row[2].c_str());
    }
    return out;
  };
  auto used = query("WHERE l.layout_id IN (SELECT DISTINCT layout_id FROM " + quote_ident(table) +
                    " " + where + ")");
  return used.empty() ? query("") : used;
}

// Runs a read-only job; a failure after output began cannot be retried.
void read_job(const SessionOptions& options, const std::string& table, const Session::Notify& warn,
              const Session::Notify& note,
              const std::function<void(ReadTx&, std::uint64_t& written)>& job) {
  check_table_name(table);
  Session session(options, warn, note);
  session.on_connect([&](pqxx::connection_base& conn) { ensure_schema(conn, table, false); });
  std::uint64_t written = 0;
  session.run([&](pqxx::connection_base& conn) {
    try {
      ReadTx tx(conn);
      job(tx, written);
      tx.commit();
    } catch (const pqxx::pqxx_exception& e) {
      if (written == 0) throw;
      throw Error(Status::kUnavailable, "PostgreSQL failed after " + std::to_string(written) +
                                            " lines were written: " + first_line(e.base().what()));
    }
  });
}

void write_result(const pqxx::result& r, csv::Writer& w, std::uint64_t& written) {
  for (const auto& row : r) {
    for (const auto& f : row) w.field(f.is_null() ? std::string_view() : std::string_view(f.c_str(), f.size()));
    w.end_row();
    ++written;
  }
}

}  // namespace

void export_csv(const SessionOptions& options, const std::string& table, const Filter& filter,
                Output& out, const Session::Notify& warn, const Session::Notify& note) {
  read_job(options, table, warn, note, [&](ReadTx& tx, std::uint64_t& written) {
    const std::string where = where_clause(filter);
    ExportColumns columns = export_columns(read_layouts(tx, table, where));
    std::string select;
    for (std::size_t i = 0; i < columns.expressions.size(); ++i)
      select += (i ? ", " : "") + columns.expressions[i];
    tx.exec("DECLARE ad_export NO SCROLL CURSOR FOR SELECT " + select + " FROM " +
            quote_ident(table) + " " + where + " ORDER BY event_time, id");
    csv::Writer w(out);
    w.row(columns.header);
    ++written;  // the header counts: once output began, the job cannot start over
    for (;;) {
      auto r = tx.exec("FETCH 10000 FROM ad_export");
      if (r.empty()) break;
      write_result(r, w, written);
    }
  });
}

std::string summary_sql(const std::string& table, const Filter& filter) {
  return "SELECT to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD'), user_id, count(*),"
         " count(*) FILTER (WHERE anomaly_flag = 1), max(severity) FROM " +
         quote_ident(table) + " " + where_clause(filter) + " GROUP BY 1, 2 ORDER BY 1, 2";
}

namespace {

// Writes header, then the rows of one query.
void query_csv(const SessionOptions& options, const std::string& table,
               const std::vector<std::string>& header, const std::string& sql, Output& out,
               const Session::Notify& warn, const Session::Notify& note) {
  read_job(options, table, warn, note, [&](ReadTx& tx, std::uint64_t& written) {
    auto r = tx.exec(sql);
    csv::Writer w(out);
    w.row(header);
    ++written;
    write_result(r, w, written);
  });
}

}  // namespace

void summary_csv(const SessionOptions& options, const std::string& table, const Filter& filter,
                 Output& out, const Session::Notify& warn, const Session::Notify& note) {
  query_csv(options, table, {"day", "user_id", "rows", "flagged", "max_severity"},
            summary_sql(table, filter), out, warn, note);
}

void export_incidents_csv(const SessionOptions& options, const std::string& table,
                          const Filter& filter, Output& out, const Session::Notify& warn,
                          const Session::Notify& note) {
  query_csv(options, table, kIncidentExportHeader, incidents_export_sql(table, filter), out, warn,
            note);
}

void summary_incidents_csv(const SessionOptions& options, const std::string& table,
                           const Filter& filter, Output& out, const Session::Notify& warn,
                           const Session::Notify& note) {
  query_csv(options, table, kIncidentSummaryHeader, incidents_summary_sql(table, filter), out, warn,
            note);
}

}  // namespace ad::store
