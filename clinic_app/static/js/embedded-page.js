// Inside the iframe: tell the embedding page how tall this page is, so it can size the iframe to fit,
// and the frame's name in the page's language, so the iframe's title says it.
// Messages go only to the page origin the server checked (data-parent-origin), never to "*".
(function () {
  "use strict";
  var root = document.documentElement;
  var parentOrigin = root.getAttribute("data-parent-origin");
  var main = document.getElementById("main");
  if (!parentOrigin || window.parent === window || !main) { return; }

  var lastHeight = 0;
  function send(kind) {
    var height = Math.ceil(main.getBoundingClientRect().height);
    if (kind === "height" && height === lastHeight) { return; }
    lastHeight = height;
    // The frame's name, in the page's language, for screen readers on the host page.
    window.parent.postMessage(
      { type: "clinic-request-form:" + kind, height: height, title: root.getAttribute("data-frame-title") },
      parentOrigin);
  }

  // A new page (errors shown, or the confirmation): the host may bring the top of the form into view.
  send("page");
  if ("ResizeObserver" in window) {
    new ResizeObserver(function () { send("height"); }).observe(main);
  }
  window.addEventListener("load", function () { send("height"); });
}());
