/* Clinic request form: paste
     <div data-clinic-request-form></div>
     <script src="https://YOUR-FORM-ADDRESS/embed.js" async></script>
   Options on the div: data-visit-type="consultation" or "new_patient", data-accent="#0b5cab", data-lang="en" or "es".
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
    // Until the form says its own title (in its language), the English one; data-title overrides both.
    var ownTitle = holder.getAttribute("data-title");
    frame.title = ownTitle || "Ask for a visit";
    frame.style.cssText = "display:block;width:100%;min-width:280px;border:0;height:1600px";
    holder.appendChild(frame);

    window.addEventListener("message", function (event) {
      // Only the form we inserted may resize it.
      if (event.origin !== formOrigin || event.source !== frame.contentWindow) { return; }
      var data = event.data || {};
      var height = Number(data.height);
      if (!(height > 0 && height < 20000)) { return; }
      frame.style.height = height + "px";
      if (!ownTitle && typeof data.title === "string" && data.title) { frame.title = data.title.slice(0, 200); }
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
