/*
 * Search worker for the site's search box.
 *
 * Material for MkDocs draws the search box and the results; this worker
 * answers its queries, speaking Material's worker protocol (9.x):
 *   in:  {type: 0 SETUP, data: {config, docs, options}}   (config.cjk: our manifest)
 *        {type: 2 QUERY, data: "query"}
 *   out: {type: 1 READY}
 *        {type: 3 RESULT, data: {items: [[parent?, doc], ...]}}
 * Beside it, on this page's own BroadcastChannel ("site-search" + the hash
 * of this worker's address), search-ui.js sends the filters and "warm"; the
 * worker reports each answer (count, marks, suggestions) and then the facet
 * counts.
 * The data and the algorithm are described in scripts/search/__init__.py;
 * scripts/measure/engine.py (Engine) is this file in Python; tests check
 * they agree. In short: exact substring (phrase) matching on folded text,
 * pieces separated by spaces ANDed, synonyms in either direction,
 * candidates from a character-bigram index sharded by hash, narrowed by the
 * filters' facet files, verified in score order against the document store
 * until the top results are certain; when none holds the words as typed,
 * the nearest matches (部分匹配) and synonym suggestions.
 *
 * Loaded in a page (not as a worker) it only defines its functions, which
 * the tests call.
 */
"use strict";

var SiteSearch = (function () {
  var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
  var MAX_SUGGESTIONS = 6;
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

  /** 32-bit FNV-1a over code points (scripts/search/text.py: fnv1a). */
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

  /** The pieces of a query (scripts/search/text.py: query_terms). */
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

  /** Searchable strings of a record by field (scripts/search/documents.py: record_fields). */
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

  /* ---------------------------------------------------------------- ranks */

  function kindOf(doc) {
    var r = manifest.ranges;
    return doc < r[0] ? 0 : doc < r[1] ? 1 : 2;
  }

  /** Score adjustment by kind (scripts/search/documents.py: kind_bonus). */
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

  /* --------------------------------------------------------------- facets */

  /** search/f/<kind>.json: {v: [[id, label(, parent)]...], r: [runs...]} (scripts/search/facets.py). */
  function facet(kind) {
    if ((manifest.facets || []).indexOf(kind) < 0) return Promise.resolve({ v: [], r: [] });
    return load("f/" + kind + ".json");
  }

  /** Calls fn(doc) for every document of runs [gap, length, gap, length, ...]. */
  function eachRun(runs, fn) {
    var pos = 0;
    for (var k = 0; k < runs.length; k += 2) {
      var start = pos + runs[k];
      for (var d = start; d < start + runs[k + 1]; d++) fn(d);
      pos = start + runs[k + 1];
    }
  }

  var masks = new Map();  // "kind\u0000value" -> Uint8Array of the documents it keeps

  /** The documents every filter keeps (a Uint8Array), or null without a filter (Engine.mask). */
  async function maskOf(filters) {
    var kinds = Object.keys(filters).filter(function (k) { return filters[k]; }).sort();
    var out = null;
    for (var i = 0; i < kinds.length; i++) {
      var key = kinds[i] + "\u0000" + filters[kinds[i]], m = masks.get(key);
      if (!m) {
        var table = await facet(kinds[i]);
        m = new Uint8Array(manifest.docs);
        for (var v = 0; v < table.v.length; v++) {
          if (table.v[v][0] === filters[kinds[i]]) eachRun(table.r[v], function (d) { m[d] = 1; });
        }
        masks.set(key, m);
      }
      if (out === null) out = m.slice();
      else for (var d = 0; d < out.length; d++) out[d] &= m[d];
    }
    return out;
  }

  function cleanFilters(f) {
    var out = {};
    Object.keys(f || {}).forEach(function (k) { if (f[k]) out[k] = String(f[k]); });
    return out;
  }

  /**
   * Per facet, how many of an answer's documents each value keeps (the
   * other facets' filters applied, its own not; Engine.counts):
   * {kind: {"": all of them, id: n, ...}}.
   */
  async function counts(state) {
    var kinds = manifest.facets || [], n = manifest.docs, pool = new Uint8Array(n), out = {};
    state.every.forEach(function (c) { if (!state.failed.has(c[1])) pool[c[1]] = 1; });
    if (!state.exact && state.nearPool) state.nearPool.forEach(function (c) { pool[c[1]] = 1; });
    for (var i = 0; i < kinds.length; i++) {
      var others = {};
      Object.keys(state.filters).forEach(function (k) { if (k !== kinds[i]) others[k] = state.filters[k]; });
      var m = await maskOf(others), base = pool, all = 0, d;
      if (m) { base = new Uint8Array(n); for (d = 0; d < n; d++) base[d] = pool[d] & m[d]; }
      for (d = 0; d < n; d++) all += base[d];
      var table = await facet(kinds[i]), c = { "": all };
      table.v.forEach(function (v, k) {
        var got = 0;
        eachRun(table.r[k], function (doc) { got += base[doc]; });
        if (got) c[v[0]] = got;
      });
      out[kinds[i]] = c;
    }
    return out;
  }

  /** The values of every facet for the page: [[id, label, depth, count]] in reading order. */
  async function facetList(byKind, filters) {
    var kinds = manifest.facets || [], out = {};
    for (var i = 0; i < kinds.length; i++) {
      var table = await facet(kinds[i]), c = byKind[kinds[i]] || {}, depth = [], list = [];
      table.v.forEach(function (v, k) {
        depth[k] = v.length > 2 && v[2] >= 0 ? depth[v[2]] + 1 : 0;
        if (c[v[0]] || filters[kinds[i]] === v[0]) list.push([v[0], v[1], depth[k], c[v[0]] || 0]);
      });
      out[kinds[i]] = { all: c[""] || 0, values: list };
    }
    return out;
  }

  /* --------------------------------------------------------------- search */

  /**
   * A query's candidates, each with an upper bound of its score, from the
   * index alone: {terms, perTerm, every: [[bound, doc]] best first, cands:
   * those the filters keep, ...}. Then `extend` verifies them in that order.
   */
  async function prepare(query, merge, filters, stale) {
    var terms = queryTerms(query, merge);
    var state = {
      terms: terms, perTerm: [], every: [], cands: [], results: [], matched: 0, i: 0, multi: false,
      failed: new Set(), filters: filters, mask: null, exact: false, nearAll: null, nearPool: null, near: null,
      partialHits: [], suggest: []
    };
    if (!terms.length) return state;
    var perTerm = state.perTerm = terms.map(function (t) { return variants(t, manifest.synonyms); });
    var masked = maskOf(filters);  /* the filters' facet files, fetched beside the postings */

    /* every gram of every variant, fetched in parallel */
    var all = new Set();
    perTerm.forEach(function (vs) { vs.forEach(function (v) { grams(v).forEach(function (g) { all.add(g); }); }); });
    var lists = new Map();
    await Promise.all(Array.from(all).map(function (g) {
      return postings(g).then(function (p) { lists.set(g, p); });
    }));
    state.mask = await masked;
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
      if (!bounds.size) break;
    }
    var headAll = 10 * HEAD * terms.length;
    var every = state.every;
    bounds.forEach(function (s, d) { every.push([s + kindBonus(kindOf(d), s % 1000 === headAll), d]); });
    every.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    var mask = state.mask;
    state.cands = mask ? every.filter(function (c) { return mask[c[1]]; }) : every;
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
        } else state.failed.add(part[r][1]);
      }
      results.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
      state.i += part.length;
    }
    return state;
  }

  /** Every piece occurs as typed, not only through a synonym (Engine.exact). */
  function exactIn(rec, plan, terms) {
    var fields = fieldsOf(rec, plan).map(function (f) { return fold(f[1]); });
    return terms.every(function (t) { return fields.some(function (s) { return s.indexOf(t) >= 0; }); });
  }

  /**
   * Nearest matches (Engine.nearest): [[score, doc]] best first, documents
   * holding at least half of the query's distinct CJK characters (two at
   * least); 1000 per character in common, plus one per pair of adjacent
   * query characters held. From the index alone.
   */
  async function nearest(terms) {
    var cs = [];
    terms.forEach(function (t) { chars(t).forEach(function (c) { if (isHan(c) && cs.indexOf(c) < 0) cs.push(c); }); });
    if (cs.length < 2) return [];
    var need = Math.floor((cs.length + 1) / 2), pairs = [];
    terms.forEach(function (t) { grams(t).forEach(function (g) { if (chars(g).length === 2 && pairs.indexOf(g) < 0) pairs.push(g); }); });
    var lists = await Promise.all(cs.concat(pairs).map(postings));
    var count = new Map(), held = new Map();
    lists.forEach(function (l, k) {
      var into = k < cs.length ? count : held;
      l.forEach(function (f, d) { into.set(d, (into.get(d) || 0) + 1); });
    });
    var out = [];
    count.forEach(function (n, d) { if (n >= need) out.push([1000 * n + (held.get(d) || 0), d]); });
    out.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    return out;
  }

  /** Queries to try instead: a piece with a synonym swapped in, or the synonym alone (Engine.suggestions). */
  async function suggestions(terms) {
    var tries = [];
    terms.forEach(function (t, k) {
      manifest.synonyms.forEach(function (group) {
        group.forEach(function (member) {
          if (!member || t.indexOf(member) < 0) return;
          group.forEach(function (other) {
            if (other === member) return;
            [t.split(member).join(other), other].forEach(function (s) {
              var q = terms.slice(0, k).concat([s], terms.slice(k + 1)).join(" ");
              if (s !== t && grams(s).length) tries.push([s, q]);
            });
          });
        });
      });
    });
    var out = [];
    for (var i = 0; i < tries.length && out.length < MAX_SUGGESTIONS; i++) {
      if (out.indexOf(tries[i][1]) >= 0) continue;
      var gs = Array.from(new Set(grams(tries[i][0]))).sort(), acc = null;
      for (var g = 0; g < gs.length && (acc === null || acc.size); g++) {
        var p = await postings(gs[g]);
        if (acc === null) acc = new Set(p.keys());
        else acc = new Set(Array.from(acc).filter(function (d) { return p.has(d); }));
      }
      if (acc && acc.size) out.push(tries[i][1]);
    }
    return out;
  }

  /**
   * The marks of the best `limit` results (exact or synonym); when none is
   * exact, the nearest matches after them and the suggestions.
   */
  async function settle(state, limit, stale) {
    var hits = state.results.slice(0, limit);
    hits.forEach(function (h) {
      if (h.mark === undefined) h.mark = exactIn(h.rec, h.plan, state.terms) ? "exact" : "synonym";
    });
    state.exact = hits.length > 0 && hits[0].mark === "exact";  // an exact result always ranks first
    state.partialHits = [];
    if (state.exact || !state.terms.length) return state;
    if (state.nearAll === null) {
      var found = await Promise.all([nearest(state.terms), suggestions(state.terms)]);
      if (stale()) return null;
      state.nearAll = found[0];
      state.suggest = found[1];
    }
    var inEvery = new Set(state.every.map(function (c) { return c[1]; }));
    state.nearPool = state.nearAll.filter(function (c) { return !inEvery.has(c[1]) || state.failed.has(c[1]); });
    var mask = state.mask;
    state.near = mask ? state.nearPool.filter(function (c) { return mask[c[1]]; }) : state.nearPool;
    var part = state.near.slice(0, Math.max(0, limit - hits.length));
    var recs = await Promise.all(part.map(function (c) { return record(c[1]); }));
    if (stale()) return null;
    state.partialHits = part.map(function (c, r) {
      return { doc: c[1], score: c[0], rec: recs[r].rec, plan: recs[r].plan, mark: "partial" };
    });
    return state;
  }

  /** What a state says, listing the best `limit`. */
  function summary(state, limit) {
    var rest = state.cands.length - Math.min(state.i, state.cands.length);
    var partial = state.exact || !state.near ? 0 : state.near.length;
    return {
      terms: state.terms, perTerm: state.perTerm, hits: state.results.slice(0, limit).concat(state.partialHits),
      total: state.matched + rest + partial, approx: rest > 0 && state.multi, exact: state.exact,
      partial: partial, suggest: state.exact ? [] : state.suggest, filters: state.filters, state: state
    };
  }

  /**
   * Answer a query: `report(answer)` is called with the best `first`
   * results as soon as they are certain, then (when there are more) with
   * the best `max`. Resolves to the last answer, or null when `stale()`.
   * opts.filters: facet -> value id, the results narrowed to them.
   */
  async function search(query, opts) {
    opts = opts || {};
    var stale = opts.stale || function () { return false; };
    var filters = cleanFilters(opts.filters);
    /* a large site lists its first results before it fetches the rest;
       a small one has everything at hand (the bundle) */
    var limits = opts.limit ? [opts.limit]
      : manifest.bundle && useBundle ? [manifest.max] : [manifest.first || manifest.max, manifest.max];
    var state = await prepare(query, true, filters, stale);
    if (state === null) return null;
    if (!state.every.length && queryTerms(query, false).join("\u0000") !== queryTerms(query, true).join("\u0000")) {
      state = await prepare(query, false, filters, stale);  /* "2024 年底前" as a phrase found nothing: both words */
      if (state === null) return null;
    }
    var answer = null;
    for (var k = 0; k < limits.length; k++) {
      if (await extend(state, limits[k], stale) === null) return null;
      if (await settle(state, limits[k], stale) === null) return null;
      answer = summary(state, limits[k]);
      answer.done = k === limits.length - 1 || answer.hits.length >= answer.total;  // the last report
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

  /** The mark of a result: a synonym it was found through, or 部分匹配 (partial). */
  function markOf(hit, answer, has) {
    if (hit.mark === "partial") return '<span class="site-search__mark site-search__mark--partial">部分匹配</span> ';
    if (hit.mark !== "synonym") return "";
    var via = [];
    answer.perTerm.forEach(function (vs) {
      if (has(vs[0])) return;
      var v = vs.slice(1).find(has);
      if (v && via.indexOf(v) < 0) via.push(v);
    });
    return '<span class="site-search__mark">同义词' + (via.length ? "：" + escapeHTML(via.join("、")) : "") + "</span> ";
  }

  /** Material's result items: [[plan header, task], [department], ...]. */
  function items(answer) {
    var needles = [], near = [];
    answer.perTerm.forEach(function (vs) { vs.forEach(function (v) { needles.push(v); }); });
    answer.terms.forEach(function (t) { chars(t).forEach(function (c) { if (isHan(c) && near.indexOf(c) < 0) near.push(c); }); });
    var n = answer.hits.length;
    return answer.hits.map(function (hit, rank) {
      var rec = hit.rec, plan = hit.plan;
      var score = (n - rank) * 10;  // shown order; Enter opens the first
      var fields = fieldsOf(rec, plan).map(function (f) { return fold(f[1]); });
      var has = function (t) { return fields.some(function (s) { return s.indexOf(t) >= 0; }); };
      var terms = {};  // Material lists the pieces a result lacks (缺少)
      answer.terms.forEach(function (t) { terms[t] = has(t); });
      var partial = hit.mark === "partial", marks = partial ? near : needles;
      var tags = partial ? [] : (rec.g || []).concat(rec.m || []).filter(function (s) {
        return ranges(s, marks).length;
      }).slice(0, 6).map(escapeHTML);
      var body = "";
      if (rec.a) body += '<p class="site-search__path">' + highlight(rec.a, marks) + "</p>";
      if (rec.h && rec.k !== "p") body += '<p class="site-search__names">' + highlight(rec.h.join("、"), marks) + "</p>";
      if (rec.x) body += "<p>" + snippet(rec.x, marks) + "</p>";
      if (rec.o) body += '<p class="site-search__units">' + highlight(rec.o, marks) + "</p>";
      if (rec.k === "p" && rec.h) body = '<p class="site-search__names">' + highlight(rec.h.join(" · "), marks) + "</p>" + body;
      var title = rec.n ? "第" + rec.n + "项 " + highlight(rec.t, marks) : highlight(rec.t, marks);
      if (rec.k === "g") title = "专题：" + title;
      var doc = { location: rec.u, title: markOf(hit, answer, has) + title, text: body, terms: terms, score: score };
      if (tags.length) doc.tags = tags;
      if (!plan) return [doc];
      var header = plan[0] + (plan[1] ? " · " + plan[1] : "");
      var all = {};
      answer.terms.forEach(function (t) { all[t] = true; });
      return [{ location: plan[3], title: highlight(header, marks), text: "", terms: all, score: score - 5 }, doc];
    });
  }

  /* --------------------------------------------------------------- worker */

  var latest = 0, lastQuery = null, filters = {};
  /* the page's own channel: its id is the hash of this worker's address (overrides/main.html) */
  var channel = typeof BroadcastChannel !== "undefined"
    ? new BroadcastChannel("site-search" + (self.location.hash || "")) : null;

  /* A small site's data is one file: fetch it when the page has loaded
     (SETUP) and again, should that have failed, when the search box gets the
     focus (search-ui.js), rather than on the first key. */
  function warm() {
    if (manifest && manifest.bundle && useBundle) get(manifest.bundle).catch(function () {});
  }

  async function answer(query) {
    var id = ++latest, used = filters;
    var started = Date.now(), before = fetched;
    var stale = function () { return id !== latest; };
    lastQuery = query;
    function post(res) {
      if (stale()) return;  // a newer query is on its way
      self.postMessage({ type: RESULT, data: { items: items(res) } });
      if (channel) channel.postMessage({
        query: query, shown: res.hits.length, total: res.total, approx: res.approx, done: res.done !== false,
        ms: Date.now() - started, bytes: fetched - before, error: res.error || null,
        urls: res.hits.map(function (h) { return h.rec.u; }),
        marks: res.hits.map(function (h) { return h.mark || "exact"; }),
        exact: res.exact !== false, partial: res.partial || 0, suggest: res.suggest || [], filters: used
      });
    }
    try {
      var last = await search(query, { stale: stale, report: post, filters: used });  // the first results, then the rest
      if (last && last.terms.length && channel && !stale()) {
        /* then what each filter would keep (the facet files are read now, after the results) */
        var list = await facetList(await counts(last.state), used);
        if (!stale()) channel.postMessage({ facets: list, query: query, filters: used, approx: last.approx });
      }
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
    if (channel) channel.addEventListener("message", function (ev) {
      if (!ev.data) return;
      if (ev.data.warm) warm();
      if (ev.data.filters) {  /* the reader narrowed the results: answer the last query again */
        filters = cleanFilters(ev.data.filters);
        if (lastQuery !== null) answer(lastQuery);
      }
    });
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
    search: search, items: items,
    counts: function (answer) { return counts(answer.state); }, facetList: facetList
  };
})();
