"""The report page's style sheet and script, inline in every page (nothing is fetched)."""

from __future__ import annotations

from model.report.maps.layout import MAP_ASPECT

PAGE_CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1b1b1b;
background:#fafaf8}
main{max-width:1320px;margin:0 auto;padding:18px 22px 30px}
h1{font-size:1.55em;margin:0 0 2px}h2{font-size:1.12em;margin:0 0 8px}h3{font-size:.86em;margin:14px 0 4px;color:#333}
.sub{margin:0 0 14px;color:#555}
.mapwrap{display:grid;grid-template-columns:minmax(0,calc((100vh - 24px) * ASPECT)) 290px;gap:14px;align-items:start;
justify-content:center}
.map{position:relative;background:#fff;border:1px solid #ccc}
.mapsvg{display:block;width:100%;height:auto}
.mapsvg text{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round;fill:#111}
.mapsvg text.muted{fill:#777;font-style:italic}
.leg{stroke-linecap:butt;stroke-linejoin:round;stroke-opacity:.92;transition:opacity .15s}
.hit{stroke:transparent;cursor:pointer}
.leg.hover{stroke-opacity:1;filter:drop-shadow(0 0 2px #000)}
.dim{opacity:.12}.leg.hl{stroke-opacity:1}
.node.idle{opacity:.45}
.tip{position:absolute;pointer-events:none;background:#fff;border:1px solid #888;border-radius:4px;padding:6px 9px;
font-size:13px;white-space:pre-line;box-shadow:0 2px 6px rgba(0,0,0,.2);max-width:320px;z-index:2}
.legend{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 12px;font-size:.9em}
.legend ul{list-style:none;margin:0;padding:0}
.hint{font-size:.82em;color:#555;margin:0 0 6px}
.corr{display:flex;width:100%;align-items:center;gap:8px;border:1px solid transparent;background:none;
font:inherit;text-align:left;padding:3px 4px;border-radius:4px;cursor:pointer}
.corr:hover{background:#f1f1ee}.corr.hl{border-color:#333;background:#f1f1ee;font-weight:650}
.corr .cn{flex:1}.corr .mt{font-variant-numeric:tabular-nums}
.sw{display:inline-block;width:22px;height:10px;border-radius:2px;flex:none}
.widths li,.kinds li,.full li{display:flex;align-items:center;gap:8px;margin:2px 0}
.nk{display:inline-block;width:11px;height:11px;flex:none;border:1px solid #fff}
.nk.origin{background:#222;border-radius:50%}.nk.market{background:#5d4037}
.nk.port{background:#fff;border-color:#222;transform:rotate(45deg) scale(.8)}
.nk.other{background:#777;border-radius:50%;transform:scale(.7)}
.ring{display:inline-block;width:14px;height:14px;border:2.5px solid #d62728;border-radius:50%;flex:none}
.dash{display:inline-block;width:22px;border-top:3px dashed #d62728;flex:none}
section{margin-bottom:18px}
.brief{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;margin-bottom:16px}
.brief ul,.brief ol{margin:0;padding-left:20px}.brief li{margin:2px 0}.brief h3{margin-top:10px}
.focus{margin:8px 0 0;padding:6px 10px;background:#f4f1e8;border-left:3px solid #b58900}
details.summary summary{cursor:pointer;font-weight:650}
.barsec,.bottlenecks,.summary{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 14px;margin-top:16px}
.key{list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px;padding:0;margin:0 0 8px;font-size:.88em}
.key li{display:flex;align-items:center;gap:6px}

.summary table{max-width:980px}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bars{width:100%;height:auto;font-size:13px}.bar{cursor:pointer}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid #e3e3e3}
th{font-size:.85em;color:#444}
footer{font-size:.82em;color:#555}footer p{margin:2px 0}
@media (max-width:900px){.mapwrap{grid-template-columns:minmax(0,1fr)}}
@page{margin:12mm}
@media print{body{background:#fff;font-size:10.5pt}main{max-width:none;padding:0}
.tip,.hint,.hit{display:none}.mapwrap{display:block}
.legend{columns:3;column-gap:18px;margin-top:6px;font-size:8pt;padding:6px 8px}
.legend h2{font-size:9pt}.legend h3{break-after:avoid}.legend li{break-inside:avoid}.corr{padding:0 2px}
h1{font-size:15pt}.sub{margin-bottom:8px}
.map,.legend,.brief,.barsec,.bottlenecks{break-inside:avoid}.legend,.brief,.barsec,.bottlenecks,.summary{border-color:#bbb}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
""".replace("ASPECT", f"{MAP_ASPECT:g}")  # the map column never taller than the window

PAGE_JS = """
(function () {
  "use strict";
  var map = document.getElementById("map"), tip = document.getElementById("tip"), active = null, hovered = null;
  function legOf(el) {
    if (!el || !el.getAttribute) return null;
    if (el.classList.contains("leg")) return el;
    var ref = el.getAttribute("data-ref");
    return ref ? document.getElementById(ref) : null;
  }
  function hide() { tip.hidden = true; if (hovered) { hovered.classList.remove("hover"); hovered = null; } }
  map.addEventListener("mousemove", function (ev) {
    var leg = legOf(ev.target);
    if (!leg) { hide(); return; }
    if (hovered !== leg) { hide(); hovered = leg; leg.classList.add("hover"); }
    tip.textContent = leg.getAttribute("data-tip");
    tip.hidden = false;
    var box = map.getBoundingClientRect(), x = ev.clientX - box.left + 14, y = ev.clientY - box.top + 14;
    if (x + tip.offsetWidth > box.width) x = Math.max(0, ev.clientX - box.left - tip.offsetWidth - 10);
    if (y + tip.offsetHeight > box.height) y = Math.max(0, ev.clientY - box.top - tip.offsetHeight - 10);
    tip.style.left = x + "px"; tip.style.top = y + "px";
  });
  map.addEventListener("mouseleave", hide);
  function pick(corridor) {
    active = (active === corridor) ? null : corridor;
    var all = document.querySelectorAll("[data-corridor]");
    for (var i = 0; i < all.length; i++) {
      var on = active !== null && all[i].getAttribute("data-corridor") === active;
      all[i].classList.toggle("hl", on);
      all[i].classList.toggle("dim", active !== null && !on && !all[i].classList.contains("corr"));
    }
  }
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-corridor]") : null;
    if (el) pick(el.getAttribute("data-corridor"));
  });
})();
"""
