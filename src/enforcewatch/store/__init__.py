"""The store: one DynamoDB table, reached through `DynamoTable` (see docs/data-model.md).

Feature modules keep their own key layout in `enforcewatch.store.keys` and their own
data access next to it; AWS errors become domain errors in `dynamo.py` only.
"""
