// The report page's style sheet and script (assets.h).
#include "ad/report/assets.h"

namespace ad::report {

namespace {

// The page's only style sheet. Kept free of url(), @import and fonts: nothing to load.
constexpr std::string_view kStyle = R"CSS(
:root{--fg:#1a1a1a;--muted:#555;--line:#d9d9d9;--accent:#0062a0;--head:#f3f3f3}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);background:#fff;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
header,main,footer{max-width:1180px;margin:0 auto;padding:0 20px}
header{padding-top:12px}
h1{font-size:1.6em;margin:.4em 0 .1em}
h2{font-size:1.2em;margin:1.6em 0 .6em;padding-bottom:.2em;border-bottom:1px solid var(--line)}
h3{font-size:1em;margin:.2em 0 .4em}
.meta,.note,figcaption{color:var(--muted)}
.meta{margin:0}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:0}
.kpis div{border:1px solid var(--line);border-radius:6px;padding:8px 14px}
.kpis dt{color:var(--muted);font-size:.85em}
.kpis dd{margin:0;font-size:1.55em;font-weight:600;font-variant-numeric:tabular-nums}
.kpis dd small{font-size:.55em;font-weight:400;color:var(--muted)}
.kpis.minor{grid-template-columns:repeat(auto-fit,minmax(130px,1fr));margin-top:10px}
.kpis.minor dd{font-size:1.1em;font-weight:500}
.sub{display:block;color:var(--muted);font-size:.85em}
.sub.mono{white-space:nowrap}
#incident-table tr.incident td{border-bottom:0}
#incident-table tr.events td{padding-top:0}
#incident-table td.when{white-space:normal;min-width:11em}
:target td{background:#fff6d5}
figure{margin:0 0 1.2em}
figcaption{font-size:.9em;margin:.3em 0}
svg.chart{display:block;max-width:100%;height:auto}
svg.chart .tick{fill:#333;font-size:11px}
svg.chart .label{fill:#222}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,480px),1fr));gap:8px 28px;align-items:start}
.grid3{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,330px),1fr));gap:8px 20px;align-items:start}
details{font-size:.9em;margin:.2em 0}
summary{cursor:pointer;color:var(--accent)}
details table{width:auto;margin:.4em 0}
table{border-collapse:collapse;width:100%;font-size:.88em}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{background:var(--head);white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.95em}
td.when{white-space:nowrap}
td.reasons{min-width:16em}
.table-wrap{overflow-x:auto}
#anomaly-table thead th{position:sticky;top:0}
th button{font:inherit;font-weight:700;color:inherit;background:none;border:0;padding:0;cursor:pointer}
th[aria-sort=ascending]::after{content:" \25B2";font-size:.8em}
th[aria-sort=descending]::after{content:" \25BC";font-size:.8em}
#table-tools{margin:.4em 0 .6em;display:flex;gap:.6em;align-items:center;flex-wrap:wrap}
#table-tools input{font:inherit;padding:3px 6px;min-width:18em}
.band{display:inline-block;min-width:4.6em;padding:0 5px;border-radius:3px;font-size:.85em;text-align:center;color:#000}
.b0{background:#FECC5C}.b1{background:#FD8D3C}.b2{background:#F03B20}.b3{background:#BD0026;color:#fff}
footer{margin:2em auto 1.5em;font-size:.85em;color:var(--muted)}
@media print{
body{font-size:10pt}
header,main,footer{max-width:none;padding:0}
#table-tools,details,#incident-table tr.events{display:none}
.grid,.grid3{display:block}
figure,.kpis,tr{break-inside:avoid}
h2,h3{break-after:avoid}
#anomaly-table thead th{position:static}
.table-wrap{overflow:visible}
.band,.kpis div{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
)CSS";

// Sorting and filtering for the anomalies table. Without it the table is already
// sorted by severity, so the page is complete with JavaScript off.
constexpr std::string_view kScript = R"JS(
(function () {
  "use strict";
  var table = document.getElementById("anomaly-table");
  var tools = document.getElementById("table-tools");
  if (!table || !tools) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  rows.forEach(function (r, i) { r.setAttribute("data-i", i); });
  var label = document.createElement("label");
  label.htmlFor = "filter";
  label.textContent = "Filter rows:";
  var input = document.createElement("input");
  input.type = "search";
  input.id = "filter";
  input.placeholder = "user, IP, place, reason\u2026";
  var count = document.createElement("span");
  count.setAttribute("aria-live", "polite");
  tools.appendChild(label);
  tools.appendChild(input);
  tools.appendChild(count);
  tools.hidden = false;
  function update() {
    var q = input.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (r) {
      var hit = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
      r.hidden = !hit;
      if (hit) shown++;
    });
    count.textContent = shown + " of " + rows.length + " rows shown";
  }
  input.addEventListener("input", update);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function key(row, col) {
    var cell = row.cells[col], v = cell.getAttribute("data-v");
    return v !== null ? parseFloat(v) : cell.textContent.toLowerCase();
  }
  heads.forEach(function (th, col) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var numeric = rows.length > 0 && rows[0].cells[col].hasAttribute("data-v");
      var now = th.getAttribute("aria-sort");
      var dir = now ? (now === "ascending" ? -1 : 1) : (numeric ? -1 : 1);
      rows.sort(function (a, b) {
        var x = key(a, col), y = key(b, col);
        var c = x < y ? -1 : x > y ? 1 : 0;
        return c * dir || a.getAttribute("data-i") - b.getAttribute("data-i");
      });
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  document.documentElement.setAttribute("data-script", "ready");
  update();
})();
)JS";

}  // namespace

std::string_view page_style() { return kStyle; }
std::string_view page_script() { return kScript; }

}  // namespace ad::report
