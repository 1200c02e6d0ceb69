"""`make import SRC=plan.docx|plan.pdf|plan.txt [ID=... JURISDICTION=...]`: a
draft plan from the file a clerk has.

A .docx or .pdf is first read into plain text (extract.py), which becomes the
plan's source in data/sources/. The text is read in the form of the plans in
data/sources/: a letterhead and notice (issuer, 〔年〕号, 签发人, date), the plan
title and preamble, parts (一、), actions or sections (（一） / (一)), numbered
tasks (1. / 1、 / **1、, or （一） in a department sub-plan), the responsibility
words (a parenthesis, `牵头单位：` lines, `由…牵头，…配合`, scope notes), and an
annex as a tab-separated table (序号 …). Page numbers and repeated table
headers are dropped (scripts/model/pages.py). The draft keeps every text verbatim (lines broken by a page are
joined without adding anything), reads the time phrases with the validator's own
parser (scripts/model/phrases.py: deadlines and the year rule, recurring duties at any
interval, ongoing duties, events) and the units, from the jurisdiction's registry or
as draft entries of it.

Ids are short hashes of titles (never positions): an editor may rename them to
readable slugs before the plan is first published.

Entry points: `draft.build_draft()` (the plan as data, plus a report) and
`write.run()` (the command line: writes the YAML file). In the order a text
goes through them:

  extract.py    the text of a .docx (python-docx) or .pdf (pdfplumber)
  read.py       lines, headings, the blocks of parts, actions and tasks
  text.py       verbatim text: joining, splitting, titles, headings
  phrases.py    deadlines, recurring duties, ongoing duties, events
  units.py      the registry, responsibility words, draft registry entries
  structure.py  actions and tasks as plan data, goals, ids
  annex.py      the annex table
  draft.py      build_draft(): the whole plan and a report
  write.py      to_yaml() and run()
"""
