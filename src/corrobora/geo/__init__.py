"""geo stage: a GeoNames-derived gazetteer (`gazetteer.load()`) and a context-ranking
toponym resolver (`resolver.Resolver.load().resolve(text, spans)` -> `list[Place]`)."""
