/*
 * agentspan report: the page script of the self-contained run report.
 *
 * Reads the run from the embedded JSON element #agentspan-data,
 * builds the list of waterfall rows once, and renders only the rows in view
 * (virtual scrolling), so a run of 10 000 events opens as fast as one of 10.
 * The detail panel of an event is built when it is selected, and code is
 * highlighted then, never up front.
 *
 * Plain ES2019 in one IIFE: no modules, no network, no dependencies.
 */
(function () {
  'use strict';

  var H = window.AgentspanHighlight;
  var esc = H.escapeHtml;
  var ROW_HEIGHT = 24;
  var OVERSCAN = 12;

  var data = JSON.parse(document.getElementById('agentspan-data').textContent);
  var run = data.run;
  var events = data.events;
  var nodes = data.nodes;

  var TYPE_LABELS = { agent_call: 'agent', code_exec: 'code', tool_call: 'tool', file_gen: 'file', handoff: 'handoff' };

  // ---- indexes -------------------------------------------------------------

  var filesByParent = Object.create(null);
  var filesByNodePath = Object.create(null);
  events.forEach(function (e, i) {
    e.index = i;
    if (e.type === 'file_gen') {
      if (e.parent) (filesByParent[e.parent] = filesByParent[e.parent] || []).push(e);
      var path = e.outputs && e.outputs.file_path;
      if (path) filesByNodePath[(e.node || '') + '\u0000' + path] = e;
    }
  });

  var nodeByKey = Object.create(null);
  nodes.forEach(function (n) { if (!nodeByKey[n.nodeId]) nodeByKey[n.nodeId] = n; });

  function str(v) {
    return typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
  }

  /**
   * `text` on one line of at most `max` UTF-16 units, cut with `…`; the cut never ends between
   * the halves of a surrogate pair (a lone half shows as U+FFFD): such a character goes whole.
   */
  function oneLine(text, max) {
    var s = str(text).replace(/\s+/g, ' ').trim();
    if (s.length <= max) return s;
    var end = max - 1;
    var last = s.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1;
    return s.slice(0, end) + '\u2026';
  }

  /**
   * The CSS class of an event type (`t-tool_call`): one class token whatever the type, an
   * application's own included; a space in `retry failed` must not add a class `failed`.
   */
  function typeClass(type) {
    return 't-' + str(type).replace(/[^A-Za-z0-9_-]/g, '_');
  }

  /** Failed as the CLI reads it (its status or its error flag, never its type): `failed` in the data. */
  function isFailed(e) {
    return e.failed === true;
  }

  /** An event still running (or stale: its process fell silent) has no outcome yet: neither good nor bad, unless stale. */
  function statusClass(e) {
    if (isFailed(e) || e.status === 'stale') return 'bad';
    return e.inProgress ? 'muted' : 'good';
  }

  function summary(e) {
    // A row in progress holds no inputs yet (they come with its end): its span name says what it is.
    if (e.inProgress) return (e.name || e.type) + ' (' + e.status + ')';
    var i = e.inputs || {};
    var o = e.outputs || {};
    var m = e.meta || {};
    switch (e.type) {
      case 'agent_call': return oneLine(i.message_preview || i.content || '', 160);
      case 'code_exec': return (m.language || i.language || 'code') + ': ' + oneLine(i.code || '', 140);
      case 'tool_call': return (i.tool || e.name || 'tool') + '(' + (Array.isArray(i.args_keys) ? i.args_keys.join(', ') : '') + ')';
      case 'file_gen': return (o.file_path || '?') + (m.has_content ? '' : ' (no content)');
      case 'handoff': return (i.from_agent || e.agent || '?') + ' \u2192 ' + (i.to_agent || '?');
      default: return e.name || e.type;
    }
  }

  events.forEach(function (e) {
    e.summary = summary(e);
    e.search = [e.type, e.agent, e.node, e.name, e.summary, e.error, e.status].join(' ').toLowerCase();
  });

  // ---- time scale ----------------------------------------------------------

  var total = 0;
  function grow(start, dur) {
    if (typeof start === 'number') total = Math.max(total, start + (typeof dur === 'number' ? dur : 0));
  }
  grow(0, run.durationMs);
  nodes.forEach(function (n) { grow(n.start, n.dur); });
  events.forEach(function (e) { grow(e.start, e.dur); });
  if (!(total > 0)) total = 1;

  function fmtMs(ms) {
    if (typeof ms !== 'number' || !isFinite(ms)) return '-';
    if (ms === 0) return '0';
    if (ms < 1) return ms.toFixed(2) + ' ms';
    if (ms < 10) return ms.toFixed(1) + ' ms';
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
    var s = Math.round(ms / 1000);
    return Math.floor(s / 60) + 'm ' + ('0' + (s % 60)).slice(-2) + 's';
  }

  function fmtBytes(b) {
    if (typeof b !== 'number') return '-';
    if (b < 1024) return b + ' B';
    if (b < 1048576) return (b / 1024).toFixed(1) + ' KB';
    return (b / 1048576).toFixed(1) + ' MB';
  }

  function renderAxis() {
    var axis = document.getElementById('axis-track');
    var raw = total / 6;
    var pow = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (k) { return k * pow; }).filter(function (s) { return s >= raw; })[0] || pow * 10;
    var html = '';
    for (var t = 0; t <= total; t += step) {
      html += '<span class="tick" style="left:' + (t / total) * 100 + '%">' + esc(fmtMs(t)) + '</span>';
    }
    axis.innerHTML = html;
  }

  // ---- rows ----------------------------------------------------------------

  var filterText = '';
  var errorsOnly = false;
  var rows = [];
  var selected = null; // { kind, item }

  function buildRows() {
    rows = [];
    var currentNode;
    var filtering = filterText !== '' || errorsOnly;
    for (var i = 0; i < events.length; i++) {
      var e = events[i];
      if (errorsOnly && !isFailed(e)) continue;
      if (filterText && e.search.indexOf(filterText) < 0) continue;
      var key = e.node || '';
      if (key !== currentNode) {
        currentNode = key;
        rows.push({ kind: 'node', item: nodeByKey[key] || { nodeId: e.node || '(run level)', start: null, dur: null, status: null, synthetic: true } });
      }
      rows.push({ kind: 'event', item: e });
    }
    document.getElementById('count').textContent = filtering
      ? rows.filter(function (r) { return r.kind === 'event'; }).length + ' of ' + events.length + ' events'
      : events.length + ' events';
    document.getElementById('rows-spacer').style.height = rows.length * ROW_HEIGHT + 'px';
  }

  function bar(start, dur, cls) {
    if (typeof start !== 'number') return '';
    var left = (start / total) * 100;
    var width = typeof dur === 'number' ? (dur / total) * 100 : 0;
    return '<div class="bar ' + cls + '" style="left:' + left.toFixed(4) + '%;width:' + width.toFixed(4) + '%"></div>';
  }

  function rowHtml(r, index) {
    var top = index * ROW_HEIGHT;
    var isSel = selected && selected.item === r.item ? ' selected' : '';
    if (r.kind === 'node') {
      var n = r.item;
      var failed = n.failed === true ? ' failed' : '';
      return '<div class="row node' + failed + isSel + '" data-row="' + index + '" style="top:' + top + 'px">' +
        '<div class="label"><span class="node-id">' + esc(n.nodeId) + '</span>' +
        (n.title ? ' <span class="muted">' + esc(n.title) + '</span>' : '') +
        (n.agent ? ' <span class="agent">' + esc(n.agent) + '</span>' : '') +
        '</div><div class="track">' + bar(n.start, n.dur, 'node-bar') + '</div></div>';
    }
    var e = r.item;
    var depth = Math.max(0, (e.depth || 2) - 2);
    var live = e.inProgress ? (e.status === 'stale' ? ' stale' : ' running') : '';
    return '<div class="row ev' + (isFailed(e) ? ' failed' : '') + live + isSel + '" data-row="' + index + '" data-order="' + esc(str(e.order)) + '" data-type="' + esc(e.type) + '" style="top:' + top + 'px">' +
      '<div class="label" style="padding-left:' + (18 + depth * 14) + 'px">' +
      '<span class="badge ' + typeClass(e.type) + '">' + esc(TYPE_LABELS[e.type] || e.type) + '</span>' +
      '<span class="order">#' + esc(str(e.order)) + '</span>' +
      '<span class="agent">' + esc(e.agent || '-') + '</span>' +
      '<span class="sum">' + esc(e.summary) + '</span></div>' +
      '<div class="track">' + bar(e.start, e.dur, typeClass(e.type)) + '</div></div>';
  }

  var viewport = document.getElementById('rows-viewport');
  var rowsBox = document.getElementById('rows');
  var scheduled = false;

  function renderRows() {
    scheduled = false;
    var first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    var last = Math.min(rows.length, Math.ceil((viewport.scrollTop + viewport.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    var html = '';
    for (var i = first; i < last; i++) html += rowHtml(rows[i], i);
    rowsBox.innerHTML = html;
  }

  function scheduleRows() {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(renderRows);
    }
  }

  viewport.addEventListener('scroll', scheduleRows, { passive: true });
  window.addEventListener('resize', scheduleRows);

  // ---- detail panel --------------------------------------------------------

  function codeBlock(text, language, cls) {
    return '<pre class="code' + (cls ? ' ' + cls : '') + '"><code>' + H.highlight(str(text), language) + '</code></pre>';
  }

  function jsonBlock(value) {
    return codeBlock(JSON.stringify(value, null, 2), 'json');
  }

  /** A message: plain text, with ```fenced``` code blocks highlighted. */
  function messageHtml(text) {
    var s = str(text);
    var out = '';
    var re = /```([\w+-]*)[^\n]*\n([\s\S]*?)```/g;
    var last = 0;
    var m;
    while ((m = re.exec(s))) {
      if (m.index > last) out += '<div class="text">' + esc(s.slice(last, m.index)) + '</div>';
      out += codeBlock(m[2], m[1] || 'text');
      last = re.lastIndex;
    }
    if (last < s.length) out += '<div class="text">' + esc(s.slice(last)) + '</div>';
    return out;
  }

  function section(title, body, cls) {
    return '<section class="panel-section' + (cls ? ' ' + cls : '') + '"><h3>' + esc(title) + '</h3>' + body + '</section>';
  }

  function listHtml(items) {
    if (!Array.isArray(items) || items.length === 0) return '<span class="muted">none</span>';
    return items.map(function (x) { return '<code class="chip">' + esc(str(x)) + '</code>'; }).join(' ');
  }

  function fileHtml(f) {
    var o = f.outputs || {};
    var m = f.meta || {};
    var head = '<div class="file-head"><code class="path">' + esc(str(o.file_path)) + '</code> ' +
      '<span class="muted">' + esc(fmtBytes(o.file_size)) + (o.file_type ? ' \u00b7 ' + esc(o.file_type) : '') +
      (m.source ? ' \u00b7 ' + esc(m.source) : '') + (o.sha256 ? ' \u00b7 sha256 ' + esc(str(o.sha256).slice(0, 12)) : '') + '</span></div>';
    var body;
    if (typeof o.file_content === 'string') {
      body = codeBlock(o.file_content, H.languageOf(str(o.file_path)) ? str(o.file_path) : o.file_type, 'file-content') +
        (o.truncated ? '<p class="warn">content truncated at capture</p>' : '');
    } else {
      body = '<p class="muted">content not captured' + (m.skip_reason ? ': ' + esc(m.skip_reason) : '') + '</p>';
    }
    return '<div class="file" data-path="' + esc(str(o.file_path)) + '">' + head + body + '</div>';
  }

  function filesFor(e) {
    var found = (filesByParent[e.id] || []).slice();
    var paths = (e.outputs && e.outputs.files_generated) || [];
    if (Array.isArray(paths)) {
      paths.forEach(function (p) {
        var f = filesByNodePath[(e.node || '') + '\u0000' + p];
        if (f && found.indexOf(f) < 0) found.push(f);
      });
    }
    return found;
  }

  function factsHtml(pairs) {
    return '<dl class="facts">' + pairs.filter(function (p) { return p[1] !== undefined && p[1] !== null && p[1] !== ''; })
      .map(function (p) { return '<dt>' + esc(p[0]) + '</dt><dd>' + p[1] + '</dd>'; }).join('') + '</dl>';
  }

  function eventDetail(e) {
    var i = e.inputs || {};
    var o = e.outputs || {};
    var m = e.meta || {};
    var html = '<h2><span class="badge ' + typeClass(e.type) + '">' + esc(e.type) + '</span> ' + esc(e.name || '') + '</h2>';
    html += factsHtml([
      ['status', '<span class="' + statusClass(e) + '">' + esc(e.status) + (e.hasError && e.status !== 'failed' ? ' (has error)' : '') + '</span>'],
      ['last seen running', e.inProgress && e.lastSeenAt ? esc(e.lastSeenAt) : ''],
      ['agent', esc(e.agent || '') + (e.role ? ' <span class="muted">(' + esc(e.role) + ')</span>' : '')],
      ['node', esc(e.node || '')],
      ['order', esc(str(e.order))],
      ['started', esc(e.startedAt || '') + (typeof e.start === 'number' ? ' <span class="muted">(+' + esc(fmtMs(e.start)) + ')</span>' : '')],
      ['duration', esc(fmtMs(e.dur))],
      ['event id', '<code>' + esc(e.id) + '</code>'],
    ]);
    if (e.error) html += '<div class="error-box">' + esc(e.error) + '</div>';
    if (e.inProgress) {
      html += '<p class="warn in-progress">' + (e.status === 'stale'
        ? 'No end recorded, and its process fell silent: it most likely died before ending this event, or cannot reach Postgres.'
        : 'Still running when this report was made: its inputs, outputs and duration come with its end.') + '</p>';
    }

    if (e.inProgress) {
      // Nothing of its content is recorded yet: no empty code, imports or files sections that would say "none".
    } else if (e.type === 'agent_call') {
      if (i.content !== undefined) html += section('message', messageHtml(i.content), 'message');
      if (m.file_refs && m.file_refs.length) html += section('files referenced', listHtml(m.file_refs));
    } else if (e.type === 'code_exec') {
      var lang = m.language || i.language;
      html += section('code' + (lang ? ' (' + lang + ')' : ''), codeBlock(i.code, lang), 'code-section');
      if (o.result !== undefined) html += section('output' + (o.exit_code !== undefined ? ' (exit ' + o.exit_code + ')' : ''), codeBlock(o.result, 'text'));
      html += section('imports', listHtml(m.imports)) + section('files written', listHtml(m.files_written)) + section('files read', listHtml(m.files_read));
    } else if (e.type === 'tool_call') {
      html += section('tool', '<code class="chip">' + esc(str(i.tool || e.name)) + '</code>' + (i.tool_call_id ? ' <span class="muted">call ' + esc(i.tool_call_id) + '</span>' : ''));
      if (i.args && typeof i.args === 'object' && typeof i.args.code === 'string') {
        html += section('code argument', codeBlock(i.args.code, m.language || 'python'), 'code-section');
      }
      if (i.args !== undefined) html += section('arguments', jsonBlock(i.args), 'tool-args');
      if (o.result !== undefined) html += section('result', typeof o.result === 'string' ? codeBlock(o.result, 'text') : jsonBlock(o.result), 'tool-result');
    } else if (e.type === 'file_gen') {
      html += section('file', fileHtml(e), 'file-section');
    } else if (e.type === 'handoff') {
      html += section('handoff', esc(str(i.from_agent)) + ' \u2192 ' + esc(str(i.to_agent)));
    }
    if (i.context !== undefined && e.type !== 'agent_call') html += section('context', messageHtml(i.context));

    var files = e.type === 'file_gen' ? [] : filesFor(e);
    if (files.length) html += section('generated files', files.map(fileHtml).join(''), 'file-section');

    html += '<details class="raw"><summary>inputs</summary>' + jsonBlock(i) + '</details>';
    html += '<details class="raw"><summary>outputs</summary>' + jsonBlock(o) + '</details>';
    html += '<details class="raw"><summary>meta</summary>' + jsonBlock(m) + '</details>';
    if (e.attributes && Object.keys(e.attributes).length) html += '<details class="raw"><summary>other attributes</summary>' + jsonBlock(e.attributes) + '</details>';
    return html;
  }

  function nodeDetail(n) {
    var inNode = events.filter(function (e) { return (e.node || '') === (n.synthetic ? '' : n.nodeId); });
    var failed = inNode.filter(isFailed).length;
    return '<h2><span class="badge">node</span> ' + esc(n.nodeId) + '</h2>' + factsHtml([
      ['title', esc(n.title || '')],
      ['type', esc(n.type || '')],
      ['agent', esc(n.agent || '')],
      ['status', esc(n.status || '')],
      ['started', typeof n.start === 'number' ? '+' + esc(fmtMs(n.start)) : ''],
      ['duration', esc(fmtMs(n.dur))],
      ['events', inNode.length + (failed ? ' <span class="bad">(' + failed + ' failed)</span>' : '')],
    ]);
  }

  var detail = document.getElementById('detail');

  function select(index, scroll) {
    var r = rows[index];
    if (!r) return;
    selected = r;
    selectedIndex = index;
    detail.innerHTML = r.kind === 'node' ? nodeDetail(r.item) : eventDetail(r.item);
    detail.scrollTop = 0;
    if (r.kind === 'event' && r.item.order !== null && r.item.order !== undefined) {
      try { history.replaceState(null, '', '#event-' + r.item.order); } catch (err) { /* file:// in some browsers */ }
    }
    if (scroll) {
      var top = index * ROW_HEIGHT;
      if (top < viewport.scrollTop || top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight) {
        viewport.scrollTop = Math.max(0, top - viewport.clientHeight / 2);
      }
    }
    renderRows();
  }
  var selectedIndex = -1;

  rowsBox.addEventListener('click', function (ev) {
    var el = ev.target.closest('.row');
    if (el) select(Number(el.getAttribute('data-row')), false);
  });

  document.addEventListener('keydown', function (ev) {
    if (ev.target && ev.target.tagName === 'INPUT') return;
    if (ev.key === 'ArrowDown' || ev.key === 'j') { select(Math.min(rows.length - 1, selectedIndex + 1), true); ev.preventDefault(); }
    if (ev.key === 'ArrowUp' || ev.key === 'k') { select(Math.max(0, selectedIndex - 1), true); ev.preventDefault(); }
  });

  var filterInput = document.getElementById('filter');
  var filterTimer = 0;
  filterInput.addEventListener('input', function () {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(function () {
      filterText = filterInput.value.trim().toLowerCase();
      applyFilter();
    }, 120);
  });
  document.getElementById('errors-only').addEventListener('change', function (ev) {
    errorsOnly = ev.target.checked;
    applyFilter();
  });

  function applyFilter() {
    buildRows();
    selectedIndex = selected ? rows.indexOf(rows.filter(function (r) { return r.item === selected.item; })[0]) : -1;
    viewport.scrollTop = 0;
    renderRows();
  }

  // ---- start ---------------------------------------------------------------

  renderAxis();
  buildRows();
  renderRows();
  var wanted = /^#event-(\d+)$/.exec(location.hash);
  if (wanted) {
    for (var k = 0; k < rows.length; k++) {
      if (rows[k].kind === 'event' && String(rows[k].item.order) === wanted[1]) { select(k, true); break; }
    }
  }
  document.documentElement.setAttribute('data-ready', '1');
  window.agentspanReport = { readyAt: performance.now(), events: events.length, rows: rows.length };
})();
