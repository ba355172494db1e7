// dealpath — the deal workspace's live sums. The server renders every
// form and computes every stored number; this script only shows, while the
// user types, what the server will compute:
//
//   - the quote builder's line amounts and totals, with crm.PriceLine's
//     rule: line total = qty × unit price × (10000 − discount_bp) / 10000,
//     rounded half up, in integer fen;
//   - the demo form's ROI sum, with crm.ComputeROI's rules: payback =
//     ⌈one-off × 12 / (benefit − yearly cost)⌉ months when that net is
//     positive, 3-year ROI = round half away from zero of
//     (3 × benefit − total cost) × 100 / total cost, total cost =
//     one-off + 3 × yearly cost.
//
// Amounts are BigInt fen, so no sum loses a cent to floating point.
// Money is written like formatCNY in ui_format.go: ¥8,500 below 1万 yuan,
// ¥12.5万 below 1亿, ¥1.2亿 beyond.
(function () {
  'use strict';

  var WAN = 1000000n; // fen in 1万 yuan
  var YI = 10000n * WAN;

  function fen2(u) { // "1,234.56"
    var y = (u / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    var c = u % 100n;
    return y + '.' + (c < 10n ? '0' : '') + c.toString();
  }

  function hundredths(u, unit) {
    var h = (u * 100n + unit / 2n) / unit;
    var s = fen2((h / 100n) * 100n).replace(/\.00$/, '');
    var frac = h % 100n;
    if (frac === 0n) { return s; }
    return s + '.' + (frac + 100n).toString().slice(1).replace(/0$/, '');
  }

  function cny(fen) {
    var neg = fen < 0n;
    var u = neg ? -fen : fen;
    var sign = neg ? '-' : '';
    if (u < WAN) { return sign + '¥' + fen2(u).replace(/\.00$/, ''); }
    if (u < YI - WAN / 200n) { return sign + '¥' + hundredths(u, WAN) + '万'; }
    return sign + '¥' + hundredths(u, YI) + '亿';
  }

  // hundredthsOf reads "12", "12.5" or "12.50" as 1250 (yuan → fen,
  // percent → basis points), like parseYuan; null when unreadable.
  function hundredthsOf(s) {
    s = s.replace(/,/g, '').trim();
    var m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s);
    if (!m) { return null; }
    var frac = (m[2] || '').padEnd(2, '0');
    return BigInt(m[1]) * 100n + BigInt(frac || '0');
  }

  // ---- the quote builder

  var builder = document.getElementById('quote-builder');
  if (builder) {
    var limit = BigInt(builder.getAttribute('data-limit-bp') || '0');
    var recompute = function () {
      var list = 0n, total = 0n, over = false, complete = true;
      builder.querySelectorAll('tr.qline').forEach(function (tr) {
        var price = BigInt(tr.getAttribute('data-price') || '0');
        var qs = tr.querySelector('[data-qty]').value.trim();
        var ds = tr.querySelector('[data-discount]').value.trim().replace(/%$/, '');
        var out = tr.querySelector('[data-line-total]');
        var bp = ds === '' ? 0n : hundredthsOf(ds);
        if (!/^\d+$/.test(qs) || bp === null || bp > 10000n) {
          out.textContent = '—';
          complete = false;
          return;
        }
        var qty = BigInt(qs);
        if (qty < 1n || qty > 1000000n) {
          out.textContent = '—';
          complete = false;
          return;
        }
        var l = qty * price;
        var t = (l * (10000n - bp) + 5000n) / 10000n;
        out.textContent = cny(t);
        list += l;
        total += t;
        if (bp > limit) { over = true; }
      });
      document.getElementById('q-list').textContent = cny(list);
      document.getElementById('q-discount').textContent = cny(list - total);
      document.getElementById('q-total').textContent = complete ? cny(total) : '—';
      document.getElementById('over-limit').hidden = !over;
    };
    builder.addEventListener('input', recompute);
    // Enter in a line's quantity or discount would post the form (its
    // first button searches the price book): the totals are live, so it
    // only moves on to the next field.
    var inLine = function (el) {
      return el && el.hasAttribute && (el.hasAttribute('data-qty') || el.hasAttribute('data-discount'));
    };
    builder.addEventListener('keydown', function (ev) {
      if (ev.key !== 'Enter' || !inLine(ev.target)) { return; }
      ev.preventDefault();
      var fields = Array.prototype.slice.call(builder.querySelectorAll('[data-qty], [data-discount]'));
      var next = fields[fields.indexOf(ev.target) + 1];
      if (next) { next.focus(); next.select(); }
    });
    // The implicit submission of Enter, should a browser send it anyway.
    builder.addEventListener('submit', function (ev) {
      if (ev.submitter && ev.submitter.id === 'pb-search' && inLine(document.activeElement)) { ev.preventDefault(); }
    });
    recompute();
  }

  // ---- the ROI calculator of the demo form

  var roi = document.getElementById('roi-calc');
  if (roi) {
    var result = roi.querySelector('.roi-result');
    var payback = document.getElementById('roi-payback');
    var roi3 = document.getElementById('roi-3y');
    var calc = function () {
      var benefit = 0n, oneOff = 0n, yearly = 0n, any = false, bad = false;
      roi.querySelectorAll('tr.roi-line').forEach(function (tr) {
        var s = tr.querySelector('[data-roi-amount]').value.trim();
        if (s === '') { return; }
        var a = hundredthsOf(s);
        if (a === null) { bad = true; return; }
        any = true;
        switch (tr.querySelector('[data-roi-kind]').value) {
          case 'saving': case 'gain': benefit += a; break;
          case 'one_off_cost': oneOff += a; break;
          case 'yearly_cost': yearly += a; break;
        }
      });
      if (bad || !any) {
        payback.textContent = '—';
        roi3.textContent = '—';
        return;
      }
      var net = benefit - yearly;
      if (net > 0n) {
        var n = oneOff * 12n;
        var months = n / net + (n % net > 0n ? 1n : 0n);
        payback.textContent = result.getAttribute('data-months').replace('{n}', months.toString());
      } else {
        payback.textContent = result.getAttribute('data-never');
      }
      var cost = oneOff + 3n * yearly;
      if (cost > 0n) {
        var g = (3n * benefit - cost) * 100n;
        var q = g / cost; // truncated toward zero
        var r = g % cost;
        if ((r < 0n ? -r : r) * 2n >= cost) { q += g < 0n ? -1n : 1n; }
        roi3.textContent = q.toString() + '%';
      } else {
        roi3.textContent = '—';
      }
    };
    roi.addEventListener('input', calc);
    roi.addEventListener('change', calc);
    calc();
  }

  // A form the server refused: bring its first message into view and put
  // the cursor in the field it is about.
  var failed = document.querySelector('.desk-error, .has-error');
  if (failed) {
    var details = failed.closest('details');
    if (details) { details.open = true; }
    failed.scrollIntoView({ block: 'center' });
    var scope = failed.closest('form') || failed;
    var field = scope.querySelector('.has-error input, .has-error select, .has-error textarea') ||
      scope.querySelector('input:not([type=hidden]), select, textarea');
    if (field) { field.focus({ preventScroll: true }); }
  }
}());
