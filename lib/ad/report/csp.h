// csp.h: Content-Security-Policy hashes for the report's inline style and script.
#pragma once

#include <string>
#include <string_view>

namespace ad::report {

// A Content-Security-Policy source for an inline script or style:
// "'sha256-<base64 of the SHA-256 of text>'".
std::string csp_hash(std::string_view text);

}  // namespace ad::report
