#include "ad/detect/train_sample.h"

#include <algorithm>

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
  live_ -= p.size;
  live_bounds_ -= p.width;
  const std::string_view bytes = batch.bytes(i);
  p = {text_.size(), bytes.size(), bounds_.size(), batch.width(i)};
  text_.append(bytes);
  const auto first = batch.bounds.begin() + static_cast<std::ptrdiff_t>(batch.first[i]);
  bounds_.insert(bounds_.end(), first, first + static_cast<std::ptrdiff_t>(p.width));
  live_ += p.size;
  live_bounds_ += p.width;
  // Replaced rows' bytes are dropped once they are as many as the rows kept (and 1 MiB):
  // each byte is then copied at most once more on average.
  if (text_.size() - live_ > std::max(live_, kSlack) || bounds_.size() - live_bounds_ > std::max(live_bounds_, kSlack))
    compact();
}

void Sample::get(std::size_t i, csv::Row& row) const {
  const Place& p = places_[i];
  const std::string_view bytes = std::string_view(text_).substr(p.text, p.size);
  row.fields.clear();
  row.line = lines[i];
  row.plain = false;
  std::size_t begin = 0;
  for (std::size_t f = 0; f < p.width; ++f) {
    const std::size_t end = bounds_[p.bounds + f];
    row.fields.push_back(bytes.substr(begin, end - begin));
    begin = end + 1;
  }
}

void Sample::compact() {
  std::string text;
  std::vector<std::uint32_t> bounds;
  text.reserve(live_);
  bounds.reserve(live_bounds_);
  for (Place& p : places_) {
    const std::size_t at = text.size(), bounds_at = bounds.size();
    text.append(text_, p.text, p.size);
    bounds.insert(bounds.end(), bounds_.begin() + static_cast<std::ptrdiff_t>(p.bounds),
                  bounds_.begin() + static_cast<std::ptrdiff_t>(p.bounds + p.width));
    p.text = at;
    p.bounds = bounds_at;
  }
  text_ = std::move(text);
  bounds_ = std::move(bounds);
}

}  // namespace ad
