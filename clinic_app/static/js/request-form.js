// Shows the questions that apply to the visitor's answers and hides the rest. Without this script
// every question shows, with a hint saying when it applies; the server checks every combination.
(function () {
  "use strict";
  var form = document.querySelector(".request-form");
  if (!form) { return; }

  var dependents = form.querySelectorAll("[data-show-when]");

  function selectedValue(name) {
    var checked = form.querySelector("input[name='" + name + "']:checked");
    return checked ? checked.value : "";
  }

  function update() {
    dependents.forEach(function (element) {
      var rule = element.getAttribute("data-show-when").split("=");
      var wanted = rule[1].split(",");
      element.hidden = wanted.indexOf(selectedValue(rule[0])) === -1;
    });
  }

  form.addEventListener("change", update);
  update();

  // Bring the list of problems into view and to screen readers first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
}());
