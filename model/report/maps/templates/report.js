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
