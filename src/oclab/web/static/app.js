// oclab dashboard: draws the Vega-Lite charts embedded in the page and follows a run's progress.
// No network access beyond this server; messages come translated from the server.
"use strict";

function embedCharts() {
  if (typeof vegaEmbed !== "function") return;
  for (const [target, source] of [["#chart", "chart-spec"], ["#compare-chart", "compare-spec"]]) {
    const element = document.getElementById(source);
    if (!element || !document.querySelector(target)) continue;
    const spec = JSON.parse(element.textContent);
    vegaEmbed(target, spec, { actions: false, renderer: "svg" })
      .then(() => document.querySelector(target).setAttribute("data-rendered", "true"))
      .catch((error) => {
        document.querySelector(target).textContent = String(error);
      });
  }
}

function followJob() {
  const box = document.getElementById("job");
  if (!box) return;
  const id = box.dataset.job;
  const bar = document.getElementById("job-progress");
  const message = document.getElementById("job-message");
  const failure = document.getElementById("job-error");
  const link = document.getElementById("job-link");
  const poll = () => {
    fetch(`/api/jobs/${encodeURIComponent(id)}`, { headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((job) => {
        bar.max = job.total;
        bar.value = job.done;
        message.textContent = job.message;
        box.dataset.state = job.state;
        if (job.state === "failed") {
          failure.textContent = job.error;
          failure.hidden = false;
        } else if (job.state === "done") {
          link.querySelector("a").href = job.url;
          link.hidden = false;
        } else {
          setTimeout(poll, 500);
        }
      })
      .catch(() => setTimeout(poll, 2000));
  };
  if (box.dataset.state !== "done" && box.dataset.state !== "failed") poll();
}

document.addEventListener("DOMContentLoaded", () => {
  embedCharts();
  followJob();
});
