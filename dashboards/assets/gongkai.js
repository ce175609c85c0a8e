// gongkai: the pages' only script besides ECharts. Pages carry no inline script (the
// Content-Security-Policy forbids it): charts are JSON data blocks drawn here, and the
// filter form, print button and upload drop zone get their handlers here.
(function () {
  'use strict';
  function charts() {
    if (typeof echarts === 'undefined') { return; }
    var drawn = [];
    document.querySelectorAll('script.chart-options').forEach(function (s) {
      var el = document.getElementById(s.getAttribute('data-for'));
      if (!el) { return; }
      el.style.width = '100%';
      el.style.height = s.getAttribute('data-height') || '320px';
      var opt = JSON.parse(s.textContent);
      // tooltips drawn on the canvas: HTML tooltips carry inline styles the policy refuses
      [].concat(opt.tooltip || []).forEach(function (t) { t.renderMode = 'richText'; });
      var c = echarts.init(el, null, { renderer: 'canvas' });
      c.setOption(opt);
      drawn.push(c);
    });
    window.addEventListener('resize', function () { drawn.forEach(function (c) { c.resize(); }); });
  }
  function forms() {
    document.querySelectorAll('form.filters select').forEach(function (s) {
      s.addEventListener('change', function () { s.form.submit(); });
    });
    document.querySelectorAll('button.print').forEach(function (b) {
      b.addEventListener('click', function () { window.print(); });
    });
    var dz = document.getElementById('dropzone'), input = document.getElementById('file');
    if (dz && input) {
      ['dragenter', 'dragover'].forEach(function (e) { dz.addEventListener(e, function (ev) { ev.preventDefault(); dz.classList.add('over'); }); });
      ['dragleave', 'drop'].forEach(function (e) { dz.addEventListener(e, function (ev) { ev.preventDefault(); dz.classList.remove('over'); }); });
      dz.addEventListener('drop', function (ev) { input.files = ev.dataTransfer.files; });
    }
  }
  function ready() { forms(); charts(); }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', ready); } else { ready(); }
})();
