// htmx settings for the strict CSP (loaded right after htmx, before it starts): no injected
// <style> element, no eval, no scripts from responses, requests to this site only.
(function () {
  "use strict";
  if (!window.htmx) { return; }
  var config = window.htmx.config;
  config.includeIndicatorStyles = false;
  config.allowEval = false;
  config.allowScriptTags = false;
  config.selfRequestsOnly = true;
})();
