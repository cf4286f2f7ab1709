/* Fields that apply only for some values of another field: the personal-data
 * categories and safeguards when the dataset holds personal data, the list
 * item and risk assessment of core and important data. The wrapper
 * (scheming/snippets/form_field.html) names the controlling field and the
 * values; other values hide the fields and disable their inputs, so a
 * hidden field posts nothing. Without JavaScript every field shows, and the
 * server drops what does not apply.
 */
this.ckan.module('vn-show-when', function ($) {
  'use strict';
  return {
    options: { field: '', values: '' },
    initialize: function () {
      var values = String(this.options.values).split(',');
      var controller = $('#field-' + this.options.field);
      var wrapper = this.el;
      function apply() {
        var shown = values.indexOf(String(controller.val() || '')) !== -1;
        wrapper.prop('hidden', !shown);
        wrapper.find('input, select, textarea').prop('disabled', !shown);
      }
      controller.on('change', apply);
      apply();
    }
  };
});
