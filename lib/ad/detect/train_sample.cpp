#include "ad/detect/train_sample.h"

#include <algorithm>

namespace ad {

void join_fields(const csv::Row& row, std::string& out) {
  if (row.plain) {  // its fields joined by ','; no field holds one
    const std::size_t base = out.size();
    out.append(row.text);
    std::replace(out.begin() + static_cast<std::ptrdiff_t>(base), out.end(), ',', '\0');
    return;
  }
  for (std::size_t i = 0; i < row.fields.size(); ++i) {
    if (i) out.push_back('\0');
    out.append(row.fields[i]);
  }
}

void split_fields(std::string_view joined, std::uint64_t line, csv::Row& row) {
  row.fields.clear();
  row.line = line;
  row.plain = false;
  for (std::size_t pos = 0;;) {
    std::size_t nul = joined.find('\0', pos);
    row.fields.push_back(joined.substr(pos, nul == std::string_view::npos ? nul : nul - pos));
    if (nul == std::string_view::npos) break;
    pos = nul + 1;
  }
}

void RowBatch::add(const csv::Row& row, std::uint64_t position, std::size_t slot, const LoginContext& ctx,
                   bool with_event, std::string_view user) {
  join_fields(row, arena);
  ends.push_back(arena.size());
  lines.push_back(row.line);
  positions.push_back(position);
  slots.push_back(slot);
  const std::size_t i = size() - 1;
  derived.resize(size() * kDerivedCount);
  if (slot != kNotKept) std::copy(ctx.values.begin(), ctx.values.end(), derived.begin() + static_cast<std::ptrdiff_t>(i * kDerivedCount));
  if (with_event) {
    events.resize(size());
    if (slot != kNotKept) events[i] = incident_event(ctx, user, false);
  }
}

void RowBatch::clear() {
  arena.clear();
  ends.clear();
  lines.clear();
  positions.clear();
  slots.clear();
  derived.clear();
  events.clear();
}

void Sample::put(RowBatch& batch, std::size_t i) {
  const std::size_t slot = batch.slots[i];
  if (slot == rows.size()) {
    rows.emplace_back();
    lines.emplace_back();
    order.emplace_back();
    derived.resize(rows.size() * kDerivedCount);
    if (!batch.events.empty()) events.emplace_back();
  }
  lines[slot] = batch.lines[i];
  order[slot] = batch.positions[i];
  std::copy_n(batch.derived.begin() + static_cast<std::ptrdiff_t>(i * kDerivedCount), kDerivedCount,
              derived.begin() + static_cast<std::ptrdiff_t>(slot * kDerivedCount));
  if (!batch.events.empty()) events[slot] = std::move(batch.events[i]);
  std::string& joined = rows[slot];  // a replaced row's memory is used again
  bytes -= joined.size();
  joined.assign(batch.joined(i));
  bytes += joined.size();
}

}  // namespace ad
