/* Clinic request form: paste
     <div data-clinic-request-form></div>
     <script src="https://YOUR-FORM-ADDRESS/embed.js" async></script>
   Options on the div: data-visit-type="consultation" or "new_patient", data-accent="#0b5cab", data-lang="en".
   No dependencies; loads nothing but the form itself. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.URL || !window.postMessage) { return; }
  var formOrigin = new URL(script.src, window.location.href).origin;
  var OPTIONS = { "visit-type": "visit_type", "accent": "accent", "lang": "lang" };

  function mount(holder) {
    if (holder.getAttribute("data-mounted")) { return; }
    holder.setAttribute("data-mounted", "true");
    var query = ["host=" + encodeURIComponent(window.location.origin)];
    Object.keys(OPTIONS).forEach(function (name) {
      var value = holder.getAttribute("data-" + name);
      if (value) { query.push(OPTIONS[name] + "=" + encodeURIComponent(value)); }
    });
    var frame = document.createElement("iframe");
    frame.src = formOrigin + "/embed/form?" + query.join("&");
    frame.title = holder.getAttribute("data-title") || "Ask for a visit";
    frame.style.cssText = "display:block;width:100%;min-width:280px;border:0;height:1600px";
    holder.appendChild(frame);

    window.addEventListener("message", function (event) {
      // Only the form we inserted may resize it.
      if (event.origin !== formOrigin || event.source !== frame.contentWindow) { return; }
      var data = event.data || {};
      var height = Number(data.height);
      if (!(height > 0 && height < 20000)) { return; }
      frame.style.height = height + "px";
      if (data.type === "clinic-request-form:page" && frame.getBoundingClientRect().top < 0) {
        frame.scrollIntoView({ block: "start" });
      }
    });
  }

  function mountAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-clinic-request-form]"), mount);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else {
    mountAll();
  }
}());
