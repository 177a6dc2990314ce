"""The store: one DynamoDB table, reached through `DynamoTable` (see docs/data-model.md).

The attribute and index names are in `schema.py`; each feature module builds its own items' keys
and does its own data access; AWS errors become domain errors in `dynamo.py` only.
"""
