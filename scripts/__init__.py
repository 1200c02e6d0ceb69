"""The scripts that make the site from data/ (`python -m scripts <command>`,
see `make help`). The folders show the architecture; imports flow one way,
from the command line down to the model (tests/test_layout.py):

  cli.py, serve.py  the command line, and `make serve`
  pipeline/         load -> validate -> enrich -> render -> build
  search/           the search index the site ships
  model/            the authored data, date phrases, addresses
  editor/           the editor's tools: import, new-plan, fmt, addresses, schema
  measure/          the measuring tools: bench, search report, browser helpers
  paths.py          where things are

README.md ("How the repository is laid out") lists every module.
"""
