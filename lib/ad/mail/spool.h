// spool.h: messages waiting to be sent, so that no alert is lost.
//
// When the mail server is down or refuses a message, ad-mail writes the message into a
// spool directory and exits with Status::kUnavailable (75); `ad-mail --flush-spool`
// sends the waiting messages later, oldest first, and removes each one once the server
// has accepted it.
//
// A spooled message is one file, "<UTC time>-<sequence>-<pid>-<random>.eml", created atomically
// (ad::AtomicFile: a reader never sees half a message) with mode 0600 in a directory
// of mode 0700, since alerts name users and addresses. The file is the message exactly
// as it would have been sent, preceded by two header fields that carry its envelope:
//   X-Ad-Envelope-From: <sender@example.com>
//   X-Ad-Envelope-To: <a@example.com>, <b@example.com>
// so it stays a valid .eml file that any mail reader opens. These two fields are
// removed again before the message is sent.
//
// Flushing holds an exclusive lock (flock) on the directory, so that two flushes that
// overlap do not send a message twice.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ad::mail {

struct Envelope {
  std::string from;             // addr-spec
  std::vector<std::string> to;  // addr-specs, at least one
};

struct SpooledMessage {
  std::string path;
  Envelope envelope;
  std::string message;  // without the envelope fields
};

class Spool {
 public:
  explicit Spool(std::string dir) : dir_(std::move(dir)) {}

  // $XDG_STATE_HOME/ad/spool, or ~/.local/state/ad/spool. Throws ad::Error(kUsage)
  // when neither XDG_STATE_HOME nor HOME is set.
  static std::string default_dir();

  // Writes message into the spool, creating the directory (and its parents) as needed.
  // Returns the file's path. Throws ad::Error(kIo).
  std::string put(const Envelope& envelope, std::string_view message) const;

  // The paths of the spooled messages, oldest first. A missing directory is empty.
  std::vector<std::string> list() const;

  // Reads a spooled message. Throws ad::Error(kData) for a file without a valid
  // envelope, ad::Error(kIo) if it cannot be read.
  SpooledMessage load(const std::string& path) const;

  struct FlushResult {
    std::size_t sent = 0;
    std::size_t failed = 0;     // still in the spool
    std::string first_error;    // the first failure's message
  };
  // Takes the directory lock, then hands each message, oldest first, to send, and
  // removes it when send returns. send throws to report a failure: an ad::Error leaves
  // the message in place and goes on with the next one, unless stop_after(error) is
  // true, which ends the flush (the server is down: the others would fail too).
  // Files that cannot be parsed are left alone and counted as failed.
  FlushResult flush(const std::function<void(const SpooledMessage&)>& send,
                    const std::function<bool(const std::exception&)>& stop_after) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace ad::mail
