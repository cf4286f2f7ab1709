/* The Upload, Link, Remove and Clear Upload buttons of the resource form
   (templates/package/snippets/resource_upload_field.html): CKAN writes
   their actions as inline onclick handlers, which the portal's
   Content-Security-Policy blocks, so the template names them in data-vn-*
   attributes and this script carries them out. */
(function () {
  "use strict";
  function byId(id) {
    return id ? document.getElementById(id) : null;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-vn-check]");
    if (!button) {
      return;
    }
    var check = byId(button.getAttribute("data-vn-check"));
    var clear = byId(button.getAttribute("data-vn-clear"));
    var click = byId(button.getAttribute("data-vn-click"));
    var focus = byId(button.getAttribute("data-vn-focus"));
    if (check) {
      check.checked = true;
    }
    if (clear) {
      clear.value = "";
    }
    if (click) {
      click.click();
    }
    if (focus) {
      focus.focus();
    }
  });
})();
