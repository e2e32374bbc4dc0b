"""The arithmetic of similar ideas: character n-grams, the sentence model and the in-memory
index that ranks with both. The only place numpy, scikit-learn and torch are imported."""
