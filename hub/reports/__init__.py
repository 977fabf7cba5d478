"""Managers' reports (R16, R17): the hall's day, week or month in the seeds' forms.

The pipeline has one direction and I/O only at its two ends::

    sources (SQLite events, 附件3 xlsx/csv, holiday file)      ← I/O
      → replay.replay(rows)  : the log as calls, outcomes, evaluations, window spans
      → volumes / evaluations / flow / zones : pure calculators, plain data out
      → build.build_report   : every section, in order, as a Report
      → excel / text          : the workbook and the 通报 text               ← I/O

Calculators never read files or the clock: they take the replayed log, the hall (or
``None`` when no hall file was given) and settings, so tests feed them hand-built days.
Anything a calculator cannot classify goes to the data-quality list, never silently away.
"""
