#include "ad/detect/train_sample.h"

#include <algorithm>

namespace ad {

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
  const std::size_t start = arena.size();
  first.push_back(bounds.size());
  if (row.plain) {  // the fields are views into the text, separated by ','
    arena.append(row.text);
    for (std::string_view f : row.fields)
      bounds.push_back(static_cast<std::uint32_t>(f.data() + f.size() - row.text.data()));
  } else {
    for (std::size_t f = 0; f < row.fields.size(); ++f) {
      if (f) arena.push_back('\0');
      arena.append(row.fields[f]);
      bounds.push_back(static_cast<std::uint32_t>(arena.size() - start));
    }
  }
  ends.push_back(arena.size());
  lines.push_back(row.line);
  positions.push_back(position);
  slots.push_back(slot);
  const std::size_t i = size() - 1;
  derived.resize(size() * kDerivedCount);
  if (slot != kNotKept) std::copy(ctx.values.begin(), ctx.values.end(), derived.begin() + static_cast<std::ptrdiff_t>(i * kDerivedCount));
  if (with_event) {
    events.resize(size());
    if (slot != kNotKept) events[i] = incident_event(ctx, user, login_signals(ctx), false);
  }
}

void RowBatch::row(std::size_t i, csv::Row& out) const {
  const std::string_view b = bytes(i);
  const std::size_t last = i + 1 < size() ? first[i + 1] : bounds.size();
  out.fields.clear();
  out.line = lines[i];
  out.plain = false;
  std::size_t begin = 0;
  for (std::size_t f = first[i]; f < last; ++f) {
    out.fields.push_back(b.substr(begin, bounds[f] - begin));
    begin = bounds[f] + 1;
  }
}

void RowBatch::joined(std::size_t i, std::string& out) const {
  out.assign(bytes(i));
  const std::size_t last = i + 1 < size() ? first[i + 1] : bounds.size();
  for (std::size_t f = first[i]; f + 1 < last; ++f) out[bounds[f]] = '\0';
}

void RowBatch::clear() {
  arena.clear();
  ends.clear();
  bounds.clear();
  first.clear();
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
  batch.joined(i, joined);
  bytes += joined.size();
}

}  // namespace ad
