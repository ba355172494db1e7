// The pipeline board: move a deal by dragging its card to another column or
// with the card's "move to" select. The move goes to the JSON API with the
// session's CSRF token. An unmet gate (422 gate_unmet) opens a dialog that
// lists each unmet criterion and lets the user satisfy the common ones
// there (a compelling event, a decision maker or sponsor, purchase
// conditions with evidence), then retry. No libraries; every text from the
// server is set as text, never as HTML.
(function () {
  'use strict';
  var board = document.getElementById('board');
  if (!board) {
    return;
  }
  var cfg = JSON.parse(board.getAttribute('data-config'));
  var csrf = board.getAttribute('data-csrf');
  var T = cfg.text;
  var pending = null; // the move in question: {deal, stage, reason}
  var dragged = null;

  function fmt(s, a) {
    return s.replace('%s', a);
  }

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') {
        e.textContent = attrs[k];
      } else {
        e.setAttribute(k, attrs[k]);
      }
    });
    (kids || []).forEach(function (k) {
      if (k) {
        e.appendChild(k);
      }
    });
    return e;
  }

  function api(method, path, body) {
    var opts = {
      method: method,
      credentials: 'same-origin',
      headers: {'Accept': 'application/json', 'X-CSRF-Token': csrf}
    };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (res) {
      return res.text().then(function (t) {
        var data = null;
        try {
          data = t ? JSON.parse(t) : null;
        } catch (e) {
          data = null;
        }
        return {status: res.status, ok: res.ok, data: data};
      });
    });
  }

  function errorText(r) {
    var e = (r.data && r.data.error) || {};
    var parts = [e.message || String(r.status)];
    Object.keys(e.fields || {}).forEach(function (f) {
      parts.push(e.fields[f]);
    });
    return T.failed + parts.join(' ');
  }

  function $(id) {
    return document.getElementById(id);
  }

  function say(msg) {
    var s = $('pl-status');
    if (s) {
      s.textContent = msg;
    }
  }

  function dialog() {
    return $('gate-dialog');
  }

  function closeDialog() {
    var d = dialog();
    if (d && d.open) {
      d.close();
    }
  }

  function openDialog(title, intro) {
    var d = dialog();
    $('gate-title').textContent = title;
    $('gate-intro').textContent = intro;
    $('gate-error').textContent = '';
    var body = $('gate-body');
    while (body.firstChild) {
      body.removeChild(body.firstChild);
    }
    if (!d.open) {
      d.showModal();
    }
    return body;
  }

  function resetSelects() {
    Array.prototype.forEach.call(document.querySelectorAll('.pl-move-select'), function (s) {
      s.value = '';
    });
  }

  // refresh reloads the board from the server, so that columns, counts
  // and amounts are the server's.
  function refresh(dealID) {
    return fetch(location.href, {credentials: 'same-origin'}).then(function (res) {
      return res.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, 'text/html');
      ['board', 'pl-ends', 'pl-summary'].forEach(function (id) {
        var fresh = doc.getElementById(id);
        var cur = $(id);
        if (fresh && cur) {
          cur.innerHTML = fresh.innerHTML;
        }
      });
      var card = $('deal-' + dealID);
      if (card) {
        card.classList.add('is-moved');
        var sel = card.querySelector('select');
        if (sel) {
          sel.focus();
        }
      }
    });
  }

  // move asks the server to move a deal. The body's data-move attribute
  // says whether a move is under way ("busy") or finished ("idle"), so that
  // the browser tests know when the page has answered.
  function move(dealID, stage, reason, override) {
    document.body.setAttribute('data-move', 'busy');
    return moveNow(dealID, stage, reason, override).then(function () {
      document.body.setAttribute('data-move', 'idle');
    }, function () {
      document.body.setAttribute('data-move', 'idle');
    });
  }

  function moveNow(dealID, stage, reason, override) {
    pending = {deal: dealID, stage: stage, reason: reason};
    var body = {stage: stage};
    if (reason) {
      body.reason = reason;
    }
    if (override) {
      body.override = true;
    }
    return api('POST', '/api/v1/deals/' + dealID + '/stage', body).then(function (r) {
      var e = (r.data && r.data.error) || {};
      if (r.ok) {
        closeDialog();
        pending = null;
        say(fmt(T.moved, cfg.stages[stage] || stage));
        return refresh(dealID);
      }
      if (r.status === 422 && e.code === 'gate_unmet') {
        showGate(dealID, stage, e.unmet || []);
        return;
      }
      if (e.fields && e.fields.reason && !reason) {
        showReason(stage);
        return;
      }
      var d = dialog();
      if (d && d.open) {
        $('gate-error').textContent = errorText(r);
      } else {
        say(errorText(r));
        resetSelects();
      }
    }, function () {
      say(T.failed);
      resetSelects();
    });
  }

  function showReason(stage) {
    var body = openDialog(T.move + ' → ' + (cfg.stages[stage] || stage), T.reason_intro);
    body.appendChild(el('label', {'class': 'gate-field'}, [
      el('span', {text: T.reason}),
      el('textarea', {id: 'gate-reason', rows: '3', required: ''})
    ]));
    $('gate-reason').focus();
  }

  function done(section, button) {
    section.classList.add('is-done');
    button.disabled = true;
    button.textContent = '✓ ' + T.saved;
  }

  function showGate(dealID, stage, unmet) {
    var body = openDialog(fmt(T.gate_title, cfg.stages[stage] || stage), T.gate_intro);
    var list = el('ol', {'class': 'gate-list'});
    body.appendChild(list);
    var stages = {};
    unmet.forEach(function (u) {
      stages[u.stage] = true;
    });
    var several = Object.keys(stages).length > 1;
    unmet.forEach(function (u, i) {
      var label = u.label;
      if (several && cfg.stages[u.stage]) {
        label = label + ' (' + cfg.stages[u.stage] + ')';
      }
      var item = el('li', {'class': 'gate-item', 'data-kind': u.kind, 'data-key': u.key}, [
        el('h3', {text: label}),
        el('p', {'class': 'gate-hint', text: T.hint + u.hint})
      ]);
      list.appendChild(item);
      var id = 'g' + i;
      if (u.kind === 'compelling_events_at_least') {
        eventForm(dealID, item, id);
      } else if (u.kind === 'deal_role_present') {
        roleForm(dealID, item, id, u.missing || []);
      } else if (u.kind === 'conditions_all_met') {
        conditionForm(dealID, item, id, u.missing || []);
      }
    });
    if (cfg.override) {
      var why = el('textarea', {id: 'gate-override-reason', rows: '2', 'aria-label': T.reason});
      var go = el('button', {type: 'button', 'class': 'btn btn-sm btn-danger', id: 'gate-override', text: T.override_button});
      body.appendChild(el('details', {'class': 'gate-override'}, [
        el('summary', {text: T.override}),
        el('p', {'class': 'gate-hint', text: T.override_intro}), why, go
      ]));
      go.addEventListener('click', function () {
        if (!why.value.trim()) {
          why.focus();
          return;
        }
        move(dealID, stage, why.value, true);
      });
    }
    var first = body.querySelector('select, textarea, input');
    if (first) {
      first.focus();
    }
  }

  function eventForm(dealID, item, id) {
    var sel = el('select', {id: id + '-event', name: 'code'});
    cfg.events.forEach(function (ev) {
      sel.appendChild(el('option', {value: ev.key, text: ev.name}));
    });
    var impact = el('textarea', {id: id + '-impact', name: 'impact', rows: '2'});
    var btn = el('button', {type: 'button', 'class': 'btn btn-sm', id: id + '-save', text: T.record_event});
    item.appendChild(el('div', {'class': 'gate-fix'}, [
      el('label', {'class': 'gate-field', 'for': id + '-event'}, [el('span', {text: T.event})]), sel,
      el('label', {'class': 'gate-field', 'for': id + '-impact'}, [el('span', {text: T.impact})]), impact,
      btn
    ]));
    btn.addEventListener('click', function () {
      api('POST', '/api/v1/deals/' + dealID + '/events', {code: sel.value, impact: impact.value}).then(function (r) {
        if (r.ok) {
          done(item, btn);
          $('gate-error').textContent = '';
        } else {
          $('gate-error').textContent = errorText(r);
        }
      });
    });
  }

  function roleForm(dealID, item, id, missing) {
    var box = el('div', {'class': 'gate-fix'});
    item.appendChild(box);
    api('GET', '/api/v1/deals/' + dealID).then(function (r) {
      if (!r.ok) {
        throw r;
      }
      return Promise.all([
        api('GET', '/api/v1/contacts?limit=500&account_id=' + r.data.account_id),
        api('GET', '/api/v1/deals/' + dealID + '/contacts')
      ]);
    }).then(function (rs) {
      var contacts = (rs[0].data && rs[0].data.items) || [];
      var onDeal = {};
      ((rs[1].data && rs[1].data.items) || []).forEach(function (dc) {
        onDeal[dc.contact_id] = dc;
      });
      if (!contacts.length) {
        box.appendChild(el('p', {'class': 'muted', text: T.no_contacts}));
        return;
      }
      missing.forEach(function (role, j) {
        var rid = id + '-' + role;
        var sel = el('select', {id: rid, 'data-role': role}, [el('option', {value: '', text: T.choose_contact})]);
        contacts.forEach(function (c) {
          var name = c.name + (c.title ? ' · ' + c.title : '');
          sel.appendChild(el('option', {value: String(c.id), text: name}));
        });
        var roleName = cfg.roles[role] || role;
        var btn = el('button', {type: 'button', 'class': 'btn btn-sm', id: rid + '-save', text: fmt(T.set_role, roleName)});
        var row = el('div', {'class': 'gate-row'}, [
          el('label', {'for': rid, text: roleName}), sel, btn
        ]);
        box.appendChild(row);
        btn.addEventListener('click', function () {
          var cid = parseInt(sel.value, 10);
          if (!cid) {
            sel.focus();
            return;
          }
          var dc = onDeal[cid];
          var req = dc ?
            api('PATCH', '/api/v1/deals/' + dealID + '/contacts/' + cid, {version: dc.version, buying_role: role}) :
            api('POST', '/api/v1/deals/' + dealID + '/contacts', {contact_id: cid, buying_role: role});
          req.then(function (r) {
            if (r.ok) {
              onDeal[cid] = r.data;
              done(row, btn);
              $('gate-error').textContent = '';
            } else {
              $('gate-error').textContent = errorText(r);
            }
          });
        });
        if (j === 0) {
          sel.focus();
        }
      });
    }).catch(function (r) {
      $('gate-error').textContent = r && r.status ? errorText(r) : T.failed;
    });
  }

  function conditionForm(dealID, item, id, missing) {
    var box = el('div', {'class': 'gate-fix'});
    item.appendChild(box);
    var rows = [];
    missing.forEach(function (key) {
      var cid = id + '-' + key;
      var check = el('input', {type: 'checkbox', id: cid, 'data-key': key});
      var ev = el('input', {type: 'text', id: cid + '-evidence', placeholder: T.evidence, 'aria-label': T.evidence});
      rows.push({key: key, check: check, evidence: ev});
      box.appendChild(el('div', {'class': 'gate-row gate-cond'}, [
        check, el('label', {'for': cid, text: cfg.conditions[key] || key}), ev
      ]));
    });
    var btn = el('button', {type: 'button', 'class': 'btn btn-sm', id: id + '-save', text: T.save_conditions});
    box.appendChild(btn);
    btn.addEventListener('click', function () {
      api('GET', '/api/v1/deals/' + dealID + '/conditions').then(function (r) {
        if (!r.ok) {
          throw r;
        }
        var versions = {};
        (r.data.items || []).forEach(function (c) {
          versions[c.key] = c.version;
        });
        var input = rows.filter(function (x) {
          return x.check.checked;
        }).map(function (x) {
          return {key: x.key, version: versions[x.key] || 0, met: true, evidence: x.evidence.value};
        });
        return api('PUT', '/api/v1/deals/' + dealID + '/conditions', {conditions: input});
      }).then(function (r) {
        if (r.ok) {
          done(item, btn);
          $('gate-error').textContent = '';
        } else {
          $('gate-error').textContent = errorText(r);
        }
      }).catch(function (r) {
        $('gate-error').textContent = r && r.status ? errorText(r) : T.failed;
      });
    });
  }

  // Everything below is delegated from the document, so it survives the
  // board being refreshed.
  document.addEventListener('change', function (ev) {
    var sel = ev.target;
    if (sel.classList && sel.classList.contains('pl-move-select') && sel.value) {
      move(sel.getAttribute('data-deal'), sel.value);
    }
  });

  document.addEventListener('click', function (ev) {
    var t = ev.target;
    if (t.id === 'gate-cancel') {
      closeDialog();
      pending = null;
      resetSelects();
    } else if (t.id === 'gate-retry' && pending) {
      var reason = $('gate-reason');
      if (reason && !reason.value.trim()) {
        reason.focus();
        return;
      }
      move(pending.deal, pending.stage, reason ? reason.value : pending.reason);
    }
  });

  document.addEventListener('close', function (ev) {
    if (ev.target === dialog()) {
      resetSelects();
    }
  }, true);

  document.addEventListener('dragstart', function (ev) {
    var card = ev.target.closest && ev.target.closest('.pl-card');
    if (!card) {
      return;
    }
    dragged = card;
    card.classList.add('is-dragging');
    ev.dataTransfer.effectAllowed = 'move';
    ev.dataTransfer.setData('text/plain', card.getAttribute('data-deal'));
  });

  document.addEventListener('dragend', function () {
    if (dragged) {
      dragged.classList.remove('is-dragging');
    }
    dragged = null;
    Array.prototype.forEach.call(document.querySelectorAll('.pl-col.is-over'), function (c) {
      c.classList.remove('is-over');
    });
  });

  document.addEventListener('dragover', function (ev) {
    var col = ev.target.closest && ev.target.closest('.pl-col');
    if (!col || !dragged) {
      return;
    }
    ev.preventDefault();
    ev.dataTransfer.dropEffect = 'move';
    Array.prototype.forEach.call(document.querySelectorAll('.pl-col.is-over'), function (c) {
      if (c !== col) {
        c.classList.remove('is-over');
      }
    });
    col.classList.add('is-over');
  });

  document.addEventListener('drop', function (ev) {
    var col = ev.target.closest && ev.target.closest('.pl-col');
    if (!col || !dragged) {
      return;
    }
    ev.preventDefault();
    col.classList.remove('is-over');
    var stage = col.getAttribute('data-stage');
    var card = dragged;
    if (stage && stage !== card.getAttribute('data-stage')) {
      move(card.getAttribute('data-deal'), stage);
    }
  });
}());
