"""LLM-assisted mapping: an optional assist for tables the deterministic mapper cannot handle,
accepted only when every number is a cited source token and the sum rules agree."""
