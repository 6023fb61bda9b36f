// The model loader: Model::parse either throws ad::Error or gives a model that scores
// a row, gives severities in [0, 100] and describes itself, without a sanitizer finding.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ad/detect/model.h"
#include "fuzz_util.h"

namespace {

// The file with its payload length and checksum made right, so that mutations reach
// the sections (model.h: u64 length at 16, CRC-32 of the rest in the last 4 bytes,
// little-endian).
std::string with_checksum(std::string data) {
  if (data.size() < 28) return data;
  std::uint64_t payload = data.size() - 28;
  for (int i = 0; i < 8; ++i) data[16 + i] = static_cast<char>(payload >> (8 * i));
  std::uint32_t crc = ad::crc32(data.data(), data.size() - 4);
  for (int i = 0; i < 4; ++i) data[data.size() - 4 + i] = static_cast<char>(crc >> (8 * i));
  return data;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string raw(reinterpret_cast<const char*>(bytes), size);
  try {
    (void)ad::Model::parse(raw, "fuzz.model");  // as given: the checks before the sections
  } catch (const ad::Error&) {
  }
  ad::Model model;
  try {
    model = ad::Model::parse(with_checksum(raw), "fuzz.model");
  } catch (const ad::Error&) {
    return 0;
  }
  (void)ad::describe_model(model);
  for (double fill : {0.0, 1.0, -1e9, 1e9}) {
    std::vector<double> row(model.features.size(), fill);
    double score = model.score(row.data());
    FUZZ_CHECK(std::isfinite(score), "a loaded model gave a score that is not finite");
    double sev = model.severity(score);
    FUZZ_CHECK(sev >= 0 && sev <= 100, "severity out of [0, 100]");
  }
  // The matrix walk (compact_forest.h) gives every row the reference walk's score, bit
  // for bit.
  ad::Matrix rows;
  rows.cols = model.features.size();
  for (double fill : {0.0, 1.0, -1e9, 1e9, static_cast<double>(NAN), 0.5})
    for (std::size_t j = 0; j < rows.cols; ++j) rows.values.push_back(j % 2 ? fill : -fill);
  rows.rows = rows.cols ? rows.values.size() / rows.cols : 0;
  std::vector<double> scores;
  model.score(rows, scores, 1);
  for (std::size_t i = 0; i < rows.rows; ++i) {
    double one = model.score(rows.row(i));
    FUZZ_CHECK(std::memcmp(&one, &scores[i], sizeof one) == 0, "the matrix walk and the row walk disagree");
  }
  for (double s : {0.0, 0.25, 0.5, 0.75, 1.0, model.threshold}) {
    double sev = model.severity(s);
    FUZZ_CHECK(sev >= 0 && sev <= 100, "severity out of [0, 100]");
  }
  // What loads saves to the same bytes' meaning: it parses again.
  ad::Model again = ad::Model::parse(model.serialize(), "again.model");
  FUZZ_CHECK(again.serialize() == model.serialize(), "serialize is not stable");
  return 0;
}
