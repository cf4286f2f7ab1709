/* URL names from Vietnamese titles, for the form's URL preview.
 *
 * The same rule as ckanext/vnopendata/slug.py (tests run both on the same
 * cases): fold diacritics, map đ/Đ to d, lower-case, runs of anything else
 * become one hyphen. CKAN's own $.url.slugify drops accented letters
 * ("Bộ dữ liệu" -> "b-d-liu"), so it is replaced here.
 */
(function (root) {
  'use strict';

  var MAX_LENGTH = 100;

  function fold(text) {
    return String(text)
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .normalize('NFD')
      .replace(/\p{M}/gu, '');
  }

  function slugify(text, trim) {
    var slug = fold(text).toLowerCase().replace(/[^a-z0-9]+/g, '-');
    if (trim === false) {
      // While the user edits the URL field, keep a trailing hyphen so the
      // next word can be typed.
      return slug;
    }
    return slug.replace(/^-+|-+$/g, '').slice(0, MAX_LENGTH).replace(/-+$/, '');
  }

  var vnSlug = { fold: fold, slugify: slugify };
  // select-search.js folds search terms with the same rule.
  root.vnSlug = vnSlug;

  if (root.jQuery && root.jQuery.url) {
    root.jQuery.url.slugify = slugify;
  }
  if (typeof module === 'object' && module.exports) {
    module.exports = vnSlug;
  }
})(typeof window !== 'undefined' ? window : globalThis);
