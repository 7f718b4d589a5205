// Live alerts: reload the list when the server says something changed (server-sent events).
(function () {
  var live = document.getElementById("live");
  if (!live || !window.EventSource) { return; }
  var marker = live.getAttribute("data-marker");
  var source = new EventSource("/alerts/stream");
  source.addEventListener("hello", function (e) { if (e.data !== marker) { location.reload(); } });
  source.addEventListener("alerts", function () {
    var typing = document.activeElement && /INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName);
    if (!typing) { location.reload(); } else { live.textContent = "● có cảnh báo mới — tải lại"; }
  });
  source.onerror = function () { live.classList.add("off"); };
  source.onopen = function () { live.classList.remove("off"); };
})();
