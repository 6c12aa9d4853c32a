/* 公开栏大屏: show one slide at a time, the next every few seconds (the page's data-seconds, or ?seconds=N),
 * and reload the page every data-refresh seconds (or ?refresh=N) so a new build reaches the screen. (A meta
 * refresh would do the reloading without a script, but accessibility checkers rightly flag it on pages people
 * read.) Without the script every slide is shown, one under the other. */
(function () {
  "use strict";
  var box = document.getElementById("slides");
  var slides = Array.prototype.slice.call(box.querySelectorAll(".slide"));
  var progress = document.getElementById("board-progress");
  var asked = Number(new URLSearchParams(location.search).get("seconds"));
  var seconds = asked > 0 ? asked : Number(box.getAttribute("data-seconds")) || 15;
  var again = Number(new URLSearchParams(location.search).get("refresh"));
  var refresh = again > 0 ? again : Number(box.getAttribute("data-refresh")) || 600;
  setTimeout(function () { location.reload(); }, refresh * 1000);
  var current = 0;
  document.documentElement.classList.add("cycling");

  function show(i) {
    slides.forEach(function (slide, j) { slide.hidden = i !== j; });
    box.setAttribute("data-current", String(i));
    progress.textContent = slides.length > 1 ? (i + 1) + " / " + slides.length : "";
  }

  show(0);
  if (slides.length > 1) {
    setInterval(function () {
      current = (current + 1) % slides.length;
      show(current);
    }, seconds * 1000);
  }
}());
