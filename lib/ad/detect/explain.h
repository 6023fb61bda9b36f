// explain.h: why a login was flagged, in words, from the forest itself.
//
// The reasons come from the model's own judgment, not from rules written beside it.
// For a flagged row, ad asks the forest counterfactual questions: how would the score
// change if this one feature had its typical training value (the median)? It repairs
// the feature whose repair lowers the score the most, then asks again with that
// repair in place, and stops after three features, when no repair lowers the score,
// or when the score has fallen below the flag threshold. The repaired features, in
// that order, are the reasons. Greedy repair also catches a login that is odd in two
// ways at once, where repairing either alone would change little.
//
// Each reason is then put in words from the feature's kind and the row's raw value,
// for example "rare country: RO (0.1% of training logins)" or "data_size_kb 98765
// above the usual 3.2 to 1480".
#pragma once

#include <string>
#include <vector>

#include "ad/core/csv.h"
#include "ad/detect/model.h"

namespace ad {

// Indices of the features that drove row x's score, most important first.
std::vector<std::size_t> explain(const Model& model, const double* x, std::size_t max_reasons = 3);
// The same for every row of rows, whose scores (model.score of each) are known
// already, all at once: each round of repairs is one matrix of the candidates of every
// row still going, scored on up to `threads` threads. Row r's reasons are those
// explain() gives it alone.
std::vector<std::vector<std::size_t>> explain_rows(const Model& model, const Matrix& rows,
                                                   const std::vector<double>& scores, std::size_t max_reasons = 3,
                                                   int threads = 1);

// One reason in words, for feature i with raw field text `raw` and feature value x.
std::string describe(const Model& model, std::size_t i, std::string_view raw, double x);

// A value as reasons quote it: a value of more than 63 characters keeps its first 60,
// cut between characters (text::truncate), and ends in "..."; control characters
// become spaces, ';' becomes ',' (reasons are separated by "; ").
std::string reason_value(std::string_view raw);

// The reasons joined by "; ", each free of ';' and control characters.
std::string join_reasons(const std::vector<std::string>& reasons);

}  // namespace ad
