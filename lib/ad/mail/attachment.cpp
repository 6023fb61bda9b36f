// The CSV attachment of an alert. See ad/mail/attachment.h.
#include "ad/mail/attachment.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "ad/core/csv.h"
#include "ad/core/error.h"
#include "ad/core/io.h"

namespace ad::mail {

// csv::Writer writes to a descriptor, so it writes to an anonymous in-memory file that
// is read back.
std::string attachment_csv(const Columns& columns, const Batch& batch, std::size_t max_bytes,
                           std::uint64_t& rows) {
  int fd = ::memfd_create("ad-mail-attachment", MFD_CLOEXEC);
  if (fd < 0) throw errno_error("cannot create the attachment in memory", errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  {
    Output out(fd, "the attachment");
    csv::Writer writer(out, csv::WriterOptions{true});
    writer.row(columns.header);
    out.flush();
    rows = 0;
    off_t size = ::lseek(fd, 0, SEEK_CUR);
    bool cut = false;
    batch.for_each([&](const Anomaly& a) {
      if (cut || (cut = a.slim)) return;
      writer.row(a.fields);
      out.flush();
      off_t now = ::lseek(fd, 0, SEEK_CUR);
      if (now < 0 || size < 0) throw errno_error("cannot size the attachment", errno);
      if (static_cast<std::size_t>(now) > max_bytes) {  // cut before this row
        if (::ftruncate(fd, size) != 0) throw errno_error("cannot cut the attachment", errno);
        cut = true;
        return;
      }
      size = now;
      ++rows;
    });
  }
  std::string data;
  char buf[65536];
  for (off_t at = 0;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw errno_error("cannot read the attachment back", errno);
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    at += n;
  }
  return data;
}

}  // namespace ad::mail
