// Base64 of SHA-256 (sha256.h), for the report's Content-Security-Policy hashes.
#include <string>
#include <string_view>

#include "ad/report/csp.h"
#include "ad/core/sha256.h"
#include "ad/core/text.h"

namespace ad::report {

std::string csp_hash(std::string_view text) { return "'sha256-" + ad::text::base64(ad::sha256(text)) + "'"; }

}  // namespace ad::report
