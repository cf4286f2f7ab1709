/* Keyboard and screen-reader access for CKAN's own controls, without
 * rewriting the core templates:
 * - the "Filter results" and "close" links of the search facets (links
 *   without an address, so neither focusable nor announced) become
 *   buttons that say whether the facets are open;
 * - after a failed save, focus moves to the error summary, whose entries
 *   link to their fields;
 * - the searchable selects (select2) take the name of their field's label,
 *   and their fixed English words come in the page language. */
(function () {
  "use strict";

  function asButton(node, onActivate) {
    node.setAttribute("role", "button");
    node.setAttribute("tabindex", "0");
    node.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        onActivate();
      }
    });
  }

  function setUp(root) {
    var body = document.body;
    root.querySelectorAll(".show-filters").forEach(function (node) {
      node.setAttribute("aria-controls", "search-facets");
      node.setAttribute("aria-expanded", body.classList.contains("filters-modal") ? "true" : "false");
      var open = function () {
        body.classList.add("filters-modal");
        node.setAttribute("aria-expanded", "true");
        var first = document.querySelector("#search-facets a, #search-facets .hide-filters");
        if (first) { first.focus(); }
      };
      node.addEventListener("click", open);
      asButton(node, open);
    });
    root.querySelectorAll(".hide-filters").forEach(function (node) {
      var close = function () {
        body.classList.remove("filters-modal");
        document.querySelectorAll(".show-filters").forEach(function (button) {
          button.setAttribute("aria-expanded", "false");
          button.focus();
        });
      };
      node.addEventListener("click", close);
      asButton(node, close);
    });
  }

  var words = {};

  function fixSelects() {
    document.querySelectorAll("select.select2-hidden-accessible").forEach(function (select) {
      var container = select.nextElementSibling;
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      if (!container || !label || !container.classList.contains("select2-container")) { return; }
      if (!label.id) { label.id = select.id + "-label"; }
      container.querySelectorAll('[role="combobox"], [role="textbox"], .select2-search__field').forEach(function (node) {
        var current = node.getAttribute("aria-labelledby") || "";
        if (current.split(" ").indexOf(label.id) === -1) {
          node.setAttribute("aria-labelledby", (label.id + " " + current).trim());
        }
      });
    });
    Object.keys(words).forEach(function (english) {
      ["title", "aria-label", "placeholder"].forEach(function (attribute) {
        document.querySelectorAll("[" + attribute + '="' + english + '"]').forEach(function (node) {
          node.setAttribute(attribute, words[english]);
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var catalogue = document.getElementById("vn-i18n");
    if (catalogue) {
      try { words = JSON.parse(catalogue.textContent); } catch (error) { words = {}; }
    }
    var pending = false;
    new MutationObserver(function () {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () { pending = false; fixSelects(); });
    }).observe(document.body, { childList: true, subtree: true });
    fixSelects();
    setUp(document);
    var summary = document.getElementById("vn-error-summary");
    if (summary) {
      summary.focus();
      summary.querySelectorAll("a[href^='#']").forEach(function (link) {
        link.addEventListener("click", function () {
          var field = document.getElementById(link.getAttribute("href").slice(1));
          var section = field && field.closest("details");
          if (section) { section.open = true; }
        });
      });
    }
  });
  // Search pages swapped in by htmx bring new controls.
  document.addEventListener("htmx:afterSwap", function (event) {
    document.body.classList.remove("filters-modal");
    setUp(event.detail.target);
  });
})();
