"""Renderers of an `Assessment`: the JSON contract (`json`) and, later, documents."""
