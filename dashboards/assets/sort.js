// gongkai: click a column header to sort the table's rows in the browser. Numbers sort as
// numbers (1,234 · 65.4% · −3), Chinese text by pinyin (localeCompare 'zh'), and a missing value
// (—, 未报送, 未说明, empty) always sorts last, whichever the direction. Tables the server pages
// (their headers are sort links, sorted in the database) are left to the server, and the
// official layout (汇总) keeps the format's row order.
(function () {
  'use strict';
  var numRe = /^[+\-−]?[\d,]*\.?\d+%?$/;
  // key returns the sort key of a cell: a number, a string, or null when missing.
  function key(td, numeric) {
    if (!td) { return null; }
    var v = td.getAttribute('data-v');
    var t = (v !== null ? v : td.textContent).trim();
    if (t === '' || t === '—' || t === '-' || t === '未报送' || t === '未说明' || t === '无数据') { return null; }
    if (numeric) {
      var s = t.replace(/[,\s]/g, '').replace('−', '-');
      var first = s.split(/[^\d.+\-%]/)[0];
      if (numRe.test(first)) { return parseFloat(first.replace('%', '')); }
      return null;
    }
    return t;
  }
  function sortBy(table, th, col) {
    var numeric = th.classList.contains('num');
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    table.querySelectorAll('thead th').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return !r.querySelector('td.empty'); });
    var keyed = rows.map(function (r, i) { return { r: r, k: key(r.cells[col], numeric), i: i }; });
    keyed.sort(function (a, b) {
      if (a.k === null || b.k === null) {
        if (a.k === b.k) { return a.i - b.i; }
        return a.k === null ? 1 : -1; // missing last in both directions
      }
      var c = numeric ? a.k - b.k : String(a.k).localeCompare(String(b.k), 'zh');
      if (c === 0) { return a.i - b.i; }
      return asc ? c : -c;
    });
    keyed.forEach(function (x) { body.appendChild(x.r); });
  }
  function init() {
    document.querySelectorAll('table.data').forEach(function (table) {
      // the official layout (汇总, multi-row headers) keeps the format's row order
      if (!table.tHead || !table.tBodies.length || table.tHead.rows.length !== 1 || table.closest('.official') ||
          table.querySelector('thead th a, thead th[colspan], tbody td[rowspan]')) { return; }
      table.classList.add('sortable');
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
        th.tabIndex = 0;
        th.addEventListener('click', function () { sortBy(table, th, col); });
        th.addEventListener('keydown', function (ev) {
          if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); sortBy(table, th, col); }
        });
      });
    });
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', init); } else { init(); }
})();
