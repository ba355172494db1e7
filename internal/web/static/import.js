// The import job page: while the import runs, poll its job through the API
// twice a second and move the progress bar; when it has finished, reload
// the page, which the server renders with the result.
(function () {
  'use strict';
  var box = document.getElementById('import-job');
  if (!box || !box.dataset.running) {
    return;
  }
  var bar = document.getElementById('imp-bar');
  var done = document.getElementById('imp-done');
  var total = document.getElementById('imp-total');
  var rate = document.getElementById('imp-rate');
  var phase = document.getElementById('imp-phase');

  function poll() {
    fetch('/api/v1/imports/' + box.dataset.job, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (res) {
        if (!res.ok) {
          throw new Error('status ' + res.status);
        }
        return res.json();
      })
      .then(function (job) {
        if (job.status !== 'running') {
          window.location.reload();
          return;
        }
        bar.max = job.total || 1;
        bar.value = job.done;
        done.textContent = job.done;
        total.textContent = job.total;
        rate.textContent = job.rows_per_second;
        phase.textContent = job.phase === 'write' ? box.dataset.phaseWrite : box.dataset.phaseCheck;
        setTimeout(poll, 500);
      })
      .catch(function () {
        setTimeout(poll, 2000); // the server may be restarting; keep trying, slower
      });
  }
  setTimeout(poll, 250);
})();
