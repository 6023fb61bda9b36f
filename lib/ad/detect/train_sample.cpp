#include "ad/detect/train_sample.h"

#include <algorithm>
#include <cstring>

namespace ad {

void RowBatch::add(const csv::Row& row, std::uint64_t position, std::size_t slot, const LoginContext& ctx,
                   bool login, std::string_view user) {
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
  if (!login) return;
  derived.resize(size() * kDerivedCount);
  events.resize(size());
  if (slot == kNotKept) return;
  std::copy(ctx.values.begin(), ctx.values.end(), derived.begin() + static_cast<std::ptrdiff_t>(i * kDerivedCount));
  events[i] = incident_event(ctx, user, login_signals(ctx), false);
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

void Sample::reserve(std::size_t rows) {
  rows = std::min(rows, kReserveRows);
  places_.reserve(rows);
  lines.reserve(rows);
  order.reserve(rows);
}

void Sample::put(RowBatch& batch, std::size_t i) {
  const std::size_t slot = batch.slots[i];
  if (slot == places_.size()) {
    places_.emplace_back();
    lines.emplace_back();
    order.emplace_back();
    if (!batch.events.empty()) {
      derived.resize(places_.size() * kDerivedCount);
      events.emplace_back();
    }
  }
  lines[slot] = batch.lines[i];
  order[slot] = batch.positions[i];
  if (!batch.events.empty()) {
    std::copy_n(batch.derived.begin() + static_cast<std::ptrdiff_t>(i * kDerivedCount), kDerivedCount,
                derived.begin() + static_cast<std::ptrdiff_t>(slot * kDerivedCount));
    events[slot] = std::move(batch.events[i]);
  }
  Place& p = places_[slot];
  const std::string_view bytes = batch.bytes(i);
  const std::size_t width = batch.width(i);
  const std::size_t need = width * sizeof(std::uint32_t) + bytes.size();
  live_ = live_ - p.size + bytes.size();
  if (need > p.room) {  // does not fit its slot's place: a new one at the end
    held_ -= p.room;
    p.room = need + need / 8;
    p.at = take(p.room);
    held_ += p.room;
  }
  p.width = width;
  p.size = bytes.size();
  write(p, batch.bounds.data() + batch.first[i], bytes);
  // Compacted when the places left behind are half the room in use: between two
  // compactions at least that much was added, so each byte is copied about twice more.
  if (allocated_ - held_ > std::max(held_ / 2, 4 * kChunk)) compact();
}

char* Sample::take(std::size_t room) {
  if (room > chunk_left_) {
    chunk_size_ = std::max(kChunk, room);
    chunks_.emplace_back(new char[chunk_size_]);  // not zeroed: every byte used is written
    allocated_ += chunk_size_;
    chunk_left_ = chunk_size_;
  }
  char* at = chunks_.back().get() + (chunk_size_ - chunk_left_);
  chunk_left_ -= room;
  return at;
}

void Sample::write(const Place& p, const std::uint32_t* bounds, std::string_view bytes) {
  std::memcpy(p.at, bounds, p.width * sizeof(std::uint32_t));
  std::memcpy(p.at + p.width * sizeof(std::uint32_t), bytes.data(), bytes.size());
}

void Sample::get(std::size_t i, csv::Row& row) const {
  const Place& p = places_[i];
  const char* text = p.at + p.width * sizeof(std::uint32_t);
  row.fields.clear();
  row.line = lines[i];
  row.plain = false;
  std::size_t begin = 0;
  for (std::size_t f = 0; f < p.width; ++f) {
    std::uint32_t end;
    std::memcpy(&end, p.at + f * sizeof end, sizeof end);
    row.fields.emplace_back(text + begin, end - begin);
    begin = end + 1;
  }
}

void Sample::compact() {
  const std::vector<std::unique_ptr<char[]>> old = std::move(chunks_);  // freed once all are copied
  chunks_.clear();
  chunk_left_ = allocated_ = 0;
  for (Place& p : places_) {
    char* at = take(p.room);
    std::memcpy(at, p.at, p.width * sizeof(std::uint32_t) + p.size);
    p.at = at;
  }
}

}  // namespace ad
