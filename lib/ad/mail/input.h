// input.h: where ad-mail reads from, and how a live stream is asked to stop.
//
// ad-mail streams when its input is live: a pipe, a FIFO, a socket or a terminal. Such
// an input is read through its descriptor (csv::fd_lines), so that the reader's idle
// hook can wait on it in poll(2) with a timeout; a regular file goes through csv.h's
// fast reader. While streaming, SIGINT, SIGTERM and SIGHUP ask for a clean stop
// (StopSignals): what is held is sent before the process ends; a second signal ends it
// at once, with the signal's default action.
#pragma once

#include <signal.h>

#include <memory>
#include <string>

#include "ad/core/csv.h"

namespace ad::mail {

// The input, with the descriptor to poll when it is live.
struct Input {
  std::unique_ptr<csv::Reader> reader;
  int fd = -1;         // >= 0 when the input is a pipe, FIFO, socket or terminal
  bool owned = false;  // fd was opened here (a named FIFO), and is closed with the Input
  Input() = default;
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;
  ~Input();
};

// Opens path ("" or "-" for standard input) into in. Throws ad::Error(kIo) when it
// cannot be opened, and what csv::Reader throws for a bad header.
void open_input(const std::string& path, Input& in);

// While one exists, SIGINT, SIGTERM and SIGHUP set a flag instead of ending the
// process (a second one ends it); the old actions come back when it is destroyed.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  bool requested() const;
  // The signal that asked to stop, or 0.
  int signal() const;

 private:
  struct sigaction old_[3];
};

}  // namespace ad::mail
