"""The measuring tools: they build, serve and drive the site to measure it,
and are never imported by the build (a test fails when they are).

  bench.py          `make bench`: build time, memory and size at 300 to 30,000 tasks
  corpus.py         the benchmark's synthetic corpora (replicas of data/)
  engine.py         the search worker's algorithm in Python, and search download sizes
  scale.py          a built site with its search data scaled to N tasks
  browser.py        Chromium through Playwright, a loopback server, the search box
  search_report.py  `make search-report`: rank and time of each test query
  search_timing.py  the bench's search line: the search of a built site timed in Chromium
"""
