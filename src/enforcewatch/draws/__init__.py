"""双随机 draws anyone can verify (issue 21; docs/draws.md).

`hashing` (tagged SHA-256 and the counter-mode generator), `selection` (the versioned algorithm),
`record` (the public draw record), `verify` (recompute and name what differs), `membership`
(an enterprise's own check), `tasks` (the staff workflow over the store) and `matching`
(an inspection a point reports as 双随机 against the draws that selected it).

Place in the import order: after casework, before insights (insights may call `matching`).
Nothing here imports boto3, fastapi, mangum or jinja2.
"""
