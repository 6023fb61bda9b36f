#include "ad/report/incident_view.h"

#include <doctest/doctest.h>

#include <string>

#include "ad/core/timestamp.h"

namespace agg = ad::aggregate;

namespace {

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// One flagged event of a hostile incident, every text field carrying markup.
void feed(agg::Aggregator& a, agg::IncidentBook& book, const char* when, double incident_score) {
  agg::Event e;
  e.time_ms = ad::parse_time_ms(when);
  e.scored = e.flagged = true;
  e.score = 0.8;
  e.severity = 99.9;
  e.user = "<script>u</script>";
  e.ip = "\"><b>ip";
  e.country = "<i>RO</i>";
  e.device = "<img src=x>";
  e.reasons = "<svg onload=x>; a & b";
  e.incident_id = "I-<em>1</em>";
  e.incident_kind = "<u>brute_force</u>";
  e.incident_score = incident_score;
  a.add(e);
  book.add(e, a.local_time(e.time_ms), a.events() - 1);
}

}  // namespace

TEST_SUITE("incident_view") {
  TEST_CASE("every value from the data is escaped, in the table, the events and the plot") {
    agg::Aggregator a;
    agg::IncidentBook book(10, [&](const agg::Incident& s) { a.count_incident(s.first_ms, s.band()); });
    feed(a, book, "2024-05-29T03:00:00Z", 70);
    feed(a, book, "2024-05-29T03:05:00Z", 85);
    book.finish();
    std::string html = ad::report::incident_kpis(book) + ad::report::incidents_section(book, book.top(), "UTC") +
                       ad::report::incidents_over_time(a, book, "UTC");
    for (const char* raw : {"<script>u", "<b>ip", "<i>RO", "<img", "<svg onload", "<em>1", "<u>brute", "a & b"})
      CHECK_FALSE(has(html, raw));
    CHECK(has(html, "&lt;script&gt;u&lt;/script&gt;"));
    CHECK(has(html, "&quot;&gt;&lt;b&gt;ip"));
    CHECK(has(html, "I-&lt;em&gt;1&lt;/em&gt;"));
    CHECK(has(html, "&lt;u&gt;brute_force&lt;/u&gt;"));
    CHECK(has(html, "&lt;svg onload=x&gt;<br>a &amp; b"));
    CHECK(has(html, "&lt;img src=x&gt;"));
    // One incident, critical (85), two events one click away, in the plot once.
    CHECK(has(html, "<div><dt>Incidents</dt><dd>1</dd></div>"));
    CHECK(has(html, "<tr id=\"inc-1\" class=\"incident\">"));
    CHECK(has(html, "<details id=\"inc-1-events\"><summary>Its 2 events</summary>"));
    CHECK(has(html, "85 <span class=\"band b3\">critical</span>"));
    CHECK(has(html, "2024-05-29 03:00:00 to 03:05:00"));
    CHECK(has(html, "id=\"c-incidents\""));
    CHECK(has(html, "1 incident opened in"));
  }

  TEST_CASE("a capped table says so, and anchors follow the rank") {
    agg::Aggregator a;
    agg::IncidentBook book(1);
    agg::Event e;
    e.scored = e.flagged = true;
    e.time_ms = ad::parse_time_ms("2024-05-29T03:00:00Z");
    e.incident_id = "I-1";
    e.incident_score = 10;
    a.add(e);
    book.add(e, a.local_time(e.time_ms), 0);
    e.incident_id = "I-2";
    e.incident_score = 20;
    a.add(e);
    book.add(e, a.local_time(e.time_ms), 1);
    book.finish();
    std::string html = ad::report::incidents_section(book, book.top(), "UTC");
    CHECK(has(html, "The <strong>1 highest-ranked</strong> of 2 incidents"));
    CHECK(has(html, "<code>--top-incidents</code>"));
    CHECK(has(html, "I-2"));
    CHECK_FALSE(has(html, "I-1<"));
    CHECK(ad::report::incident_anchor(0) == "inc-1");
    CHECK(ad::report::incident_anchor(9) == "inc-10");
    agg::IncidentBook empty(5);
    CHECK(has(ad::report::incidents_section(empty, {}, "UTC"), "<p>No incidents.</p>"));
  }
}
