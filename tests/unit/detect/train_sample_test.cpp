// Tests for train_sample.h: the rows ad-train keeps, and the batches that carry them.
#include "ad/detect/train_sample.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

// The records of csv after its header, read as ad-train reads them.
std::vector<std::vector<std::string>> records(const std::string& csv, std::vector<bool>* plain = nullptr) {
  ad::csv::Reader in(ad::csv::string_lines("t.csv", csv), "t.csv");
  std::vector<std::vector<std::string>> out;
  ad::csv::Row row;
  while (in.next(row)) {
    out.emplace_back(row.fields.begin(), row.fields.end());
    if (plain) plain->push_back(row.plain);
  }
  return out;
}

std::vector<std::string> fields_of(const ad::csv::Row& row) { return {row.fields.begin(), row.fields.end()}; }

ad::LoginContext context(double first, std::int64_t time_ms) {
  ad::LoginContext ctx;
  for (std::size_t i = 0; i < ctx.values.size(); ++i) ctx.values[i] = first + static_cast<double>(i);
  ctx.time_ms = time_ms;
  return ctx;
}

}  // namespace

TEST_SUITE("train_sample") {
  TEST_CASE("a batch gives back the fields of plain and quoted rows") {
    const std::string csv = "a,b,c\n1,,x y\n\"q,1\",\"line\nbreak\",\n,,\n";
    std::vector<bool> plain;
    auto expected = records(csv, &plain);
    REQUIRE(expected.size() == 3);
    CHECK(plain == std::vector<bool>{true, false, true});  // both kinds are kept
    ad::csv::Reader in(ad::csv::string_lines("t.csv", csv), "t.csv");
    ad::RowBatch batch;
    ad::csv::Row row;
    while (in.next(row)) batch.add(row, 0, ad::RowBatch::kNotKept, {}, false, "");
    CHECK(batch.bytes(0) == "1,,x y");  // a plain row as read
    CHECK(batch.bytes(1) == std::string("q,1\0line\nbreak\0", 15));  // quoted: fields joined by NUL
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CAPTURE(i);
      REQUIRE(batch.width(i) == expected[i].size());
      for (std::size_t f = 0; f < expected[i].size(); ++f) CHECK(batch.field(i, f) == expected[i][f]);
    }
    CHECK(batch.lines == std::vector<std::uint64_t>{2, 3, 5});
    CHECK(batch.derived.empty());  // no login features
  }

  TEST_CASE("a batch keeps each row's fields, line, position and slot, and is full at kMaxRows") {
    ad::RowBatch batch;
    ad::csv::Reader in(ad::csv::string_lines("t.csv", "u,n\nann,1\nbob,2\n"), "t.csv");
    ad::csv::Row row;
    REQUIRE(in.next(row));
    batch.add(row, 7, 0, context(1, 100), true, "ann");
    REQUIRE(in.next(row));
    batch.add(row, 8, ad::RowBatch::kNotKept, context(50, 200), true, "bob");
    REQUIRE(batch.size() == 2);
    CHECK(batch.bytes(0) == "ann,1");
    CHECK(batch.field(1, 0) == "bob");
    CHECK(batch.lines == std::vector<std::uint64_t>{2, 3});
    CHECK(batch.positions == std::vector<std::uint64_t>{7, 8});
    CHECK(batch.events[0].user == "ann");
    CHECK(batch.events[0].time_ms == 100);
    CHECK(batch.events[1].user.empty());  // not kept: no event made
    CHECK(batch.derived[0] == 1.0);
    CHECK_FALSE(batch.full());
    while (batch.size() < ad::RowBatch::kMaxRows) batch.add(row, 9, ad::RowBatch::kNotKept, {}, false, "");
    CHECK(batch.full());
    batch.clear();
    CHECK(batch.size() == 0);
    CHECK(batch.arena.empty());
  }

  TEST_CASE("Sample::put fills new slots in order and replaces a kept row, counting its bytes") {
    ad::RowBatch batch;
    ad::csv::Reader in(ad::csv::string_lines("t.csv", "u,n\nann,1\nbob,22\ncarl,333\n"), "t.csv");
    ad::csv::Row row;
    for (std::size_t slot : {std::size_t{0}, std::size_t{1}, std::size_t{0}}) {
      REQUIRE(in.next(row));
      batch.add(row, row.line * 10, slot, context(static_cast<double>(row.line), static_cast<std::int64_t>(row.line)),
                true, row.fields[0]);
    }
    ad::Sample sample;
    for (std::size_t i = 0; i < batch.size(); ++i) sample.put(batch, i);
    REQUIRE(sample.size() == 2);
    ad::csv::Row got;
    sample.get(0, got);  // carl replaced ann in slot 0
    CHECK(fields_of(got) == std::vector<std::string>{"carl", "333"});
    CHECK(got.line == 4);
    sample.get(1, got);
    CHECK(fields_of(got) == std::vector<std::string>{"bob", "22"});
    CHECK(sample.order == std::vector<std::uint64_t>{40, 30});
    CHECK(sample.events[0].user == "carl");
    CHECK(sample.events[1].user == "bob");
    CHECK(sample.derived[0] == 4.0);
    CHECK(sample.derived[ad::kDerivedCount] == 3.0);
    CHECK(sample.bytes() == std::string("carl,333").size() + std::string("bob,22").size());
  }

  TEST_CASE("a sample keeps its rows through replacements in place, moves and compactions") {
    // 600 rows put into 10 slots, each row 13% longer than the last in its slot (100
    // bytes to 150 KB), but for every 7th, which is short: a row that fits the place of
    // the one it replaces takes it, a longer one moves to the end, and the places left
    // behind (more than 4 MiB of them) make the arena be compacted on the way.
    ad::Sample sample;
    std::vector<std::vector<std::string>> kept(10);
    for (std::size_t k = 0; k < 600; ++k) {
      const std::size_t length = k % 7 == 6 ? 10 : static_cast<std::size_t>(100 * std::pow(1.13, k / 10));
      const std::string csv = "n,s\n" + std::to_string(k) + "," + std::string(length, static_cast<char>('a' + k % 26)) + "\n";
      ad::RowBatch batch;
      ad::csv::Reader in(ad::csv::string_lines("t.csv", csv), "t.csv");
      ad::csv::Row row;
      REQUIRE(in.next(row));
      const std::size_t slot = k % 10;
      batch.add(row, k, slot, {}, false, "");
      sample.put(batch, 0);
      kept[slot] = {std::string(row.fields[0]), std::string(row.fields[1])};
      std::size_t bytes = 0;
      for (const auto& r : kept)
        if (!r.empty()) bytes += r[0].size() + 1 + r[1].size();
      CHECK(sample.bytes() == bytes);
      if (k % 37 == 0 || k + 1 == 600) {  // now and then, and at the end: every slot
        ad::csv::Row got;
        for (std::size_t i = 0; i < sample.size(); ++i) {
          sample.get(i, got);
          CHECK(fields_of(got) == kept[i]);
          CHECK(got.line == 2);
        }
      }
    }
    CHECK(sample.size() == 10);
  }

  TEST_CASE("a batch added without events gives a sample without events") {
    ad::RowBatch batch;
    ad::csv::Reader in(ad::csv::string_lines("t.csv", "n\n1\n"), "t.csv");
    ad::csv::Row row;
    REQUIRE(in.next(row));
    batch.add(row, 0, 0, {}, false, "");
    ad::Sample sample;
    sample.put(batch, 0);
    CHECK(sample.size() == 1);
    CHECK(sample.events.empty());
    CHECK(sample.derived.empty());
  }
}
