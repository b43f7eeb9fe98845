// The administration page without reloading by hand: while a backup or a restore drill runs, its
// progress is asked for every 2 seconds and the page reloads when it has finished; after "Restart",
// it goes back to the page once the appliance answers again (a new start time). Without JavaScript
// the page says to reload it. Served by the appliance itself (no internet needed).
(function () {
  "use strict";
  function status() {
    return fetch("/admin/jobs/status", { credentials: "same-origin", cache: "no-store" })
      .then(function (reply) { if (!reply.ok) { throw new Error(String(reply.status)); } return reply.json(); });
  }
  var job = document.getElementById("job-progress");
  if (job) {
    var text = document.getElementById("job-progress-text");
    var bar = document.getElementById("job-progress-bar");
    var poll = function () {
      status().then(function (state) {
        if (!state.running) { window.location.reload(); return; }
        if (text.textContent !== state.text) { text.textContent = state.text; }
        bar.value = state.percent;
        window.setTimeout(poll, 2000);
      }).catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 2000);
  }
  var restart = document.getElementById("restart-wait");
  if (restart) {
    var before = restart.getAttribute("data-started");
    var wait = function () {
      status().then(function (state) {
        if (state.started && state.started !== before) { window.location.assign("/admin"); return; }
        window.setTimeout(wait, 1000);
      }).catch(function () { window.setTimeout(wait, 1000); });
    };
    window.setTimeout(wait, 2000);
  }
})();
