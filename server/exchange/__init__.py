"""Moving a workshop in and out of Samskab: the CSV files per entity, the versioned JSON export
(docs/EXPORT.md) and its import as a new workshop.

`export` and `csv_export` are pure (state in, bytes out) and `source` reads what they need from
the store; `validate` (with the small schema toolkit `shape`) reads a file into a checked
document; `importer` turns that into an `ImportPlan` (the boards, votes and hall parts in
`plan_boards`, `plan_votes`, `plan_hall`, sharing `plan.Builder`) that
`Service.import_workshop` replays with the live rules, writing nothing unless every step is
accepted and the result exports back to the file.
"""
