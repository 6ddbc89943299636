// The organisation import page: a progress bar while the workbook uploads (bytes sent),
// while the server checks it (indeterminate) and while it imports it (the server's own
// percentage, polled from the form's data-progress-url), then the server's page.
(function () {
  "use strict";
  function show(box, label, value) {
    box.hidden = false;
    var bar = box.querySelector("progress");
    if (value === null) { bar.removeAttribute("value"); } else { bar.value = value; }
    box.querySelector("[data-progress-label]").textContent = label;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-progress]");
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    if (!box || !window.XMLHttpRequest || !window.FormData) { return; }
    document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var data = new FormData(form);
        if (event.submitter && event.submitter.name) {
          data.append(event.submitter.name, event.submitter.value);
        }
        var request = new XMLHttpRequest();
        request.open("POST", form.action || window.location.href);
        request.upload.addEventListener("progress", function (e) {
          if (e.lengthComputable) {
            show(box, "正在上传 " + Math.round((e.loaded * 100) / e.total) + "%", (e.loaded * 100) / e.total);
          }
        });
        var timer = null;
        request.upload.addEventListener("load", function () {
          show(box, data.has("confirm") ? "正在导入，请勿关闭页面…" : "正在校验每一行…", null);
          var url = form.getAttribute("data-progress-url");
          if (!url) { return; }
          timer = window.setInterval(function () {
            var poll = new XMLHttpRequest();
            poll.open("GET", url);
            poll.addEventListener("load", function () {
              if (poll.status !== 200 || !timer) { return; }
              var live = JSON.parse(poll.responseText);
              if (live.total) {
                show(box, "正在导入 " + live.percent + "%（" + live.processed + " / " + live.total + "）", live.percent);
              }
            });
            poll.send();
          }, 500);
        });
        request.addEventListener("load", function () {
          if (timer) { window.clearInterval(timer); timer = null; }
          document.open();
          document.write(request.responseText);
          document.close();
        });
        request.addEventListener("error", function () { form.submit(); });
        show(box, "正在上传…", 0);
        request.send(data);
      });
    });
  });
})();
