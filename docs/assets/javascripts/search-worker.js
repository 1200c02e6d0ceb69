/*
 * Search worker for the site's search box.
 *
 * Material for MkDocs draws the search box and the results; this worker
 * answers its queries, speaking Material's worker protocol (9.x):
 *   in:  {type: 0 SETUP, data: {config, docs, options}}   (config.cjk: our manifest)
 *        {type: 2 QUERY, data: "query"}
 *   out: {type: 1 READY}
 *        {type: 3 RESULT, data: {items: [[parent?, doc], ...]}}
 * The data and the algorithm are described in scripts/search.py (its Engine
 * class is this file in Python; tests check they agree). In short: exact
 * substring (phrase) matching on folded text, pieces separated by spaces
 * ANDed, synonyms in either direction, candidates from a character-bigram
 * index sharded by hash, verified in score order against the document store
 * until the top results are certain.
 *
 * Loaded in a page (not as a worker) it only defines its functions, which
 * the tests call.
 */
"use strict";

var SiteSearch = (function () {
  var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
  var HEAD = 3, NAMES = 2, TEXT = 1, CONTEXT = 0;

  /* ---------------------------------------------------------------- text */

  var ZERO_WIDTH = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;
  var WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026\u00b7";
  var WIDE_SPACE = new RegExp("(?<=[" + WIDE + "]) | (?=[" + WIDE + "])", "g");
  var HAN = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]$/u;
  var SEPARATORS = /[\s\u3000，、；;,？?！!。]+/g;
  var QUOTES = "\"'\u201c\u201d\u2018\u2019\u300c\u300d\u300e\u300f\u300a\u300b\u3008\u3009<> ";

  var FOLD = {};
  (function () {
    var c;
    for (c = 0xff01; c < 0xff5f; c++) FOLD[String.fromCharCode(c)] = String.fromCharCode(c - 0xfee0).toLowerCase();
    for (c = 65; c <= 90; c++) FOLD[String.fromCharCode(c)] = String.fromCharCode(c + 32);
    function map(chars, to) { for (var i = 0; i < chars.length; i++) FOLD[chars[i]] = to; }
    map("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-");
    map("\u3014\u3010\u3016\uff3b[\uff08", "(");
    map("\u3015\u3011\u3017\uff3d]\uff09", ")");
    map("\u201c\u201d\u201e\u201f\u300c\u300d\u300e\u300f\uff02", "\"");
    map("\u2018\u2019\u201a\u201b\uff07", "'");
    map("\u30fb\u2022\u2027\uff65", "\u00b7");
    FOLD["\u3000"] = " ";
  })();
  var FOLDABLE = new RegExp("[" + Object.keys(FOLD).map(function (c) {
    return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
  }).join("") + "]", "g");

  /** Matching form: one UTF-16 unit for one (positions carry over). */
  function fold(s) {
    return s.replace(FOLDABLE, function (c) { return FOLD[c]; });
  }

  function clean(s) {
    return String(s || "").replace(ZERO_WIDTH, "").replace(/\s+/g, " ").trim().replace(WIDE_SPACE, "");
  }

  function isHan(ch) { return HAN.test(ch); }
  function isDigit(ch) { return (ch >= "0" && ch <= "9") || (ch >= "\uff10" && ch <= "\uff19"); }

  /** Code points of a string. */
  function chars(s) { return Array.from(s); }

  /** The keys a term is looked up by: its bigrams, or itself when it is one CJK character. */
  function grams(term) {
    var cs = chars(term), out = [];
    if (cs.length === 1) return isHan(cs[0]) ? [cs[0]] : [];
    for (var i = 0; i < cs.length - 1; i++) out.push(cs[i] + cs[i + 1]);
    return out;
  }

  /** 32-bit FNV-1a over code points (scripts/search.py: fnv1a). */
  function fnv1a(s) {
    var h = 0x811c9dc5;
    for (var ch of s) h = Math.imul(h ^ ch.codePointAt(0), 16777619) >>> 0;
    return h >>> 0;
  }

  function strip(s, set) {
    var a = chars(s), i = 0, j = a.length;
    while (i < j && set.indexOf(a[i]) >= 0) i++;
    while (j > i && set.indexOf(a[j - 1]) >= 0) j--;
    return a.slice(i, j).join("");
  }

  /** The pieces of a query (scripts/search.py: query_terms). */
  function queryTerms(query, merge) {
    var q = String(query || "").replace(ZERO_WIDTH, "");
    var pieces = [], glue = false, pos = 0, m;
    SEPARATORS.lastIndex = 0;
    var seps = [];
    while ((m = SEPARATORS.exec(q)) !== null) seps.push(m);
    seps.push(null);
    for (var k = 0; k < seps.length; k++) {
      m = seps[k];
      var end = m ? m.index : q.length;
      var piece = q.slice(pos, end);
      if (piece) {
        var prev = pieces.length ? chars(pieces[pieces.length - 1]) : null;
        var first = chars(piece)[0];
        if (merge && glue && prev && prev.length && (
          (isDigit(prev[prev.length - 1]) && isHan(first)) || (isHan(prev[prev.length - 1]) && isDigit(first))
        )) pieces[pieces.length - 1] += piece;
        else pieces.push(piece);
      }
      if (m) { glue = m[0].trim() === ""; pos = m.index + m[0].length; }
    }
    var out = [];
    pieces.forEach(function (p) {
      var t = strip(fold(clean(p)), QUOTES);
      if (t && grams(t).length && out.indexOf(t) < 0) out.push(t);
    });
    return out;
  }

  /** The term, then the term with one synonym swapped for another. */
  function variants(term, synonyms, limit) {
    var out = [term];
    synonyms.forEach(function (group) {
      group.forEach(function (m) {
        if (m && term.indexOf(m) >= 0) {
          group.forEach(function (other) {
            if (other !== m) {
              var v = term.split(m).join(other);
              if (out.indexOf(v) < 0 && grams(v).length) out.push(v);
            }
          });
        }
      });
    });
    return out.slice(0, limit || 12);
  }

  /** Searchable strings of a record by field (scripts/search.py: record_fields). */
  function fieldsOf(rec, plan) {
    var out = [];
    [rec.t || ""].concat(rec.h || []).forEach(function (s) { if (s) out.push([HEAD, s]); });
    (rec.g || []).concat(rec.m || []).forEach(function (s) { if (s) out.push([NAMES, s]); });
    [rec.x || "", rec.o || ""].forEach(function (s) { if (s) out.push([TEXT, s]); });
    var ctx = plan ? plan.slice(0, 3).filter(Boolean) : [];
    if (rec.a) ctx.push(rec.a);
    if (rec.n) ctx.push("第" + rec.n + "项");
    ctx.forEach(function (s) { if (s) out.push([CONTEXT, s]); });
    return out;
  }

  /* ------------------------------------------------------------ the index */

  var manifest = null, root = null, biShards = null, uniShards = null, useBundle = true;
  var cache = new Map();  // url -> Promise of parsed JSON
  var fetched = 0;        // bytes fetched (uncompressed), for the stats

  /** A file of the search data (path under search/), parsed; from the
      bundle (search/all.json) when the site is small enough to have one. */
  function load(rel) {
    if (manifest.bundle && useBundle && rel !== manifest.bundle) {
      return get(manifest.bundle).then(function (all) { return all[rel]; });
    }
    return get(rel);
  }

  function get(rel) {
    var url = new URL(rel + "?v=" + manifest.version, root).href;
    var p = cache.get(url);
    if (!p) {
      p = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.text();
      }).then(function (text) { fetched += text.length; return JSON.parse(text); });
      p.catch(function () { cache.delete(url); });
      cache.set(url, p);
    }
    return p;
  }

  function shardOf(gram) {
    if (chars(gram).length === 1) {
      var k = fnv1a(gram) & (manifest.ushards - 1);
      return uniShards.has(k) ? "u/" + k + ".json" : null;
    }
    var b = fnv1a(gram) & (manifest.shards - 1);
    return biShards.has(b) ? "g/" + b + ".json" : null;
  }

  /** doc -> best field of the gram (a Map). */
  function postings(gram) {
    var rel = shardOf(gram);
    if (!rel) return Promise.resolve(new Map());
    return load(rel).then(function (shard) {
      var list = shard[gram], out = new Map(), doc = 0;
      if (!list) return out;
      for (var i = 0; i < list.length; i++) {
        doc += Math.floor(list[i] / 4);
        out.set(doc, list[i] & 3);
      }
      return out;
    });
  }

  function record(doc) {
    return load("d/" + Math.floor(doc / manifest.chunk) + ".json").then(function (chunk) {
      var rec = chunk.d[doc % manifest.chunk];
      return { rec: rec, plan: rec.p !== undefined ? chunk.p[String(rec.p)] : null };
    });
  }

  /* --------------------------------------------------------------- search */

  function kindOf(doc) {
    var r = manifest.ranges;
    return doc < r[0] ? 0 : doc < r[1] ? 1 : 2;
  }

  /** Score adjustment by kind (scripts/search.py: kind_bonus). */
  function kindBonus(kind, allHead) {
    return kind === 2 ? (allHead ? 5 : 0) : kind === 1 ? -3 : 0;
  }

  var KINDS = { t: 0, s: 1, p: 2, d: 2, g: 2 };

  /** Exact score of a record, or -1 when a piece is missing (Engine.verify). */
  function verify(rec, plan, perTerm) {
    var fields = fieldsOf(rec, plan).map(function (f) { return [f[0], fold(f[1])]; });
    var total = 0, allHead = true;
    for (var t = 0; t < perTerm.length; t++) {
      var best = -1, vs = perTerm[t];
      for (var j = 0; j < vs.length; j++) {
        var exact = j === 0 ? 1000 : 0;
        for (var f = 0; f < fields.length; f++) {
          var s = exact + 10 * fields[f][0];
          if (s > best && fields[f][1].indexOf(vs[j]) >= 0) best = s;
        }
      }
      if (best < 0) return -1;
      if (best % 1000 !== 10 * HEAD) allHead = false;
      total += best;
    }
    return total + kindBonus(KINDS[rec.k || "t"], allHead);
  }

  /**
   * A query's candidates, each with an upper bound of its score, from the
   * index alone: {terms, perTerm, cands: [[bound, doc]] best first, ...}.
   * Then `extend` verifies them in that order.
   */
  async function prepare(query, merge, stale) {
    var terms = queryTerms(query, merge);
    var state = { terms: terms, perTerm: [], cands: [], results: [], matched: 0, i: 0, multi: false };
    if (!terms.length) return state;
    var perTerm = state.perTerm = terms.map(function (t) { return variants(t, manifest.synonyms); });

    /* every gram of every variant, fetched in parallel */
    var all = new Set();
    perTerm.forEach(function (vs) { vs.forEach(function (v) { grams(v).forEach(function (g) { all.add(g); }); }); });
    var lists = new Map();
    await Promise.all(Array.from(all).map(function (g) {
      return postings(g).then(function (p) { lists.set(g, p); });
    }));
    if (stale()) return null;

    /* upper bounds: doc -> score */
    var bounds = null;
    for (var t = 0; t < perTerm.length; t++) {
      var best = new Map();
      for (var j = 0; j < perTerm[t].length; j++) {
        var gs = Array.from(new Set(grams(perTerm[t][j]))).sort();
        if (gs.length > 1) state.multi = true;
        var exact = j === 0 ? 1000 : 0;
        var acc = null;
        for (var g = 0; g < gs.length; g++) {
          var p = lists.get(gs[g]);
          if (acc === null) acc = new Map(p);
          else {
            var next = new Map();
            acc.forEach(function (f, d) { var h = p.get(d); if (h !== undefined) next.set(d, Math.min(f, h)); });
            acc = next;
          }
          if (!acc.size) break;
        }
        if (acc) acc.forEach(function (f, d) {
          var s = exact + 10 * f;
          if (s > (best.has(d) ? best.get(d) : -1)) best.set(d, s);
        });
      }
      if (bounds === null) bounds = best;
      else {
        var merged = new Map();
        bounds.forEach(function (s, d) { var b = best.get(d); if (b !== undefined) merged.set(d, s + b); });
        bounds = merged;
      }
      if (!bounds.size) return state;
    }
    var headAll = 10 * HEAD * terms.length;
    var cands = state.cands;
    bounds.forEach(function (s, d) { cands.push([s + kindBonus(kindOf(d), s % 1000 === headAll), d]); });
    cands.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    return state;
  }

  /** Verify candidates in bound order until the best `limit` are certain. */
  async function extend(state, limit, stale) {
    var cands = state.cands, results = state.results;
    while (state.i < cands.length) {
      if (results.length >= limit) {
        var kth = results[limit - 1], c = cands[state.i];
        if (kth.score > c[0] || (kth.score === c[0] && kth.doc < c[1])) break;
      }
      var part = cands.slice(state.i, state.i + limit);  // one round, unless some fail
      var recs = await Promise.all(part.map(function (c) { return record(c[1]); }));
      if (stale()) return null;
      for (var r = 0; r < part.length; r++) {
        var score = verify(recs[r].rec, recs[r].plan, state.perTerm);
        if (score >= 0) {
          state.matched++;
          results.push({ doc: part[r][1], score: score, rec: recs[r].rec, plan: recs[r].plan });
        }
      }
      results.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
      state.i += part.length;
    }
    return state;
  }

  /** What a state says, listing the best `limit`. */
  function summary(state, limit) {
    var rest = state.cands.length - Math.min(state.i, state.cands.length);
    return {
      terms: state.terms, perTerm: state.perTerm, hits: state.results.slice(0, limit),
      total: state.matched + rest, approx: rest > 0 && state.multi
    };
  }

  /**
   * Answer a query: `report(answer)` is called with the best `first`
   * results as soon as they are certain, then (when there are more) with
   * the best `max`. Resolves to the last answer, or null when `stale()`.
   */
  async function search(query, opts) {
    opts = opts || {};
    var stale = opts.stale || function () { return false; };
    /* a large site lists its first results before it fetches the rest;
       a small one has everything at hand (the bundle) */
    var limits = opts.limit ? [opts.limit]
      : manifest.bundle && useBundle ? [manifest.max] : [manifest.first || manifest.max, manifest.max];
    var state = await prepare(query, true, stale);
    if (state === null) return null;
    if (!state.cands.length && queryTerms(query, false).join("\u0000") !== queryTerms(query, true).join("\u0000")) {
      state = await prepare(query, false, stale);  /* "2024 年底前" as a phrase found nothing: both words */
      if (state === null) return null;
    }
    var answer = null;
    for (var k = 0; k < limits.length; k++) {
      if (await extend(state, limits[k], stale) === null) return null;
      answer = summary(state, limits[k]);
      answer.done = k === limits.length - 1 || state.i >= state.cands.length;  // the last report
      if (opts.report) opts.report(answer);
      if (answer.done) break;
    }
    return answer;
  }

  /* ------------------------------------------------------------ rendering */

  function escapeHTML(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  /** [start, end) ranges where any of the needles occurs in the folded string. */
  function ranges(s, needles) {
    var f = fold(s), out = [];
    needles.forEach(function (n) {
      if (!n) return;
      var at = f.indexOf(n);
      while (at >= 0) { out.push([at, at + n.length]); at = f.indexOf(n, at + 1); }
    });
    out.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    out.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    });
    return merged;
  }

  /** HTML of s[from, to) with the ranges marked. */
  function marked(s, rs, from, to) {
    from = from || 0;
    to = to === undefined ? s.length : to;
    var out = "", pos = from;
    rs.forEach(function (r) {
      var a = Math.max(r[0], from), b = Math.min(r[1], to);
      if (a >= b || a < pos) return;
      out += escapeHTML(s.slice(pos, a)) + "<mark>" + escapeHTML(s.slice(a, b)) + "</mark>";
      pos = b;
    });
    return out + escapeHTML(s.slice(pos, to));
  }

  function highlight(s, needles) { return marked(s, ranges(s, needles)); }

  /** A snippet of the text around the matches (at most three windows). */
  function snippet(s, needles, width) {
    width = width || 110;
    if (!s) return "";
    var rs = ranges(s, needles);
    if (!rs.length)
      return escapeHTML(s.slice(0, width)) + (s.length > width ? "…" : "");
    var windows = [];
    rs.forEach(function (r) {
      var last = windows[windows.length - 1];
      if (last && r[1] <= last[1]) return;
      if (windows.length >= 3) return;
      var a = Math.max(0, r[0] - 24), b = Math.min(s.length, a + width);
      if (last && a <= last[1]) { last[1] = Math.min(s.length, Math.max(last[1], r[1] + 24)); return; }
      windows.push([a, b]);
    });
    return windows.map(function (w) {
      return (w[0] > 0 ? "…" : "") + marked(s, rs, w[0], w[1]) + (w[1] < s.length ? "…" : "");
    }).join(" ");
  }

  /** Material's result items: [[plan header, task], [department], ...]. */
  function items(answer) {
    var needles = [];
    answer.perTerm.forEach(function (vs) { vs.forEach(function (v) { needles.push(v); }); });
    var terms = {};
    answer.terms.forEach(function (t) { terms[t] = true; });
    var n = answer.hits.length;
    return answer.hits.map(function (hit, rank) {
      var rec = hit.rec, plan = hit.plan;
      var score = (n - rank) * 10;  // shown order; Enter opens the first
      var tags = (rec.g || []).concat(rec.m || []).filter(function (s) {
        return ranges(s, needles).length;
      }).slice(0, 6).map(escapeHTML);
      var body = "";
      if (rec.a) body += '<p class="site-search__path">' + highlight(rec.a, needles) + "</p>";
      if (rec.h && rec.k !== "p") body += '<p class="site-search__names">' + highlight(rec.h.join("、"), needles) + "</p>";
      if (rec.x) body += "<p>" + snippet(rec.x, needles) + "</p>";
      if (rec.o) body += '<p class="site-search__units">' + highlight(rec.o, needles) + "</p>";
      if (rec.k === "p" && rec.h) body = '<p class="site-search__names">' + highlight(rec.h.join(" · "), needles) + "</p>" + body;
      var title = rec.n ? "第" + rec.n + "项 " + highlight(rec.t, needles) : highlight(rec.t, needles);
      if (rec.k === "g") title = "专题：" + title;
      var doc = { location: rec.u, title: title, text: body, terms: terms, score: score };
      if (tags.length) doc.tags = tags;
      if (!plan) return [doc];
      var header = plan[0] + (plan[1] ? " · " + plan[1] : "");
      return [{ location: plan[3], title: highlight(header, needles), text: "", terms: terms, score: score - 5 }, doc];
    });
  }

  /* --------------------------------------------------------------- worker */

  var latest = 0;
  var channel = typeof BroadcastChannel !== "undefined" ? new BroadcastChannel("site-search") : null;

  /* A small site's data is one file: fetch it when the page has loaded
     (SETUP) and again, should that have failed, when the search box gets the
     focus (search-ui.js), rather than on the first key. */
  function warm() {
    if (manifest && manifest.bundle && useBundle) get(manifest.bundle).catch(function () {});
  }

  async function answer(query) {
    var id = ++latest;
    var started = Date.now(), before = fetched;
    var stale = function () { return id !== latest; };
    function post(res) {
      if (stale()) return;  // a newer query is on its way
      self.postMessage({ type: RESULT, data: { items: items(res) } });
      if (channel) channel.postMessage({
        query: query, shown: res.hits.length, total: res.total, approx: res.approx, done: res.done !== false,
        ms: Date.now() - started, bytes: fetched - before, error: res.error || null,
        urls: res.hits.map(function (h) { return h.rec.u; })
      });
    }
    try {
      await search(query, { stale: stale, report: post });  // posts the first results, then the rest
    } catch (err) {
      post({ terms: [], perTerm: [], hits: [], total: 0, approx: false, error: String(err) });
    }
  }

  function setup(config) {
    manifest = config.cjk;
    root = new URL("../../search/", self.location.href).href;
    biShards = new Set(manifest.bi);
    uniShards = new Set(manifest.uni);
  }

  if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
    if (channel) channel.addEventListener("message", function (ev) { if (ev.data && ev.data.warm) warm(); });
    self.addEventListener("message", function (ev) {
      var msg = ev.data;
      if (msg.type === SETUP) {
        setup(msg.data.config);
        self.postMessage({ type: READY });
        warm();
      } else if (msg.type === QUERY) {
        answer(msg.data);
      }
    });
  }

  return {
    fold: fold, clean: clean, grams: grams, fnv1a: fnv1a, queryTerms: queryTerms, variants: variants,
    fieldsOf: fieldsOf, verify: verify, ranges: ranges, snippet: snippet,
    /* for tests in a page: use the data under `base` (the site root) */
    use: function (m, base, bundle) {
      manifest = m; root = new URL("search/", base).href; biShards = new Set(m.bi); uniShards = new Set(m.uni);
      useBundle = bundle !== false; cache.clear();
    },
    search: search, items: items
  };
})();
