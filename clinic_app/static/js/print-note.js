// The confirmation's "Print or save this note" button: shown, and wired to the browser's print
// dialog (which also saves as PDF), only where this script runs. Without it, the line beside the
// button tells the visitor how to print from the browser's menu.
(function () {
  "use strict";
  var box = document.querySelector("[data-print-note]");
  if (!box || typeof window.print !== "function") { return; }
  var button = box.querySelector("button");
  var howTo = box.querySelector(".print-this__how");
  button.hidden = false;
  if (howTo) { howTo.hidden = true; }
  button.addEventListener("click", function () { window.print(); });
}());
