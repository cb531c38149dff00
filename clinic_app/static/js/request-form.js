// Shows the questions that apply to the visitor's answers and hides the rest. Without this script
// every question shows, with a hint saying when it applies; the server checks every combination.
(function () {
  "use strict";
  var form = document.querySelector(".request-form");
  if (!form) { return; }

  var dependents = form.querySelectorAll("[data-show-when]");
  // Each question now shows only when it applies, so the hints saying when it applies can go.
  form.classList.add("request-form--live");

  function selectedValue(name) {
    var checked = form.querySelector("input[name='" + name + "']:checked");
    return checked ? checked.value : "";
  }

  // A question that does not apply is hidden and not sent: an answer left in it from before (a
  // copay typed, then the coverage changed) can never come back as a mistake no one can see.
  function update() {
    dependents.forEach(function (element) {
      var rule = element.getAttribute("data-show-when").split("=");
      var wanted = rule[1].split(",");
      element.hidden = wanted.indexOf(selectedValue(rule[0])) === -1;
      element.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = element.hidden;
      });
    });
  }

  // The urgent advice under the warning-sign question: brought into view and read out the moment
  // "Yes" is chosen.
  var advice = document.getElementById("warning-advice");
  form.addEventListener("change", function (event) {
    update();
    if (advice && event.target.name === "warning_signs" && event.target.value === "yes") {
      advice.setAttribute("role", "alert");
      advice.scrollIntoView({ block: "nearest" });
    }
  });
  update();

  // Two steps, about you and then your insurance, so that neither is longer than a few phone
  // screens. A form sent back with mistakes stays one page, every mistake in view.
  var steps = Array.prototype.slice.call(form.querySelectorAll(".form-step"));
  if (steps.length === 2 && !document.getElementById("error-summary")) {
    form.classList.add("request-form--stepped");
    var showStep = function (id, moveFocus) {
      steps.forEach(function (step) { step.hidden = step.id !== id; });
      if (moveFocus) {
        // The step's first heading that shows (the urgent advice's, after a warning sign).
        var heading = Array.prototype.find.call(document.getElementById(id).querySelectorAll("h2"), function (h) {
          return h.offsetParent !== null;
        });
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    };
    form.querySelectorAll("[data-step-to]").forEach(function (button) {
      button.parentElement.hidden = false;
      button.addEventListener("click", function () { showStep(button.getAttribute("data-step-to"), true); });
    });
    // Enter in a box of the first step goes on to the second, rather than sending half a form.
    form.addEventListener("submit", function (event) {
      if (steps[1].hidden) {
        event.preventDefault();
        showStep(steps[1].id, true);
      }
    });
    showStep(steps[0].id, false);
  }

  // Under each text box with a limit, how many characters are left, updated as the visitor types
  // and read out by screen readers once they pause. The words come from the page, in its language:
  // data-count-one and data-count-other on the form, with %(count)s for the number.
  var countTexts = { one: form.getAttribute("data-count-one"), other: form.getAttribute("data-count-other") };
  var countBoxes = countTexts.one && countTexts.other ? form.querySelectorAll("textarea[maxlength]") : [];
  Array.prototype.forEach.call(countBoxes, function (box) {
    var limit = parseInt(box.getAttribute("maxlength"), 10);
    var count = document.createElement("p");
    count.className = "hint character-count";
    count.id = box.id + "-count";
    count.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", count);
    box.setAttribute("aria-describedby", ((box.getAttribute("aria-describedby") || "") + " " + count.id).trim());
    var timer = null;
    function show() {
      var left = limit - box.value.length;
      count.textContent = countTexts[left === 1 ? "one" : "other"].split("%(count)s").join(String(left));
    }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(show, 400);
    });
    show();
  });

  // The list of problems goes to screen readers first. After a warning sign the urgent advice above
  // it stays in view. A link in the list brings the whole question into view, its text and hint
  // with its box, and puts the cursor in the box.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var input = link && document.getElementById(link.getAttribute("href").slice(1));
      var question = input && input.closest(".field");
      if (!question) { return; }
      event.preventDefault();
      question.scrollIntoView();
      input.focus({ preventScroll: true });
    });
    summary.focus({ preventScroll: true });
    (document.getElementById("urgent") || summary).scrollIntoView();
  }
}());
