/* cxm website feedback widget. Embed on any page (no CDN, no dependencies):
 *   <link rel="stylesheet" href="https://cxm.example.com/static/cxm.css">
 *   <script src="https://cxm.example.com/static/widget.js" data-survey="website-feedback"
 *           data-question="nps" data-lang="de" defer></script>
 * The survey must be live; its origin must be listed in CXM_WIDGET_ORIGINS. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var base = new URL(script.src).origin;
  var survey = script.getAttribute("data-survey");
  var question = script.getAttribute("data-question") || "nps";
  var lang = script.getAttribute("data-lang") === "en" ? "en" : "de";
  var texts = {
    de: { open: "Feedback", ask: "Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?",
          comment: "Was können wir besser machen? (optional)", send: "Senden",
          thanks: "Vielen Dank für Ihr Feedback!", failed: "Das hat leider nicht geklappt." },
    en: { open: "Feedback", ask: "How likely are you to recommend us?",
          comment: "What could we do better? (optional)", send: "Send",
          thanks: "Thank you for your feedback!", failed: "Sorry, that did not work." }
  }[lang];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  var root = el("div", { "class": "cxm-widget" });
  var toggle = el("button", { type: "button", "aria-expanded": "false" }, texts.open);
  var form = el("form", { hidden: "" });
  var fieldset = el("fieldset", {});
  fieldset.appendChild(el("legend", {}, texts.ask));
  var scale = el("div", { "class": "scale", role: "radiogroup" });
  for (var n = 0; n <= 10; n++) {
    var label = el("label", { "class": "point" });
    label.appendChild(el("input", { type: "radio", name: "score", value: String(n), required: "" }));
    label.appendChild(el("span", {}, String(n)));
    scale.appendChild(label);
  }
  fieldset.appendChild(scale);
  form.appendChild(fieldset);
  var commentLabel = el("label", { "for": "cxm-widget-comment" }, texts.comment);
  var comment = el("textarea", { id: "cxm-widget-comment", rows: "3", maxlength: "2000" });
  form.appendChild(commentLabel);
  form.appendChild(comment);
  form.appendChild(el("button", { type: "submit" }, texts.send));
  var status = el("p", { role: "status" });
  form.appendChild(status);

  toggle.addEventListener("click", function () {
    var open = form.hasAttribute("hidden");
    if (open) { form.removeAttribute("hidden"); } else { form.setAttribute("hidden", ""); }
    toggle.setAttribute("aria-expanded", String(open));
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var picked = form.querySelector("input[name=score]:checked");
    if (!picked) { return; }
    var answers = {};
    answers[question] = Number(picked.value);
    if (comment.value.trim()) { answers.comment = comment.value.trim(); }
    fetch(base + "/api/v1/widget/" + encodeURIComponent(survey), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ answers: answers, language: lang, page: location.pathname })
    }).then(function (r) {
      status.textContent = r.ok ? texts.thanks : texts.failed;
      if (r.ok) { fieldset.disabled = true; }
    }).catch(function () { status.textContent = texts.failed; });
  });
  root.appendChild(form);
  root.appendChild(toggle);
  document.body.appendChild(root);
})();
