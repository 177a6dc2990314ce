"""Spreadsheets in: the liberal sheet reader (`reader`) and cell values as offices type them
(`values`). Used by the registry import and the list import alike."""
