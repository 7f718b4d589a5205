"""Vietnamese text tools: normalisation and folding, document numbers, topics."""
