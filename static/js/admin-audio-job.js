// The admin's audio job page (templates/admin/courses/audio_job.html): while the job is queued or
// running, reload the page every few seconds so its progress and then its report show up.
(function () {
  "use strict";
  var job = document.getElementById("audio-job");
  if (!job || !job.dataset.refresh) return;
  window.setTimeout(function () { window.location.reload(); }, Number(job.dataset.refresh) * 1000);
})();
