// Live updates of the connpay-sandbox dashboards, written for them (no library, no build step).
// The page names its Server-Sent Events stream in data-live; at each "change" event it fetches itself again
// with ?fragment=1 and swaps the live part, keeping open messages open. A link to #m-… opens that message.
(function () {
  "use strict";
  var live = document.querySelector("[data-live]");
  var status = document.getElementById("live-status");
  function say(text) { if (status) { status.textContent = text; } }
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  if (!live || !window.EventSource || !window.fetch) { say("static (no live updates)"); return; }
  var last = null, busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var url = new URL(location.href);
    url.hash = "";
    url.searchParams.set("fragment", "1");
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (html === null || html === last) { return; }
        last = html;
        var open = Array.prototype.map.call(live.querySelectorAll("details[open]"), function (d) { return d.id; });
        live.innerHTML = html;
        open.forEach(function (id) { var d = document.getElementById(id); if (d) { d.open = true; } });
        document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
      })
      .catch(function () { say("reconnecting…"); })
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  var source = new EventSource(live.dataset.live, { withCredentials: true });
  source.addEventListener("open", function () { say("live"); });
  source.addEventListener("error", function () { say("reconnecting…"); });
  source.addEventListener("change", refresh);
})();
