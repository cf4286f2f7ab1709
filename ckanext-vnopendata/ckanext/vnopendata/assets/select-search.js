/* Searchable selects (select2) find Vietnamese options however the search
 * is typed: without diacritics ("ha noi"), precomposed, or decomposed into
 * base letters and combining marks, as text pasted from office documents
 * often is. Select2's own matcher maps precomposed letters one by one, so
 * a decomposed "Hà Nội" finds nothing. Folding uses the URL-name rule of
 * slug.js. Selects whose options come from the server search there.
 */
(function ($, vnSlug) {
  'use strict';

  if (!$ || !$.fn.select2 || !$.fn.select2.defaults || !vnSlug) {
    return;
  }

  function comparable(text) {
    return vnSlug.fold(text).toLowerCase();
  }

  function matcher(params, data) {
    var term = String(params.term || '').trim();
    if (term === '') {
      return data;
    }
    if (data.children && data.children.length > 0) {
      var group = $.extend(true, {}, data);
      group.children = $.grep(data.children, function (child) {
        return matcher(params, child) !== null;
      });
      return group.children.length > 0 ? group : null;
    }
    return comparable(data.text).indexOf(comparable(term)) > -1 ? data : null;
  }

  $.fn.select2.defaults.set('matcher', matcher);
})(window.jQuery, window.vnSlug);
