"""Site search: the data behind the search box (the search index the site
ships).

The search box is Material's own (header, look and place unchanged); the
answers come from our worker, docs/assets/javascripts/search-worker.js,
which speaks Material's worker protocol, so Material renders the results.
This package writes the data that worker reads, from the enriched Site
(called by the render stage):

  text.py        cleaning and folding text, query pieces, grams, synonyms
                 (the worker does exactly the same)
  documents.py   the search documents, their fields, the ranking's kinds
  facets.py      what results narrow by: each document's jurisdiction path,
                 plan, deadline years and unit categories
  index.py       postings, shards, the document store, the facet files and
                 the manifest
  patch.py       a rebuild's search data: the last build's, with the
                 postings of changed documents patched (the same files)

The files:

  search/search_index.json   what Material's bundle fetches on every page:
                             {"config": {... "cjk": manifest}, "docs": []};
                             Material hands `config` to the worker (SETUP).
  search/g/<n>.json          bigram shards: {gram: postings}
  search/u/<n>.json          unigram shards (one-character queries)
  search/d/<n>.json          document store: CHUNK documents per file
  search/f/<facet>.json      a facet's values and their documents (facets.py):
                             read to count and to narrow, never before the
                             first result of a query that narrows nothing
  search/all.json            all of the above in one file, when they are
                             small (BUNDLE_MAX): read once, when the page has
                             loaded (Material's SETUP message)

What is searched. One document per task (plan, action, number, title, text,
units, departments with names, short names and aliases, leaders, deadline and
recurrence words, topics), per plan (title, short title, document number,
issuer, signer, organisation with officials, preamble), per department and
per topic; and per goal, section, action introduction and annex row (任务清单),
which are listed after tasks that match as well.

Matching. Text is cleaned (zero-width characters dropped, whitespace next
to a CJK character dropped: "2024 年底前" -> "2024年底前", other runs of
whitespace to one space) and folded character by character (full-width
ASCII to ASCII, A-Z to a-z, dashes, brackets and quotes to one form each),
so positions in the folded text are positions in the displayed text. A query
is split at spaces (and ，、；), pieces joined again where a digit meets a CJK
character; each piece must occur as an exact substring (AND). Synonyms from
data/synonyms.yaml are expanded in either direction; a piece found only
through a synonym counts as "not exact".

The index. Every document's fields are cut into character bigrams (and
single CJK characters); a posting is (document, best field the gram occurs
in). Postings are sharded by FNV-1a hash of the gram, so a query fetches only
the shards of its own grams. Intersecting postings gives candidates and an
upper bound of their score; the worker then verifies candidates in score
order against the document store (exact phrase, exact field) until the top
MAX_RESULTS are certain (a classic top-k with upper bounds): results are
exact, and only the documents near the top are ever downloaded.

Ranking, per query piece: 1000 if the piece itself occurs (not only a
synonym), plus 10 x field: 3 title (and a plan's, department's or topic's
names), 2 tags: topics, departments, officials, deadline and recurrence
words, 1 text, 0 context (plan and action names). A page whose names hold every
piece (plan, department, topic) gets +5, goals and sections -3. Ties: site
order. So a document lacking the exact phrase never outranks one that has it.

Marks, and nothing as typed. A result holding every piece as typed is
"exact", else "synonym" (found through one; the result shows which). When the
best result is not exact (so none is), the nearest matches follow every
match: documents holding at least half of the query's distinct CJK
characters, most in common first (1000 per character, +1 per adjacent pair
of the query held), from unigram and bigram postings alone, marked
"partial"; and suggestions: the query with a synonym swapped in, or the
synonym alone, where the index has a candidate.

Narrowing. Filters (facet -> value) keep the candidates whose document the
value's runs hold, before any is verified; counts per value are over the
candidates not disproved (and the nearest matches), each facet's own filter
left out.

The same algorithm in Python, to test and measure the worker against, is
scripts/measure/engine.py (`Engine`; tests, `make search-report` and
`search_download_bytes`, which the benchmark calls). Nothing here imports it.
"""
