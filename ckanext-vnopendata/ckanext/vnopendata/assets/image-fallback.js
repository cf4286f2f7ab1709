/* Images marked data-vn-fallback="URL" show that picture when their own
   does not load (an agency logo whose address moved). Done here and not in
   an inline onerror handler: the portal's Content-Security-Policy allows
   scripts from files only. */
(function () {
  "use strict";
  function fallBack(img) {
    var url = img.getAttribute("data-vn-fallback");
    if (!url) {
      return;
    }
    img.removeAttribute("data-vn-fallback");
    img.src = url;
  }
  document.addEventListener(
    "error",
    function (event) {
      var target = event.target;
      if (target && target.tagName === "IMG" && target.hasAttribute("data-vn-fallback")) {
        fallBack(target);
      }
    },
    true
  );
  /* Images that failed before this script loaded. */
  var failed = document.querySelectorAll("img[data-vn-fallback]");
  for (var i = 0; i < failed.length; i++) {
    if (failed[i].complete && failed[i].naturalWidth === 0) {
      fallBack(failed[i]);
    }
  }
})();
