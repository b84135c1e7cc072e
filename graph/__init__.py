"""The governance graph: vocabulary, schema and the stores that hold it."""
