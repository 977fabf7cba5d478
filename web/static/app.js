// The phone page's live part: poll the JSON endpoint every few seconds while the page is visible and
// swap the #live section (no page refreshes). Without JavaScript the page is complete as served.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch) { return; }
  var url = live.getAttribute("data-url");
  var every = parseInt(live.getAttribute("data-poll"), 10) || 0;
  if (every < 5) { return; }  // nothing left to change (or a hall that asks for less)
  var timer = null;
  function schedule() { timer = window.setTimeout(poll, every * 1000); }
  function poll() {
    timer = null;
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (data) {
      if (data && typeof data.html === "string") {
        live.innerHTML = data.html;
        if (data.rating_open && !document.getElementById("rate")) { window.location.reload(); return; }
        if (!data.live) { return; }
      }
      schedule();
    }, schedule);
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && timer === null) { poll(); }
  });
  schedule();
}());
