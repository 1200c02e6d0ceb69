"""`make import SRC=plan.txt [ID=... JURISDICTION=...]`: a draft plan from the
plain text of a plan document.

The text is read in the form of the plans in data/sources/: a letterhead and
notice (issuer, 〔年〕号, 签发人, date), the plan title and preamble, parts
(一、), actions or sections (（一） / (一)), numbered tasks (1. / 1、 / **1、),
units in a parenthesis at the end of a task, and an annex as a tab-separated
table (序号 …). The draft keeps every text verbatim (lines broken by a page are
joined without adding anything), reads deadlines (scripts.model.dates.parse_phrase),
recurring duties (每季度…至少1次, 高危行业领域每月至少1次, 每月25日前) and the units
the jurisdiction's registry knows; unknown units are listed for the editor.

Ids are short hashes of titles (never positions): an editor may rename them to
readable slugs before the plan is first published.

Entry points: `draft.build_draft()` (the plan as data, plus a report) and
`write.run()` (the command line: writes the YAML file). In the order a text
goes through them:

  read.py       lines, headings, the blocks of parts, actions and tasks
  text.py       verbatim text: joining, splitting, titles, headings
  phrases.py    deadlines and recurring duties
  units.py      the department registry, units in a parenthesis
  structure.py  actions and tasks as plan data, goals, ids
  annex.py      the annex table
  draft.py      build_draft(): the whole plan and a report
  write.py      to_yaml() and run()
"""
